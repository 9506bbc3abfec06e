"""The JSON budget under gunicorn with the Dockerfile's options: a body sent chunked or with a declared length
over MAX_JSON_KB is a 413 there too (tests/api/test_edge_json_budget.py holds the rest of the budget)."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.slow

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def served(live_servers):
    """The service under gunicorn with the Dockerfile's options: chunked bodies as a deployment gets them."""
    return live_servers.start()


def test_under_gunicorn_a_chunked_body_over_the_budget_is_413(served):
    chunks = (b" " * 1024 for _ in range(40))     # sent without a length: Transfer-Encoding: chunked
    response = requests.post(f"{served.url}/generate_image", data=chunks,
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 413
    assert "16 KB limit (MAX_JSON_KB)" in response.json()["error"]


def test_under_gunicorn_a_declared_length_over_the_budget_is_413(served):
    response = requests.post(f"{served.url}/generate_image", data=b" " * (40 * 1024),
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 413
    assert "16 KB limit (MAX_JSON_KB)" in response.json()["error"]
    within = requests.post(f"{served.url}/generate_image", json={"session_id": UNKNOWN_SESSION}, timeout=60)
    assert within.status_code == 404
