"""A Spotify export and a Last.fm one that overlap, and the filters a person might put on the session made of
both: the scenario the tests of curation across sources and of two-source footers share."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from harness import exportgen as eg
from harness import servicegen as sg
from harness.stats_truth import extended_plays

ROWS = eg.extended_rows(eg.make_catalog(), 300, seed=5, start="2022-01-01", end="2022-03-31")
SHARED = sg.scrobbled(ROWS, 0.5)        # Spotify plays the scrobbler also recorded: counted once
OWN = sg.own_plays(120, "2022-02-01")   # plays only the scrobbler recorded, 2022-02-01 from 00:00 to ~14:00
# One recording under two names (a remaster on the deluxe edition), more plays than any other song has.
FERRY = "Midnight Ferry"
VERSIONS = [sg.Scrobble("Scrobbled Artist 0", FERRY if k % 2 else f"{FERRY} - Remastered 2011",
                        "Harbour Lights" if k % 2 else "Harbour Lights (Deluxe Edition)",
                        sg.epoch("2022-03-05T10:00:00Z") + k * 300) for k in range(30)]
SCROBBLES = SHARED + OWN + VERSIONS
PERIOD = (datetime(2022, 2, 1, 6, 0), datetime(2022, 2, 1, 9, 59, 59))
SPOTIFY_ARTIST = Counter(p.artist for p in extended_plays(ROWS, None) if p.ms >= 30_000).most_common(1)[0][0]
# As a person might type them: another letter case.
BODY = {"exclude_artists": ["scrobbled artist 1", SPOTIFY_ARTIST.upper()],
        "exclude_periods": [{"start": "2022-02-01T06:00:00Z", "end": "2022-02-01T09:59:59Z"}],
        "merge_versions": True}
