"""Shared fixtures: an app with its own UPLOAD_DIR per test, its client, and upload helpers."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from backend.app import create_app


@pytest.fixture
def upload_dir(tmp_path):
    path = tmp_path / "sessions"
    path.mkdir()
    return path


@pytest.fixture
def app(upload_dir):
    return create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "SUPABASE_URL": "", "SUPABASE_KEY": "",
                       "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""})


@pytest.fixture
def client(app):
    return app.test_client()


def post_upload(client, data: bytes, filename: str = "my_spotify_data.zip"):
    # Encoded in memory: the test client would spool big bodies to a temporary file it never closes.
    stream, length, boundary = stream_encode_multipart({"file": FileStorage(io.BytesIO(data), filename)},
                                                      use_tempfile=False)
    return client.post("/process", data=stream.getvalue(), content_type=f"multipart/form-data; boundary={boundary}")


def upload_ok(client, data: bytes, filename: str = "my_spotify_data.zip") -> dict:
    response = post_upload(client, data, filename)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


STORE_LOCKS = {".store.lock", ".jobs.lock"}


def leftovers(upload_dir: Path) -> list[str]:
    """Files in UPLOAD_DIR and scratch folders, the stores' own lock files aside."""
    return sorted(str(p.relative_to(upload_dir)) for p in upload_dir.rglob("*")
                  if p.name.startswith(".work-") or (p.is_file() and p.name not in STORE_LOCKS))
