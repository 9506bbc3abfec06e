"""Artist pictures and covers beside the bars, from the Spotify Web API, Spotify oEmbed and Deezer, within a budget."""
from backend.services.artwork.lookup import PictureKind, Wanted, fetch_pictures
from backend.services.artwork.names import spelling_key
from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork.states import sources_status

__all__ = ["ArtworkSettings", "PictureKind", "Wanted", "fetch_pictures", "sources_status", "spelling_key"]
