"""Build realistic Spotify data exports in code, and the chart numbers they should give.

Everything is seeded and fake (no real person's data; IPs come from the documentation ranges).
Reproduces the quirks of /work/shared/EXPORT_FORMATS.md; expected numbers follow its section 3.
"""
from __future__ import annotations

import calendar
import functools
import io
import itertools
import json
import operator
import random
import time
import warnings
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

EXTENDED_KEYS: tuple[str, ...] = (
    "ts", "platform", "ms_played", "conn_country", "ip_addr",
    "master_metadata_track_name", "master_metadata_album_artist_name",
    "master_metadata_album_album_name", "spotify_track_uri",
    "episode_name", "episode_show_name", "spotify_episode_uri",
    "audiobook_title", "audiobook_uri", "audiobook_chapter_uri", "audiobook_chapter_title",
    "reason_start", "reason_end", "shuffle", "skipped", "offline", "offline_timestamp",
    "incognito_mode",
)
ENDSONG_PERSONAL_KEYS: tuple[str, ...] = ("username", "ip_addr_decrypted", "user_agent_decrypted")
FAKE_USERNAME = "exportgen-test-user"
FAKE_EMAIL = "test.user@example.com"
STREAM_MS = 30000
INTRO = "Intro"
GREATEST_HITS = "Greatest Hits"
UNKNOWN_ARTIST, UNKNOWN_TRACK = "Unknown Artist", "Unknown Track"
# Hard names, always in the catalog (unless artists < 2*len) at popular ranks 0, 2, 4, ...
SPECIAL_ARTISTS: dict[str, str] = {
    "cjk": "青い鳥合唱団",
    "comma": "Mc Talibã,MC 3L",
    "emoji": "🔥 Fuego Collective 🎸",
    "arabic": "فرقة نجوم الليل",
    "cyrillic": "Звёздный Путь",
    "long": "The Extraordinarily Long-Named Philharmonic Orchestra of the Northern Hemisphere"
            " and Associated Choirs",
    "quotes": 'The "Quoted" Ones',
    "apostrophe": "Rock’n’Roll Kids",
    "ascii_apostrophe": "D'Artagnan's Dream",
    "slash": "AC/BC",
    "chinese": "周末乐队",
    "korean": "새벽별 밴드",
    "dollar": "Cash $ Money $ound",
    "devanagari": "राग संगीत मंडली",
    "thai": "วงดนตรีสยาม",
    "greek": "Ωμέγα Ήχοι",
    "zwj_emoji": "👨‍👩‍👧 Family Trio",
    "hebrew": "להקת הלילה",
    "markup": "Salt & Pepper <Live>",
    "backslash": "Back\\Slash Beats",
}
_SPECIAL_TITLES: dict[str, list[str]] = {
    "cjk": ["夜明けの歌", "東京の雨"], "comma": ["Baile, Baile", "Vai Lá"],
    "emoji": ["🔥🔥🔥", "Dance 💃 All Night"], "arabic": ["يا قمر", "ليلة"],
    "cyrillic": ["Зимний вечер", "Мечта"], "quotes": ['Hello, "Goodbye"', "Say \"Yes\""],
    "apostrophe": ["Don’t Stop"], "ascii_apostrophe": ["Can't Won't Don't"],
    "slash": ["Highway / Heaven"], "chinese": ["夜空的星星"], "korean": ["첫눈"],
    "dollar": ["$$$ (Make It Rain)"], "devanagari": ["सपना"], "thai": ["ฝันดี"],
    "greek": ["Νύχτα"], "zwj_emoji": ["🏳️‍🌈 Pride"], "hebrew": ["לילה טוב"],
    "markup": ["<b>Bold</b> & Brave"], "backslash": ["C:\\Music\\Track"],
}
_FIRST = ["Ana", "Ben", "Carla", "Dmitri", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kaito", "Lena", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Xenia", "Yusuf", "Zoë", "José", "Ólafur", "Søren", "Łukasz"]  # noqa: E501 (a list of names reads best on one line)
_LAST = ["Álvarez", "Berg", "Castillo", "Dubois", "Eriksen", "Fontaine", "García", "Haddad", "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quintero", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weiß", "Yılmaz", "Zieliński"]  # noqa: E501 (a list of names reads best on one line)
_ADJ = ["Silver", "Velvet", "Electric", "Midnight", "Golden", "Hollow", "Neon", "Quiet", "Wild", "Crimson", "Paper", "Lunar", "Broken", "Northern", "Static", "Glass", "Honey", "Iron", "Cosmic", "Rusty"]  # noqa: E501 (a list of names reads best on one line)
_NOUN = ["Tide", "Fox", "Harbor", "Engine", "Orchard", "Signal", "Lantern", "Comet", "River", "Echo", "Parade", "Garden", "Mirror", "Canyon", "Atlas", "Machine", "Feather", "Storm", "Cathedral", "Radio"]  # noqa: E501 (a list of names reads best on one line)
_SHOWS = ["The Daily Noise", "Café Conversations ☕", "Истории на ночь", "ポッドキャスト日和",
          "Science, Simply", "Mind/Body", "Talk 'n' Tea", "بودكاست المساء"]
_BOOKS = ["The Silent Orchard", "Тихий сад", "風の物語", "A Tale of Two Commas, Abridged"]
_AUTHORS = ["Ada Quill", "Boris Levin", "渡辺 花子", "Fatima Zahra Idrissi", "O'Neil \"Doc\" Park"]
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PLATFORMS_OLD = ["Android OS 4.4.2 API 19 (samsung, GT-I9505)", "iOS 9.3.5 (iPhone6,1)",
                  "Windows 7 (6.1.7601; x86; SP1; S)", "OS X 10.11.6 [x86 8]",
                  "web_player windows 7;chrome 49.0.2623.112;desktop"]
_PLATFORMS_NEW = ["android", "ios", "windows", "osx", "Android OS 9 API 28 (samsung, SM-G960F)",
                  "iOS 15.1 (iPhone12,1)", "Windows 10 (10.0.19044; x64; AppX)",
                  "web_player windows 10;chrome 96.0.4664.110;desktop",
                  "Partner sonos_ios Sonos;Sonos One;;", "Partner google cast_tv;Chromecast;;"]
_COUNTRIES = ["DE"] * 6 + ["US", "BR", "JP", "GB", "FR", "SE", "ZZ", "ZZ"]
_IPS = [f"192.0.2.{i}" for i in range(1, 9)] + [f"198.51.100.{i}" for i in range(20, 26)] + \
       [f"203.0.113.{i}" for i in range(7, 11)] + ["2001:db8::1", "2001:db8:85a3::8a2e:370:7334"]
_REASON_START = ["trackdone"] * 6 + ["clickrow", "fwdbtn", "backbtn", "appload", "playbtn",
                                     "remote", "trackerror", "unknown"]
_REASON_END_SHORT = ["fwdbtn"] * 5 + ["endplay", "backbtn", "logout", "unexpected-exit",
                                      "unexpected-exit-while-paused", "remote", "trackerror"]
_REASON_END_PARTIAL = ["endplay", "fwdbtn", "logout", "unexpected-exit-while-paused"]
_FIXED_DATE_TIME = (2024, 3, 14, 9, 26, 52)
_FOLDER_BYTES = b"\x00\x00\x00\x00"
MUSIC, PODCAST, AUDIOBOOK, NULL = range(4)


@dataclass(frozen=True)
class Track:
    """One track; uri is None only for local files."""
    uri: str | None
    name: str
    artist: str
    album: str | None
    length_ms: int


@dataclass
class Album:
    """An album: the key the charts use is (name, artist)."""
    name: str
    artist: str
    tracks: list[Track] = field(default_factory=list)


@dataclass
class Artist:
    """An artist and their albums."""
    name: str
    albums: list[Album] = field(default_factory=list)


@dataclass(frozen=True)
class Episode:
    """A podcast episode."""
    uri: str
    name: str
    show: str


@dataclass(frozen=True)
class Chapter:
    """An audiobook chapter (author derived by author_of)."""
    uri: str
    title: str
    book: str
    book_uri: str
    author: str


@dataclass(frozen=True)
class Catalog:
    """Artists in popularity order (index 0 most played) and what the generator picks from. make_catalog shares
    one per arguments, so nothing changes one (or its lists) after it is made."""
    seed: int
    artists: list[Artist]
    tracks: list[Track]
    track_cum_weights: list[float]
    episodes: list[Episode]
    episode_cum_weights: list[float]
    chapters: list[Chapter]
    local_tracks: list[Track]
    special: dict[str, str]

    @property
    def track_by_uri(self) -> dict[str, Track]:
        return {t.uri: t for t in self.tracks}


def author_of(book: str) -> str:
    """The (fake) author of an audiobook title; a pure function so account rows can derive it."""
    return _AUTHORS[zlib.crc32(book.encode()) % len(_AUTHORS)]


def _uri(rng: random.Random, kind: str, seen: set[str]) -> str:
    while True:
        uri = f"spotify:{kind}:" + "".join(rng.choices(_B62, k=22))
        if uri not in seen:
            seen.add(uri)
            return uri


def _plain_artist(rng: random.Random) -> str:
    a, n, f, last = rng.choice(_ADJ), rng.choice(_NOUN), rng.choice(_FIRST), rng.choice(_LAST)
    return rng.choice([f"The {a} {n}s", f"{f} {last}", f"{a} {n}", f"DJ {n}", f"{f} & The {n}s",
                       f"{last} Quartet", f"{f} {last}", f"{a.lower()}{n.lower()}"])


def _title(rng: random.Random) -> str:
    a, n, n2 = rng.choice(_ADJ), rng.choice(_NOUN), rng.choice(_NOUN)
    return rng.choice([f"{a} {n}", f"{n} Song", a, f"Love in the {n}", f"{n}, {n2} & Me",
                       f"Don't Stop the {n}", f"{n} (feat. {rng.choice(_FIRST)})",
                       f"{a} {n} - Remastered 2011", f"¿{n}?", f"{a} {n}"])


def _artist_names(rng: random.Random, count: int) -> list[tuple[str | None, str]]:
    specials = list(SPECIAL_ARTISTS.items())[: (count + 1) // 2]
    plain: list[str] = []
    taken = set(SPECIAL_ARTISTS.values())
    while len(plain) < count - len(specials):
        name = _plain_artist(rng)
        if name not in taken:
            taken.add(name)
            plain.append(name)
    out: list[tuple[str | None, str]] = []
    for i in range(count):
        if specials and (i % 2 == 0 or not plain):
            out.append(specials.pop(0))
        else:
            out.append((None, plain.pop(0)))
    return out


@functools.cache
def make_catalog(seed: int = 1, artists: int = 120) -> Catalog:
    """A fake catalog; see SPECIAL_ARTISTS, INTRO and GREATEST_HITS for the hard cases it holds.

    Built once per arguments and shared (test modules make the same one at import, in every xdist worker).
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    out_artists, tracks, weights = [], [], []
    for rank, (key, name) in enumerate(_artist_names(rng, artists)):
        artist = Artist(name)
        titles = list(_SPECIAL_TITLES.get(key, []))
        for k in range(rng.randint(1, 4)):
            album_name = GREATEST_HITS if (k == 1 and rank % 5 == 1) else _title(rng)
            album = Album(album_name, name)
            for j in range(rng.randint(3, 12)):
                if j == 0 and (rank % 4 == 0 or album_name == GREATEST_HITS):
                    title = INTRO
                else:
                    title = titles.pop(0) if titles else _title(rng)
                length = rng.randint(90_000, 400_000)
                uri = _uri(rng, "track", seen)
                album.tracks.append(Track(uri, title, name, album_name, length))
            artist.albums.append(album)
        if rank % 6 == 3:  # a single: same title and artist as an album track, another URI
            hit = artist.albums[0].tracks[-1]
            artist.albums.append(Album(hit.name, name, [Track(_uri(rng, "track", seen), hit.name,
                                                              name, hit.name, hit.length_ms)]))
        own = [t for a in artist.albums for t in a.tracks]
        rng.shuffle(own)
        norm = sum(1 / (j + 1) ** 1.1 for j in range(len(own)))
        for j, t in enumerate(own):
            tracks.append(t)
            weights.append((1 / (rank + 1)) * (1 / (j + 1) ** 1.1) / norm)
        out_artists.append(artist)
    episodes, ep_weights = [], []
    for s, show in enumerate(_SHOWS):
        for e in range(rng.randint(15, 40)):
            name = f"#{e + 1}: {_title(rng)}" if s % 2 else f"Episode {e + 1} – {_title(rng)}"
            episodes.append(Episode(_uri(rng, "episode", seen), name, show))
            ep_weights.append(1 / (s + 1) / (e + 1) ** 0.5)
    chapters = []
    for book in _BOOKS:
        book_uri = _uri(rng, "show", seen)
        for c in range(rng.randint(8, 20)):
            chapters.append(Chapter(_uri(rng, "episode", seen), f"Chapter {c + 1}", book,
                                    book_uri, author_of(book)))
    local = [Track(None, f"{t.name} (demo)", t.artist, None, t.length_ms) for t in tracks[:3]]
    return Catalog(seed, out_artists, tracks, list(itertools.accumulate(weights)), episodes,
                   list(itertools.accumulate(ep_weights)), chapters, local,
                   {k: n for k, n in SPECIAL_ARTISTS.items()
                    if any(a.name == n for a in out_artists)})


def _epoch(day: str) -> int:
    return calendar.timegm(time.strptime(day, "%Y-%m-%d"))


def _guaranteed(catalog: Catalog, podcasts: float, audiobooks: float,
                null_rows: float) -> list[tuple[int, object, int]]:
    """(kind, item, ms_played) rows that make every quirk appear in any export of n >= 200."""
    out: list[tuple[int, object, int]] = []
    if podcasts > 0:
        out.append((PODCAST, catalog.episodes[0], 45_000))
    if audiobooks > 0:
        out.append((AUDIOBOOK, catalog.chapters[0], 300_000))
    if null_rows > 0:
        out.append((NULL, None, 31_000))
    first = catalog.tracks[0]
    out += [(MUSIC, first, STREAM_MS), (MUSIC, first, STREAM_MS - 1), (MUSIC, first, 0)]
    for name in catalog.special.values():
        out.append((MUSIC, next(t for t in catalog.tracks if t.artist == name), 200_000))
    odd = [t for t in catalog.tracks if t.name == INTRO or t.album == GREATEST_HITS]
    out += [(MUSIC, t, 120_000) for t in odd[:12]]
    return out


def extended_rows(catalog: Catalog, n: int, seed: int = 1, start: str = "2015-01-01",
                  end: str = "2024-12-31", duplicates: int = 0, podcasts: float = 0.05,
                  audiobooks: float = 0.01, null_rows: float = 0.005, short_plays: float = 0.2,
                  local_files: float = 0.0) -> list[dict]:
    """n distinct extended rows plus `duplicates` exact copies (85% right after their original).

    ts values of the n originals are unique seconds, so originals never collide. For n >= 200
    every quirk is guaranteed: a podcast, an audiobook and an all-null row, ms_played 30000,
    29999 and 0, a play of every special artist, Intro and Greatest Hits, and one out-of-order
    pair across a year boundary. local_files > 0 adds music rows with spotify_track_uri and
    album null (the track key then falls back to (name, artist)).
    """
    rng = random.Random(seed)
    rnd = rng.random
    times = sorted(rng.sample(range(_epoch(start), _epoch(end) + 86400), n))
    p1, p2, p3 = podcasts, podcasts + audiobooks, podcasts + audiobooks + null_rows
    p4 = p3 + local_files
    kinds = []
    for _ in range(n):
        r = rnd()
        kinds.append(PODCAST if r < p1 else AUDIOBOOK if r < p2 else NULL if r < p3
                     else -1 if r < p4 else MUSIC)
    items: list[object] = [None] * n
    pick = {MUSIC: iter(rng.choices(catalog.tracks, cum_weights=catalog.track_cum_weights,
                                    k=kinds.count(MUSIC))),
            PODCAST: iter(rng.choices(catalog.episodes, cum_weights=catalog.episode_cum_weights,
                                      k=kinds.count(PODCAST))),
            AUDIOBOOK: iter(rng.choices(catalog.chapters, k=kinds.count(AUDIOBOOK))),
            NULL: itertools.repeat(None),
            -1: iter(rng.choices(catalog.local_tracks, k=kinds.count(-1)) if local_files else ())}
    for i, k in enumerate(kinds):
        items[i] = next(pick[k])
    kinds = [MUSIC if k == -1 else k for k in kinds]
    forced_ms: dict[int, int] = {}
    if n >= 200:
        forced = _guaranteed(catalog, podcasts, audiobooks, null_rows)
        for i, (kind, item, ms) in zip(rng.sample(range(n), len(forced)), forced):
            kinds[i], items[i], forced_ms[i] = kind, item, ms
    state = {"platform": "android", "ip": _IPS[0], "country": "DE"}
    rows = [_row(rng, state, t, kinds[i], items[i], forced_ms.get(i), short_plays)
            for i, t in enumerate(_stamps(times))]
    _shuffle_a_little(rng, rows)
    return _with_duplicates(rng, rows, duplicates)


def _stamps(times: list[int]):
    days: dict[int, str] = {}
    for t in times:
        d, s = divmod(t, 86400)
        day = days.get(d) or days.setdefault(d, time.strftime("%Y-%m-%d", time.gmtime(t)))
        yield t, f"{day}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"


def _row(rng: random.Random, state: dict, t_ts: tuple[int, str], kind: int, item,
         ms: int | None, short_plays: float) -> dict:
    rnd = rng.random
    t, ts = t_ts
    year = int(ts[:4])
    if rnd() < 0.05:  # a new session: device, address and country change together
        plats = _PLATFORMS_OLD if year < 2018 else _PLATFORMS_NEW
        state["platform"] = plats[int(rnd() * len(plats))]
        state["ip"] = _IPS[int(rnd() * len(_IPS))]
        state["country"] = _COUNTRIES[int(rnd() * len(_COUNTRIES))]
    length = item.length_ms if kind == MUSIC else 60_000 + int(rnd() * 340_000)
    full = False
    if ms is None:
        r = rnd()
        if r < short_plays:
            r2 = rnd()
            ms = 29_999 if r2 < 0.04 else 0 if r2 < 0.08 else int(rnd() * 29_999)
        else:
            r2 = rnd()
            full = 0.02 <= r2 < 0.75
            ms = STREAM_MS if r2 < 0.02 else length if full else \
                30_001 + int(rnd() * (length - 30_001))
    plat = state["platform"]
    if kind == NULL:
        return dict(zip(EXTENDED_KEYS, (ts, plat, ms) + (None,) * 20))
    short = ms < STREAM_MS
    reason_end = (_REASON_END_SHORT[int(rnd() * len(_REASON_END_SHORT))] if short else
                  "trackdone" if full else _REASON_END_PARTIAL[int(rnd() * 4)])
    r = rnd()
    if year < 2019:
        skipped = None if r < 0.85 else short
    else:
        skipped = None if r < 0.08 else (short and r < 0.75) or (not short and r > 0.97)
    offline = rnd() < 0.1
    r = rnd()
    offline_ts = (None if r < 0.2 else 0 if r < 0.3 else t - ms // 1000 if r < 0.6
                  else t * 1000 - ms)
    music, ep, book = (None,) * 4, (None,) * 3, (None,) * 4
    if kind == MUSIC:
        music = (item.name, item.artist, item.album, item.uri)
    elif kind == PODCAST:
        ep = (item.name, item.show, item.uri)
    else:
        book = (item.book, item.book_uri, item.uri, item.title)
    values = ((ts, plat, ms, state["country"], None if rnd() < 0.02 else state["ip"])
              + music + ep + book
              + (_REASON_START[int(rnd() * len(_REASON_START))], reason_end,
                 kind == MUSIC and rnd() < 0.4, skipped, offline, offline_ts, rnd() < 0.01))
    return dict(zip(EXTENDED_KEYS, values))


def _shuffle_a_little(rng: random.Random, rows: list[dict]) -> None:
    n = len(rows)
    if n < 2:
        return
    for j in rng.sample(range(n - 1), max(1, n // 150)):
        rows[j], rows[j + 1] = rows[j + 1], rows[j]
    for _ in range(n // 2000):
        j = rng.randrange(n)
        rows.insert(max(0, j - rng.randint(10, 200)), rows.pop(j))
    years = [r["ts"][:4] for r in rows]
    ups = [i for i in range(1, n) if years[i] > years[i - 1]]
    if not ups:
        return
    late = rows.pop(ups[-1] - 1)  # an offline play of year N-1 synced in the middle of year N
    late["offline"] = None if late["offline"] is None else True
    rows.insert((ups[-1] + n) // 2 - 1, late)
    b = ups[0] if ups[0] < ups[-1] else ups[0] - 1
    if b >= 1:  # and one swapped pair across a year boundary
        rows[b - 1], rows[b] = rows[b], rows[b - 1]


def _with_duplicates(rng: random.Random, rows: list[dict], duplicates: int) -> list[dict]:
    if not duplicates or not rows:
        return rows
    after: dict[int, list[dict]] = defaultdict(list)
    for d in range(duplicates):
        src = rng.randrange(len(rows))
        pos = src if d == 0 or rng.random() < 0.85 else src + rng.randint(2, 500)
        pos = src if pos >= len(rows) else pos
        after[pos].append(rows[src])
    out: list[dict] = []
    for i, row in enumerate(rows):
        out.append(row)
        out.extend(dict(c) for c in after.get(i, ()))
    return out


def endsong_rows(rows: list[dict], legacy_keys: bool = False) -> list[dict]:
    """Rows of the older endsong generation: username after ts, ip_addr_decrypted and
    user_agent_decrypted after ip_addr. legacy_keys=True also drops ip_addr and the
    audiobook_* keys, as the oldest files really do."""
    rest = [k for k in EXTENDED_KEYS[5:] if not (legacy_keys and k.startswith("audiobook_"))]
    out = []
    for r in rows:
        row = {"ts": r.get("ts"), "username": FAKE_USERNAME}
        for k in EXTENDED_KEYS[1:4] + (() if legacy_keys else ("ip_addr",)):
            row[k] = r.get(k)
        row["ip_addr_decrypted"] = r.get("ip_addr")
        row["user_agent_decrypted"] = "unknown" if "web_player" not in (r.get("platform") or "") \
            else "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        for k in rest:
            row[k] = r.get(k)
        out.append(row)
    return out


def _end_time(ts: str) -> str:
    return f"{ts[:10]} {ts[11:16]}"


def account_rows(rows: list[dict]) -> dict[str, list[dict]]:
    """Convert extended rows to account-data rows, sorted by endTime (stable).

    All-null rows become music rows "Unknown Artist"/"Unknown Track"; ms_played 0 rows stay
    msPlayed 0; exact duplicates in `rows` stay duplicated.
    """
    music, podcast, book = [], [], []
    for r in rows:
        end, ms = _end_time(r["ts"]), r["ms_played"]
        if r.get("master_metadata_track_name") is not None:
            music.append({"endTime": end, "artistName": r["master_metadata_album_artist_name"],
                          "trackName": r["master_metadata_track_name"], "msPlayed": ms})
        elif r.get("episode_name") is not None:
            podcast.append({"endTime": end, "podcastName": r["episode_show_name"],
                            "episodeName": r["episode_name"], "msPlayed": ms})
        elif r.get("audiobook_title") is not None:
            book.append({"endTime": end, "audiobookName": r["audiobook_title"],
                         "chapterName": r["audiobook_chapter_title"],
                         "authorName": author_of(r["audiobook_title"]), "msPlayed": ms})
        else:
            music.append({"endTime": end, "artistName": UNKNOWN_ARTIST,
                          "trackName": UNKNOWN_TRACK, "msPlayed": ms})
    key = operator.itemgetter("endTime")
    return {"music": sorted(music, key=key), "podcast": sorted(podcast, key=key),
            "audiobook": sorted(book, key=key)}


def mixed_account_rows(rows_by_kind: dict[str, list[dict]]) -> list[dict]:
    """The pre-2024 single-list form: podcasts as artistName=show, trackName=episode;
    audiobooks dropped (that generation had none)."""
    pods = [{"endTime": p["endTime"], "artistName": p["podcastName"],
             "trackName": p["episodeName"], "msPlayed": p["msPlayed"]}
            for p in rows_by_kind.get("podcast", [])]
    return sorted(list(rows_by_kind.get("music", [])) + pods, key=operator.itemgetter("endTime"))


def dumps_rows(rows: list[dict], indent: bool = True) -> str:
    """One JSON array as Spotify writes it: indent=2 (one key a line) or compact."""
    if indent:
        return json.dumps(rows, ensure_ascii=False, indent=2)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _pdf(size: int = 4096) -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + random.Random(7).randbytes(size) + b"\n%%EOF\n"


class _NonSeekable:
    """A write-only stream: zipfile then writes data descriptors (flag bit 3), like Spotify."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> int:
        return self.buffer.write(data)

    def flush(self) -> None:
        pass


class _Utf8Info(zipfile.ZipInfo):
    """A ZipInfo that always sets flag bit 11 (UTF-8 names), even for ASCII names."""

    @property
    def flag_bits(self) -> int:
        return self._flags | 0x800

    @flag_bits.setter
    def flag_bits(self, value: int) -> None:
        self._flags = value


def zip_of(members: dict[str, bytes | str] | list[tuple[str, bytes | str]], *,
           data_descriptors: bool = True, utf8_flag: bool = True,
           compression: int = zipfile.ZIP_DEFLATED, compresslevel: int | None = 6,
           date_time: tuple[int, ...] = _FIXED_DATE_TIME) -> bytes:
    """A ZIP of members in the given order (a list allows duplicate names; names ending in
    '/' are folder entries and may hold bytes). Defaults write Spotify's style."""
    sink = _NonSeekable() if data_descriptors else io.BytesIO()
    info_cls = _Utf8Info if utf8_flag else zipfile.ZipInfo
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted in hostile tests
        with zipfile.ZipFile(sink, "w") as zf:
            for name, data in items:
                info = info_cls(name, date_time=date_time)
                info.compress_type = compression
                info.external_attr = ((0o40755 << 16) | 0x10) if name.endswith("/") \
                    else 0o644 << 16
                zf.writestr(info, data, compresslevel=compresslevel)
    return sink.buffer.getvalue() if data_descriptors else sink.getvalue()


def _years(chunk: list[dict]) -> tuple[str, str]:
    return str(chunk[0].get("ts") or "0000")[:4], str(chunk[-1].get("ts") or "0000")[:4]


def _indent_for(k: int, indent: str) -> bool:
    return indent == "indented" or (indent == "vary" and k % 3 != 2)


def extended_zip(rows: list[dict], layout: str = "extended", per_file: int = 16000,
                 video_rows: list | None = None, pdf: bool = True, *, indent: str = "vary",
                 recent_naming: bool = True, legacy_keys: bool = False,
                 compresslevel: int = 1, folder_bytes: bytes = _FOLDER_BYTES) -> bytes:
    """An Extended Streaming History ZIP, written the way Spotify writes it.

    Files hold rows in the given order, per_file each, named by the years of their first and
    last rows; with recent_naming the last file is Streaming_History_Audio_<last year>.json.
    indent: "vary" (every third file compact), "indented" or "compact". compresslevel 1 keeps
    a 200 MB export quick; the folder entry comes last and holds folder_bytes.
    """
    members: list[tuple[str, bytes]] = []
    chunks = [rows[i:i + per_file] for i in range(0, len(rows), per_file)]
    if layout == "extended":
        top = "Spotify Extended Streaming History/"
        for k, chunk in enumerate(chunks):
            y1, y2 = _years(chunk)
            span = y1 if y1 == y2 else f"{y1}-{y2}"
            last = k == len(chunks) - 1 and recent_naming
            name = f"Streaming_History_Audio_{y2}.json" if last else \
                f"Streaming_History_Audio_{span}_{k}.json"
            members.append((top + name, dumps_rows(chunk, _indent_for(k, indent)).encode()))
        if video_rows:
            y1, y2 = min(_years(video_rows)), max(_years(video_rows))
            span = y1 if y1 == y2 else f"{y1}-{y2}"
            members.append((f"{top}Streaming_History_Video_{span}.json",
                            dumps_rows(video_rows, indent != "compact").encode()))
        if pdf:
            members.append((top + "ReadMeFirst_ExtendedStreamingHistory.pdf", _pdf()))
    elif layout == "endsong":
        top = "MyData/"
        for k, chunk in enumerate(chunks):
            data = dumps_rows(endsong_rows(chunk, legacy_keys), _indent_for(k, indent))
            members.append((f"{top}endsong_{k}.json", data.encode()))
        if video_rows:
            members.append((top + "endvideo.json",
                            dumps_rows(endsong_rows(video_rows, legacy_keys)).encode()))
        if pdf:
            members.append((top + "Read_Me_First.pdf", _pdf()))
    else:
        raise ValueError(f"unknown layout {layout!r}: use 'extended' or 'endsong'")
    members.append((top, folder_bytes))
    return zip_of(members, compresslevel=compresslevel)


EXTRA_FILES: tuple[str, ...] = (
    "Userdata.json", "Payments.json", "Playlist1.json", "SearchQueries.json", "Marquee.json",
    "Wrapped2023.json", "YourSoundCapsule.json", "YourLibrary.json", "Follow.json",
    "Inferences.json", "Read_Me_First.pdf")


def _extras() -> dict[str, bytes]:
    song = {"trackName": INTRO, "artistName": SPECIAL_ARTISTS["comma"],
            "albumName": GREATEST_HITS, "trackUri": "spotify:track:" + "A" * 22}
    docs = {
        "Userdata.json": {"username": FAKE_USERNAME, "email": FAKE_EMAIL, "country": "DE",
                          "birthdate": "1990-01-01", "gender": "neutral", "postalCode": None,
                          "mobileNumber": None, "creationTime": "2014-05-05"},
        "Payments.json": {"payment_method": "Visa", "creation_date": "2019-02-01",
                          "postal_code": None, "country": "DE"},
        "Playlist1.json": {"playlists": [{"name": "Road trip 🚗", "lastModifiedDate": "2023-05-01",
                                          "items": [{"track": song, "episode": None,
                                                     "localTrack": None,
                                                     "addedDate": "2023-05-01"}] * 3,
                                          "description": None, "numberOfFollowers": 0}]},
        "SearchQueries.json": [{"platform": "ANDROID", "searchTime": "2023-10-02T23:43:11.1Z[UTC]",
                                "searchQuery": "intro", "searchInteractionURIs": []}],
        "Marquee.json": [{"artistName": SPECIAL_ARTISTS["cjk"],
                          "segment": "Previously Active Listeners"}],
        "Wrapped2023.json": {"topArtists": {"topArtistUris": [], "numUniqueArtists": 321},
                             "topTracks": {"topTracks": [], "count": 50}},
        "YourSoundCapsule.json": {"stats": [{"streamCount": 12, "date": "2023-09-01",
                                             "secondsPlayed": 3600}], "highlights": []},
        "YourLibrary.json": {"tracks": [{"artist": song["artistName"], "album": GREATEST_HITS,
                                         "track": INTRO, "uri": song["trackUri"]}],
                             "albums": [], "shows": [], "episodes": [], "artists": []},
        "Follow.json": {"followerCount": 3, "followingUsersCount": 5, "dismissingUsersCount": 0},
        "Inferences.json": {"inferences": ["1P_Custom_Test_Segment", "3P_Fake_Audience"]},
    }
    out = {k: json.dumps(v, ensure_ascii=False, indent=2).encode() for k, v in docs.items()}
    out["Read_Me_First.pdf"] = _pdf()
    return out


def account_zip(rows_by_kind: dict[str, list[dict]], layout: str = "2024",
                extras: bool = True, *, indent: str = "vary") -> bytes:
    """An Account data ZIP. "2024": per-kind files (a kind given as [] gets one empty file;
    a missing kind none); "2020"/"2019": mixed music+podcast rows (see mixed_account_rows)."""
    members: list[tuple[str, bytes]] = []
    if layout == "2024":
        top = "Spotify Account Data/"
        for kind in ("music", "podcast", "audiobook"):
            if kind in rows_by_kind:
                rows = rows_by_kind[kind]
                for k in range(max(1, -(-len(rows) // 10_000))):
                    data = dumps_rows(rows[k * 10_000:(k + 1) * 10_000], _indent_for(k, indent))
                    members.append((f"{top}StreamingHistory_{kind}_{k}.json", data.encode()))
    elif layout in ("2020", "2019"):
        mixed = mixed_account_rows(rows_by_kind)
        if layout == "2020":
            top = "MyData/"
            for k in range(max(1, -(-len(mixed) // 10_000))):
                data = dumps_rows(mixed[k * 10_000:(k + 1) * 10_000], _indent_for(k, indent))
                members.append((f"{top}StreamingHistory{k}.json", data.encode()))
        else:
            top = "my_spotify_data/"
            members.append((top + "StreamingHistory.json",
                            dumps_rows(mixed, indent != "compact").encode()))
    else:
        raise ValueError(f"unknown layout {layout!r}: use '2024', '2020' or '2019'")
    if extras:
        members += [(top + name, data) for name, data in _extras().items()]
    members.append((top, _FOLDER_BYTES))
    return zip_of(members)


def account_only_zip() -> bytes:
    """An Account data package holding only the non-history files (EXTRA_FILES)."""
    top = "Spotify Account Data/"
    return zip_of([(top + k, v) for k, v in _extras().items()] + [(top, _FOLDER_BYTES)])


def distinct_rows(rows: list[dict]) -> list[dict]:
    """Rows without exact duplicates (same keys and values, in any key order), first kept."""
    getter = operator.itemgetter(*rows[0]) if rows and len(rows[0]) > 1 else None
    width = len(rows[0]) if rows else 0
    seen: set = set()
    out = []
    for r in rows:
        try:
            key = getter(r) if getter and len(r) == width else frozenset(r.items())
        except KeyError:
            key = frozenset(r.items())
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _in_range(day: str, start: str | None, end: str | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def _ranked(totals: dict, shown: dict, metric: str, n: int) -> list[tuple]:
    out = []
    for key, value in totals.items():
        name, artist = shown[key]
        out.append((name, artist, value / 60000 if metric == "duration_ms" else value))
    out.sort(key=lambda x: (-x[2], x[0], x[1] or ""))
    return out[:n]


def expected_top(rows: list[dict], attribute: str, metric: str, n: int,
                 start: str | None = None, end: str | None = None) -> list[tuple]:
    """Top n (name, artist or None, value) by the product's rules.

    Distinct rows only; music rows (track name and artist set) with ms_played >= 30000; days
    inclusive, UTC, on ts. Track key is the URI (else (name, artist)), shown with the names of
    its first row; album key (album, artist), rows without an album skipped. "Streams" counts,
    "duration_ms" gives minutes (float). Ties: name, then artist.
    """
    if metric not in ("Streams", "duration_ms"):
        raise ValueError(f"unknown metric {metric!r}")
    totals: dict = defaultdict(int)
    shown: dict = {}
    for r in distinct_rows(rows):
        name, artist, ms = r.get("master_metadata_track_name"), \
            r.get("master_metadata_album_artist_name"), r.get("ms_played") or 0
        if name is None or artist is None or ms < STREAM_MS or \
                not _in_range(r["ts"][:10], start, end):
            continue
        if attribute == "artist_name":
            key, label = artist, (artist, None)
        elif attribute == "track_name":
            key, label = r.get("spotify_track_uri") or (name, artist), (name, artist)
        elif attribute == "album_name":
            album = r.get("master_metadata_album_album_name")
            if album is None:
                continue
            key = label = (album, artist)
        else:
            raise ValueError(f"unknown attribute {attribute!r}")
        shown.setdefault(key, label)
        totals[key] += 1 if metric == "Streams" else ms
    return _ranked(totals, shown, metric, n)


def expected_account_top(rows_by_kind: dict[str, list[dict]], n: int, metric: str,
                         attribute: str = "artist_name", start: str | None = None,
                         end: str | None = None, layout: str = "2024") -> list[tuple]:
    """expected_top for account data: music rows (for layout "2020"/"2019" the mixed rows, so
    podcasts count under their show), distinct, msPlayed >= 30000, days on endTime. Track key
    (trackName, artistName); Unknown Artist/Track count like any name; no album attribute."""
    rows = rows_by_kind.get("music", []) if layout == "2024" else mixed_account_rows(rows_by_kind)
    if attribute not in ("artist_name", "track_name"):
        raise ValueError(f"account data has no {attribute!r}")
    totals: dict = defaultdict(int)
    shown: dict = {}
    for r in distinct_rows(rows):
        if r["msPlayed"] < STREAM_MS or not _in_range(r["endTime"][:10], start, end):
            continue
        artist = r["artistName"]
        key = label = (artist, None) if attribute == "artist_name" else (r["trackName"], artist)
        shown[key] = label
        totals[key] += 1 if metric == "Streams" else r["msPlayed"]
    return _ranked(totals, shown, metric, n)


def _kind(r: dict) -> str:
    if r.get("master_metadata_track_name") is not None:
        return "music"
    if r.get("episode_name") is not None:
        return "episode"
    return "audiobook" if r.get("audiobook_title") is not None else "unknown"


def expected_summary(rows: list[dict]) -> dict:
    """Counts for an ingest of extended rows.

    rows_read: len(rows); rows_stored: distinct rows (whole-row equality); duplicates_dropped:
    the difference; streams: distinct rows of ANY kind (music, episode, audiobook, all-null)
    with ms_played >= 30000; stream_ms: their summed ms_played; also per kind:
    {music,episode,audiobook,unknown}_rows and _streams (distinct), first_ts, last_ts.
    """
    distinct = distinct_rows(rows)
    out = {"rows_read": len(rows), "rows_stored": len(distinct),
           "duplicates_dropped": len(rows) - len(distinct), "streams": 0, "stream_ms": 0}
    for kind in ("music", "episode", "audiobook", "unknown"):
        out[f"{kind}_rows"] = out[f"{kind}_streams"] = 0
    for r in distinct:
        kind, ms = _kind(r), r.get("ms_played") or 0
        out[f"{kind}_rows"] += 1
        if ms >= STREAM_MS:
            out["streams"] += 1
            out["stream_ms"] += ms
            out[f"{kind}_streams"] += 1
    stamps = [r["ts"] for r in distinct]
    out["first_ts"], out["last_ts"] = (min(stamps), max(stamps)) if stamps else (None, None)
    return out


def names_in(rows: list[dict]) -> set[str]:
    """Every artist, track, album, show, episode and audiobook name in extended rows."""
    keys = ("master_metadata_album_artist_name", "master_metadata_track_name", "master_metadata_album_album_name",
            "episode_name", "episode_show_name", "audiobook_title", "audiobook_chapter_title")
    return {r[k] for r in rows for k in keys if r.get(k)}
