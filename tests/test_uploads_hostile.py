"""Bad uploads get a clear 4xx JSON error, leave nothing on disk and leave other sessions intact."""
from __future__ import annotations

import io
import json
import struct
import zipfile

import pytest

from backend.app import create_app
from tests.conftest import post_upload, upload_ok

FOLDER = "Spotify Extended Streaming History/"


def row(ts="2021-09-23T09:28:29Z", ms=200_000, artist="Artist", track="Track") -> dict:
    return {"ts": ts, "platform": "android", "ms_played": ms, "conn_country": "DE", "ip_addr": "203.0.113.9",
            "master_metadata_track_name": track, "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "Album", "spotify_track_uri": "spotify:track:abc",
            "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
            "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False, "skipped": None,
            "offline": False, "offline_timestamp": 0, "incognito_mode": False}


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def history_zip(content: bytes, name: str = "Streaming_History_Audio_2021.json") -> bytes:
    return make_zip({FOLDER + name: content})


VALID = history_zip(json.dumps([row(), row(ts="2021-09-24T10:00:00Z")]).encode())


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(FOLDER + "Streaming_History_Audio_2021.json")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    """A member whose 'encrypted' flag bit is set in both headers (zipfile cannot write real ones)."""
    data = bytearray(VALID)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 0x1)
    return bytes(data)


def lying_size_zip() -> bytes:
    """The central directory claims 100 bytes for a member that inflates to 2 MB."""
    data = bytearray(history_zip(json.dumps([row()] * 6000).encode()))
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 100)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    return bytes(data)


def corrupt_zip() -> bytes:
    data = bytearray(history_zip(json.dumps([row()] * 500).encode()))
    middle = len(data) // 3
    data[middle:middle + 64] = bytes(64)
    return bytes(data)


HOSTILE = [
    ("not_a_zip", b"GIF89a not an export at all", 400, "neither a ZIP"),
    ("truncated_zip", VALID[: len(VALID) // 2], 400, "damaged"),
    ("corrupt_member", corrupt_zip(), 400, "damaged"),
    ("encrypted_member", encrypted_zip(), 422, "encrypted"),
    ("dot_dot_path", make_zip({"../../Streaming_History_Audio_2021.json": b"[]"}), 400, "unsafe path"),
    ("absolute_path", make_zip({"/etc/Streaming_History_Audio_2021.json": b"[]"}), 400, "unsafe path"),
    ("symlink", symlink_zip(), 400, "symbolic link"),
    ("zip_bomb_ratio", history_zip(b" " * (60 * 2**20)), 413, "compression ratio"),
    ("directory_lies", lying_size_zip(), 400, "damaged"),
    ("nested_zip", make_zip({"inner/my_spotify_data.zip": VALID}), 422, "another ZIP"),
    ("json_not_array", history_zip(b'{"ts": "2021-09-23T09:28:29Z"}'), 422, "not valid Spotify JSON"),
    ("array_of_numbers", history_zip(b"[1, 2, 3]"), 422, "not valid Spotify JSON"),
    ("ms_played_string", history_zip(json.dumps([row(ms="lots")]).encode()), 422, "not a number"),
    ("ms_played_numeric_string", history_zip(json.dumps([row(ms="200000")]).encode()), 422, "not a number"),
    ("ts_unparsable", history_zip(json.dumps([row(ts="yesterday")]).encode()), 422, "not a time"),
    ("invalid_utf8", history_zip(b'[{"ts": "2021-09-23T09:28:29Z", "ms_played": 1, '
                                 b'"master_metadata_track_name": "\xff\xfe"}]'), 422, "UTF-8"),
    ("empty_file", history_zip(b""), 422, "empty"),
    ("two_generations", make_zip({FOLDER + "Streaming_History_Audio_2021.json": json.dumps([row()]).encode(),
                                  "MyData/StreamingHistory0.json": b'[{"endTime": "2023-10-02 23:43", '
                                  b'"artistName": "A", "trackName": "T", "msPlayed": 40000}]'}), 422,
     "two export generations"),
    ("no_history", make_zip({"Spotify Account Data/Userdata.json": b"{}",
                             "Spotify Account Data/Payments.json": b"{}"}), 422, "Account data package"),
    ("unrelated_zip", make_zip({"holiday/photo.jpg": b"\xff\xd8"}), 422, "photo.jpg"),
    ("json_not_history", b'[{"name": "x"}]', 422, "not Spotify listening history"),
]


def leftovers(upload_dir) -> list[str]:
    """Everything in UPLOAD_DIR but lock files and the (empty) jobs folder."""
    return sorted(p.name for p in upload_dir.iterdir() if not p.name.endswith(".lock")
                  and not (p.name == "jobs" and not any(p.iterdir())))


@pytest.mark.parametrize("name, data, status, message", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_upload_is_refused_cleanly(client, upload_dir, name, data, status, message):
    kept = upload_ok(client, VALID)["session_id"]
    before = leftovers(upload_dir)

    response = post_upload(client, data)

    assert response.status_code == status, response.get_json()
    assert message in response.get_json()["error"]
    assert leftovers(upload_dir) == before
    chart = client.post("/generate_image", json={"session_id": kept})
    assert chart.status_code == 200
    assert chart.get_json()["items"][0]["value"] == 2


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


def test_capacity_gives_503_with_retry_after(upload_dir):
    client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 2}).test_client()
    upload_ok(client, VALID)
    upload_ok(client, VALID)
    response = post_upload(client, VALID)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "busy" in response.get_json()["error"]
    assert len(list(upload_dir.glob("*.duckdb"))) == 2
