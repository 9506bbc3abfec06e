"""ffmpeg failing mid-encode: a clear answer, nothing left behind; and the pipe the frames go through. (A client
leaving mid-render is noticed as tests/unit/test_race_client_gone.py checks.)"""
from __future__ import annotations

import fcntl

import psutil
import pytest

from backend.app import create_app
from backend.services.encoding.ffmpeg import PIPE_BYTES, PIPE_MAX_SIZE, start_encoder
from harness import exportgen as eg
from harness.encoders import FAILING_FFMPEG
from harness.service import leftovers, upload_ok

pytestmark = pytest.mark.slow

SMALL_RACE = {"figsize": [3.2, 4.0], "dpi": 100, "days": 30, "interp_steps": 4, "speed_for_bar_animation": 10}

@pytest.fixture
def failing_ffmpeg(tmp_path):
    path = tmp_path / "ffmpeg"
    path.write_text(FAILING_FFMPEG)
    path.chmod(0o755)
    return path


def test_encoder_failing_mid_way_is_a_json_error_and_leaves_nothing(upload_dir, failing_ffmpeg, caplog):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "FFMPEG_BIN": str(failing_ffmpeg)})
    client = app.test_client()
    rows = eg.extended_rows(eg.make_catalog(), 1500, start="2022-01-01", end="2022-12-31")
    session_id = upload_ok(client, eg.extended_zip(rows))["session_id"]
    response = client.post("/generate_animation", json={"session_id": session_id, **SMALL_RACE})
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error.startswith("The video could not be encoded")
    # ffmpeg's words (which may name server paths) are logged, not answered
    assert "simulated encoder crash" not in error and str(upload_dir) not in error
    assert "simulated encoder crash" in caplog.text
    assert psutil.Process().children(recursive=True) == []
    assert leftovers(upload_dir) == [f"{session_id}.duckdb", f"{session_id}.lock"]


def test_frames_go_to_the_encoder_through_a_pipe_as_wide_as_the_system_allows(tmp_path):
    with open(tmp_path / "errors", "wb") as errors:
        process = start_encoder(["cat"], errors)
        try:
            width = fcntl.fcntl(process.stdin.fileno(), fcntl.F_GETPIPE_SZ)
        finally:
            process.stdin.close()
            assert process.wait(timeout=10) == 0
    assert width == min(PIPE_BYTES, int(PIPE_MAX_SIZE.read_text())) > 64 * 1024
