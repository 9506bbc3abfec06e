"""The service as the tests use it: an app that calls no outside service, uploads to it, and what its
uploads and renders may leave behind."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from backend.app import create_app
from backend.routes.models import RaceBody
from backend.services.artwork import ArtworkSettings
from backend.services.charts import build_race
from backend.services.sessions import open_session
from harness import exportgen as eg

# no outside services, whatever env/.env says (an empty value means none)
OFFLINE = {"SUPABASE_URL": "", "SUPABASE_KEY": "", "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": "",
           "ARTWORK_SOURCES": "none"}
STORE_LOCKS = {".store.lock", ".jobs.lock"}


def offline_app(upload_dir: Path, **settings: object) -> Flask:
    """create_app for tests: sessions in upload_dir, no outside services unless `settings` name them."""
    return create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), **OFFLINE, **settings})


def post_upload(client, data: bytes, filename: str = "my_spotify_data.zip", url: str = "/process"):
    """The upload form posted to /process, or to a session's /sessions/<id>/uploads."""
    # Encoded in memory: the test client would spool big bodies to a temporary file it never closes.
    stream, _length, boundary = stream_encode_multipart({"file": FileStorage(io.BytesIO(data), filename)},
                                                      use_tempfile=False)
    return client.post(url, data=stream.getvalue(), content_type=f"multipart/form-data; boundary={boundary}")


def upload_ok(client, data: bytes, filename: str = "my_spotify_data.zip") -> dict:
    response = post_upload(client, data, filename)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def leftovers(upload_dir: Path) -> list[str]:
    """Files in UPLOAD_DIR and scratch folders, the stores' own lock files aside."""
    return sorted(str(p.relative_to(upload_dir)) for p in upload_dir.rglob("*")
                  if p.name.startswith(".work-") or (p.is_file() and p.name not in STORE_LOCKS))


def prepared_race(client, upload_dir: Path, body: dict):
    """A year of 3,000 generated plays uploaded, and the race `body` asks for built from it (no artwork)."""
    rows = eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31")
    session = upload_ok(client, eg.extended_zip(rows))["session_id"]
    with open_session(upload_dir / f"{session}.duckdb") as con:
        req = RaceBody.model_validate({"session_id": session, **body}).to_request(2160)
        return build_race(con, req, 6000, ArtworkSettings.disabled())


def deleting_once_taken(store):
    """A stand-in for store.using that deletes the session as soon as a request has taken it in use."""
    take = store.using

    @contextlib.contextmanager
    def deleted_once_taken(checked: str):
        with take(checked) as path:
            store.delete(checked)
            yield path
    return deleted_once_taken
