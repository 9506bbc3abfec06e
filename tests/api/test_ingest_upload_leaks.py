"""Every bad upload of the suite gets our own 4xx JSON error: no server path, no library's words.

Each answer is checked for the service's folders (UPLOAD_DIR, the system's temporary folder, the
scratch folders' prefix), the upload leaves nothing behind, and a session stored before is untouched.
"""
from __future__ import annotations

import logging
import tempfile

import pytest

from backend.app import create_app
from harness.bad_uploads import BAD_UPLOADS, VALID, BadUpload, history_zip
from harness.service import leftovers, post_upload, upload_ok

# Fragments of DuckDB's and zipfile's own messages: none may reach a person.
LIBRARY_WORDS = ("Invalid Input Error", "Conversion Error", "Malformed JSON", "read_json", "record/value",
                 "Bad CRC", "Bad magic", "File is not a zip", "Try setting", "duckdb")


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """One app per distinct settings, each with a session stored before any bad upload arrives."""
    made: dict[tuple, tuple] = {}

    def service(settings: dict):
        key = tuple(sorted(settings.items()))
        if key not in made:
            upload_dir = tmp_path_factory.mktemp("sessions")
            client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), **settings}).test_client()
            made[key] = client, upload_dir, upload_ok(client, VALID)
        return made[key]
    return service


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=[case.name for case in BAD_UPLOADS])
def test_bad_upload_gets_our_error_and_leaks_nothing(services, case: BadUpload):
    client, upload_dir, kept = services(case.settings)
    before = leftovers(upload_dir)

    response = post_upload(client, case.data, case.filename)

    body = response.get_json()
    assert response.status_code == case.status, body
    assert list(body) == ["error"] and isinstance(body["error"], str)
    assert case.message in body["error"]
    text = response.get_data(as_text=True)
    for secret in (str(upload_dir), tempfile.gettempdir(), "/tmp", ".work-", *LIBRARY_WORDS):
        assert secret not in text, (secret, text)
    assert leftovers(upload_dir) == before
    again = client.get(f"/sessions/{kept['session_id']}")
    assert again.status_code == 200
    assert again.get_json()["summary"] == kept["summary"]


def test_the_collection_covers_the_issue_cases():
    names = {case.name for case in BAD_UPLOADS}
    assert len(BAD_UPLOADS) >= 50 and len(names) == len(BAD_UPLOADS)
    assert {"ms_played_2_pow_63", "ms_played_e308", "ms_played_nan", "ms_played_infinity", "only_plays_year_0000",
            "only_plays_year_9999", "utf16_lone_surrogate", "two_thousand_mib_members", "nested_zip",
            "dot_dot_path"} <= names


def test_duckdb_words_quoting_row_values_stay_out_of_the_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = post_upload(client, history_zip(b'[["Secret Song by Secret Artist"]]'))
    assert response.status_code == 422
    assert "the array holds an item that is not a row object" in response.get_json()["error"]
    assert "History files refused by DuckDB (InvalidInputException)" in caplog.text
    assert "Secret" not in caplog.text
