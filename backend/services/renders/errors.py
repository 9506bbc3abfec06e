"""What the render use cases refuse besides their packages' own refusals: a race without an encoder."""
from __future__ import annotations

from src.domain_error import DomainError


class NoEncoder(DomainError):
    def __init__(self) -> None:
        super().__init__("No ffmpeg is available on the server; set FFMPEG_BIN or install ffmpeg.")
