"""Upload budgets: each limit refuses what goes past it, before the work. (Every bad upload of the suite,
with its status, message and what it leaves behind, is checked in test_ingest_upload_leaks.py.)"""
from __future__ import annotations

import io
import json

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backend.app import create_app
from backend.routes.upload_form import FORM_TOO_COMPLEX, MAX_FORM_FIELD_BYTES
from harness.bad_uploads import (
    FOLDER,
    MIB,
    VALID,
    history_zip,
    make_zip,
    padded_history,
    repeated_member_zip,
    row,
    rows_json,
)
from harness.service import leftovers, post_upload, upload_ok
from src.exports import ExportTooLarge, inflate, unpack
from src.exports.inflate import CHUNK, InflateBudget


def test_utf8_bom_is_accepted(client):
    body = upload_ok(client, history_zip(b"\xef\xbb\xbf" + json.dumps([row()]).encode()))
    assert body["summary"]["rows_stored"] == 1


def test_missing_file_field(client):
    response = client.post("/process", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "field named 'file'" in response.get_json()["error"]


def test_too_many_members(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_ZIP_MEMBERS": 5}).test_client()
    members = {f"{FOLDER}Streaming_History_Audio_2021_{k}.json": json.dumps([row()]).encode() for k in range(6)}
    response = post_upload(client, make_zip(members))
    assert response.status_code == 413
    assert "at most 5" in response.get_json()["error"]


def test_extracted_size_limit(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_EXTRACTED_MB": 1}).test_client()
    response = post_upload(client, history_zip(json.dumps([row()] * 8000).encode()))
    assert response.status_code == 413
    assert "limit is 1 MB" in response.get_json()["error"]


def test_upload_over_max_upload_mb_is_413(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_UPLOAD_MB": 1}).test_client()
    response = post_upload(client, b"x" * (3 * 2**20))
    assert response.status_code == 413
    assert "1 MB limit" in response.get_json()["error"]
    assert leftovers(upload_dir) == []


def post_form(client, fields: dict, chunked: bool = False):
    """A multipart form; chunked, it declares no length (as gunicorn passes a chunked body on)."""
    boundary, body = encode_multipart(fields)
    framing = {"headers": {"Transfer-Encoding": "chunked"}, "environ_overrides": {"wsgi.input_terminated": True}}
    return client.post("/process", input_stream=io.BytesIO(body),
                       content_type=f"multipart/form-data; boundary={boundary}", **(framing if chunked else {}))


def test_a_chunked_upload_over_max_upload_mb_is_413_as_too_large(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_UPLOAD_MB": 1}).test_client()
    response = post_form(client, {"file": FileStorage(io.BytesIO(b"x" * (3 * 2**20)), "export.zip")}, chunked=True)
    assert response.status_code == 413
    assert "1 MB limit" in response.get_json()["error"]


@pytest.mark.parametrize("chunked", [False, True], ids=["declared length", "chunked"])
@pytest.mark.parametrize("fields", [
    lambda: {f"f{k}": "x" for k in range(1500)},                  # 1,500 one-byte fields, about 150 KB
    lambda: {"note": "x" * (MAX_FORM_FIELD_BYTES + 1), "file": FileStorage(io.BytesIO(VALID), "export.zip")},
], ids=["many fields", "one large text field"])
def test_a_form_over_its_part_limits_is_413_saying_so(client, upload_dir, fields, chunked):
    response = post_form(client, fields(), chunked)
    assert response.status_code == 413
    assert response.get_json() == {"error": FORM_TOO_COMPLEX}
    assert leftovers(upload_dir) == []


def test_a_urlencoded_form_is_not_read_into_memory(client):
    response = client.post("/process", data="file=" + "x" * 2**20, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "field named 'file'" in response.get_json()["error"]


def test_capacity_gives_503_with_retry_after(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 2}).test_client()
    upload_ok(client, VALID)
    upload_ok(client, VALID)
    response = post_upload(client, VALID)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "busy" in response.get_json()["error"]
    assert len(list(upload_dir.glob("*.duckdb"))) == 2


def test_rows_beyond_max_rows_are_413(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_ROWS": 100}).test_client()
    plays = [row(ts=f"2021-09-{1 + k // 60:02d}T10:{k % 60:02d}:00Z") for k in range(101)]
    assert upload_ok(client, history_zip(rows_json(*plays[:100])))["summary"]["rows_read"] == 100
    response = post_upload(client, history_zip(rows_json(*plays)))
    assert response.status_code == 413
    assert response.get_json()["error"] == ("The listening history has more than 100 rows; at most 100 are accepted "
                                            "in one upload.")


@pytest.mark.parametrize("settings, message", [({}, "would unpack to 2000 MB; the limit is 1024 MB"),
                                               ({"MAX_EXTRACTED_MB": 4096}, "compression ratio above 200:1")])
def test_two_thousand_members_of_one_mib_are_refused_before_inflating(upload_dir, monkeypatch, settings, message):
    inflated = []
    monkeypatch.setattr(unpack, "inflate_members", lambda *args: inflated.append(args))
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), **settings}).test_client()
    data = repeated_member_zip(padded_history(MIB), 2000)
    assert len(data) < 9 * 10**6

    response = post_upload(client, data)

    assert response.status_code == 413
    assert message in response.get_json()["error"]
    assert inflated == []


def test_every_member_over_64_kib_is_held_to_the_ratio(client):
    small = upload_ok(client, history_zip(padded_history(60 * 1024)))  # ~600:1, but small: bounded anyway
    assert small["summary"]["rows_stored"] == 1
    response = post_upload(client, history_zip(padded_history(512 * 1024)))
    assert response.status_code == 413
    assert "compression ratio above 200:1" in response.get_json()["error"]


def test_the_inflate_budget_is_shared_by_every_member(tmp_path):
    """Members each within their declared size still stop once all of them together reach the budget."""
    upload = tmp_path / "export.zip"
    upload.write_bytes(make_zip({f"{FOLDER}Streaming_History_Audio_2021_{k}.json": padded_history(256 * 1024)
                                 for k in range(16)}))
    out = tmp_path / "out"
    out.mkdir()
    with inflate.open_zip(upload) as archive:
        infos = archive.infolist()

    with pytest.raises(ExportTooLarge) as refused:
        inflate.inflate_members(upload, infos, [out / f"{k}.json" for k in range(16)], InflateBudget(MIB))

    assert "limit is 1 MB" in refused.value.message
    written = sum(path.stat().st_size for path in out.iterdir())
    assert written <= MIB + inflate.INFLATE_THREADS * CHUNK

