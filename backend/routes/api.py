"""The declared surface: the flask-openapi3 app that generates /openapi.json from the routes and their
models, the error answers each operation documents, and the /docs page served from installed assets."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_openapi3_swagger
from flask import Blueprint, current_app, jsonify, render_template_string
from flask_openapi3 import APIBlueprint, Info, OpenAPI
from flask_openapi3_swagger.templates import swagger_html_string
from pydantic import BaseModel, Field, ValidationError

from backend.routes.error_handlers import error_response
from backend.routes.models import problem
from backend.routes.upload_form import ServiceRequest

SWAGGER_ASSETS = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"
# Swagger UI would otherwise ask validator.swagger.io about the document: nothing leaves the host.
SWAGGER_CONFIG = {"validatorUrl": None}
INFO = Info(title="Spotify listening-history charts", version="1.0.0",
            description="Upload the ZIP Spotify sends you; get a JPEG of your top artists, songs or albums and an "
                        "MP4 bar-chart race of how that top list changed. Every error is {\"error\": \"...\"}.")


class ErrorBody(BaseModel):
    """Every error answer."""
    error: str = Field(description="what went wrong and what to do")


# Statuses any operation may answer, whatever it does (the server's own checks). Add one here and the
# contract test (tests/live/test_openapi_statuses.py) asks for a request that produces it on every operation.
COMMON_ERRORS: dict[int, str] = {
    400: "Under the Docker image's server: the request is not valid HTTP/1.1 (a malformed request line, header or "
         "chunked body).",
    408: "The request arrived too slowly; send it again.",
    413: "The request body is larger than MAX_JSON_KB (every operation reads at most that much of a body).",
    417: "Under the Docker image's server: an Expect header other than 100-continue.",
    431: "The request's headers are too large.",
    501: "Under the Docker image's server: a Transfer-Encoding other than chunked.",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again (when capacity is the reason)",
                               "schema": {"type": "integer"}}}


def error(status: int, when: str, retry_after: bool = False) -> tuple[int, dict[str, Any]]:
    """One documented error answer: `status`, in the one error shape, given `when`."""
    answer: dict[str, Any] = {"description": when,
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    if retry_after:
        answer["headers"] = RETRY_AFTER
    return status, answer


def answers(ok: dict[int, Any], *errors: tuple[int, dict[str, Any]]) -> dict[int, Any]:
    """An operation's responses: its successes, then its own errors."""
    return {**ok, **dict(errors)}


def _operation_id(*, bp_name: str = "", name: str = "", path: str = "", method: str = "") -> str:
    return name     # the view's name: generate_image, show_session, ...


def api_blueprint(name: str, import_name: str) -> APIBlueprint:
    """A blueprint whose every operation documents COMMON_ERRORS besides its own answers."""
    return APIBlueprint(name, import_name, operation_id_callback=_operation_id,
                        abp_responses=dict(error(status, when) for status, when in COMMON_ERRORS.items()))


def _validation_error(error: ValidationError):
    return error_response(400, problem(error))


class ServiceApp(OpenAPI):
    """The Flask app; its OpenAPI document lists exactly the answers each operation declares."""

    request_class = ServiceRequest

    def __init__(self, import_name: str):
        super().__init__(import_name, static_folder=None, info=INFO, doc_ui=False, validation_error_status=400,
                         validation_error_model=ErrorBody, validation_error_callback=_validation_error)

    def generate_spec_json(self) -> None:
        super().generate_spec_json()
        # flask-openapi3 adds its validation error to every operation that lacks one; operations without a
        # request model cannot answer it, and those with one declare it themselves.
        for path, item in self.paths.items():
            for method, operation in self.spec_json["paths"][path].items():
                if self.validation_error_status not in (getattr(item, method).responses or {}):
                    operation["responses"].pop(self.validation_error_status, None)


docs = Blueprint("docs", __name__, static_folder=str(SWAGGER_ASSETS), static_url_path="/swagger")


@docs.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document, generated from the routes and their models."""
    return jsonify(current_app.api_doc)


@docs.get("/docs")
def docs_page():
    """Swagger UI over /openapi.json; its scripts and styles come from the installed package."""
    return render_template_string(swagger_html_string, doc_url="openapi.json", swagger_config=SWAGGER_CONFIG,
                                  oauth_config=None)


# Errors several operations share, worded once.
CROSS_SITE = error(403, "A browser page on an origin not in CORS_ORIGINS asked for a change (routes/origins.py); "
                        "every POST and DELETE can answer it.")
BAD_BODY = error(400, "The body is not a JSON object, is nested too deep, or a field is missing or outside the "
                      "accepted values (the message names it).")
BAD_SESSION_ID = error(400, "The session id is not a UUID this service could have issued.")
BAD_JOB_ID = error(400, "The job id is not one this service could have issued.")
NO_SESSION = error(404, "Unknown, expired or deleted session.")
NO_JOB = error(404, "Unknown, expired or deleted job.")
GONE = error(410, "The session was deleted (DELETE /sessions/<id>) while this request was using it.")
BODY_TOO_LARGE = error(413, "The JSON body is larger than MAX_JSON_KB.")
OUT_OF_SPACE = error(507, "The server's disk is full; the person's file is fine and nothing of the request was kept. "
                          "Try again after Retry-After seconds.", retry_after=True)
CANNOT_DRAW = error(422, "Well-formed but cannot be drawn: an album chart without albums, a range without plays, a "
                         "picture side outside 320 px..MAX_SIDE_PX, a race over MAX_FRAMES frames.")
