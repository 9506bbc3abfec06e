"""The filtered plays: one temporary view named `plays` over the session's own table, so that every query
of every answer (charts, races, statistics, cards) reads only what the filters keep, by construction.

The session's file is opened read-only and never changed; the view and the few small tables it reads
live in the connection's temporary catalog, which DuckDB searches first. Names and periods reach the SQL
only as bound parameters or rows of those tables. The plays left out are found once per request (their
row ids); each query then costs one anti-join against them, or nothing when no play is left out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import KW_ONLY, dataclass, field

import duckdb

from backend.services.artwork import spelling_key
from backend.services.curation.errors import SessionPredatesFilters
from backend.services.curation.filters import Filters, NamedEntry
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
    _: KW_ONLY
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
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND table_name = 'releases'").fetchone()[0]:
        raise SessionPredatesFilters
    con.execute("CREATE TEMP TABLE curation_left_out (play BIGINT, list VARCHAR, entry INTEGER)")
    notes = _leave_out(con, own, filters) if filters.leaves_out() else ()
    set_aside, used = _counted(con)
    groups, merged = _merged_groups(con) if filters.merge_versions else ([], 0)
    if set_aside or filters.merge_versions:
        _create_view(con, own, filters.merge_versions, bool(set_aside))
    return Curation(filters, set_aside, tuple(groups), merged, notes, entries_used=used)


def own_plays(con: duckdb.DuckDBPyConnection, table: str = "plays") -> str:
    """A table of the session's file (its own `plays` by default), named so that no temporary view shadows it."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return f'"{catalog}".main.{table}'


def _leave_out(con: duckdb.DuckDBPyConnection, own: str, filters: Filters) -> tuple[str, ...]:
    """Fill curation_left_out with each play left out, the list and the entry that left it out (a play two
    entries name is there twice); the notes a person should read."""
    _name_tables(con, own, filters)
    _table(con, "curation_periods", {"start": "TIMESTAMP", "stop": "TIMESTAMP"},
           [(period.start.replace(tzinfo=None), period.end.replace(tzinfo=None), entry)
            for entry, period in enumerate(filters.exclude_periods)])
    parts = [f"SELECT p.rowid, '{name}', c.entry FROM {own} p JOIN {table} c ON {match}"
             for name, (table, match) in ENTRY_TABLES.items() if getattr(filters, name)]
    notes: tuple[str, ...] = ()
    if not filters.include_incognito:
        notes = _unmarked_incognito(read_summary(con))
        parts.append(f"SELECT rowid, 'incognito', 0 FROM {own} WHERE {INCOGNITO}")
    con.execute(f"INSERT INTO curation_left_out {' UNION ALL '.join(parts)}")
    return notes


def _unmarked_incognito(summary: dict) -> tuple[str, ...]:
    """Notes naming the exports whose plays say nothing of incognito, which include_incognito: false keeps."""
    notes = [NO_INCOGNITO_MARK] if summary["format"] == "account" else []
    others = [entry["source"] for entry in summary.get("sources", []) if entry["source"] != "Spotify"]
    if others:
        verb, whose = ("does", "its") if len(others) == 1 else ("do", "their")
        notes.append(f"{' and '.join(others)} {verb} not say which plays were incognito, so "
                     f"include_incognito: false left none of {whose} plays out.")
    return tuple(notes)


def _counted(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, int]]:
    """The plays left out, and per list how many entries left one out (for incognito: how many plays)."""
    set_aside = con.execute("SELECT count(DISTINCT play) FROM curation_left_out").fetchone()[0]
    used = dict(con.execute("SELECT list, CASE WHEN list = 'incognito' THEN count(*) ELSE count(DISTINCT entry) END "
                            "FROM curation_left_out GROUP BY list").fetchall())
    return set_aside, used


def _name_tables(con: duckdb.DuckDBPyConnection, own: str, filters: Filters) -> None:
    """curation_artists, _tracks and _albums: each entry with the names in the export it matches (the same
    name once case, accents, "&"/"and" and typographic apostrophes are set aside)."""
    wanted = {spelling_key(name) for name in filters.exclude_artists} | {
        spelling_key(entry.artist) for entry in (*filters.exclude_tracks, *filters.exclude_albums)}
    artists_by_key: dict[str, list[str]] = defaultdict(list)
    if wanted:
        matched = con.execute(f"SELECT artist_name, spelling FROM {own_plays(con, 'artists')} "
                              "WHERE spelling IN (SELECT unnest($keys))", {"keys": sorted(wanted)}).fetchall()
        for artist, spelling in matched:
            artists_by_key[spelling].append(artist)
    _table(con, "curation_artists", {"artist_name": "VARCHAR"},
           [(name, entry) for entry, wanted_name in enumerate(filters.exclude_artists)
            for name in artists_by_key.get(spelling_key(wanted_name), [])])
    releases = own_plays(con, "releases")
    for table, column, entries in (("curation_tracks", "track_name", filters.exclude_tracks),
                                   ("curation_albums", "album_name", filters.exclude_albums)):
        _table(con, table, {column: "VARCHAR", "artist_name": "VARCHAR"},
               _named_matches(con, releases, column, entries, artists_by_key))


def _named_matches(con: duckdb.DuckDBPyConnection, releases: str, column: str, entries: tuple[NamedEntry, ...],
                   artists_by_key: dict[str, list[str]]) -> list[tuple]:
    """(name, artist, entry index) of every song or album in the export that an entry names."""
    artists = sorted({name for entry in entries for name in artists_by_key.get(spelling_key(entry.artist), [])})
    if not artists:
        return []
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for name, artist in con.execute(f"SELECT DISTINCT {column}, artist_name FROM {releases} "
                                    f"WHERE {column} IS NOT NULL AND artist_name IN (SELECT unnest($artists))",
                                    {"artists": artists}).fetchall():
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


def _merged_groups(con: duckdb.DuckDBPyConnection) -> tuple[list[MergedGroup], int]:
    """The first MAX_GROUPS_LISTED groups merge_versions merges, most releases first, and how many there are
    (as ingest recorded them)."""
    table = own_plays(con, "merged_versions")
    rows = con.execute(f"SELECT kind, name, artist, versions, releases FROM {table} "
                       "ORDER BY releases DESC, kind DESC, name, artist LIMIT $n", {"n": MAX_GROUPS_LISTED}).fetchall()
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return [MergedGroup(kind, name, artist, tuple(versions), releases)
            for kind, name, artist, versions, releases in rows], total


def _release_key(summary: dict) -> str:
    """SQL for the value a play `p` joins release_merges on: its Spotify track, so each query hashes one value,
    not four names. Account data names no tracks, nor do other services: their plays are joined by their names;
    an Extended history play without a Spotify track is left as it is."""
    names = "json_array(p.track_name, p.artist_name)::VARCHAR"
    if summary["format"] == "account":
        return names
    if any(entry["source"] != "Spotify" for entry in summary.get("sources", [])):
        return f"coalesce(p.track_uri, CASE WHEN p.source <> 'Spotify' THEN {names} END)"
    return "p.track_uri"


def _create_view(con: duckdb.DuckDBPyConnection, own: str, merge: bool, leaves_out: bool) -> None:
    select, joins = "p.*", ""
    if merge:
        key = _release_key(read_summary(con))
        select = ("p.* REPLACE (coalesce(m.merged, p.track_name) AS track_name, coalesce(m.canonical_uri, "
                  "p.track_uri) AS track_uri, coalesce(m.merged_album, p.album_name) AS album_name)")
        joins = (f"LEFT JOIN {own_plays(con, 'release_merges')} m "
                 f"ON {key} = m.release_key")
    # an anti-join on the row id (not NOT IN, which must also look for a NULL among the plays left out)
    if leaves_out:
        joins += " ANTI JOIN curation_left_out o ON p.rowid = o.play"
    con.execute(f"CREATE TEMP VIEW plays AS SELECT {select} FROM {own} p {joins}")
