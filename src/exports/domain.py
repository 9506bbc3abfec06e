"""The domain of stored data: which play times and names the service keeps, and so which dates it charts.

Spotify started in 2006 and nothing in an export can honestly lie in the far future, but devices with
unset clocks write plays in 1970 and corrupted files hold years like 0000 or 9999. A fixed domain keeps
every stored play (and every date a request may name) far from the ends of the calendar, so a chart's
range, a time-zone shift or a race's keyframes never step outside what the date types can hold.
"""
from __future__ import annotations

from datetime import date

# Plays whose UTC time falls outside [FIRST_DAY, LAST_DAY] are not stored (counted as rows_out_of_range);
# requests may only name dates inside it.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Longer track, artist, album or show names are cut to this many characters when stored.
MAX_NAME_CHARS = 300
# Longest play stored: a day. A longer ms_played is no plausible play: its row is counted as
# rows_out_of_range, like a time outside the dates. (A value that is no duration at all is refused as unusable.)
MAX_MS_PLAYED = 24 * 60 * 60 * 1000
# A play counts as a stream from 30 seconds on: Spotify's own rule for its counts.
STREAM_MS = 30_000
# Which plays count (SQL over `plays`, with the bound parameter $min_ms): those of at least min_ms, and every
# play whose service records no duration (a scrobble is a listen by Last.fm's own rule).
COUNTED_AS_STREAM = "coalesce(ms_played >= $min_ms, true)"
