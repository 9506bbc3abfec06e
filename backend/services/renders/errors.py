"""What rendering refuses on its own: a race without an encoder (the charts and sessions it uses refuse the rest)."""
from __future__ import annotations

from src.domain_error import DomainError


class NoEncoder(DomainError):
    def __init__(self) -> None:
        super().__init__("No ffmpeg is available on the server; set FFMPEG_BIN or install ffmpeg.")
