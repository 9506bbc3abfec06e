"""What the service writes is readable by its own user only: 0600 files in 0700 folders."""
from __future__ import annotations

import os
import stat

import pytest

from backend.services.hygiene import set_up_process
from harness import exportgen as eg
from harness.artwork_checks import CATALOG, TRACKS, client_for
from harness.job_backends import watch
from harness.service import upload_ok
from harness.spotify_standin import SpotifyStandin

pytestmark = pytest.mark.slow

SMALL_RACE = {"days": 60, "interp_steps": 2, "speed_for_bar_animation": 5, "figsize": [3.2, 4.0], "dpi": 100}


@pytest.fixture
def served_process():
    """This process set up as the service's entry points set theirs, starting from the umask a shell usually
    gives (022: files 0644, folders 0755); the umask is restored afterwards."""
    previous = os.umask(0o022)
    set_up_process()
    yield
    os.umask(previous)


def modes_under(folder) -> dict[str, int]:
    return {str(path.relative_to(folder)): stat.S_IMODE(path.stat().st_mode)
            for path in [folder, *folder.rglob("*")]}


def test_sessions_job_records_videos_and_artwork_cache_are_private(tmp_path, served_process):
    upload_dir = tmp_path / "sessions"
    upload_dir.mkdir(mode=0o755)
    with SpotifyStandin(TRACKS, "ok") as spotify:
        client = client_for(upload_dir, spotify)
        rows = eg.extended_rows(CATALOG, 1500, start="2022-01-01", end="2022-12-31")
        session = upload_ok(client, eg.extended_zip(rows))["session_id"]
        image = client.post("/generate_image", json={"session_id": session, "top_n": 5})
        assert image.status_code == 200, image.get_json()
        job = client.post("/jobs/animation", json={"session_id": session, **SMALL_RACE})
        assert job.status_code == 202, job.get_json()
        assert watch(client, job.get_json()["job_id"], timeout=120)[-1]["state"] == "done"

    modes = modes_under(upload_dir)
    written = {name for name in modes if name != "."}
    assert f"{session}.duckdb" in written
    assert any(name.startswith("jobs/") and name.endswith(".json") for name in written), sorted(written)
    assert any(name.endswith(".mp4") for name in written), sorted(written)
    assert any(name.startswith("artwork-cache/") and name.endswith(".png") for name in written), sorted(written)
    folders = {name: mode for name, mode in modes.items() if (upload_dir / name).is_dir()}
    files = {name: mode for name, mode in modes.items() if name not in folders}
    assert set(folders.values()) == {0o700}, folders
    assert set(files.values()) == {0o600}, files
