"""Which releases the entries of a filter name: `curation_excluded` (release_id, list, entry), decided on the
session's few thousand releases rather than on its plays. Names reach the SQL only as bound parameters or
rows of small temporary tables."""
from __future__ import annotations

from collections import defaultdict

import duckdb

from backend.services.artwork import spelling_key
from backend.services.curation.filters import Filters, NamedEntry

# Each list of named entries: the table of what its entries match, and how a release `r` matches a row `c`.
NAMED_LISTS = {
    "exclude_artists": ("curation_artists", "r.artist_name = c.artist_name"),
    "exclude_tracks": ("curation_tracks", "r.track_name = c.track_name AND r.artist_name = c.artist_name"),
    "exclude_albums": ("curation_albums", "r.album_name = c.album_name AND r.artist_name = c.artist_name"),
}


def record_excluded_releases(con: duckdb.DuckDBPyConnection, releases: str, artists: str,
                             filters: Filters) -> None:
    """Fill curation_excluded with each release an entry names, its list and the entry (a release two entries
    name is there twice)."""
    _name_tables(con, releases, artists, filters)
    parts = [f"SELECT r.id, '{name}', c.entry FROM {releases} r JOIN {table} c ON {match}"
             for name, (table, match) in NAMED_LISTS.items()]
    con.execute("CREATE TEMP TABLE curation_excluded AS "
                f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS named (release_id, list, entry)")


def _name_tables(con: duckdb.DuckDBPyConnection, releases: str, artists: str, filters: Filters) -> None:
    """curation_artists, _tracks and _albums: each entry with the names in the export it matches (the same
    name once case, accents, "&"/"and" and typographic apostrophes are set aside)."""
    wanted = {spelling_key(name) for name in filters.exclude_artists} | {
        spelling_key(entry.artist) for entry in (*filters.exclude_tracks, *filters.exclude_albums)}
    artists_by_key: dict[str, list[str]] = defaultdict(list)
    if wanted:
        matched = con.execute(f"SELECT artist_name, spelling FROM {artists} "
                              "WHERE spelling IN (SELECT unnest($keys))", {"keys": sorted(wanted)}).fetchall()
        for artist, spelling in matched:
            artists_by_key[spelling].append(artist)
    temporary_table(con, "curation_artists", {"artist_name": "VARCHAR"},
                    [(name, entry) for entry, wanted_name in enumerate(filters.exclude_artists)
                     for name in artists_by_key.get(spelling_key(wanted_name), [])])
    for table, column, entries in (("curation_tracks", "track_name", filters.exclude_tracks),
                                   ("curation_albums", "album_name", filters.exclude_albums)):
        temporary_table(con, table, {column: "VARCHAR", "artist_name": "VARCHAR"},
                        _named_matches(con, releases, column, entries, artists_by_key))


def _named_matches(con: duckdb.DuckDBPyConnection, releases: str, column: str, entries: tuple[NamedEntry, ...],
                   artists_by_key: dict[str, list[str]]) -> list[tuple]:
    """(name, artist, entry index) of every song or album of the music in the export that an entry names."""
    artists = sorted({name for entry in entries for name in artists_by_key.get(spelling_key(entry.artist), [])})
    if not artists:
        return []
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for name, artist in con.execute(f"SELECT DISTINCT {column}, artist_name FROM {releases} "
                                    f"WHERE music AND {column} IS NOT NULL "
                                    "AND artist_name IN (SELECT unnest($artists))",
                                    {"artists": artists}).fetchall():
        by_key[(spelling_key(name), spelling_key(artist))].append((name, artist))
    return [(*pair, entry) for entry, wanted in enumerate(entries)
            for pair in by_key.get((spelling_key(wanted.name), spelling_key(wanted.artist)), [])]


def temporary_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """A temporary table of the rows (each ending with its entry's index), from bound parameters."""
    columns = {**columns, "entry": "INTEGER"}
    values = {f"c{index}": [row[index] for row in rows] for index in range(len(columns))}
    select = ", ".join(f"unnest($c{index}::{kind}[]) AS {column}"
                       for index, (column, kind) in enumerate(columns.items()))
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select}", values)
