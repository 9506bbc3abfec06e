"""What artwork keeps: answers as trusted records, the shared disk cache of them and pictures, the sources' pauses."""
from backend.services.artwork_store.cache import ArtworkCache
from backend.services.artwork_store.records import (
    URL_SCHEMES,
    artist_id_of,
    image_url_of,
    match_items,
    single_record,
)
from backend.services.artwork_store.source_state import SourceState, SourceStates, paused_for

__all__ = ["URL_SCHEMES", "ArtworkCache", "SourceState", "SourceStates", "artist_id_of", "image_url_of",
           "match_items", "paused_for", "single_record"]
