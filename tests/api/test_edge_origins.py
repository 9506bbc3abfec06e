"""Browser origins: only listed ones are granted CORS, and a page on any other site cannot make the
service do work (render, upload, delete) through a visitor's browser; `null` is never granted."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from harness import exportgen as eg
from harness.service import post_upload, upload_ok

FRONT_END = "https://app.example"
FOREIGN = "https://evil.example"
REFUSED_WRITE = ("Requests from a page on another site are refused; "
                 "the operator can allow a front end's origin in CORS_ORIGINS.")
REFUSED_PREFLIGHT = "This origin may not call the API from a browser; the operator can list it in CORS_ORIGINS."
UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
# What a header can carry once a server has decoded it (latin-1, no line breaks), and near-origins.
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)
ORIGIN_LIKE = st.from_regex(r"(https?|[a-z]{1,5}):/{0,3}[\[\]a-z0-9:.@/?#%\\ -]{0,24}", fullmatch=True)


@pytest.fixture(scope="module")
def export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 400, start="2022-01-01", end="2022-06-30"))


def client_with(upload_dir, origins: list[str] | None):
    config = {"TESTING": True, "UPLOAD_DIR": str(upload_dir), "SUPABASE_URL": "", "SUPABASE_KEY": "",
              "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""}
    if origins is not None:
        config["CORS_ORIGINS"] = origins
    return create_app(config).test_client()


def preflight(client, origin: str, method: str = "DELETE"):
    return client.options("/sessions/ba91b71d-650a-435d-aada-9039019c7041",
                          headers={"Origin": origin, "Access-Control-Request-Method": method,
                                   "Access-Control-Request-Headers": "content-type"})


@pytest.mark.parametrize("origins, origin", [
    (None, FOREIGN),                 # the default lists no origin at all
    (None, "null"),
    ([FRONT_END], FOREIGN),
    ([FRONT_END, "null"], "null"),   # null is never granted, even when listed
    (["*"], "null"),
])
def test_preflight_from_an_origin_not_granted_is_refused(upload_dir, origins, origin):
    response = preflight(client_with(upload_dir, origins), origin)
    assert response.status_code == 403
    assert response.get_json() == {"error": REFUSED_PREFLIGHT}
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


@pytest.mark.parametrize("origins", [[FRONT_END], ["https://APP.example/"], ["*"]])
def test_preflight_from_a_listed_origin_is_granted_without_credentials(upload_dir, origins):
    response = preflight(client_with(upload_dir, origins), FRONT_END)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "DELETE" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()  # header names: any case
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_foreign_page_cannot_delete_render_or_upload(upload_dir, export):
    client = client_with(upload_dir, [FRONT_END])
    session = upload_ok(client, export)["session_id"]
    for origin in (FOREIGN, "null"):
        attempts = [
            client.delete(f"/sessions/{session}", headers={"Origin": origin}),
            client.post("/generate_image", json={"session_id": session}, headers={"Origin": origin}),
            client.post("/generate_animation", json={"session_id": session}, headers={"Origin": origin}),
            client.post("/jobs/animation", json={"session_id": session}, headers={"Origin": origin}),
            # a plain HTML form needs no preflight: the refusal must not rely on the browser's
            client.post("/process", data={"file": "x"}, content_type="application/x-www-form-urlencoded",
                        headers={"Origin": origin}),
        ]
        for response in attempts:
            assert response.status_code == 403
            assert response.get_json() == {"error": REFUSED_WRITE}
    assert client.get(f"/sessions/{session}").status_code == 200
    assert sorted(p.name for p in upload_dir.glob("*.duckdb")) == [f"{session}.duckdb"]
    assert not list((upload_dir / "jobs").glob("*/*.json"))


def test_listed_origin_own_host_and_non_browser_callers_may_write(upload_dir, export):
    client = client_with(upload_dir, [FRONT_END])
    for headers in ({"Origin": FRONT_END}, {"Origin": "http://localhost"}, {}):
        session = upload_ok(client, export)["session_id"]
        response = client.delete(f"/sessions/{session}", headers=headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {"deleted": session}
        granted = response.headers.get("Access-Control-Allow-Origin")
        assert granted == (FRONT_END if headers.get("Origin") == FRONT_END else None)
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_reads_from_a_foreign_page_get_no_cors_grant(upload_dir):
    response = client_with(upload_dir, [FRONT_END]).get("/health", headers={"Origin": FOREIGN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_an_explicit_star_grants_any_origin_but_null(upload_dir, export):
    client = client_with(upload_dir, ["*"])
    upload = post_upload(client, export)
    assert upload.status_code == 200
    session = upload.get_json()["session_id"]
    refused = client.delete(f"/sessions/{session}", headers={"Origin": "null"})
    assert refused.status_code == 403
    assert refused.get_json() == {"error": REFUSED_WRITE}
    response = client.delete(f"/sessions/{session}", headers={"Origin": FOREIGN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FOREIGN
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_errors_carry_the_grant_so_a_front_end_can_read_them(upload_dir):
    response = client_with(upload_dir, [FRONT_END]).post("/generate_image", json={},
                                                         headers={"Origin": FRONT_END})
    assert response.status_code == 400
    assert "session_id" in response.get_json()["error"]
    assert response.headers["Access-Control-Allow-Origin"] == FRONT_END


@pytest.mark.parametrize("origin", ["http://[::1", "http://[evil]", "https://a]b", "http://[", "https://[::1]:x",
                                   "http://a b", "://", "https://", "http://localhost/../", "http://user@localhost"])
def test_a_malformed_origin_on_a_write_is_refused_like_any_foreign_one(upload_dir, origin):
    response = client_with(upload_dir, [FRONT_END]).delete(f"/sessions/{UNKNOWN_SESSION}", headers={"Origin": origin})
    assert response.status_code == 403, response.get_json()
    assert response.get_json() == {"error": REFUSED_WRITE}


@settings(derandomize=True, deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(origin=HEADER_TEXT | ORIGIN_LIKE, origins=st.sampled_from([None, [FRONT_END], ["*"]]),
       method=st.sampled_from(["DELETE", "OPTIONS", "POST"]))
def test_no_origin_header_makes_the_check_fail(tmp_path_factory, origin, origins, method):
    client = client_with(tmp_path_factory.mktemp("origins"), origins)
    headers = {"Origin": origin, "Access-Control-Request-Method": "DELETE"} if method == "OPTIONS" else \
        {"Origin": origin}
    response = client.open(f"/sessions/{UNKNOWN_SESSION}", method=method, headers=headers)
    answers = {"DELETE": {403: REFUSED_WRITE, 404: None}, "OPTIONS": {403: REFUSED_PREFLIGHT, 204: None},
               "POST": {403: REFUSED_WRITE, 405: None}}[method]
    assert response.status_code in answers, (origin, response.status_code, response.get_data()[:200])
    if answers[response.status_code]:
        assert response.get_json() == {"error": answers[response.status_code]}
