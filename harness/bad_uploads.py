"""Every bad upload the suite knows, each with the status and the words its answer must carry.

test_ingest_upload_leaks.py sends them all; other tests take the builders. The `settings` of a case are what
create_app needs for it to be bad (a lowered budget); `filename` is what the person called the file.
"""
from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

FOLDER = "Spotify Extended Streaming History/"
HISTORY_NAME = "Streaming_History_Audio_2021.json"
MIB = 2**20


def row(ts="2021-09-23T09:28:29Z", ms=200_000, artist="Artist", track="Track") -> dict:
    return {"ts": ts, "platform": "android", "ms_played": ms, "conn_country": "DE", "ip_addr": "203.0.113.9",
            "master_metadata_track_name": track, "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "Album", "spotify_track_uri": "spotify:track:abc",
            "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
            "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False, "skipped": None,
            "offline": False, "offline_timestamp": 0, "incognito_mode": False}


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def history_zip(content: bytes, name: str = HISTORY_NAME) -> bytes:
    return make_zip({FOLDER + name: content})


def rows_json(*rows: dict) -> bytes:
    return json.dumps(list(rows), ensure_ascii=False).encode()


def with_ms(raw: str) -> bytes:
    """One otherwise good row whose ms_played is the raw JSON text given (NaN, 1e308, ...)."""
    return rows_json(row(ms=0)).replace(b'"ms_played": 0', f'"ms_played": {raw}'.encode())


VALID = history_zip(rows_json(row(), row(ts="2021-09-24T10:00:00Z")))


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(FOLDER + HISTORY_NAME)
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    """A member whose 'encrypted' flag bit is set in both headers (zipfile cannot write real ones)."""
    data = bytearray(VALID)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 0x1)
    return bytes(data)


def lying_size_zip() -> bytes:
    """The central directory claims 100 bytes for a member that inflates to 2 MB."""
    data = bytearray(history_zip(rows_json(*[row()] * 6000)))
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 100)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    return bytes(data)


def corrupt_zip() -> bytes:
    data = bytearray(history_zip(rows_json(*[row()] * 500)))
    middle = len(data) // 3
    data[middle:middle + 64] = bytes(64)
    return bytes(data)


def unknown_method_zip() -> bytes:
    """A member compressed with a method number zipfile does not know (99 is AES in WinZip)."""
    data = bytearray(VALID)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        struct.pack_into("<H", data, data.find(signature) + offset, 99)
    return bytes(data)


def repeated_member_zip(content: bytes, count: int, declared_size: int | None = None) -> bytes:
    """A ZIP of `count` history members with the same content, deflated once (zipfile would deflate
    each again); declared_size makes the directory lie about how large each one is."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(content) + deflate.flush()
    crc, size = zlib.crc32(content), len(content) if declared_size is None else declared_size
    out, central = io.BytesIO(), []
    for k in range(count):
        name = f"{FOLDER}Streaming_History_Audio_2021_{k}.json".encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(name), 0))
        out.write(name + packed)
        central.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                                   len(name), 0, 0, 0, 0, 0o644 << 16, offset) + name)
    directory = b"".join(central)
    start = out.tell()
    out.write(directory + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def padded_history(size: int) -> bytes:
    """A valid history file of exactly `size` bytes: one row, then spaces (which deflate ~1000:1)."""
    body = rows_json(row())
    return body[:-1] + b" " * (size - len(body)) + b"]"


def cjk_text(length: int) -> str:
    """Seeded random CJK characters: three bytes each in UTF-8, two in UTF-16, and barely compressible."""
    rng = random.Random(11)
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(length))


@dataclass(frozen=True)
class BadUpload:
    """`build` makes the upload's bytes on first use of `data`: every xdist worker collects the cases by name,
    and only the one that sends them pays for the large ones (60 MB deflated, 350,000 random characters)."""
    name: str
    build: Callable[[], bytes] = field(repr=False)
    status: int
    message: str
    settings: dict = field(default_factory=dict)
    filename: str = "my_spotify_data.zip"

    @cached_property
    def data(self) -> bytes:
        return self.build()


def _ms_cases() -> list[BadUpload]:
    """ms_played of every JSON type but a number, and numbers that are no duration."""
    values = {"2_pow_63": "9223372036854775808", "e308": "1e308", "nan": "NaN", "infinity": "Infinity",
              "minus_infinity": "-Infinity", "negative": "-1", "5000_digits": "9" * 5000, "string": '"lots"',
              "numeric_string": '"200000"', "true": "true", "array": "[200000]", "object": '{"ms": 200000}'}
    return [BadUpload(f"ms_played_{name}", partial(history_zip, with_ms(raw)), 422,
                      f"{HISTORY_NAME}: ms_played") for name, raw in values.items()]


def _time_cases() -> list[BadUpload]:
    """ts that is not a time, of every JSON type, and times no real export has."""
    unparsable = {"word": '"yesterday"', "number": "1632389309", "true": "true", "array": '["2021-09-23"]',
                  "object": '{"t": 1}', "year_10000": '"10000-01-01T00:00:00Z"', "month_13": '"2021-13-01T00:00:00Z"',
                  "no_zone": '"2021-09-23T09:28:29"'}
    cases = [BadUpload(f"ts_{name}", partial(history_zip, rows_json(row()).replace(b'"2021-09-23T09:28:29Z"',
                                                                                raw.encode())),
                       422, f"{HISTORY_NAME}: ts") for name, raw in unparsable.items()]
    outside = {"year_0000": "0000-01-01T00:00:00Z", "year_0001": "0001-01-01T00:00:00Z",
               "year_9999": "9999-12-31T23:59:59Z", "before_2000": "1999-12-31T23:59:59Z"}
    cases += [BadUpload(f"only_plays_{name}", partial(history_zip, rows_json(row(ts=ts))), 422,
                        "dated outside 2000-01-01") for name, ts in outside.items()]
    cases.append(BadUpload("only_plays_longer_than_a_day", lambda: history_zip(rows_json(row(ms=86_400_001))), 422,
                           "longer than a day"))
    return cases


def _encoding_cases() -> list[BadUpload]:
    text = rows_json(row(track="Ünïcode ♪")).decode()
    broken_utf16 = text.encode("utf-16-le")[:-2] + b"\x00\xd8" + "]".encode("utf-16-le")  # a lone surrogate
    return [
        BadUpload("latin1", lambda: history_zip(text.encode("latin-1", errors="replace")), 422, "UTF-8"),
        BadUpload("invalid_utf8", lambda: history_zip(b'[{"ts": "2021-09-23T09:28:29Z", "ms_played": 1, '
                                                      b'"master_metadata_track_name": "\xff\xfe"}]'), 422, "UTF-8"),
        BadUpload("utf16_lone_surrogate", lambda: history_zip(b"\xff\xfe" + broken_utf16), 422, "not valid UTF-16"),
        BadUpload("utf32_cut_short", lambda: history_zip(text.encode("utf-32")[:-1]), 422, "not valid UTF-32"),
        BadUpload("json_escape_lone_surrogate",
                  lambda: history_zip(rows_json(row()).replace(b'"Track"', b'"\\ud800"')), 422,
                  "not valid Spotify JSON"),
        BadUpload("utf16_lone_json_not_history", lambda: '[{"name": "x"}]'.encode("utf-16"), 422,
                  "not Spotify listening history", filename="StreamingHistory0.json"),
        BadUpload("binary_member", lambda: history_zip(bytes(range(256)) * 64), 422, "not valid Spotify JSON"),
    ]


def _json_cases() -> list[BadUpload]:
    return [
        BadUpload("json_not_array", lambda: history_zip(b'{"ts": "2021-09-23T09:28:29Z"}'), 422,
                  "not valid Spotify JSON"),
        BadUpload("array_of_numbers", lambda: history_zip(b"[1, 2, 3]"), 422, "not valid Spotify JSON"),
        BadUpload("array_of_arrays", lambda: history_zip(b"[[" * 10_000 + b"]]" * 10_000), 422,
                  "not valid Spotify JSON"),
        BadUpload("cut_short", lambda: history_zip(rows_json(row())[:-10]), 422, "not valid Spotify JSON"),
        BadUpload("trailing_garbage", lambda: history_zip(rows_json(row()) + b" garbage"), 422,
                  "not valid Spotify JSON"),
        BadUpload("empty_array", lambda: history_zip(b"[]"), 422, "hold no plays"),
        BadUpload("rows_without_time", lambda: history_zip(rows_json({"ms_played": 1}, {})), 422, "hold no plays"),
        BadUpload("empty_file", lambda: history_zip(b""), 422, "empty"),
        BadUpload("json_not_history", lambda: b'[{"name": "x"}]', 422, "not Spotify listening history",
                  filename="data.json"),
        BadUpload("lone_json_cut_short", lambda: rows_json(row())[:-3], 422, "not valid Spotify JSON",
                  filename=HISTORY_NAME),
        BadUpload("lone_json_ms_nan", lambda: with_ms("NaN"), 422, f"{HISTORY_NAME}: ms_played",
                  filename=HISTORY_NAME),
        BadUpload("nested_zip_named_json", lambda: history_zip(VALID), 422, "not valid Spotify JSON"),
    ]


def _zip_cases() -> list[BadUpload]:
    return [
        BadUpload("not_a_zip", lambda: b"GIF89a not an export at all", 400, "neither a ZIP"),
        BadUpload("empty_upload", lambda: b"", 400, "neither a ZIP"),
        BadUpload("truncated_zip", lambda: VALID[: len(VALID) // 2], 400, "damaged"),
        BadUpload("corrupt_member", corrupt_zip, 400, "damaged"),
        BadUpload("encrypted_member", encrypted_zip, 422, "encrypted"),
        BadUpload("unknown_compression", unknown_method_zip, 422, "cannot be read"),
        BadUpload("dot_dot_path", lambda: make_zip({"../../" + HISTORY_NAME: b"[]"}), 400, "unsafe path"),
        BadUpload("backslash_dot_dot_path", lambda: make_zip({"..\\..\\" + HISTORY_NAME: b"[]"}), 400,
                  "unsafe path"),
        BadUpload("absolute_path", lambda: make_zip({"/etc/" + HISTORY_NAME: b"[]"}), 400, "unsafe path"),
        BadUpload("drive_path", lambda: make_zip({"C:/" + HISTORY_NAME: b"[]"}), 400, "unsafe path"),
        BadUpload("symlink", symlink_zip, 400, "symbolic link"),
        BadUpload("zip_bomb_ratio", lambda: history_zip(b" " * (60 * MIB)), 413, "compression ratio"),
        # 2,000 members of exactly 1 MiB: 2000 MiB declared, past the 1024 MiB budget before any is written.
        BadUpload("two_thousand_mib_members", lambda: repeated_member_zip(padded_history(MIB), 2000), 413,
                  "limit is 1024 MB"),
        # The same with a budget that lets the total pass: each member's ratio refuses it instead.
        BadUpload("two_thousand_mib_members_ratio", lambda: repeated_member_zip(padded_history(MIB), 2000), 413,
                  "compression ratio above 200:1", settings={"MAX_EXTRACTED_MB": 4096}),
        # Members that declare 60 KiB (under the ratio check) but inflate to 1 MiB: cut off at 60 KiB.
        BadUpload("members_understate_size", lambda: repeated_member_zip(padded_history(MIB), 50, 60 * 1024), 400,
                  "damaged"),
        BadUpload("directory_lies", lying_size_zip, 400, "damaged"),
        BadUpload("too_many_members", lambda: make_zip({f"{FOLDER}{k}.txt": b"" for k in range(2001)}), 413,
                  "at most 2000"),
        BadUpload("nested_zip", lambda: make_zip({"inner/my_spotify_data.zip": VALID}), 422, "another ZIP"),
        BadUpload("two_generations", lambda: make_zip({FOLDER + HISTORY_NAME: rows_json(row()),
                                                       "MyData/StreamingHistory0.json":
                                                       b'[{"endTime": "2023-10-02 23:43", "artistName": "A", '
                                                       b'"trackName": "T", "msPlayed": 40000}]'}),
                  422, "two export generations"),
        BadUpload("no_history", lambda: make_zip({"Spotify Account Data/Userdata.json": b"{}",
                                                  "Spotify Account Data/Payments.json": b"{}"}), 422,
                  "Account data package"),
        BadUpload("unrelated_zip", lambda: make_zip({"holiday/photo.jpg": b"\xff\xd8"}), 422, "photo.jpg"),
    ]


def _budget_cases() -> list[BadUpload]:
    return [
        BadUpload("rows_over_max_rows", lambda: history_zip(rows_json(*(row(ts=f"2021-09-23T09:{m:02d}:00Z")
                                                                        for m in range(11)))), 413,
                  "at most 10 are accepted",
                  settings={"MAX_ROWS": 10}),
        BadUpload("extracted_over_limit", lambda: history_zip(rows_json(*[row()] * 8000)), 413, "limit is 1 MB",
                  settings={"MAX_EXTRACTED_MB": 1}),
        # UTF-16 text of three-byte characters grows by half as UTF-8: the budget counts what is written.
        BadUpload("utf16_grows_past_limit", lambda: history_zip(rows_json(row(track=cjk_text(350_000))).decode()
                                                                .encode("utf-16")), 413, "limit is 1 MB",
                  settings={"MAX_EXTRACTED_MB": 1}),
        BadUpload("upload_over_max_upload_mb", lambda: b"x" * (3 * MIB), 413, "1 MB limit",
                  settings={"MAX_UPLOAD_MB": 1}),
    ]


LASTFM_HEADER = b"uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"


def scrobble_line(uts: str = "1612101900", artist: bytes = b"Artist") -> bytes:
    return uts.encode() + b',"31 Jan 2021, 14:05",' + artist + b",,Album,,Track,\n"


def _service_cases() -> list[BadUpload]:
    """Other services' exports: a CSV or JSON that is none, and broken or empty ones."""
    not_music = json.dumps([{"header": "YouTube", "title": "Watched a video that has been removed",
                             "time": "2021-03-14T12:34:56Z"},
                            {"header": "YouTube", "title": "Watched Sale", "subtitles": [{"name": "Brand"}],
                             "details": [{"name": "From Google Ads"}], "time": "2021-03-14T12:35:56Z"}]).encode()
    apple_without_songs = {"Apple Music Activity/Apple Music Play Activity.csv":
                           b"Event Start Timestamp,Play Duration Milliseconds\n2021-03-14T12:34:56Z,1000\n"}
    return [
        BadUpload("csv_not_an_export", lambda: b"name,age\nAda,36\n", 422,
                  "This CSV file is not one of the accepted", filename="people.csv"),
        BadUpload("jsonl_not_history", lambda: b'{"event": "login"}\n', 422, "not a listening history",
                  filename="events.jsonl"),
        BadUpload("lastfm_latin1", lambda: LASTFM_HEADER + scrobble_line(artist=b"Beyonc\xe9"), 422,
                  "not text in UTF-8", filename="scrobbles.csv"),
        BadUpload("lastfm_uts_not_a_time", lambda: LASTFM_HEADER + scrobble_line("yesterday"), 422,
                  "scrobbles.csv: uts 'yesterday' is not a time like 1612101900", filename="scrobbles.csv"),
        BadUpload("lastfm_only_1970", lambda: LASTFM_HEADER + scrobble_line("0") + scrobble_line("60"), 422,
                  "dated outside 2000-01-01", filename="scrobbles.csv"),
        BadUpload("lastfm_extra_fields", lambda: LASTFM_HEADER + scrobble_line().rstrip() + b",x,y\n", 422,
                  "more fields than the header", filename="scrobbles.csv"),
        BadUpload("lastfm_line_over_4_mib", lambda: LASTFM_HEADER + scrobble_line(artist=b"A" * (5 * MIB)), 422,
                  "longer than 4 MB", filename="scrobbles.csv"),
        BadUpload("lastfm_rows_over_max_rows",
                  lambda: LASTFM_HEADER + b"".join(scrobble_line(str(1612101900 + 60 * k)) for k in range(11)), 413,
                  "at most 10 are accepted", filename="scrobbles.csv", settings={"MAX_ROWS": 10}),
        BadUpload("youtube_no_music", lambda: not_music, 422, "hold no plays of music with a time (left out: 1 ads, "
                  "1 removed videos)", filename="watch-history.json"),
        BadUpload("listenbrainz_listened_at_text", lambda: b'{"listened_at": "soon", "track_metadata": {}}\n', 422,
                  """1.jsonl: listened_at '"soon"' is not a time like 1612101900""", filename="1.jsonl"),
        BadUpload("apple_without_song_columns", partial(make_zip, apple_without_songs), 422,
                  "No listening history in this ZIP"),
        BadUpload("takeout_html", lambda: make_zip({"Takeout/YouTube and YouTube Music/history/watch-history.html":
                                                    b"<html><body>Watched</body></html>"}), 422,
                  "Export it again choosing JSON for the history"),
        BadUpload("lone_takeout_html", lambda: b"<!DOCTYPE html><html><body>Watched</body></html>", 422,
                  "Google Takeout writes YouTube's watch-history.html", filename="watch-history.html"),
        BadUpload("spotify_and_lastfm_in_one_zip",
                  lambda: make_zip({FOLDER + HISTORY_NAME: rows_json(row()),
                                    "lastfm/scrobbles.csv": LASTFM_HEADER + scrobble_line()}),
                  422, "mixes two export generations (extended and lastfm)"),
    ]


BAD_UPLOADS: list[BadUpload] = (_ms_cases() + _time_cases() + _encoding_cases() + _json_cases() + _zip_cases()
                                + _budget_cases() + _service_cases())
