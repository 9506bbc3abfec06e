"""The Flask application factory; `app` is what gunicorn serves (backend.app:app)."""
from __future__ import annotations

import logging
import sys
import time
from typing import Any

from flask import Flask, g, request

from backend.core.file_modes import make_folder_private
from backend.core.settings import Settings, load_settings
from backend.routes import animations, health, images, jobs, session_filters, sessions, uploads, wrapped
from backend.routes.api import ServiceApp, docs
from backend.routes.error_handlers import register_error_handlers
from backend.routes.json_budget import install_json_budget
from backend.routes.origins import install_origin_policy
from backend.services.analytics import Analytics
from backend.services.encoding import find_ffmpeg
from backend.services.hygiene import set_up_process
from backend.services.jobs import job_store_for, make_queue
from backend.services.sessions import (
    StorageUnavailable,
    cleanup_old_sessions,
    open_session_store,
    start_cache_check_thread,
    start_cleanup_thread,
)
from backend.serving.devserver import UnversionedRequestHandler

UPLOAD_OVERHEAD_BYTES = 1 << 20  # multipart framing around the file
log = logging.getLogger(__name__)
request_log = logging.getLogger("backend.requests")
# Libraries whose info and debug lines carry request paths (session ids) or client addresses;
# _log_requests writes the one line per request instead.
PATH_LOGGING_LIBRARIES = ("werkzeug", "flask_cors")


def _configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())


def _warnings_and_errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def _keep_paths_out_of_logs() -> None:
    """A filter rather than a level: it holds whatever level is set on those loggers later (LOG_LEVEL=DEBUG).

    A logger's filters see only its own records, so each module logger of the libraries gets one.
    """
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in PATH_LOGGING_LIBRARIES]
    for name in {*PATH_LOGGING_LIBRARIES, *names}:
        logging.getLogger(name).addFilter(_warnings_and_errors_only)


def _log_requests(app: Flask) -> None:
    """One line per request: the route's pattern (never the session id in the path), status, time."""
    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
        request_log.info("%s %s %d %.3fs", request.method, rule, response.status_code, elapsed)
        return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, error shape, origin policy, session store, analytics, blueprints.

    `config` overrides settings by their environment names (UPLOAD_DIR); other keys (TESTING) go to Flask.
    The process itself (umask, allocator, fonts) is left as it is: the entry points below set it up once.
    """
    settings = load_settings(config)
    app = ServiceApp(__name__)
    app.config.update({name: value for name, value in (config or {}).items()
                       if name.lower() not in Settings.model_fields})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_mb * 2**20 + UPLOAD_OVERHEAD_BYTES
    # Every answer is JSON: no HTML redirects for doubled slashes, a plain JSON 404 instead.
    app.url_map.merge_slashes = False
    _keep_paths_out_of_logs()
    if not app.testing:
        _configure_logging(settings.log_level)
    install_origin_policy(app, settings.cors_origins)
    install_json_budget(app, settings.max_json_kb,
                        upload_endpoints={"uploads.process_upload", "uploads.add_session_upload"},
                        own_limits={"filters.replace_filters": (settings.max_filters_kb, "MAX_FILTERS_KB")})
    register_error_handlers(app, settings.max_upload_mb)
    _log_requests(app)
    store = open_session_store(settings)
    make_folder_private(store.root)
    job_store = job_store_for(settings, store)
    store.on_delete = job_store.remove_session
    app.extensions.update(settings=settings, sessions=store, jobs=job_store, job_queue=make_queue(settings),
                          analytics=Analytics(settings))
    for module in (uploads, images, wrapped, animations, jobs, sessions, session_filters, health):
        app.register_api(module.bp)
    app.register_blueprint(docs)
    if not app.testing:
        try:
            cleanup_old_sessions(store)
        except StorageUnavailable:  # the service starts anyway; /health names the storage's state
            log.warning("Session storage unavailable at start")
        start_cleanup_thread(store, also=job_store.remove_expired, interval_seconds=settings.cleanup_interval_seconds)
        if settings.session_store == "s3":
            start_cache_check_thread(store, settings.session_cache_check_seconds)
        log.info("Encoder: %s", find_ffmpeg(settings.ffmpeg_bin) or "none found; videos answer 503")
    return app


def __getattr__(name: str) -> Flask:
    """`backend.app:app` for gunicorn, built on first use so importing create_app has no side effects."""
    if name == "app":
        set_up_process()
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)


if __name__ == "__main__":
    set_up_process()
    served = create_app()
    served.run(host="0.0.0.0", port=served.extensions["settings"].port, threaded=True,
               request_handler=UnversionedRequestHandler)
