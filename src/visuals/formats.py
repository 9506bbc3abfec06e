"""Named picture sizes for the places people post: a 4:5 feed post, a 9:16 story or reel, 1:1 and 16:9."""
from __future__ import annotations

FORMATS: dict[str, tuple[int, int]] = {
    "feed": (1080, 1350),
    "story": (1080, 1920),
    "square": (1080, 1080),
    "wide": (1920, 1080),
}
DEFAULT_FORMAT = "feed"
WRAPPED_FORMAT = "story"   # the Wrapped card is made for stories first
