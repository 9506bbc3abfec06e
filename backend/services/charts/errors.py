"""Why a chart or a race cannot be drawn: well-formed requests the session's plays cannot answer."""
from __future__ import annotations

from src.domain_error import DomainError


class CannotDraw(DomainError):
    """A chart, race, card or statistic that cannot be drawn from what was asked and what was played."""


class EmptyRange(CannotDraw):
    """The range asked for holds no day (its end, defaulted to the history's, falls before its start)."""


class NoAlbums(CannotDraw):
    def __init__(self) -> None:
        super().__init__("This session's exports have no album names (Spotify's Account data and YouTube Music "
                         "never do); chart artists or songs, or upload the Extended streaming history for albums.")


class NothingToDraw(CannotDraw):
    """No play that counts in the range, or in any of a rolling race's windows."""


class RaceTooLong(CannotDraw):
    def __init__(self, frames: int, max_frames: int):
        super().__init__(f"This race would have {frames:,} frames; the limit is {max_frames:,}. Send a larger "
                         "days, fewer interp_steps or a shorter date range.")


class PictureSizeOutOfRange(CannotDraw):
    """figsize x dpi gives a side over MAX_SIDE_PX or under the smallest side drawn."""
