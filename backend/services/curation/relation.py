"""The filtered plays: one temporary view named `plays` over the session's own table, so that every query
of every answer (charts, races, statistics, cards) reads only what the filters keep, by construction.

The session's file is opened read-only and never changed; the view and the few small tables it reads
live in the connection's temporary catalog, which DuckDB searches first. Names and periods reach the SQL
only as bound parameters or rows of those tables. The plays left out are found once per request (their
row ids); each query then costs one anti-join against them, or nothing when no play is left out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from backend.services.artwork import spelling_key
from backend.services.curation.filters import Filters, NamedEntry
from backend.services.curation.versions import ALBUM_SUFFIX, SONG_SUFFIX, merged_sql
from backend.services.sessions import read_summary

MAX_GROUPS_LISTED = 100
# Each list of entries: the table of what its entries match, and how a play `p` matches a row `c` of it.
ENTRY_TABLES = {
    "exclude_artists": ("curation_artists", "p.artist_name = c.artist_name"),
    "exclude_tracks": ("curation_tracks", "p.track_name = c.track_name AND p.artist_name = c.artist_name"),
    "exclude_albums": ("curation_albums", "p.album_name = c.album_name AND p.artist_name = c.artist_name"),
    "exclude_periods": ("curation_periods", "p.ts >= c.start AND p.ts <= c.stop"),
}
INCOGNITO = "incognito_mode"
NO_INCOGNITO_MARK = ("This export (Account data) does not say which plays were incognito; only the Extended "
                     "streaming history does, so include_incognito: false left nothing out here.")


@dataclass(frozen=True)
class MergedGroup:
    """Versions of one recording (or one album) counted as one entry."""
    kind: str                   # "song" or "album"
    name: str                   # the name they share once the suffix is removed
    artist: str
    versions: tuple[str, ...]   # the names merged, as the export spells them
    releases: int               # how many releases (names, or Spotify tracks of one name) were merged


@dataclass(frozen=True)
class Curation:
    """The filters a request's answer honours, and what they set aside in this session."""
    filters: Filters
    plays_set_aside: int = 0
    merged: tuple[MergedGroup, ...] = ()
    merged_groups: int = 0
    notes: tuple[str, ...] = ()
    # per list (exclude_artists, ...): how many of its entries left out a play; "incognito": such plays left out
    entries_used: dict[str, int] = field(default_factory=dict)

    @property
    def in_effect(self) -> bool:
        return not self.filters.is_empty()

    def to_json(self) -> dict:
        """What an answer says was applied: the filters, the plays they set aside, the groups merged."""
        answer = {**self.filters.to_json(), "plays_set_aside": self.plays_set_aside}
        if self.filters.merge_versions:
            answer["merged_groups"] = self.merged_groups
            answer["merged"] = [{"kind": group.kind, "name": group.name, "artist": group.artist,
                                 "versions": list(group.versions), "releases": group.releases}
                                for group in self.merged]
        if self.notes:
            answer["notes"] = list(self.notes)
        return answer


def apply_filters(con: duckdb.DuckDBPyConnection, filters: Filters) -> Curation:
    """Make `plays` on this connection the plays the filters keep (versions merged if asked)."""
    if filters.is_empty():
        return Curation(filters)
    own = own_plays(con)
    con.execute("CREATE TEMP TABLE curation_left_out (play BIGINT)")
    notes, used = _leave_out(con, own, filters) if filters.leaves_out() else ((), {})
    set_aside = con.execute("SELECT count(*) FROM curation_left_out").fetchone()[0]
    groups: list[MergedGroup] = []
    if filters.merge_versions:
        groups = _prepare_versions(con, own)
    if set_aside or filters.merge_versions:
        _create_view(con, own, filters.merge_versions, bool(set_aside))
    return Curation(filters, set_aside, tuple(groups[:MAX_GROUPS_LISTED]), len(groups), notes, used)


def own_plays(con: duckdb.DuckDBPyConnection) -> str:
    """The session file's own `plays`, named so that the temporary view cannot shadow it."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return f'"{catalog}".main.plays'


def _leave_out(con: duckdb.DuckDBPyConnection, own: str, filters: Filters) -> tuple[tuple[str, ...], dict[str, int]]:
    """Fill curation_left_out with the row ids of the plays left out; the notes a person should read, and
    how many entries of each list left a play out (Curation.entries_used)."""
    _name_tables(con, own, filters)
    _table(con, "curation_periods", {"start": "TIMESTAMP", "stop": "TIMESTAMP"},
           [(period.start.replace(tzinfo=None), period.end.replace(tzinfo=None), entry)
            for entry, period in enumerate(filters.exclude_periods)])
    parts = [f"SELECT p.rowid FROM {own} p JOIN {table} c ON {match}" for table, match in ENTRY_TABLES.values()]
    notes: tuple[str, ...] = ()
    if not filters.include_incognito:
        if read_summary(con)["format"] == "account":
            notes = (NO_INCOGNITO_MARK,)
        parts.append(f"SELECT rowid FROM {own} WHERE {INCOGNITO}")
    con.execute(f"INSERT INTO curation_left_out {' UNION '.join(parts)}")
    used = {name: con.execute(f"SELECT count(DISTINCT c.entry) FROM {own} p JOIN {table} c ON {match}").fetchone()[0]
            for name, (table, match) in ENTRY_TABLES.items() if getattr(filters, name)}
    if not filters.include_incognito:
        used["incognito"] = con.execute(f"SELECT count(*) FROM {own} WHERE {INCOGNITO}").fetchone()[0]
    return notes, used


def _name_tables(con: duckdb.DuckDBPyConnection, own: str, filters: Filters) -> None:
    """curation_artists, _tracks and _albums: each entry with the names in the export it matches (the same
    name once case, accents, "&"/"and" and typographic apostrophes are set aside)."""
    artists_by_key: dict[str, list[str]] = defaultdict(list)
    if filters.exclude_artists or filters.exclude_tracks or filters.exclude_albums:
        artists = con.execute(f"SELECT DISTINCT artist_name FROM {own} WHERE artist_name IS NOT NULL").fetchall()
        for (artist,) in artists:
            artists_by_key[spelling_key(artist)].append(artist)
    _table(con, "curation_artists", {"artist_name": "VARCHAR"},
           [(name, entry) for entry, wanted in enumerate(filters.exclude_artists)
            for name in artists_by_key.get(spelling_key(wanted), [])])
    for table, column, entries in (("curation_tracks", "track_name", filters.exclude_tracks),
                                   ("curation_albums", "album_name", filters.exclude_albums)):
        _table(con, table, {column: "VARCHAR", "artist_name": "VARCHAR"},
               _named_matches(con, own, column, entries, artists_by_key))


def _named_matches(con: duckdb.DuckDBPyConnection, own: str, column: str, entries: tuple[NamedEntry, ...],
                   artists_by_key: dict[str, list[str]]) -> list[tuple]:
    """(name, artist, entry index) of every song or album in the export that an entry names."""
    artists = sorted({name for entry in entries for name in artists_by_key.get(spelling_key(entry.artist), [])})
    if not artists:
        return []
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for name, artist in con.execute(f"SELECT DISTINCT {column}, artist_name FROM {own} WHERE {column} IS NOT NULL "
                                    "AND artist_name IN (SELECT unnest($artists))", {"artists": artists}).fetchall():
        by_key[(spelling_key(name), spelling_key(artist))].append((name, artist))
    return [(*pair, entry) for entry, wanted in enumerate(entries)
            for pair in by_key.get((spelling_key(wanted.name), spelling_key(wanted.artist)), [])]


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """A temporary table of the rows (each ending with its entry's index), from bound parameters."""
    columns = {**columns, "entry": "INTEGER"}
    values = {f"c{index}": [row[index] for row in rows] for index in range(len(columns))}
    select = ", ".join(f"unnest($c{index}::{kind}[]) AS {column}"
                       for index, (column, kind) in enumerate(columns.items()))
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select}", values)


def _prepare_versions(con: duckdb.DuckDBPyConnection, own: str) -> list[MergedGroup]:
    """curation_song_merges and curation_album_merges: each release whose merged name (or, for a song, its one
    Spotify track for all releases) differs from its own; the groups merged, most releases first.

    Releases of a song are one when they share the artist, the name left by the song rule and the album name
    left by the album rule: "Intro" on two albums stays two songs, on an album and its deluxe edition one."""
    con.execute(f"""
        CREATE TEMP TABLE curation_song_versions AS
        WITH releases AS (
            SELECT DISTINCT track_name, artist_name, album_name, track_uri, {merged_sql('track_name')} AS merged,
                   {merged_sql('album_name')} AS merged_album
            FROM {own} WHERE kind = 'track' AND track_name IS NOT NULL AND artist_name IS NOT NULL)
        SELECT *, min(track_uri) OVER (PARTITION BY merged, artist_name, merged_album) AS canonical_uri
        FROM releases""", {"track_name_suffix": SONG_SUFFIX, "album_name_suffix": ALBUM_SUFFIX})
    con.execute(f"""
        CREATE TEMP TABLE curation_album_versions AS
        SELECT DISTINCT album_name, artist_name, {merged_sql('album_name')} AS merged
        FROM {own} WHERE album_name IS NOT NULL AND artist_name IS NOT NULL""", {"album_name_suffix": ALBUM_SUFFIX})
    con.execute("""CREATE TEMP TABLE curation_song_merges AS SELECT * FROM curation_song_versions
                   WHERE merged <> track_name OR canonical_uri IS DISTINCT FROM track_uri""")
    con.execute("CREATE TEMP TABLE curation_album_merges AS SELECT * FROM curation_album_versions "
                "WHERE merged <> album_name")
    rows = con.execute("""
        SELECT 'song', merged, artist_name, list(DISTINCT track_name ORDER BY track_name),
               count(DISTINCT (track_name, track_uri))
        FROM curation_song_versions GROUP BY merged, artist_name, merged_album
        HAVING count(DISTINCT (track_name, track_uri)) > 1
        UNION ALL
        SELECT 'album', merged, artist_name, list(album_name ORDER BY album_name), count(*)
        FROM curation_album_versions GROUP BY merged, artist_name HAVING count(*) > 1
        ORDER BY 5 DESC, 1 DESC, 2, 3""").fetchall()
    return [MergedGroup(kind, name, artist, tuple(versions), releases)
            for kind, name, artist, versions, releases in rows]


def _create_view(con: duckdb.DuckDBPyConnection, own: str, merge: bool, leaves_out: bool) -> None:
    select, joins = "p.*", ""
    if merge:
        select = ("p.* REPLACE (coalesce(s.merged, p.track_name) AS track_name, coalesce(s.canonical_uri, "
                  "p.track_uri) AS track_uri, coalesce(a.merged, p.album_name) AS album_name)")
        joins = ("LEFT JOIN curation_song_merges s ON p.track_name = s.track_name AND p.artist_name = s.artist_name "
                 "AND p.album_name IS NOT DISTINCT FROM s.album_name AND p.track_uri IS NOT DISTINCT FROM s.track_uri "
                 "LEFT JOIN curation_album_merges a ON p.album_name = a.album_name AND p.artist_name = a.artist_name")
    where = "WHERE p.rowid NOT IN (SELECT play FROM curation_left_out)" if leaves_out else ""
    con.execute(f"CREATE TEMP VIEW plays AS SELECT {select} FROM {own} p {joins} {where}")

