"""Which releases the entries of a filter name: `curation_excluded` (release_id, list, entry), decided on the
session's few thousand releases rather than on its plays. Names reach the SQL only as bound parameters or
rows of small temporary tables."""
from __future__ import annotations

from collections import defaultdict

import duckdb

from backend.services.artwork import spelling_key
from backend.services.curation.filters import Filters, NamedEntry

# Each list of named entries: the columns of what its entries match, and how a release `r` matches a row `c`.
NAMED_LISTS = {
    "exclude_artists": (("artist_name",), "r.artist_name = c.artist_name"),
    "exclude_tracks": (("track_name", "artist_name"), "r.track_name = c.track_name AND r.artist_name = c.artist_name"),
    "exclude_albums": (("album_name", "artist_name"), "r.album_name = c.album_name AND r.artist_name = c.artist_name"),
}


def record_excluded_releases(con: duckdb.DuckDBPyConnection, releases: str, artists: str,
                             filters: Filters) -> None:
    """Fill curation_excluded with each release an entry names, its list and the entry (a release two entries
    name is there twice), in one statement: the names as bound parameters."""
    matches = _matched_names(con, releases, artists, filters)
    parts, values = [], {}
    for name, (columns, match) in NAMED_LISTS.items():
        rows = matches[name]
        named = {**{column: "VARCHAR" for column in columns}, "entry": "INTEGER"}
        select = ", ".join(f"unnest(${name}{index}::{kind}[]) AS {column}"
                           for index, (column, kind) in enumerate(named.items()))
        values |= {f"{name}{index}": [row[index] for row in rows] for index in range(len(named))}
        parts.append(f"SELECT r.id, '{name}', c.entry FROM {releases} r JOIN (SELECT {select}) c ON {match}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE curation_excluded AS SELECT * FROM ({' UNION ALL '.join(parts)}) "
                "AS named (release_id, list, entry)", values)


def _matched_names(con: duckdb.DuckDBPyConnection, releases: str, artists: str,
                   filters: Filters) -> dict[str, list[tuple]]:
    """For each list, each entry's names in the export it matches, with the entry's index (the same name once
    case, accents, "&"/"and" and typographic apostrophes are set aside)."""
    wanted = {spelling_key(name) for name in filters.exclude_artists} | {
        spelling_key(entry.artist) for entry in (*filters.exclude_tracks, *filters.exclude_albums)}
    artists_by_key: dict[str, list[str]] = defaultdict(list)
    if wanted:
        matched = con.execute(f"SELECT artist_name, spelling FROM {artists} "
                              "WHERE spelling IN (SELECT unnest($keys))", {"keys": sorted(wanted)}).fetchall()
        for artist, spelling in matched:
            artists_by_key[spelling].append(artist)
    songs_and_albums = _releases_of(con, releases, sorted(
        {name for entry in (*filters.exclude_tracks, *filters.exclude_albums)
         for name in artists_by_key.get(spelling_key(entry.artist), [])}))
    return {"exclude_artists": [(name, entry) for entry, wanted_name in enumerate(filters.exclude_artists)
                                for name in artists_by_key.get(spelling_key(wanted_name), [])],
            "exclude_tracks": _named_matches([(track, artist) for track, _, artist in songs_and_albums if track],
                                             filters.exclude_tracks),
            "exclude_albums": _named_matches([(album, artist) for _, album, artist in songs_and_albums if album],
                                             filters.exclude_albums)}


def _releases_of(con: duckdb.DuckDBPyConnection, releases: str, artists: list[str]) -> list[tuple]:
    """(song, album, artist) of every music release of these artists."""
    if not artists:
        return []
    return con.execute(f"SELECT DISTINCT track_name, album_name, artist_name FROM {releases} "
                       "WHERE music AND artist_name IN (SELECT unnest($artists))", {"artists": artists}).fetchall()


def _named_matches(names: list[tuple[str, str]], entries: tuple[NamedEntry, ...]) -> list[tuple]:
    """(name, artist, entry index) of every song or album (name, artist) of the export that an entry names."""
    by_key: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for name, artist in names:
        by_key[(spelling_key(name), spelling_key(artist))].add((name, artist))
    return [(*pair, entry) for entry, wanted in enumerate(entries)
            for pair in sorted(by_key.get((spelling_key(wanted.name), spelling_key(wanted.artist)), ()))]


def temporary_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """A temporary table of the rows (each ending with its entry's index), from bound parameters."""
    columns = {**columns, "entry": "INTEGER"}
    values = {f"c{index}": [row[index] for row in rows] for index in range(len(columns))}
    select = ", ".join(f"unnest($c{index}::{kind}[]) AS {column}"
                       for index, (column, kind) in enumerate(columns.items()))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", values)
