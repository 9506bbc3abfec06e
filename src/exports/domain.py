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
# The calendar days of FIRST_DAY..LAST_DAY as a regular expression: 30- and 31-day months, February, and the
# 29th in leap years (what a request's dates are held to, in its schema and by the service alike).
CALENDAR_DAY = ("20[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
                "|02-(?:0[1-9]|1[0-9]|2[0-8]))|20(?:[02468][048]|[13579][26])-02-29")
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
