"""open_session: each request's session file attached read-only to the process's one DuckDB instance, and
detached when the request is done, whatever became of it, so that a deleted session's disk space is freed."""
from __future__ import annotations

import os
import threading

import duckdb
import pytest

from backend.services.sessions import SessionDamaged, SessionDeleted, duckdb_connection, open_session
from harness import exportgen as eg
from harness.service import upload_ok


def attached() -> list[str]:
    with duckdb_connection() as con:
        return [name for (name,) in con.execute(
            "SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'").fetchall()]


def open_files(path) -> int:
    """How many of this process's file descriptors are open on `path` (a deleted file's space is freed at 0)."""
    inode = path.stat().st_ino
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.stat(f"/proc/self/fd/{fd}").st_ino == inode
        except OSError:
            pass
    return count


@pytest.fixture
def session_file(client, upload_dir):
    session_id = upload_ok(client, eg.extended_zip(eg.extended_rows(eg.make_catalog(), 200, seed=3)))["session_id"]
    return upload_dir / f"{session_id}.duckdb"


def test_a_session_is_read_only_with_its_own_temporary_views_and_detached_after(session_file):
    before = attached()
    with open_session(session_file) as first, open_session(session_file) as second:
        own = first.execute("SELECT current_database()").fetchone()[0]
        first.execute(f"CREATE TEMP VIEW plays AS SELECT * FROM {own}.main.plays WHERE false")
        assert first.execute("SELECT count(*) FROM plays").fetchone()[0] == 0
        assert second.execute("SELECT count(*) FROM plays").fetchone()[0] == 200
        with pytest.raises(duckdb.Error, match="read-only"):
            second.execute("DELETE FROM plays")
        assert len(attached()) == len(before) + 2
        assert open_files(session_file) == 2
    assert attached() == before and open_files(session_file) == 0


def test_a_failed_request_or_a_bad_file_leaves_nothing_attached(session_file, tmp_path):
    before = attached()
    with pytest.raises(duckdb.Error), open_session(session_file) as con:
        con.execute("SELECT no_such_column FROM plays")
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database" * 1000)
    with pytest.raises(SessionDamaged):
        open_session(damaged).__enter__()
    with pytest.raises(SessionDeleted):
        open_session(tmp_path / "gone.duckdb").__enter__()
    assert attached() == before and not (tmp_path / "gone.duckdb").exists()


def test_requests_in_threads_each_read_their_own_session(client, upload_dir):
    sizes = [60, 90, 120, 150]
    exports = [eg.extended_zip(eg.extended_rows(eg.make_catalog(), n, seed=n)) for n in sizes]
    files = [upload_dir / f"{upload_ok(client, export)['session_id']}.duckdb" for export in exports]
    counted: dict[int, list[int]] = {n: [] for n in sizes}

    def read(n, path):
        for _ in range(20):
            with open_session(path) as con:
                counted[n].append(con.execute("SELECT count(*) FROM plays").fetchone()[0])

    threads = [threading.Thread(target=read, args=pair) for pair in zip(sizes, files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted == {n: [n] * 20 for n in sizes}
    assert attached() == []
