"""The filters a person keeps with a session: what to leave out of every answer and picture, and whether
versions of one recording count as one. Read from their JSON form here, once, with a message for each
thing wrong; the wire names are those of PUT /sessions/<id>/filters."""
from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime

from backend.services.curation.errors import FiltersInvalid, TooManyFilterEntries
from src.exports.domain import CALENDAR_DAY, MAX_NAME_CHARS

MAX_ENTRIES = 1000
FIELDS = ("exclude_artists", "exclude_tracks", "exclude_albums", "exclude_periods", "include_incognito",
          "merge_versions")
# A moment as the filters take it: ISO 8601, a calendar day of 2000-2099 and a time to the minute or finer,
# in UTC (Z) or with its offset.
MOMENT_PATTERN = (f"^(?:{CALENDAR_DAY})T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{{1,6}})?)?"
                  "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$")
MOMENT = re.compile(MOMENT_PATTERN)
# Each named entry's fields: the thing's own name, then its artist.
NAMED_FIELDS = {"exclude_tracks": ("track", "artist"), "exclude_albums": ("album", "artist")}


@dataclass(frozen=True)
class NamedEntry:
    """A song or an album of an artist, as a person wrote them."""
    name: str
    artist: str


@dataclass(frozen=True)
class Period:
    """From start to end (UTC, both included): plays that stopped then are left out."""
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Filters:
    exclude_artists: tuple[str, ...] = ()
    exclude_tracks: tuple[NamedEntry, ...] = ()
    exclude_albums: tuple[NamedEntry, ...] = ()
    exclude_periods: tuple[Period, ...] = ()
    include_incognito: bool = True
    _: KW_ONLY
    merge_versions: bool = False

    def is_empty(self) -> bool:
        return self == NO_FILTERS

    def leaves_out(self) -> bool:
        """Whether any play could be left out (merging versions leaves none out)."""
        return bool(self.exclude_artists or self.exclude_tracks or self.exclude_albums or self.exclude_periods
                    or not self.include_incognito)

    def to_json(self) -> dict:
        """The filters in their wire form; periods in UTC with a Z."""
        return {
            "exclude_artists": list(self.exclude_artists),
            "exclude_tracks": [{"track": entry.name, "artist": entry.artist} for entry in self.exclude_tracks],
            "exclude_albums": [{"album": entry.name, "artist": entry.artist} for entry in self.exclude_albums],
            "exclude_periods": [{"start": _utc_text(period.start), "end": _utc_text(period.end)}
                                for period in self.exclude_periods],
            "include_incognito": self.include_incognito,
            "merge_versions": self.merge_versions,
        }


NO_FILTERS = Filters()


def filters_from_json(data: object) -> Filters:
    """The filters a JSON value holds; FiltersInvalid naming what is wrong, TooManyFilterEntries beyond
    MAX_ENTRIES. A field left out (or null) keeps its default: nothing left out, versions apart."""
    if not isinstance(data, dict):
        raise FiltersInvalid(f"filters must be a JSON object with any of: {', '.join(FIELDS)}.")
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        raise FiltersInvalid(f"Unknown filter field {unknown[0]!r}; the fields are: {', '.join(FIELDS)}.")
    lists = {field: _list(data, field) for field in FIELDS[:4]}
    entries = sum(len(items) for items in lists.values())
    if entries > MAX_ENTRIES:
        raise TooManyFilterEntries(entries, MAX_ENTRIES)
    return Filters(
        exclude_artists=tuple(_name(item, f"exclude_artists[{index}]")
                              for index, item in enumerate(lists["exclude_artists"])),
        exclude_tracks=tuple(_named(item, "exclude_tracks", index)
                             for index, item in enumerate(lists["exclude_tracks"])),
        exclude_albums=tuple(_named(item, "exclude_albums", index)
                             for index, item in enumerate(lists["exclude_albums"])),
        exclude_periods=tuple(_period(item, index) for index, item in enumerate(lists["exclude_periods"])),
        include_incognito=_flag(data, "include_incognito", True),
        merge_versions=_flag(data, "merge_versions", False))


def _list(data: dict, field: str) -> list:
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FiltersInvalid(f"{field} must be a list (send [] or leave it out for none).")
    return value


def _flag(data: dict, field: str, default: bool) -> bool:
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FiltersInvalid(f"{field} must be true or false.")
    return value


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FiltersInvalid(f"{where} must be a name: text that is not empty.")
    if len(value) > MAX_NAME_CHARS:
        raise FiltersInvalid(f"{where} is {len(value):,} characters long; names hold at most {MAX_NAME_CHARS}.")
    return value


def _named(value: object, field: str, index: int) -> NamedEntry:
    own, artist = NAMED_FIELDS[field]
    where = f"{field}[{index}]"
    if not isinstance(value, dict) or set(value) != {own, artist}:
        raise FiltersInvalid(f'{where} must be an object with exactly "{own}" and "{artist}", '
                             f'e.g. {{"{own}": "Rain Sounds", "{artist}": "Sleep Sounds"}}.')
    return NamedEntry(_name(value[own], f"{where}.{own}"), _name(value[artist], f"{where}.{artist}"))


def _period(value: object, index: int) -> Period:
    where = f"exclude_periods[{index}]"
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise FiltersInvalid(f'{where} must be an object with exactly "start" and "end", e.g. '
                             '{"start": "2023-09-10T01:00:00Z", "end": "2023-09-10T09:00:00Z"}.')
    start, end = _moment(value["start"], f"{where}.start"), _moment(value["end"], f"{where}.end")
    if end < start:
        raise FiltersInvalid(f"{where} ends ({_utc_text(end)}) before it starts ({_utc_text(start)}); "
                             "send an end on or after the start.")
    return Period(start, end)


def _moment(value: object, where: str) -> datetime:
    """An ISO 8601 date and time of 2000-2099 in UTC (Z) or with its offset, as a UTC time."""
    hint = (f'{where} must be an ISO 8601 date (2000-2099) and time in UTC or with an offset, '
            'e.g. "2023-09-10T01:00:00Z"')
    if not isinstance(value, str) or len(value) > 64:
        raise FiltersInvalid(f"{hint}.")
    if not MOMENT.match(value):
        unzoned = MOMENT.match(f"{value}Z")
        raise FiltersInvalid(f"{hint} (a time without an offset could be any zone's)." if unzoned else f"{hint}.")
    return datetime.fromisoformat(value).astimezone(UTC)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
