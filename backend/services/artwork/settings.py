"""What artwork needs of the settings: its sources and their addresses, its time, byte and pixel budgets."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from backend.core.settings import Settings

KB = 1024


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class ArtworkSettings:
    client_id: str
    client_secret: str
    api_url: str
    token_url: str
    timeout_s: float
    _: KW_ONLY   # from here on by keyword only
    cache_dir: Path
    cache_bytes: int
    max_response_bytes: int
    max_image_bytes: int
    max_pixels: int
    image_hosts: tuple[str, ...]
    sources: tuple[str, ...] = ()        # as ARTWORK_SOURCES lists them, in order
    oembed_url: str = ""
    deezer_url: str = ""
    unreachable_pause_s: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ArtworkSettings:
        cache_dir = settings.artwork_cache_dir or settings.upload_dir / "artwork-cache"
        hosts = tuple(host.strip(".").lower() for host in settings.artwork_image_hosts if host.strip("."))
        return cls(settings.spotify_client_id, settings.spotify_client_secret,
                   _with_slash(settings.spotify_api_url), settings.spotify_token_url,
                   settings.artwork_timeout_seconds, cache_dir=cache_dir,
                   cache_bytes=int(settings.artwork_cache_mb * KB * KB),
                   max_response_bytes=int(settings.artwork_max_response_kb * KB),
                   max_image_bytes=int(settings.artwork_max_image_kb * KB), max_pixels=settings.artwork_max_pixels,
                   image_hosts=hosts, sources=settings.artwork_sources, oembed_url=settings.spotify_oembed_url,
                   deezer_url=_with_slash(settings.deezer_api_url),
                   unreachable_pause_s=settings.artwork_unreachable_pause_seconds)

    @classmethod
    def disabled(cls) -> ArtworkSettings:
        """No artwork and no calls: for callers that only need the chart's shape (validation)."""
        return cls("", "", "", "", 0.0, cache_dir=Path("."), cache_bytes=0, max_response_bytes=0, max_image_bytes=0,
                   max_pixels=0, image_hosts=())

    @property
    def active_sources(self) -> tuple[str, ...]:
        """The sources that will be asked, in order: the Web API only with credentials."""
        has_credentials = bool(self.client_id and self.client_secret)
        return tuple(name for name in self.sources if name != "spotify" or has_credentials)

    @property
    def enabled(self) -> bool:
        return bool(self.active_sources) and self.timeout_s > 0
