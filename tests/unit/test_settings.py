"""The typed settings: defaults, env/.env, the environment and overrides in that order, each value checked."""
from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.core import settings as settings_module
from backend.core.settings import load_settings


@pytest.fixture
def env_file(tmp_path, monkeypatch):
    """An env/.env of the test's own, and an environment without the settings these tests set."""
    path = tmp_path / ".env"
    monkeypatch.setitem(settings_module.Settings.model_config, "env_file", path)
    for name in ("MAX_SESSIONS", "PORT", "CORS_ORIGINS", "JOB_BACKEND", "UPLOAD_DIR", "ARTWORK_IMAGE_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_later_sources_win(env_file, monkeypatch):
    env_file.write_text("MAX_SESSIONS=7\nPORT=9000\nUPLOAD_DIR=/srv/from-file\n")
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("UPLOAD_DIR", "/srv/from-environment")
    settings = load_settings({"UPLOAD_DIR": "/srv/from-overrides", "TESTING": True})
    assert (settings.max_sessions, settings.port, settings.upload_dir) == (7, 9100, Path("/srv/from-overrides"))
    assert settings.session_ttl_seconds == 2700  # untouched: the default


def test_an_empty_value_means_the_default(env_file, monkeypatch):
    env_file.write_text("MAX_SESSIONS=\n")
    monkeypatch.setenv("PORT", "")
    settings = load_settings()
    assert (settings.max_sessions, settings.port) == (5, 8080)


def test_lists_are_comma_separated(env_file, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", " https://app.example.com ,https://beta.example.com,, ")
    monkeypatch.setenv("ARTWORK_IMAGE_HOSTS", "i.scdn.co")
    settings = load_settings()
    assert settings.cors_origins == ("https://app.example.com", "https://beta.example.com")
    assert settings.artwork_image_hosts == ("i.scdn.co",)


@pytest.mark.parametrize("name, value", [("MAX_SESSIONS", "five"), ("MAX_SESSIONS", "0"), ("PORT", "70000"),
                                         ("JOB_BACKEND", "rq")])
def test_a_wrong_value_stops_the_start_naming_the_setting(env_file, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        load_settings()
    assert name.lower() in str(refused.value)


def test_settings_cannot_change_once_built(env_file):
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.max_sessions = 50


@pytest.mark.parametrize("value, sources", [("Deezer, oembed,deezer", ("deezer", "oembed")), ("none", ()),
                                            ("spotify,oembed,deezer", ("spotify", "oembed", "deezer"))])
def test_artwork_sources_are_listed_in_order(env_file, value, sources):
    assert load_settings({"ARTWORK_SOURCES": value}).artwork_sources == sources


def test_an_unknown_artwork_source_stops_the_start(env_file):
    with pytest.raises(ValidationError) as refused:
        load_settings({"ARTWORK_SOURCES": "spotify,musicbrainz"})
    assert "artwork_sources" in str(refused.value) and "musicbrainz" in str(refused.value)
