"""What the benchmark asks the API to do, and the targets each answer is held to."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any

YEAR_2023 = {"start_date": "2023-01-01", "end_date": "2023-12-31"}
RACE_SPEED = {"interp_steps": 14, "speed_for_bar_animation": 28, "top_n": 10, "analysis_metric": "Streams"}
MAX_RACE_MB = 500.0  # server + ffmpeg, sampled together
# A race's wall time over the time ffmpeg alone takes to encode its frames fed as the server feeds them
# (yuv420p), and over the floor of the same frames fed as rgb0, as races were fed before they were painted
# in Y'CbCr (the floor the race-truth targets were first set against).
FLOOR_RATIO = 1.3
RGB_FLOOR_RATIO = 1.1
QUICK = ("ingest", "image", "stats", "wrapped", "race_full_default")
# What a person cleaning up their history sends: three artists (the two most played among them, names typed
# in another case and without accents), a song, an album, a month of 2023, the incognito plays left out,
# versions merged. Held to FILTERED_RATIO of the same answer unfiltered.
FILTERS = {"exclude_artists": ["青い鳥合唱団", "OLAFUR ZIELINSKI", "Wildengine"],
           "exclude_tracks": [{"track": "Intro", "artist": "Silver Signal"}],
           "exclude_albums": [{"album": "¿Orchard?", "artist": "silver signal"}],
           "exclude_periods": [{"start": "2023-06-01T00:00:00+02:00", "end": "2023-06-30T23:59:59+02:00"}],
           "include_incognito": False, "merge_versions": True}
FILTERED_RATIO = 1.2


@dataclass(frozen=True)
class Target:
    """A limit on one aggregated metric of a workload (see report.METRICS for the names)."""
    label: str
    metric: str
    limit: float
    at_most: bool = True

    def holds(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit

    def describe(self) -> str:
        return f"{self.label} {'<=' if self.at_most else '>='} {self.limit:g}"


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str  # "ingest" | "image" | "stats" | "wrapped" | "race" | "artwork" | "bucket"
    route: str
    body: dict[str, Any] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    _: KW_ONLY   # from here on by keyword only
    reference: str = ""   # a workload whose median wall time this one's runs are divided by (wall_vs_reference)
    # FILTERS kept with the session (PUT /sessions/<id>/filters, not timed) before the request, cleared after:
    # the pictures a person draws after setting their filters once
    kept_filters: bool = False


def _race_memory() -> Target:
    return Target("server+ffmpeg MB", "peak_total_mb", MAX_RACE_MB)


def _race(*targets: Target) -> tuple[Target, ...]:
    """A race's own targets, then what every race is held to: its floors, memory, and the truth of its frames."""
    return (*targets, Target("wall / encode floor", "floor_ratio", FLOOR_RATIO),
            Target("wall / rgb0 encode floor", "rgb_floor_ratio", RGB_FLOOR_RATIO), _race_memory(),
            Target("inverted frames %", "inverted_pct", 2.0), Target("longest inversion s", "inverted_run_s", 0.4),
            Target("longest still s", "still_run_s", 1.0), Target("opening with <= 1 bar s", "thin_opening_s", 0.5))


def _filtered(workload: Workload) -> Workload:
    """The workload with FILTERS in its body, held to FILTERED_RATIO of its own wall time."""
    return Workload(f"{workload.name}_filtered", workload.kind, workload.route, {**workload.body, "filters": FILTERS},
                    (Target(f"wall / {workload.name}", "wall_vs_reference", FILTERED_RATIO),), reference=workload.name)


def _kept(workload: Workload) -> Workload:
    """The workload after FILTERS were kept with the session, held to FILTERED_RATIO of its own wall time."""
    return Workload(f"{workload.name}_kept_filters", workload.kind, workload.route, workload.body,
                    (Target(f"wall / {workload.name}", "wall_vs_reference", FILTERED_RATIO),),
                    reference=workload.name, kept_filters=True)


def _images() -> list[Workload]:
    out = []
    for attribute in ("artist_name", "track_name", "album_name"):
        for metric in ("Streams", "duration_ms"):
            out.append(Workload(f"image_{attribute}_{metric}", "image", "/generate_image",
                                {"selected_attribute": attribute, "analysis_metric": metric, "top_n": 10},
                                (Target("wall s", "wall_s", 0.3),)))
    # every other format, songs (two-line names with their artists) in a theme of its own
    for picture_format, theme in (("story", "pulse"), ("square", "light"), ("wide", "dark")):
        out.append(Workload(f"image_{picture_format}", "image", "/generate_image",
                            {"selected_attribute": "track_name", "top_n": 10, "format": picture_format,
                             "theme": theme}, (Target("wall s", "wall_s", 0.3),)))
    return out


def _artwork() -> list[Workload]:
    """A top-10 chart with pictures from each source alone (benchmarks/artwork_standins.py), first with an empty artwork
    cache, then with what that chart cached. oEmbed finds covers only: its chart is of songs."""
    out = []
    for source, attribute in (("spotify", "artist_name"), ("oembed", "track_name"), ("deezer", "artist_name")):
        body = {"selected_attribute": attribute, "top_n": 10}
        out.append(Workload(f"artwork_{source}_cold", "artwork", "/generate_image", body,
                            (Target("wall s", "wall_s", 5.3),)))   # the artwork budget, then the chart
        out.append(Workload(f"artwork_{source}_cached", "artwork", "/generate_image", body,
                            (Target("wall s", "wall_s", 0.4),)))
    return out


WORKLOADS: tuple[Workload, ...] = (
    Workload("ingest", "ingest", "/process", {},
             (Target("wall s", "wall_s", 1.5), Target("peak RSS MB", "peak_server_mb", 300.0))),
    *_images(),
    Workload("stats", "stats", "/sessions/{session_id}/stats", {"timezone": "Europe/Berlin"},
             (Target("wall s", "wall_s", 0.3),)),
    Workload("wrapped", "wrapped", "/generate_wrapped", {"year": 2023, "timezone": "Europe/Berlin"},
             (Target("wall s", "wall_s", 0.5),)),
    Workload("race_year_1080x1920", "race", "/generate_animation",
             {"selected_attribute": "artist_name", **RACE_SPEED, **YEAR_2023, "days": 1,
              "figsize": [10.8, 19.2], "dpi": 100},
             _race(Target("frames/s", "frames_per_s", 190.0, at_most=False))),
    Workload("race_full_default", "race", "/generate_animation", {},
             _race(Target("wall s", "wall_s", 20.0))),
    Workload("race_full_rolling", "race", "/generate_animation", {"window_days": 90},
             _race(Target("wall / race_full_default", "wall_vs_reference", 1.2)),
             reference="race_full_default"),
    Workload("race_year_tracks", "race", "/generate_animation",
             {"selected_attribute": "track_name", **RACE_SPEED, **YEAR_2023, "days": 7},
             _race()),
    Workload("race_year_albums", "race", "/generate_animation",
             {"selected_attribute": "album_name", **RACE_SPEED, **YEAR_2023, "days": 7},
             _race()),
    Workload("race_quarter_songs_story", "race", "/generate_animation",
             {"selected_attribute": "track_name", **RACE_SPEED, "start_date": "2024-10-01",
              "end_date": "2024-12-31", "days": 1, "format": "story", "theme": "pulse"},
             _race()),
    Workload("race_year_30d_wide", "race", "/generate_animation",
             {"selected_attribute": "artist_name", **RACE_SPEED, **YEAR_2023, "days": 7, "window_days": 30,
              "format": "wide", "theme": "light"},
             _race()),
    *_artwork(),
    # SESSION_STORE=s3 on a real S3 server (benchmarks/bucket_workloads.py): a machine's first chart of a session it has
    # never seen, then its next; the next may only ask whether the session changed (a HEAD), never GET it
    Workload("bucket_chart_cold", "bucket", "/generate_image", {"top_n": 10},
             (Target("s over the warm chart", "over_warm_s", 0.3),)),
    Workload("bucket_chart_warm", "bucket", "/generate_image", {"top_n": 10},
             (Target("object GETs", "object_gets", 0.0), Target("wall s", "wall_s", 0.3))),
)
# A filtered chart, card and race, each against the same answer unfiltered.
WORKLOADS += tuple(_filtered(w) for w in WORKLOADS
                   if w.name in ("image_track_name_Streams", "wrapped", "race_full_default"))
# The same chart and card after the filters were kept with the session: the first answer of a request's own
# filters works out what they leave out, later ones of the same filters (kept or sent again) do not.
WORKLOADS += tuple(_kept(w) for w in WORKLOADS if w.name in ("image_track_name_Streams", "wrapped"))
BY_NAME = {w.name: w for w in WORKLOADS}


def _matches(name: str, token: str) -> bool:
    return name == token or name.startswith(token + "_")


def select(only: str | None, quick: bool) -> list[Workload]:
    """Workloads chosen by --quick and --only (exact names or prefixes such as 'image' or 'race_year')."""
    chosen = [w for w in WORKLOADS if not quick or any(_matches(w.name, q) for q in QUICK)]
    if only:
        tokens = [t.strip() for t in only.split(",") if t.strip()]
        unknown = [t for t in tokens if not any(_matches(w.name, t) for w in WORKLOADS)]
        if unknown:
            raise ValueError(f"unknown workload(s) {', '.join(unknown)}; choose from: {', '.join(BY_NAME)}")
        chosen = [w for w in chosen if any(_matches(w.name, t) for t in tokens)]
    return chosen
