"""Local times from a zone's offset changes equal ICU's own conversion, to the second, in every kind of zone."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pytest

from backend.services.charts import play_scope
from backend.services.charts.queries import PlayScope
from backend.services.charts.zone_shifts import zone_shifts

ICU_LOCAL = "timezone($tz, ts AT TIME ZONE 'UTC')"

# Whole hours, half hours (St John's, Kolkata), a 30-minute DST (Lord Howe), DST that ended (Sao Paulo
# 2019, Tehran 2022), a skipped day (Apia, December 2011), Ramadan's pause of DST (Casablanca) and UTC.
ZONES = ["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
         "Asia/Tehran", "Pacific/Apia", "Africa/Casablanca", "UTC"]


@pytest.fixture(scope="module")
def plays() -> duckdb.DuckDBPyConnection:
    """A play every half hour from 2009 to 2025, each a second before, at and after the half hour: every
    clock change of these zones falls on one of them."""
    con = duckdb.connect()
    con.execute("""
        CREATE TABLE plays AS
        SELECT unnest(generate_series(TIMESTAMP '2009-01-01', TIMESTAMP '2025-12-31', INTERVAL 30 MINUTE))
               + INTERVAL (offset_s) SECOND AS ts
        FROM (VALUES (-1), (0), (1)) AS o(offset_s)""")
    yield con
    con.close()


@pytest.mark.parametrize("zone", ZONES)
def test_shifted_local_times_equal_icu(plays: duckdb.DuckDBPyConnection, zone: str) -> None:
    scope = PlayScope(date(2009, 1, 1), date(2025, 12, 31), zone, shifts=zone_shifts(plays, zone))
    assert scope.shifts and "timezone(" not in scope.local_ts   # the offsets answer, not ICU
    differing, counted = plays.execute(
        f"SELECT count(*) FILTER (WHERE {scope.local_ts} IS DISTINCT FROM {ICU_LOCAL}), count(*) FROM plays",
        {**scope.zone_params(), "tz": zone}).fetchone()
    assert (differing, counted) == (0, 3 * 297_985)


def test_a_zone_with_clock_changes_has_two_a_year(plays: duckdb.DuckDBPyConnection) -> None:
    shifts = zone_shifts(plays, "Europe/Berlin")
    assert len(shifts) == 1 + 2 * 17
    assert shifts[1] == (datetime(2009, 3, 29, 1, 0), timedelta(hours=2))
    assert shifts[2] == (datetime(2009, 10, 25, 1, 0), timedelta(hours=1))


def test_a_zone_without_changes_has_one_offset(plays: duckdb.DuckDBPyConnection) -> None:
    assert [shift for _, shift in zone_shifts(plays, "Asia/Kolkata")] == [timedelta(hours=5, minutes=30)]


def test_no_plays_means_no_offsets_and_icu_answers() -> None:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE plays (ts TIMESTAMP, kind VARCHAR, ms_played BIGINT)")
        assert zone_shifts(con, "Europe/Berlin") == ()
        assert PlayScope(date(2020, 1, 1), date(2020, 1, 1), "Europe/Berlin").local_ts == ICU_LOCAL


def test_a_century_of_clock_changes_is_left_to_icu():
    with duckdb.connect() as con:
        con.execute("CREATE TABLE plays AS SELECT unnest([TIMESTAMP '2000-01-01', TIMESTAMP '2099-12-31']) AS ts")
        assert zone_shifts(con, "Europe/Berlin") == ()
        assert play_scope(con, None, None, "Europe/Berlin", 0).start == date(2000, 1, 1)


def test_a_window_counts_the_local_days_icu_would(plays: duckdb.DuckDBPyConnection) -> None:
    """The first play, 2008-12-31 23:59:59 UTC, is already 2009 in Berlin and still 2008 in St John's."""
    assert (play_scope(plays, None, None, "Europe/Berlin", 0).start,
            play_scope(plays, None, None, "America/St_Johns", 0).start) == (date(2009, 1, 1), date(2008, 12, 31))
