"""Artist pictures and album covers from the Spotify Web API, fetched within a time budget per request."""
from backend.services.artwork.lookup import Wanted, fetch_pictures
from backend.services.artwork.settings import ArtworkSettings

__all__ = ["ArtworkSettings", "Wanted", "fetch_pictures"]
