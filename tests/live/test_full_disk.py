"""UPLOAD_DIR on a small tmpfs that the tests fill: an upload, a direct race and a race job that run out of
space answer 507 saying so (and that the person's file is fine), leave nothing half-written, and the same
requests succeed once space is free again. Still pictures and cards write nothing and go on working."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.job_backends import start, watch
from harness.service import leftovers, offline_app, post_upload, upload_ok
from harness.small_disk import filled, mounted
from src.resource_errors import ServerOutOfSpace

pytestmark = pytest.mark.slow

DISK_MB = 16
OUT_OF_SPACE = {"error": ServerOutOfSpace().message}
RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100}


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    with mounted(tmp_path / "disk", DISK_MB) as disk:
        yield disk


# Left free: too little to save the upload, to unpack it, and to write its DuckDB file (measured on this export).
@pytest.mark.parametrize("keep_free_kb", [16, 800, 3200])
def test_an_upload_on_a_full_disk_is_507_leaves_nothing_and_works_once_space_is_free(small_disk, race_export,
                                                                                   keep_free_kb):
    sessions = small_disk / "sessions"
    client = offline_app(sessions).test_client()
    with filled(small_disk, keep_free_kb):
        response = post_upload(client, race_export)
        assert (response.status_code, response.get_json()) == (507, OUT_OF_SPACE)
        assert response.headers["Retry-After"] == "60"
        assert leftovers(sessions) == []
    session = upload_ok(client, race_export)["session_id"]
    assert leftovers(sessions) == [f"{session}.duckdb"]


def test_a_race_direct_or_as_a_job_on_a_full_disk_answers_alike_and_recovers(small_disk, race_export):
    sessions = small_disk / "sessions"
    client = offline_app(sessions, JOB_BACKEND="local").test_client()
    session = upload_ok(client, race_export)["session_id"]
    kept = [f"{session}.duckdb", f"{session}.lock"]
    with filled(small_disk, 64):
        direct = client.post("/generate_animation", json={"session_id": session, **RACE})
        assert (direct.status_code, direct.get_json()) == (507, OUT_OF_SPACE)
        job = start(client, session, **RACE)
        final = watch(client, job)[-1]
        assert (final["state"], final["error"]) == ("failed", OUT_OF_SPACE["error"])
        assert leftovers(sessions) == sorted([*kept, f"jobs/{session}.{job}.json"])
        # pictures drawn in memory do not need the disk
        assert client.post("/generate_image", json={"session_id": session}).status_code == 200
        assert client.post("/generate_wrapped", json={"session_id": session}).status_code == 200
    with filled(small_disk, 0):  # not even a job's record fits
        refused = client.post("/jobs/animation", json={"session_id": session, **RACE})
        assert (refused.status_code, refused.get_json()) == (507, OUT_OF_SPACE)
        assert leftovers(sessions) == sorted([*kept, f"jobs/{session}.{job}.json"])
    again = client.post("/generate_animation", json={"session_id": session, **RACE},
                        headers={"Accept": "video/mp4"})
    assert again.status_code == 200 and again.data[4:8] == b"ftyp"
    assert watch(client, start(client, session, **RACE))[-1]["state"] == "done"
