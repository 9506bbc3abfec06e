"""GET /openapi.json: the API's OpenAPI 3 description."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from flask import Blueprint, jsonify

bp = Blueprint("docs", __name__)
DOCUMENT = Path(__file__).resolve().parents[1] / "api" / "openapi.json"


@functools.cache
def openapi_document() -> dict:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document that describes every route."""
    return jsonify(openapi_document())
