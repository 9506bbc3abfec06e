"""The filtered plays: one temporary view named `plays` over the session's own table, so that every query
of every answer (charts, races, statistics, cards) reads only what the filters keep, by construction.

The session's file is opened read-only and never changed; the view and the few small tables it reads
live in the connection's temporary catalog, which DuckDB searches first. Artists, songs and albums are
decided on the session's releases (entries.py): each query meets one anti-join on the integer release_id
against the few releases left out; periods and incognito plays are plain predicates DuckDB applies as it
scans, and merged versions are the names ingest stored beside each play. No request joins names over all
the plays.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import datetime

import duckdb
from cachetools import LRUCache

from backend.services.curation.entries import NAMED_LISTS, record_excluded_releases, temporary_table
from backend.services.curation.errors import SessionPredatesFilters
from backend.services.curation.filters import Filters, Period
from backend.services.sessions import SessionFacts, bound, read_facts

MAX_GROUPS_LISTED = 100
# The lists of entries, in the order a report gives them.
ENTRY_LISTS = (*NAMED_LISTS, "exclude_periods")
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
    # the first and last days of the kept plays by time zone, found once for this version of the session
    # (charts.play_scope), as what the filters leave out is (_left_out)
    known_days: dict = field(default_factory=dict, compare=False, repr=False)
    # each release left out, with the (list, entry) of every entry that names it (set_aside_within)
    entries_by_release: dict = field(default_factory=dict, compare=False, repr=False)

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
    facts = read_facts(con)
    # stored before ingest wrote the releases, or before each play named its release
    if not facts.current_layout and not con.execute(
            "SELECT bool_or(table_name = 'releases') AND bool_or(table_name = 'plays' AND column_name = "
            "'release_id') FROM duckdb_columns() WHERE database_name = current_database()").fetchone()[0]:
        raise SessionPredatesFilters
    left_out = _left_out(con, own, facts, filters)
    if left_out.releases:
        con.execute("CREATE OR REPLACE TEMP TABLE curation_left_out AS SELECT unnest($ids::INTEGER[]) AS release_id",
                    {"ids": list(left_out.releases)})
    if left_out.curation.plays_set_aside or filters.merge_versions:
        _create_view(con, own, filters, facts.current_layout, leaves_out=bool(left_out.curation.plays_set_aside),
                     names_leave_out=bool(left_out.releases))
    return left_out.curation


@dataclass(frozen=True)
class LeftOut:
    """What filters make of one version of a session: the answer's Curation and the releases left out."""
    curation: Curation
    releases: tuple[int, ...]


# The same filters meet the same version of a session again and again (a person's kept filters, every picture
# they draw): what they leave out is worked out once per version and kept here, a few hundred small entries.
_LEFT_OUT: LRUCache = LRUCache(maxsize=256)
_LEFT_OUT_LOCK = threading.Lock()


def _left_out(con: duckdb.DuckDBPyConnection, own: str, facts: SessionFacts, filters: Filters) -> LeftOut:
    """What the filters leave out of this version of the session, worked out once per version (a file without a
    version, written before versions were recorded, is worked out every time)."""
    key = (facts.version, filters)
    if facts.version is not None:
        with _LEFT_OUT_LOCK:
            found = _LEFT_OUT.get(key)
        if found is not None:
            return found
    notes = () if filters.include_incognito else _unmarked_incognito(facts.summary)
    set_aside, used, entries = 0, {}, defaultdict(list)
    if filters.leaves_out():
        record_excluded_releases(con, _beside(own, "releases"), _beside(own, "artists"), filters)
        set_aside, used = _counted(con, own, filters)
        for release, name, entry in con.execute("SELECT release_id, list, entry FROM curation_excluded").fetchall():
            entries[release].append((name, entry))
    groups, merged = _merged_groups(con, own) if filters.merge_versions else ([], 0)
    found = LeftOut(Curation(filters, set_aside, tuple(groups), merged, notes, entries_used=used,
                             entries_by_release={release: tuple(named) for release, named in entries.items()}),
                    tuple(sorted(entries)))
    if facts.version is not None:
        with _LEFT_OUT_LOCK:
            _LEFT_OUT[key] = found
    return found


def set_aside_within(con: duckdb.DuckDBPyConnection, curation: Curation, range_sql: str, params: dict) -> Curation:
    """The curation as a picture of one range sees it (for its footer): the plays set aside among those of the
    range (`range_sql` on a play's `ts`, with its `params`), and per list the entries that set one of them aside.
    An artist with no play in the range, or a period outside it, left nothing out of that picture."""
    if not curation.plays_set_aside:
        return curation
    filters = curation.filters
    named = ("p.release_id IN (SELECT release_id FROM curation_left_out)" if curation.entries_by_release
             else "false")
    incognito = "false" if filters.include_incognito else f"p.{INCOGNITO} IS TRUE"
    periods = [f"count(*) FILTER (WHERE p.ts BETWEEN {_moment_sql(period.start)} AND {_moment_sql(period.end)}) > 0"
               for period in filters.exclude_periods]
    sql = f"""
        SELECT count(*), list(DISTINCT p.release_id) FILTER (WHERE {named}), count(*) FILTER (WHERE {incognito}),
               {', '.join(periods) or 'false'}
        FROM {own_plays(con)} p WHERE ({range_sql}) AND ({named} OR NOT ({_kept_by_time(filters)}))"""
    set_aside, releases, incognito_plays, *in_periods = con.execute(sql, bound(sql, params)).fetchone()
    named_entries = {pair for release in releases or () for pair in curation.entries_by_release[release]}
    used = {name: sum(1 for listed, _ in named_entries if listed == name) for name in NAMED_LISTS}
    used |= {"exclude_periods": sum(bool(hit) for hit in in_periods),
             "incognito": incognito_plays}
    return replace(curation, plays_set_aside=set_aside, entries_used={name: n for name, n in used.items() if n})


def own_plays(con: duckdb.DuckDBPyConnection, table: str = "plays") -> str:
    """A table of the session's file (its own `plays` by default), named so that no temporary view shadows it."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return f'"{catalog}".main.{table}'


def _beside(own: str, table: str) -> str:
    """Another table of the session's file, named as own_plays names `plays`."""
    return f"{own.removesuffix('.plays')}.{table}"


def entry_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, list[int]]:
    """For each list, the plays each of its entries leaves out (in the entries' order; a play two entries
    name counts for both), and under "incognito" the incognito plays."""
    own = own_plays(con)
    record_excluded_releases(con, _beside(own, "releases"), _beside(own, "artists"), filters)
    named = {(name, entry): plays for name, entry, plays in con.execute(f"""
        SELECT e.list, e.entry, sum(r.plays)::BIGINT
        FROM (SELECT DISTINCT list, entry, release_id FROM curation_excluded) e
        JOIN {_beside(own, 'releases')} r ON r.id = e.release_id GROUP BY ALL""").fetchall()}
    temporary_table(con, "curation_periods", {"start": "TIMESTAMP", "stop": "TIMESTAMP"},
                    [(_naive(period.start), _naive(period.end), entry)
                     for entry, period in enumerate(filters.exclude_periods)])
    named |= {("exclude_periods", entry): plays for entry, plays in con.execute(
        f"SELECT c.entry, count(*) FROM curation_periods c JOIN {own} p ON p.ts >= c.start AND p.ts <= c.stop "
        "GROUP BY c.entry").fetchall()}
    answer = {name: [named.get((name, entry), 0) for entry in range(len(getattr(filters, name)))]
              for name in ENTRY_LISTS}
    incognito = 0 if filters.include_incognito else con.execute(
        f"SELECT count(*) FROM {own} WHERE {INCOGNITO}").fetchone()[0]
    return {**answer, "incognito": incognito}


def _naive(moment: datetime) -> datetime:
    """A UTC moment as the plays' `ts` holds it (UTC, without a zone)."""
    return moment.replace(tzinfo=None)


def _kept_by_time(filters: Filters) -> str:
    """The periods and incognito filters as a predicate on a play `p` (TRUE when they keep every play).
    The moments are our own parse of the filters, written as SQL literals so that DuckDB applies them as it
    scans; overlapping periods are joined first."""
    conditions = [f"NOT (p.ts BETWEEN {_moment_sql(start)} AND {_moment_sql(stop)})"
                  for start, stop in _joined_periods(filters.exclude_periods)]
    if not filters.include_incognito:
        conditions.append(f"p.{INCOGNITO} IS NOT TRUE")
    return " AND ".join(conditions) or "TRUE"


def _moment_sql(moment: datetime) -> str:
    return f"TIMESTAMP '{_naive(moment).isoformat(sep=' ')}'"


def _unmarked_incognito(summary: dict) -> tuple[str, ...]:
    """Notes naming the exports whose plays say nothing of incognito, which include_incognito: false keeps."""
    notes = [NO_INCOGNITO_MARK] if summary["format"] == "account" else []
    others = [entry["source"] for entry in summary.get("sources", []) if entry["source"] != "Spotify"]
    if others:
        verb, whose = ("does", "its") if len(others) == 1 else ("do", "their")
        notes.append(f"{' and '.join(others)} {verb} not say which plays were incognito, so "
                     f"include_incognito: false left none of {whose} plays out.")
    return tuple(notes)


def _joined_periods(periods: tuple[Period, ...]) -> list[tuple[datetime, datetime]]:
    joined: list[tuple[datetime, datetime]] = []
    for start, stop in sorted((_naive(period.start), _naive(period.end)) for period in periods):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], stop))
        else:
            joined.append((start, stop))
    return joined


def _counted(con: duckdb.DuckDBPyConnection, own: str, filters: Filters) -> tuple[int, dict[str, int]]:
    """The plays left out (each once), and per list how many entries left one out (for incognito: how many
    plays). The plays of the releases left out are counted at ingest; only the plays the periods or
    incognito leave out are counted here, in one scan that reads those plays alone."""
    used = dict(con.execute("SELECT list, count(DISTINCT entry) FROM curation_excluded GROUP BY list").fetchall())
    set_aside = con.execute(f"SELECT coalesce(sum(plays), 0)::BIGINT FROM {_beside(own, 'releases')} "
                            "WHERE id IN (SELECT release_id FROM curation_excluded)").fetchone()[0]
    if not filters.exclude_periods and filters.include_incognito:
        return set_aside, used
    periods = [f"count(*) FILTER (WHERE p.ts BETWEEN {_moment_sql(period.start)} AND {_moment_sql(period.end)}) > 0"
               for period in filters.exclude_periods]
    # the plays that the periods or incognito leave out and that no release left out already
    by_time, incognito, *in_periods = con.execute(f"""
        SELECT count(*) FILTER (WHERE e.release_id IS NULL), count(*) FILTER (WHERE p.{INCOGNITO}),
               {', '.join(periods) or 'NULL'}
        FROM {own} p LEFT JOIN (SELECT DISTINCT release_id FROM curation_excluded) e
        ON p.release_id = e.release_id
        WHERE NOT ({_kept_by_time(filters)})""").fetchone()
    used |= {name: count for name, count in (("exclude_periods", sum(bool(hit) for hit in in_periods)),
                                             ("incognito", 0 if filters.include_incognito else incognito)) if count}
    return set_aside + by_time, used


def _merged_groups(con: duckdb.DuckDBPyConnection, own: str) -> tuple[list[MergedGroup], int]:
    """The first MAX_GROUPS_LISTED groups merge_versions merges, most releases first, and how many there are
    (as ingest recorded them)."""
    table = _beside(own, "merged_versions")
    rows = con.execute(f"SELECT kind, name, artist, versions, releases FROM {table} "
                       "ORDER BY releases DESC, kind DESC, name, artist LIMIT $n", {"n": MAX_GROUPS_LISTED}).fetchall()
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return [MergedGroup(kind, name, artist, tuple(versions), releases)
            for kind, name, artist, versions, releases in rows], total


def _create_view(con: duckdb.DuckDBPyConnection, own: str, filters: Filters, tracks_whole: bool, *, leaves_out: bool,
                 names_leave_out: bool) -> None:
    select, joins, where = "p.*", "", "TRUE"
    if filters.merge_versions:
        # the merged names ingest wrote beside each play: no join. The track is read as stored (current layout): a
        # song's key is built from it, at a third of the cost of building it from a computed coalesce.
        track = "p.merged_track_uri" if tracks_whole else "coalesce(p.merged_track_uri, p.track_uri)"
        select = (f"p.* REPLACE (coalesce(p.merged_track_name, p.track_name) AS track_name, {track} AS track_uri, "
                  "coalesce(p.merged_album_name, p.album_name) AS album_name)")
    if leaves_out:
        where = _kept_by_time(filters)
    if names_leave_out:
        # an anti-join (not NOT IN, which would leave out the plays that name no release: their id is NULL)
        joins = "ANTI JOIN curation_left_out o ON p.release_id = o.release_id"
    con.execute(f"CREATE TEMP VIEW plays AS SELECT {select} FROM {own} p {joins} WHERE {where}")
