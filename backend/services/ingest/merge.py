"""Adding an export to a session: its plays joined to the session's, a play that two sources both hold
counted once.

The added export is ingested alone (as /process would), then the file of the two holding more plays takes the
other's: a copy of the session's file its new plays, or the added export's file the session's plays (a large
export added to a small session is not copied again). That file replaces the published one in one step
(SessionStore.publish). Which plays are the same:

- from another source: same normalised artist and track (case, accents and runs of spaces ignored), and
  times that meet within MATCH_SLACK_SECONDS. Each play is a span: Spotify stamps a play when it stopped,
  so its span is [ts - ms_played, ts]; scrobblers (Last.fm, ListenBrainz, YouTube Music, Apple Music)
  stamp it when it started, so theirs is [ts, ts + ms_played] (a point without a duration). One play's
  two stamps differ by its length, which the spans absorb; the slack covers clocks and minute-rounded times.
- from the same source: the same row again (an export uploaded twice or overlapping exports).
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from backend.services.curation import record_releases
from backend.services.ingest.plays import (
    IngestSummary,
    PlayCounts,
    SourceSummary,
    connect_for_ingest,
    count_plays,
)
from backend.services.sessions import SessionDeleted, open_session, write_session_info
from src.exports import PLAYS_COLUMNS, ROW_FORMATS, ExportTooLarge

MATCH_SLACK_SECONDS = 60
# Times are compared in buckets of an hour, so a song played a thousand times is matched bucket by bucket.
BUCKET_SECONDS = 3600
STOP_STAMPED = sorted({fmt.source for fmt in ROW_FORMATS if fmt.stamp == "stop"})


def _normalised(column: str) -> str:
    return f"lower(strip_accents(regexp_replace(trim({column}), '\\s+', ' ', 'g')))"


TRACK_PLAY = "kind = 'track' AND artist_name IS NOT NULL AND track_name IS NOT NULL"
# What a column of PLAYS_COLUMNS reads as in a session stored before it existed: plays named no source before
# sessions took several exports (they were Spotify's), nor whether they were incognito before the filters.
LEGACY_COLUMNS = {"source": ("VARCHAR", "'Spotify'"), "incognito_mode": ("BOOLEAN", "NULL")}


def _names(new: str, held: str) -> str:
    """Names repeat across plays: each distinct (artist, track) of either side is normalised once."""
    return f"""
        CREATE TEMP TABLE names AS
        SELECT artist_name, track_name, {_normalised('artist_name')} AS a, {_normalised('track_name')} AS t
        FROM (SELECT DISTINCT artist_name, track_name FROM {new} WHERE {TRACK_PLAY}
              UNION SELECT DISTINCT artist_name, track_name FROM {held} WHERE {TRACK_PLAY})"""


def _bucketed(table: str, ids: bool) -> str:
    """Each track play of `table` (source, normalised names, and with `ids` its rowid as `id`), its span in
    epoch seconds, and every hour bucket the span touches, slack included."""
    stop_stamped = ", ".join(f"'{source}'" for source in STOP_STAMPED)
    seconds = "coalesce(ms_played, 0) / 1000.0"
    spans = f"""
        SELECT {'p.rowid AS id, ' if ids else ''}source, a, t,
               CASE WHEN source IN ({stop_stamped}) THEN epoch(ts) - {seconds} ELSE epoch(ts) END AS s,
               CASE WHEN source IN ({stop_stamped}) THEN epoch(ts) ELSE epoch(ts) + {seconds} END AS e
        FROM {table} p JOIN names USING (artist_name, track_name) WHERE {TRACK_PLAY}"""
    return f"""
        SELECT *, unnest(range(floor((s - {MATCH_SLACK_SECONDS}) / {BUCKET_SECONDS})::BIGINT,
                               floor((e + {MATCH_SLACK_SECONDS}) / {BUCKET_SECONDS})::BIGINT + 1)) AS bucket
        FROM ({spans})"""


def _matches(new: str, held: str) -> str:
    """`matched`: each play of `new` (by rowid) that a play of another source in `held` is."""
    return f"""
        CREATE TEMP TABLE matched AS
        SELECT n.id, bool_or(o.source <> n.source) AS other_source
        FROM ({_bucketed(new, ids=True)}) n JOIN ({_bucketed(held, ids=False)}) o USING (a, t, bucket)
        WHERE o.source <> n.source AND n.s <= o.e + {MATCH_SLACK_SECONDS} AND o.s <= n.e + {MATCH_SLACK_SECONDS}
        GROUP BY n.id"""


def _same_rows(new: str, held: str) -> str:
    """Adds to `matched` the same row again from the same source (any kind of play): every stored column equal."""
    return f"""
        INSERT INTO matched
        SELECT DISTINCT n.rowid, false FROM {new} n JOIN {held} o
        ON {' AND '.join(f'n.{column} IS NOT DISTINCT FROM o.{column}' for column in PLAYS_COLUMNS)}
        WHERE n.rowid NOT IN (SELECT id FROM matched)"""


def merge_plays(session: Path, added: Path, work_dir: Path, summary: IngestSummary,
                max_rows: int) -> tuple[Path, IngestSummary]:
    """Add the plays of `added` (an ingested export) to those of `session` (never changed), dropping those the
    session holds, in the file of whichever holds more plays (the session's copied into work_dir first).
    Returns that file, now the session's next version, and the upload's summary as the session now stands.
    ExportTooLarge past max_rows plays in all; SessionDeleted when the session's file is gone."""
    with open_session(session) as con:
        held_count = con.execute("SELECT count(*) FROM plays").fetchone()[0]
    into_added = summary.rows_stored > held_count
    target, other = (added, session) if into_added else (_copied(session, work_dir / "session.duckdb"), added)
    with connect_for_ingest(target, work_dir) as con:
        con.execute("ATTACH ? AS other (READ_ONLY)", [str(other)])
        if into_added:
            new, held, held_info = "main.plays", _held_plays(con, "other"), "other.session_info"
        else:
            for column, (kind, default) in LEGACY_COLUMNS.items():
                con.execute(f"ALTER TABLE main.plays ADD COLUMN IF NOT EXISTS {column} {kind} DEFAULT {default}")
            new, held, held_info = "other.plays", "main.plays", "main.session_info"
        merged = _merge(con, new, held, summary, held_count=held_count, max_rows=max_rows, into_added=into_added)
        merged = _merged_summary(con, held_info, summary, merged)
        write_session_info(con, merged.to_json())  # a new version: the plays changed
        con.execute("DETACH other")
        con.execute("CHECKPOINT")
    return target, merged


def _copied(source: Path, copy: Path) -> Path:
    try:
        shutil.copyfile(source, copy)
    except FileNotFoundError:
        raise SessionDeleted from None
    return copy


def _held_plays(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """The session's plays (read only) with every column of PLAYS_COLUMNS: its table, or a temporary view where
    an older session lacks one."""
    present = {column for (column,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = 'plays'",
        [catalog]).fetchall()}
    if present >= set(PLAYS_COLUMNS):
        return f"{catalog}.plays"
    columns = ", ".join(column if column in present else "{1}::{0} AS {2}".format(*LEGACY_COLUMNS[column], column)
                        for column in PLAYS_COLUMNS)
    con.execute(f"CREATE TEMP VIEW held_plays AS SELECT {columns} FROM {catalog}.plays")
    return "held_plays"


@dataclass(frozen=True)
class Merged:
    """What the merge found: plays of another source and of the same one dropped, and the plays the upload added."""
    other: int
    same: int
    added: PlayCounts


def _merge(con: duckdb.DuckDBPyConnection, new: str, held: str, summary: IngestSummary, *, held_count: int,
           max_rows: int, into_added: bool) -> Merged:
    """Match, check the size, and bring both sides (`held` holding held_count plays) into the connection's own
    `plays`."""
    columns = ", ".join(PLAYS_COLUMNS)
    con.execute(_names(new, held))
    con.execute(_matches(new, held))
    # the same rows again can only come from a source the session already holds (a new service has none)
    if con.execute(f"SELECT count(*) FROM {held} WHERE source = ?", [summary.source]).fetchone()[0]:
        con.execute(_same_rows(new, held))
    other, same = con.execute("SELECT count(*) FILTER (WHERE other_source), count(*) FILTER (WHERE NOT "
                              "other_source) FROM matched").fetchone()
    if held_count + summary.rows_stored - other - same > max_rows:
        raise ExportTooLarge(f"The session would hold more than {max_rows:,} plays; at most {max_rows:,} are "
                             "accepted in one session.")
    con.execute(f"CREATE TEMP VIEW kept AS SELECT {columns} FROM {new} ANTI JOIN matched ON {new}.rowid = matched.id")
    added_counts = count_plays(con, "kept")
    if into_added:
        con.execute("DELETE FROM main.plays WHERE rowid IN (SELECT id FROM matched)")
        con.execute(f"INSERT INTO main.plays ({columns}) SELECT {columns} FROM {held}")
    else:
        con.execute(f"INSERT INTO main.plays ({columns}) SELECT {columns} FROM kept")
    record_releases(con, summary.format)  # the releases now include the added plays
    return Merged(other, same, added_counts)


def _merged_summary(con: duckdb.DuckDBPyConnection, held_info: str, summary: IngestSummary,
                    merged: Merged) -> IngestSummary:
    """The upload's counts over the plays it added; the dates, albums and sources over the whole session (whose
    summary so far is in `held_info`)."""
    other, same, added = merged.other, merged.same, merged.added
    session = count_plays(con, "main.plays")
    held = json.loads(con.execute(f"SELECT summary FROM {held_info}").fetchone()[0])
    # A summary written before sessions took several exports describes its one Spotify upload.
    earlier = held.get("sources") or [{"source": held.get("source", "Spotify"), "uploads": 1,
                                       "rows_read": held["rows_read"], "duplicates_of_other_sources": 0}]
    return dataclasses.replace(
        summary, rows_stored=added.stored, duplicates_of_other_sources=other, already_in_session=same,
        streams=added.streams, music_streams=added.music_streams, podcast_plays=added.podcast_plays,
        audiobook_plays=added.audiobook_plays, plays_without_duration=added.without_duration,
        plays_without_artist=added.without_artist, albums_available=session.albums_available,
        data_min_date=session.first.isoformat(), data_max_date=session.last.isoformat(),
        sources=_sources(con, earlier, summary, other))


def _sources(con: duckdb.DuckDBPyConnection, earlier: list[dict], summary: IngestSummary,
             other: int) -> list[SourceSummary]:
    """One entry per service: uploads, rows read and duplicates summed; plays and span from the session now."""
    totals = {entry["source"]: entry for entry in earlier}
    mine = totals.get(summary.source, {"uploads": 0, "rows_read": 0, "duplicates_of_other_sources": 0})
    totals[summary.source] = {"source": summary.source, "uploads": mine["uploads"] + 1,
                              "rows_read": mine["rows_read"] + summary.rows_read,
                              "duplicates_of_other_sources": mine["duplicates_of_other_sources"] + other}
    spans = {source: (plays, first.isoformat(), last.isoformat()) for source, plays, first, last in con.execute(
        "SELECT source, count(*), min(ts)::DATE, max(ts)::DATE FROM main.plays GROUP BY source").fetchall()}
    # A source whose every play another source held stays listed, with none kept and no span.
    return [SourceSummary(source, entry["uploads"], entry["rows_read"], spans.get(source, (0,))[0],
                          duplicates_of_other_sources=entry["duplicates_of_other_sources"],
                          first_date=spans.get(source, (0, None, None))[1],
                          last_date=spans.get(source, (0, None, None))[2])
            for source, entry in totals.items()]
