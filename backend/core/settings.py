"""The service's settings as one typed object: defaults, then env/.env, then the environment, then overrides.

Built once at start (create_app, the Celery worker, the gunicorn worker class) and passed down; every
service takes what it needs from it. env/.env.example lists every setting; docs/deploy.md's Settings
table says what each one does.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = PROJECT_ROOT / "env" / ".env"

CommaSeparated = Annotated[tuple[str, ...], NoDecode]
ARTWORK_SOURCE_NAMES = ("spotify", "oembed", "deezer")


class Settings(BaseSettings):
    """Every setting, named as its environment variable in lower case (UPLOAD_DIR is upload_dir)."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", env_ignore_empty=True,
                                      extra="ignore", frozen=True)

    env: str = "production"
    upload_dir: Path = Path("/tmp/spotify_sessions")
    max_sessions: int = Field(5, ge=1)
    session_ttl_seconds: int = Field(2700, ge=1)
    max_upload_mb: int = Field(512, ge=1)
    max_json_kb: int = Field(16, ge=1)
    max_filters_kb: int = Field(4096, ge=1, le=8192)   # kept filters are read back up to 8 MB
    max_extracted_mb: int = Field(1024, ge=1)
    max_zip_members: int = Field(2000, ge=1)
    max_compression_ratio: int = Field(200, ge=1)
    max_rows: int = Field(10_000_000, ge=1)
    max_frames: int = Field(6000, ge=1)
    # One painter and one x264 (-threads 0) beat two segments on 2 cores since races are painted in Y'CbCr
    # (docs/design.md): more workers pay only where painting is a larger share of a frame's cost.
    render_workers: int = Field(1, ge=1)
    render_memory_mb: float = Field(500.0, ge=0)
    max_jobs: int = Field(4, ge=1)
    max_jobs_per_session: int = Field(2, ge=1)
    max_videos_per_session: int = Field(5, ge=1)
    max_job_record_kb: float = Field(16.0, gt=0)
    job_backend: Literal["local", "celery"] = "local"
    job_workers: int = Field(1, ge=1)
    celery_broker_url: str = ""
    job_stale_seconds: float = Field(15.0, gt=0)
    # Where sessions live: "local" (UPLOAD_DIR, one machine) or "s3" (a bucket every machine shares).
    session_store: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_prefix: str = "spotify-sessions/"
    s3_endpoint_url: str = ""                   # empty: AWS
    s3_region: str = ""
    s3_timeout_seconds: float = Field(5.0, gt=0)
    session_cache_mb: float = Field(1024.0, ge=0)
    cleanup_interval_seconds: float = Field(60.0, gt=0)
    session_cache_check_seconds: float = Field(2.0, gt=0)
    max_side_px: int = Field(2160, ge=320)
    supabase_url: str = ""
    supabase_key: str = ""
    spotify_client_id: str = ""
    spotify_client_secret: str = ""
    spotify_api_url: str = "https://api.spotify.com/v1/"
    spotify_token_url: str = "https://accounts.spotify.com/api/token"
    artwork_timeout_seconds: float = Field(5.0, ge=0)
    artwork_cache_dir: Path | None = None      # None: <UPLOAD_DIR>/artwork-cache
    artwork_cache_mb: float = Field(64.0, ge=0)
    artwork_max_response_kb: float = Field(4096.0, gt=0)
    artwork_max_image_kb: float = Field(2048.0, gt=0)
    artwork_max_pixels: int = Field(4194304, ge=1)
    artwork_image_hosts: CommaSeparated = ("scdn.co", "spotifycdn.com", "dzcdn.net")
    artwork_sources: CommaSeparated = ("spotify",)   # the Docker image adds oembed,deezer; "none": no artwork
    artwork_unreachable_pause_seconds: float = Field(300.0, gt=0)
    spotify_oembed_url: str = "https://open.spotify.com/oembed"
    deezer_api_url: str = "https://api.deezer.com/"
    analytics_timeout_seconds: float = Field(5.0, gt=0)
    analytics_max_response_kb: float = Field(64.0, gt=0)
    ffmpeg_bin: str = ""
    log_level: str = "INFO"
    port: int = Field(8080, ge=1, le=65535)
    request_read_timeout_seconds: float = Field(300.0, gt=0)
    cors_origins: CommaSeparated = ()

    @field_validator("s3_prefix")
    @classmethod
    def _prefix_is_a_folder(cls, value: str) -> str:
        return value.strip("/") + "/" if value.strip("/") else ""

    @field_validator("artwork_image_hosts", "artwork_sources", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("artwork_sources")
    @classmethod
    def _known_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(name.lower() for name in value)
        if names == ("none",):
            return ()
        unknown = sorted(set(names) - set(ARTWORK_SOURCE_NAMES))
        if unknown:
            raise ValueError(f"unknown artwork sources {unknown}: use {', '.join(ARTWORK_SOURCE_NAMES)} or none")
        return tuple(dict.fromkeys(names))

    @model_validator(mode="after")
    def _bucket_named(self) -> Settings:
        if self.session_store == "s3" and not self.s3_bucket:
            raise ValueError("SESSION_STORE=s3 needs S3_BUCKET")
        return self


def setting_names() -> list[str]:
    """The environment variable of every setting."""
    return [name.upper() for name in Settings.model_fields]


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Resolve every setting; overrides are keyed like the environment (UPLOAD_DIR); other keys are ignored."""
    known = set(Settings.model_fields)
    given = {name.lower(): value for name, value in (overrides or {}).items() if name.lower() in known}
    return Settings(**given)
