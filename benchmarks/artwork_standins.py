"""The artwork workloads' upstreams: local stand-ins of the Spotify Web API, Spotify oEmbed and Deezer
(the test suite's, speaking each wire format), so the benchmark never touches the network.

The stand-ins run in the benchmark's own process, not in the request runner it measures: their threads would
otherwise take the runner's CPU and memory. The runner learns their addresses from one environment
variable. Each run's cold chart starts with an artwork cache of its own, empty; its cached chart reuses
that cache, as the next chart of a deployment would.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from harness import exportgen as eg
from harness.keyless_standins import DeezerStandin, OembedStandin
from harness.spotify_standin import SpotifyStandin

ADDRESSES = "BENCH_ARTWORK_STANDINS"   # JSON: the stand-ins' settings, set for the request runner


def _catalogue() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    catalog = eg.make_catalog()   # the benchmark export's catalogue (benchmarks/export.py)
    tracks = {t.uri.split(":")[2]: (t.artist, t.album) for t in catalog.tracks if t.uri}
    titles = {t.uri.split(":")[2]: t.name for t in catalog.tracks if t.uri}
    return tracks, titles


@contextlib.contextmanager
def running_standins() -> Iterator[None]:
    """Serve the three stand-ins until the block ends, their addresses in the environment for the request runner."""
    tracks, titles = _catalogue()
    with SpotifyStandin(tracks) as spotify, OembedStandin(tracks, titles) as oembed, \
            DeezerStandin(tracks, titles) as deezer:
        os.environ[ADDRESSES] = json.dumps({
            "spotify": {"SPOTIFY_API_URL": spotify.api_url, "SPOTIFY_TOKEN_URL": spotify.token_url,
                        "SPOTIFY_CLIENT_ID": "benchmark", "SPOTIFY_CLIENT_SECRET": "benchmark"},
            "oembed": {"SPOTIFY_OEMBED_URL": oembed.oembed_url}, "deezer": {"DEEZER_API_URL": deezer.url}})
        try:
            yield
        finally:
            os.environ.pop(ADDRESSES, None)


def artwork_settings(source: str, run: int, out_dir: Path) -> dict[str, object]:
    """The request runner's settings for one source's chart in run `run`: that source alone, the run's own cache."""
    addresses = json.loads(os.environ[ADDRESSES])
    return {**addresses[source], "ARTWORK_SOURCES": source, "ARTWORK_IMAGE_HOSTS": "127.0.0.1",
            "ARTWORK_CACHE_DIR": str(out_dir / "artwork-cache" / f"{source}-run{run}")}
