"""Self-check of the export generator: the quirks are there and the expected numbers are right."""
import functools
import io
import json
import operator
import re
import struct
import zipfile

import pytest

try:
    from harness import exportgen as eg
except ImportError:
    import exportgen as eg

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def catalog():
    return eg.make_catalog()


@pytest.fixture(scope="module")
def rows(catalog):
    return eg.extended_rows(catalog, 5000, duplicates=40)


def _local_flags(data: bytes, info: zipfile.ZipInfo) -> int:
    signature, _version, flags = struct.unpack_from("<IHH", data, info.header_offset)
    assert signature == 0x04034B50
    return flags


@pytest.mark.parametrize("build", [
    lambda r: eg.extended_zip(r, per_file=1500, video_rows=r[:30]),
    lambda r: eg.extended_zip(r, "endsong", per_file=2000),
    lambda r: eg.account_zip(eg.account_rows(r)),
    lambda r: eg.account_zip(eg.account_rows(r), "2020"),
    lambda r: eg.account_zip(eg.account_rows(r), "2019"),
    lambda r: eg.account_only_zip(),
])
def test_zip_is_built_like_spotifys(rows, build):
    data = build(rows)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    folder = infos[-1]
    assert folder.filename.endswith("/") and folder.is_dir()
    assert folder.file_size > 0 and folder.compress_size > 0
    assert all(i.filename.startswith(folder.filename) for i in infos)
    assert not any(i.is_dir() for i in infos[:-1])
    for info in infos:
        assert info.flag_bits & 0x08 and info.flag_bits & 0x800, info.filename
        assert _local_flags(data, info) & 0x808 == 0x808
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.date_time == (2024, 3, 14, 9, 26, 52)


def test_extended_zip_members_and_round_trip(rows):
    zf = zipfile.ZipFile(io.BytesIO(eg.extended_zip(rows, per_file=1500, video_rows=rows[:30])))
    names = zf.namelist()
    top = "Spotify Extended Streaming History/"
    audio = [n for n in names if "Streaming_History_Audio_" in n]
    first = r"Streaming_History_Audio_\d{4}(-\d{4})?_0\.json"
    assert re.fullmatch(re.escape(top) + first, audio[0])
    assert re.fullmatch(re.escape(top) + r"Streaming_History_Audio_\d{4}\.json", audio[-1])
    assert top + "Streaming_History_Video_2015.json" in names
    assert top + "ReadMeFirst_ExtendedStreamingHistory.pdf" in names
    raw = [zf.read(n) for n in audio]
    assert functools.reduce(operator.iadd, (json.loads(b) for b in raw), []) == rows
    assert any(b.startswith(b'[\n  {\n    "ts": ') for b in raw)
    assert any(b.startswith(b'[{"ts":') for b in raw)
    assert any(eg.SPECIAL_ARTISTS["cjk"].encode() in b for b in raw)  # ensure_ascii=False


def test_every_quirk_is_in_a_5000_row_export(rows):
    assert len(rows) == 5040
    assert all(tuple(r) == eg.EXTENDED_KEYS for r in rows) and len(eg.EXTENDED_KEYS) == 23
    assert all(TS.match(r["ts"]) for r in rows)
    podcasts = [r for r in rows if r["episode_name"]]
    assert podcasts and all(r["master_metadata_track_name"] is None
                            and r["spotify_track_uri"] is None and r["spotify_episode_uri"]
                            for r in podcasts)
    assert any(r["audiobook_title"] and r["audiobook_chapter_uri"] for r in rows)
    nulls = [r for r in rows if all(v is None for k, v in r.items()
                                    if k not in ("ts", "ms_played", "platform"))]
    assert nulls
    assert any(rows[i] == rows[i + 1] for i in range(len(rows) - 1))
    assert any(rows[i]["ts"] > rows[i + 1]["ts"] for i in range(len(rows) - 1))
    ms = [r["ms_played"] for r in rows]
    assert {0, 29999, 30000} <= set(ms) and max(ms) <= 400_000
    assert 0.15 < sum(m < 30000 for m in ms) / len(ms) < 0.25
    artists = {r["master_metadata_album_artist_name"] for r in rows}
    for key in ("comma", "cjk", "emoji", "arabic", "cyrillic", "long", "quotes", "slash"):
        assert eg.SPECIAL_ARTISTS[key] in artists, key
    assert len(eg.SPECIAL_ARTISTS["long"]) > 80
    intro = {r["master_metadata_album_artist_name"] for r in rows
             if r["master_metadata_track_name"] == eg.INTRO}
    hits = {r["master_metadata_album_artist_name"] for r in rows
            if r["master_metadata_album_album_name"] == eg.GREATEST_HITS}
    assert len(intro) >= 2 and len(hits) >= 2
    assert {True, False, None} <= {r["skipped"] for r in rows}
    offline = {type(v) for v in (r["offline_timestamp"] for r in rows) if v}
    assert None in {r["offline_timestamp"] for r in rows} and offline == {int}
    assert 0 in {r["offline_timestamp"] for r in rows}
    stamps = [r["offline_timestamp"] for r in rows if r["offline_timestamp"]]
    assert any(s < 10**11 for s in stamps) and any(s > 10**11 for s in stamps)
    assert "ZZ" in {r["conn_country"] for r in rows}
    assert any(r["ip_addr"] for r in rows)


def test_catalog_names(catalog):
    uris = [t.uri for t in catalog.tracks]
    assert len(uris) == len(set(uris))
    assert all(re.fullmatch(r"spotify:track:[0-9A-Za-z]{22}", u) for u in uris)
    assert catalog.special == eg.SPECIAL_ARTISTS
    assert len([t for t in catalog.tracks if t.name == eg.INTRO]) >= 3


def test_same_arguments_same_output(catalog, rows):
    again = eg.extended_rows(eg.make_catalog.__wrapped__(), 5000, duplicates=40)  # built anew, not the shared one
    assert again == rows
    assert eg.extended_zip(rows[:500]) == eg.extended_zip(again[:500])
    assert eg.extended_rows(catalog, 300, seed=2) != eg.extended_rows(catalog, 300, seed=3)


def _row(ts, ms, track=None, artist=None, album=None, uri=None, **extra):
    row = dict.fromkeys(eg.EXTENDED_KEYS)
    row.update(ts=ts, ms_played=ms, platform="android", master_metadata_track_name=track,
               master_metadata_album_artist_name=artist, master_metadata_album_album_name=album,
               spotify_track_uri=uri, **extra)
    return row


U1, U2, U3 = ("spotify:track:" + c * 22 for c in "123")
HAND = [
    _row("2020-01-01T00:00:10Z", 30000, "Song X", "Alpha", "Greatest Hits", U1),
    _row("2020-01-01T00:00:10Z", 30000, "Song X", "Alpha", "Greatest Hits", U1),
    _row("2020-01-02T08:00:00Z", 29999, "Song Y", "Beta", "Greatest Hits", U2),
    _row("2020-01-02T23:59:59Z", 200000, "Song Y", "Beta", "Greatest Hits", U2),
    _row("2020-01-03T00:00:00Z", 60000, "Intro", "Beta", "Greatest Hits", U3),
    _row("2020-01-03T01:00:00Z", 500000, episode_name="Ep 1", episode_show_name="Show",
         spotify_episode_uri="spotify:episode:" + "e" * 22),
]


@pytest.mark.parametrize("attribute, metric, start, end, want", [
    ("artist_name", "Streams", None, None, [("Beta", None, 2), ("Alpha", None, 1)]),
    ("artist_name", "duration_ms", None, None,
     [("Beta", None, 260000 / 60000), ("Alpha", None, 0.5)]),
    ("track_name", "Streams", None, None,
     [("Intro", "Beta", 1), ("Song X", "Alpha", 1), ("Song Y", "Beta", 1)]),
    ("album_name", "Streams", None, None,
     [("Greatest Hits", "Beta", 2), ("Greatest Hits", "Alpha", 1)]),
    ("artist_name", "Streams", "2020-01-02", "2020-01-02", [("Beta", None, 1)]),
    ("track_name", "Streams", "2020-01-04", None, []),
])
def test_expected_top_by_hand(attribute, metric, start, end, want):
    assert eg.expected_top(HAND, attribute, metric, 10, start, end) == want


def test_expected_top_cuts_at_n():
    assert eg.expected_top(HAND, "track_name", "Streams", 2) == [
        ("Intro", "Beta", 1), ("Song X", "Alpha", 1)]


def test_expected_summary_by_hand():
    summary = eg.expected_summary(HAND)
    assert summary["rows_read"] == 6 and summary["rows_stored"] == 5
    assert summary["duplicates_dropped"] == 1
    assert summary["streams"] == 4 and summary["music_streams"] == 3
    assert summary["stream_ms"] == 30000 + 200000 + 60000 + 500000


def test_duplicates_are_found_in_any_key_order():
    reordered = dict(reversed(list(HAND[0].items())))
    assert eg.distinct_rows([HAND[0], reordered, HAND[3]]) == [HAND[0], HAND[3]]


def test_account_rows_and_expected_account_top():
    by_kind = eg.account_rows(HAND + [_row("2020-01-04T10:00:00Z", 0)])
    assert by_kind["music"][-1] == {"endTime": "2020-01-04 10:00", "artistName": "Unknown Artist",
                                    "trackName": "Unknown Track", "msPlayed": 0}
    assert by_kind["podcast"] == [{"endTime": "2020-01-03 01:00", "podcastName": "Show",
                                   "episodeName": "Ep 1", "msPlayed": 500000}]
    assert eg.expected_account_top(by_kind, 5, "Streams") == [("Beta", None, 2), ("Alpha", None, 1)]
    assert eg.expected_account_top(by_kind, 5, "Streams", layout="2020")[0] == ("Beta", None, 2)
    assert ("Show", None, 1) in eg.expected_account_top(by_kind, 5, "Streams", layout="2019")
    with pytest.raises(ValueError):
        eg.expected_account_top(by_kind, 5, "Streams", "album_name")


def test_account_zips_hold_the_right_files(rows):
    by_kind = eg.account_rows(rows)
    names = zipfile.ZipFile(io.BytesIO(eg.account_zip(by_kind))).namelist()
    assert "Spotify Account Data/StreamingHistory_music_0.json" in names
    assert "Spotify Account Data/StreamingHistory_audiobook_0.json" in names
    assert {"Spotify Account Data/" + n for n in eg.EXTRA_FILES} <= set(names)
    old = zipfile.ZipFile(io.BytesIO(eg.account_zip(by_kind, "2019", extras=False))).namelist()
    assert old == ["my_spotify_data/StreamingHistory.json", "my_spotify_data/"]
    only = zipfile.ZipFile(io.BytesIO(eg.account_only_zip())).namelist()
    assert not any("StreamingHistory" in n for n in only)


def test_zip_of_builds_hostile_archives():
    data = eg.zip_of([("a.json", b"[]"), ("a.json", "[1]"), ("../evil.json", b"{}")],
                     data_descriptors=False, utf8_flag=False, compression=zipfile.ZIP_STORED)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert [i.filename for i in infos] == ["a.json", "a.json", "../evil.json"]
    assert not any(i.flag_bits & 0x808 for i in infos)
