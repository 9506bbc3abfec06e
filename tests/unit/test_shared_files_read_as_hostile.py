"""Files read back from shared folders are hostile input: whatever stands at a name reads as absent, at once,
without following a link, blocking on a FIFO or reading a huge file; a lock never creates a file elsewhere."""
from __future__ import annotations

import json
import os
import tempfile
import threading
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.shared_files import MAX_DEPTH, opened_lock, read_shared_json
from backend.services.artwork import ArtworkSettings
from backend.services.artwork.states import source_key
from backend.services.artwork_store.source_state import SourceStates, paused_for
from harness.service import offline_app

CAP = 64 * 1024
VALID = {"paused_until": 1.5, "reason": "quota", "strikes": 3}


def _symlink_out(path: Path, outside: Path) -> None:
    outside.write_text(json.dumps(VALID))  # valid JSON: only following the link would read it
    path.symlink_to(outside)


def _fifo(path: Path, _outside: Path) -> None:
    os.mkfifo(path)


def _sparse(size: int):
    def make(path: Path, _outside: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(size)
    return make


def _content(raw: bytes):
    def make(path: Path, _outside: Path) -> None:
        path.write_bytes(raw)
    return make


def _folder(path: Path, _outside: Path) -> None:
    path.mkdir()


deep = st.integers(MAX_DEPTH + 1, 100_000).flatmap(
    lambda depth: st.sampled_from([b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth,
                                   b"[" * depth]))
long_number = st.integers(41, 400).flatmap(
    lambda digits: st.sampled_from([b"1" * digits, b'{"paused_until": ' + b"9" * digits + b"}",
                                    b"[0." + b"5" * digits + b"]", b"-" + b"7" * digits]))
invalid_utf8 = st.binary(min_size=1, max_size=64).map(lambda raw: b'{"reason": "' + raw + b'\xff\xfe"}')
hostile = st.one_of(
    st.just(_symlink_out), st.just(_fifo), st.just(_folder),
    st.integers(CAP + 1, 256 * 2**20).map(_sparse),
    deep.map(_content), long_number.map(_content), invalid_utf8.map(_content),
    st.sampled_from([b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"", b"{", b"\x00" * 10]).map(_content),
)


def read_with_guard(path: Path) -> tuple[bool, object]:
    """Read in a thread: (whether it returned, what it returned). A read blocked on a FIFO never returns."""
    outcome: list = []
    reader = threading.Thread(target=lambda: outcome.append(read_shared_json(path, CAP)), daemon=True)
    reader.start()
    reader.join(20)
    return bool(outcome), outcome[0] if outcome else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(make=hostile)
def test_a_hostile_file_reads_as_absent_without_blocking_or_growing_memory(make):
    with tempfile.TemporaryDirectory() as folder:
        path, outside = Path(folder) / "state.json", Path(folder) / "outside.json"
        make(path, outside)
        tracemalloc.start()
        try:
            returned, value = read_with_guard(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert returned, "the read blocked"
        assert value is None
        assert peak < 16 * CAP  # within a small multiple of the cap: a 256 MB sparse file is never read


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=80, deadline=None)
@given(value=json_values)
def test_what_the_service_writes_reads_back_whole(value):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        assert read_shared_json(path, CAP) == value


def test_a_symlinked_lock_never_creates_a_file_where_it_points(tmp_path):
    outside = tmp_path / "elsewhere" / "created-by-the-lock"
    outside.parent.mkdir()
    lock = tmp_path / "cache" / ".lock"
    lock.parent.mkdir()
    lock.symlink_to(outside)
    with opened_lock(lock) as descriptor:
        assert descriptor >= 0
    assert not outside.exists()
    assert lock.is_file() and not lock.is_symlink()


def test_the_artwork_state_lock_stays_inside_the_cache(tmp_path):
    outside = tmp_path / "outside"
    states = SourceStates(tmp_path / "sources")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / ".lock").symlink_to(outside)
    _, after = states.update("deezer-ab12", lambda state: paused_for(state, 60, "quota"))
    assert not outside.exists()
    assert states.read("deezer-ab12") == after


def test_health_answers_whatever_the_state_files_hold(tmp_path):
    """/health reads every source's state: a FIFO, a 400-digit number or deep nesting there keeps it at 200."""
    cache = tmp_path / "cache"
    app = offline_app(tmp_path / "sessions", ARTWORK_SOURCES="deezer,oembed", ARTWORK_CACHE_DIR=str(cache))
    artwork = ArtworkSettings.from_settings(app.extensions["settings"])
    (cache / "sources").mkdir(parents=True)
    os.mkfifo(cache / "sources" / f"{source_key(artwork, 'deezer')}.json")
    (cache / "sources" / f"{source_key(artwork, 'oembed')}.json").write_text(
        '{"paused_until": ' + "9" * 400 + ', "reason": "quota"}')
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json()["artwork"] == {"deezer": "ok", "oembed": "ok"}
    (cache / "sources" / f"{source_key(artwork, 'oembed')}.json").write_text("[" * 100_000)
    assert app.test_client().get("/health").get_json()["artwork"] == {"deezer": "ok", "oembed": "ok"}
