"""Adding an export to a session: its plays joined to the session's, a play that two sources both hold
counted once.

The added export is ingested alone (as /process would), then a copy of the session's file takes its new
plays and replaces the published file in one step (SessionStore.publish). Which plays are the same:

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
from backend.services.sessions import write_session_info
from src.exports import PLAYS_COLUMNS, ROW_FORMATS, ExportTooLarge

MATCH_SLACK_SECONDS = 60
# Times are compared in buckets of an hour, so a song played a thousand times is matched bucket by bucket.
BUCKET_SECONDS = 3600
STOP_STAMPED = sorted({fmt.source for fmt in ROW_FORMATS if fmt.stamp == "stop"})


def _normalised(column: str) -> str:
    return f"lower(strip_accents(regexp_replace(trim({column}), '\\s+', ' ', 'g')))"


TRACK_PLAY = "kind = 'track' AND artist_name IS NOT NULL AND track_name IS NOT NULL"
# Names repeat across plays: each distinct (artist, track) of either side is normalised once.
NAMES = f"""
    CREATE TEMP TABLE names AS
    SELECT artist_name, track_name, {_normalised('artist_name')} AS a, {_normalised('track_name')} AS t
    FROM (SELECT DISTINCT artist_name, track_name FROM added.plays WHERE {TRACK_PLAY}
          UNION SELECT DISTINCT artist_name, track_name FROM main.plays WHERE {TRACK_PLAY})"""


def _bucketed(table: str) -> str:
    """Each track play of `table` (id, source, normalised names), its span in epoch seconds, and every hour
    bucket the span touches, slack included."""
    stop_stamped = ", ".join(f"'{source}'" for source in STOP_STAMPED)
    seconds = "coalesce(ms_played, 0) / 1000.0"
    spans = f"""
        SELECT p.rowid AS id, source, a, t,
               CASE WHEN source IN ({stop_stamped}) THEN epoch(ts) - {seconds} ELSE epoch(ts) END AS s,
               CASE WHEN source IN ({stop_stamped}) THEN epoch(ts) ELSE epoch(ts) + {seconds} END AS e
        FROM {table} p JOIN names USING (artist_name, track_name) WHERE {TRACK_PLAY}"""
    return f"""
        SELECT *, unnest(range(floor((s - {MATCH_SLACK_SECONDS}) / {BUCKET_SECONDS})::BIGINT,
                               floor((e + {MATCH_SLACK_SECONDS}) / {BUCKET_SECONDS})::BIGINT + 1)) AS bucket
        FROM ({spans})"""


MATCHES = f"""
    CREATE TEMP TABLE matched AS
    SELECT n.id, bool_or(o.source <> n.source) AS other_source
    FROM ({_bucketed('added.plays')}) n JOIN ({_bucketed('main.plays')}) o USING (a, t, bucket)
    WHERE o.source <> n.source AND n.s <= o.e + {MATCH_SLACK_SECONDS} AND o.s <= n.e + {MATCH_SLACK_SECONDS}
    GROUP BY n.id"""
# The same row again from the same source (any kind of play): every stored column equal.
SAME_ROWS = f"""
    INSERT INTO matched
    SELECT DISTINCT n.rowid, false FROM added.plays n JOIN main.plays o
    ON {' AND '.join(f'n.{column} IS NOT DISTINCT FROM o.{column}' for column in PLAYS_COLUMNS)}
    WHERE n.rowid NOT IN (SELECT id FROM matched)"""


def merge_plays(session_copy: Path, added: Path, work_dir: Path, summary: IngestSummary,
                max_rows: int) -> IngestSummary:
    """Add the plays of `added` (an ingested export) to `session_copy`, dropping those the session holds;
    returns the upload's summary as the session now stands. ExportTooLarge past max_rows plays in all."""
    columns = ", ".join(PLAYS_COLUMNS)
    with connect_for_ingest(session_copy, work_dir) as con:
        con.execute("ATTACH ? AS added (READ_ONLY)", [str(added)])
        # A session stored before plays named their source holds Spotify's plays only.
        con.execute("ALTER TABLE main.plays ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'Spotify'")
        # and one stored before the filters holds no incognito marks
        con.execute("ALTER TABLE main.plays ADD COLUMN IF NOT EXISTS incognito_mode BOOLEAN")
        con.execute(NAMES)
        con.execute(MATCHES)
        con.execute(SAME_ROWS)
        other, same = con.execute("SELECT count(*) FILTER (WHERE other_source), count(*) FILTER (WHERE NOT "
                                  "other_source) FROM matched").fetchone()
        held = con.execute("SELECT count(*) FROM main.plays").fetchone()[0]
        if held + summary.rows_stored - other - same > max_rows:
            raise ExportTooLarge(f"The session would hold more than {max_rows:,} plays; at most {max_rows:,} are "
                                 "accepted in one session.")
        con.execute(f"CREATE TEMP VIEW kept AS SELECT {columns} FROM added.plays ANTI JOIN matched "
                    "ON added.plays.rowid = matched.id")
        added_counts = count_plays(con, "kept")
        con.execute(f"INSERT INTO main.plays ({columns}) SELECT {columns} FROM kept")
        record_releases(con, summary.format)  # the releases now include the added plays
        merged = _merged_summary(con, summary, other, same, added_counts)
        write_session_info(con, merged.to_json())  # a new version: the plays changed
        con.execute("DETACH added")
        con.execute("CHECKPOINT")
    return merged


def _merged_summary(con: duckdb.DuckDBPyConnection, summary: IngestSummary, other: int, same: int,
                    added: PlayCounts) -> IngestSummary:
    """The upload's counts over the plays it added; the dates, albums and sources over the whole session."""
    session = count_plays(con, "main.plays")
    held = json.loads(con.execute("SELECT summary FROM session_info").fetchone()[0])
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
