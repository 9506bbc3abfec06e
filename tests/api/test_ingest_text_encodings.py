"""History files in UTF-16 or UTF-32, with or without a byte-order mark, read as their UTF-8 twin."""
from __future__ import annotations

import codecs

import pytest

from harness.bad_uploads import HISTORY_NAME, history_zip, row, rows_json
from harness.service import upload_ok
from src.exports.encodings import ToUtf8, detect_encoding

NAMES = ["青い鳥合唱団", "Звёздный Путь", "🔥 Fuego Collective 🎸", "Ωμέγα Ήχοι"]
TEXT = rows_json(*(row(ts=f"2021-09-23T09:0{k}:00Z", artist=name) for k, name in enumerate(NAMES))).decode()
ENCODED = {
    "utf-16-le-bom": codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "utf-16-le": TEXT.encode("utf-16-le"),
    "utf-16-be": TEXT.encode("utf-16-be"),
    "utf-32-le-bom": codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    "utf-32-be-bom": codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
    "utf-32-le": TEXT.encode("utf-32-le"),
    "utf-32-be": TEXT.encode("utf-32-be"),
    "utf-8-bom": codecs.BOM_UTF8 + TEXT.encode(),
}


def artists(client, session_id: str) -> list[str]:
    response = client.post("/generate_image", json={"session_id": session_id, "figsize": [4, 4], "dpi": 80})
    return sorted(item["name"] for item in response.get_json()["items"])


@pytest.mark.parametrize("encoding", ENCODED)
@pytest.mark.parametrize("packed", ["zip", "lone"])
def test_history_in_another_encoding_reads_as_utf8(client, encoding, packed):
    data = ENCODED[encoding]
    body = (upload_ok(client, history_zip(data)) if packed == "zip"
            else upload_ok(client, data, filename=HISTORY_NAME))
    assert body["summary"]["rows_stored"] == len(NAMES)
    assert artists(client, body["session_id"]) == sorted(NAMES)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32-be"])
def test_pieces_split_inside_a_character_are_joined(encoding):
    data = TEXT.encode(encoding)
    to_utf8 = ToUtf8()
    out = b"".join(to_utf8.feed(data[at:at + 7]) for at in range(0, len(data), 7)) + to_utf8.feed(b"", final=True)
    assert out.decode() == TEXT


@pytest.mark.parametrize("head, expected", [(b"[{\"t", ("utf-8", 0)), (b"\xef\xbb\xbf[", ("utf-8", 3)),
                                            (b"\xff\xfe\x00\x00[\x00\x00\x00", ("utf-32-le", 4)),
                                            (b"\xff\xfe[\x00", ("utf-16-le", 2)), (b"[", ("utf-8", 0)),
                                            (b"\x00\x01\x02\x03", ("utf-8", 0))])
def test_detect_encoding(head, expected):
    assert detect_encoding(head) == expected
