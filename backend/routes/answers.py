"""The answers' shapes, for /openapi.json (the views build them as plain JSON), and the one way an answer
says which filters it honoured."""
from __future__ import annotations

from datetime import date
from typing import Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from backend.services.ingest import IngestSummary
from src.exports import ROW_FORMATS

# The summary's fields come from the service's dataclass, so the two cannot drift apart; only the
# fields whose documented type is narrower than the dataclass's are named here. The format keys come from
# the format table, so a new format is documented with it.
DOCUMENTED_TYPES = {"format": Literal[tuple(fmt.key for fmt in ROW_FORMATS)], "data_min_date": date,
                    "data_max_date": date}
Summary = create_model(
    "Summary", __config__=ConfigDict(extra="allow"), __doc__="What an upload held (the /process answer's summary).",
    **{name: (DOCUMENTED_TYPES.get(name, kind), ...) for name, kind in get_type_hints(IngestSummary).items()})


class MergedVersions(BaseModel):
    kind: Literal["song", "album"]
    name: str = Field(description="the name the versions share once the documented suffix is removed")
    artist: str
    versions: list[str] = Field(description="the names merged, as the export spells them")
    releases: int = Field(description="releases merged: names, or Spotify tracks of one name")


class SetAside(BaseModel):
    """Plays each entry leaves out, in the entries' order (a play two entries name counts for both)."""
    exclude_artists: list[int]
    exclude_tracks: list[int]
    exclude_albums: list[int]
    exclude_periods: list[int]
    incognito: int


class AppliedFilters(BaseModel):
    """The filters an answer honours (the request's own, else the session's) and what they set aside."""
    exclude_artists: list[str]
    exclude_tracks: list[dict[str, str]] = Field(description='[{"track": ..., "artist": ...}]')
    exclude_albums: list[dict[str, str]] = Field(description='[{"album": ..., "artist": ...}]')
    exclude_periods: list[dict[str, str]] = Field(description='[{"start": ..., "end": ...}] in UTC')
    include_incognito: bool
    merge_versions: bool
    plays_set_aside: int = Field(description="plays of the session left out of every count")
    merged_groups: int | None = Field(None, description="with merge_versions: how many groups were merged")
    merged: list[MergedVersions] | None = Field(None, description="with merge_versions: the first 100 groups, most "
                                                                  "releases first")
    notes: list[str] | None = Field(None, description="what a filter could not do with this export")
    set_aside: SetAside | None = Field(None, description="GET, PUT /sessions/<id>/filters only")


ONLY_WITH_FILTERS = "only when filters are in effect (the session's or the request's own)"


def with_filters(answer: dict, applied: dict | None) -> dict:
    """The answer, with what its filters applied when any were in effect (a request without filters of a
    session without filters is answered exactly as before)."""
    return answer if applied is None else {**answer, "filters": applied}


class SessionFilters(BaseModel):
    session_id: str
    filters: AppliedFilters


class Repeat(BaseModel):
    track: str | None
    artist: str | None
    start: str = Field(description="UTC: when the stretch's first play started")
    end: str = Field(description="UTC: when its last play stopped")
    plays: int
    minutes: float
    night_share: float = Field(description="share of its plays that stopped between 00:00 and 06:00 local time")


class Repeats(BaseModel):
    session_id: str
    timezone: str
    min_plays: int
    min_minutes: int
    repeats: list[Repeat] = Field(description="longest first, at most 50")


class Session(BaseModel):
    session_id: str = Field(description="the only key to the stored data: keep it private")
    data_min_date: date
    data_max_date: date
    summary: Summary


class Deleted(BaseModel):
    deleted: str


class Item(BaseModel):
    rank: int
    name: str
    artist: str | None = Field(None, description="song and album charts only")
    value: float
    unit: Literal["streams", "minutes"]


class Coverage(BaseModel):
    sources: list[str] = Field(description="the services the picture drew from, as its footer names them")
    plays_without_duration: int = Field(description="listening-time charts: counted plays left out of the minutes "
                                                    "because their service records no duration (0 for streams)")
    plays_without_album: int = Field(description="album charts: counted plays that name no album (YouTube Music "
                                                 "names none); 0 for other charts")


class Image(Coverage):
    image: str = Field(description="base64 JPEG")
    filename: str
    items: list[Item]
    start_date: date
    end_date: date
    width: int
    height: int
    filters: AppliedFilters | None = Field(None, description=ONLY_WITH_FILTERS)


class Video(Coverage):
    model_config = ConfigDict(json_schema_extra={"description": "With Accept: video/mp4 the MP4 itself instead."},
                              openapi_extra={"content": {"video/mp4": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}})

    video: str = Field(description="base64 MP4 (H.264, yuv420p, faststart)")
    filename: str
    frames: int
    fps: int
    width: int
    height: int
    items: list[Item] = Field(description="the last date's ranking, as the video's last frame shows it")
    filters: AppliedFilters | None = Field(None, description=ONLY_WITH_FILTERS)


JobState = Literal["queued", "running", "done", "failed", "cancelled"]


class JobStarted(BaseModel):
    model_config = ConfigDict(openapi_extra={"headers": {"Location": {"description": "the job's status_url",
                                                                      "schema": {"type": "string"}}}})

    job_id: str
    status_url: str
    state: JobState
    frames_total: int
    items: list[Item] = Field(description="the last date's ranking, as the video's last frame will show it")
    filters: AppliedFilters | None = Field(None, description=ONLY_WITH_FILTERS)


class Job(BaseModel):
    job_id: str
    state: JobState
    frames_done: int
    frames_total: int
    progress: float = Field(ge=0, le=1)
    eta_seconds: float | None
    error: str | None = Field(None, description="why a failed job failed")
    video_url: str | None = Field(None, description="once the job is done")
    items: list[Item] | None = Field(None, description="once the job is done: the last date's ranking")


class JobGone(BaseModel):
    """DELETE /jobs/<id>: a queued or running job is cancelled (job_id, state); a finished one deleted."""
    job_id: str | None = None
    state: JobState | None = None
    deleted: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    ffmpeg: bool
    env: str
    artwork: dict[str, str] = Field(description="each artwork source that is asked, in order: ok, "
                                                "paused until <UTC time>, or unreachable")
    storage: Literal["local", "ok", "unreachable", "wrong credentials", "missing bucket"] = Field(
        description="where sessions live: local (UPLOAD_DIR), or the S3 bucket's state; 503 unless local or ok")


class Counted(BaseModel):
    name: str
    streams: int


class TopArtist(Counted):
    minutes: float


class TopSong(TopArtist):
    artist: str | None


class StatsTotals(BaseModel):
    streams: int
    minutes: float
    artists: int
    songs: int
    albums: int | None = Field(description="null for exports without album names (Account data)")
    active_days: int
    first_day: date
    last_day: date
    plays_without_duration: int = Field(description="streams whose service records no duration (Last.fm, "
                                                    "ListenBrainz, YouTube Music): counted, but not in the minutes")


class StatsYear(BaseModel):
    year: int
    streams: int
    minutes: float
    artists: int
    top_artist: TopArtist | None
    top_song: TopSong | None


class Discovery(BaseModel):
    month: str = Field(description="YYYY-MM")
    new_artists: int = Field(description="artists first streamed this month in the whole history")
    top: Counted | None = Field(description="the one of them streamed most from then to the range's end")


class Streak(BaseModel):
    days: int
    start: date
    end: date


class TopDay(BaseModel):
    date: date
    minutes: float


class StatsRange(BaseModel):
    start: date
    end: date
    timezone: str


class Stats(BaseModel):
    """Music plays by the chart rules (streams of 30 s or more unless count_short_plays), in the request's zone."""
    range: StatsRange
    totals: StatsTotals
    sources: list[str] = Field(description="the services the counted plays came from, Spotify first")
    years: list[StatsYear] = Field(description="every calendar year of the range")
    clock: list[list[int]] = Field(description="streams per hour 0-23, one row per weekday Monday to Sunday")
    discoveries: list[Discovery] = Field(description="every month of the range")
    longest_streak: Streak
    top_day: TopDay


class SessionStats(Stats):
    """GET /sessions/<id>/stats: the statistics, and the filters they honour."""
    filters: AppliedFilters | None = Field(None, description=ONLY_WITH_FILTERS)


class Discovered(Counted):
    month: str = Field(description="YYYY-MM: when the artist was first streamed")


class CardStats(Stats):
    """The statistics of the range (as GET /sessions/<id>/stats gives them) and the card's top lists."""
    top_artists: list[TopArtist] = Field(description="the 5 most streamed artists, ranked as the artist chart ranks")
    top_songs: list[TopSong] = Field(description="the 5 most streamed songs, ranked as the song chart ranks")
    top_discovery: Discovered | None = Field(description="of the months' discoveries, the one streamed most "
                                                         "(the earlier month of equals); null when there is none")


class Wrapped(BaseModel):
    image: str = Field(description="base64 JPEG")
    filename: str
    width: int
    height: int
    stats: CardStats
    filters: AppliedFilters | None = Field(None, description=ONLY_WITH_FILTERS)
