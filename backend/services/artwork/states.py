"""Where each artwork source's shared state is kept, and what /health shows of it (no HTTP library needed)."""
from __future__ import annotations

import hashlib

from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork_store import SourceStates

STATE_FOLDER = "sources"


def source_key(settings: ArtworkSettings, name: str) -> str:
    """The name of a source's shared state: per address (and client id), so that stand-ins stay apart."""
    identity = {"spotify": (settings.api_url, settings.client_id), "oembed": (settings.oembed_url,),
                "deezer": (settings.deezer_url,)}[name]
    return f"{name}-{hashlib.sha256(chr(31).join(identity).encode()).hexdigest()[:16]}"


def sources_status(settings: ArtworkSettings) -> dict[str, str]:
    """Each source that will be asked, and its state: ok, paused until <UTC time>, or unreachable."""
    states = source_states(settings)
    return {name: states.read(source_key(settings, name)).describe() for name in settings.active_sources}


def source_states(settings: ArtworkSettings) -> SourceStates:
    return SourceStates(settings.cache_dir / STATE_FOLDER)
