"""open_session: a request's session file opened read-only on a connection of its own, and released when the
request is done, whatever became of it: no file left open (a deleted session's space is freed) and nothing of
it left for the next request."""
from __future__ import annotations

import os
import threading

import duckdb
import pytest

from backend.services.sessions import SessionDamaged, SessionDeleted, open_session
from harness import exportgen as eg
from harness.service import upload_ok


def open_files(path) -> int:
    """How many of this process's file descriptors are open on the file at `path` now."""
    inode = path.stat().st_ino
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.stat(f"/proc/self/fd/{fd}").st_ino == inode
        except OSError:
            pass
    return count


def stored(client, upload_dir, plays: int):
    export = eg.extended_zip(eg.extended_rows(eg.make_catalog(), plays, seed=plays))
    return upload_dir / f"{upload_ok(client, export)['session_id']}.duckdb"


def count(con) -> int:
    return con.execute("SELECT count(*) FROM plays").fetchone()[0]


def test_requests_read_read_only_with_views_of_their_own_and_leave_nothing_behind(client, upload_dir):
    session, other = stored(client, upload_dir, 200), stored(client, upload_dir, 80)
    with open_session(session) as first, open_session(session) as second:
        own = first.execute("SELECT current_database()").fetchone()[0]
        first.execute(f"CREATE TEMP VIEW plays AS SELECT * FROM {own}.main.plays WHERE false")
        assert (count(first), count(second)) == (0, 200)
        with pytest.raises(duckdb.Error, match="read-only"):
            second.execute("DELETE FROM plays")
        assert open_files(session) == 1    # one attachment for the requests reading that version at once
    assert open_files(session) == 0
    # the next requests see nothing of the last ones
    with open_session(other) as later, open_session(other) as also_later:
        assert (count(later), count(also_later)) == (80, 80)


def test_a_failed_request_or_a_bad_file_leaves_nothing_open(client, upload_dir, tmp_path):
    session = stored(client, upload_dir, 200)
    with pytest.raises(duckdb.Error), open_session(session) as con:
        con.execute("SELECT no_such_column FROM plays")
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database" * 1000)
    with pytest.raises(SessionDamaged), open_session(damaged):
        pass
    with pytest.raises(SessionDeleted), open_session(tmp_path / "gone.duckdb"):
        pass
    assert open_files(session) == open_files(damaged) == 0 and not (tmp_path / "gone.duckdb").exists()
    with open_session(session) as con:
        assert count(con) == 200


def test_a_version_replaced_while_read_is_read_to_its_end_beside_the_new_one(client, upload_dir):
    session, other = stored(client, upload_dir, 200), stored(client, upload_dir, 80)
    with open_session(session) as old:
        os.replace(other, session)
        with open_session(session) as new:
            assert (count(new), count(old)) == (80, 200)
    assert open_files(session) == 0


def test_requests_in_threads_each_read_their_own_session(client, upload_dir):
    sizes = [60, 90, 120, 150]
    files = [stored(client, upload_dir, n) for n in sizes]
    counted: dict[int, list[int]] = {n: [] for n in sizes}

    def read(n, path):
        for _ in range(20):
            with open_session(path) as con:
                counted[n].append(count(con))

    threads = [threading.Thread(target=read, args=pair) for pair in zip(sizes, files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted == {n: [n] * 20 for n in sizes}
    assert [open_files(path) for path in files] == [0] * len(files)
