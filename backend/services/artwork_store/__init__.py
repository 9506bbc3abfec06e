"""What artwork keeps: Spotify's answers reduced to trusted records, and the shared disk cache of them and pictures."""
from backend.services.artwork_store.cache import ArtworkCache
from backend.services.artwork_store.records import artist_id_of, image_url_of, match_items, single_record

__all__ = ["ArtworkCache", "artist_id_of", "image_url_of", "match_items", "single_record"]
