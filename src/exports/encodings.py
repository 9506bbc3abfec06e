"""History files in UTF-16 or UTF-32 (as some Windows tools save JSON), rewritten as UTF-8 while copied.

DuckDB reads UTF-8 only. The encoding is told from a byte-order mark or, without one, from the zero
bytes around the first two characters, which in JSON are always ASCII (RFC 4627, section 3).
"""
from __future__ import annotations

import codecs

UTF8 = "utf-8"
# UTF-32 LE's mark begins with UTF-16 LE's, so it is tried first.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                    (codecs.BOM_UTF8, UTF8), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Which of the first four bytes are zero -> the encoding of a JSON text without a mark.
ZERO_BYTE_PATTERNS = {
    (True, True, True, False): "utf-32-be",
    (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be",
    (False, True, False, True): "utf-16-le",
}


class NotText(ValueError):
    """The bytes are not text in the encoding their start announced."""

    def __init__(self, encoding: str):
        super().__init__(encoding)
        self.label = encoding.upper().removesuffix("-LE").removesuffix("-BE")


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a JSON text from its first bytes, and the length of its byte-order mark."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return encoding, len(mark)
    if len(head) >= 4:
        encoding = ZERO_BYTE_PATTERNS.get(tuple(byte == 0 for byte in head[:4]))
        if encoding:
            return encoding, 0
    return UTF8, 0


class ToUtf8:
    """Turns the successive pieces of one file into UTF-8 pieces, without its byte-order mark.

    UTF-8 passes through untouched (DuckDB checks it); other encodings are decoded strictly, so a
    broken UTF-16 file is refused here rather than stored as replacement characters.
    """

    def __init__(self) -> None:
        self.encoding: str | None = None
        self._decoder: codecs.IncrementalDecoder | None = None

    def feed(self, piece: bytes, final: bool = False) -> bytes:
        if self.encoding is None:
            self.encoding, mark = detect_encoding(piece)
            piece = piece[mark:]
            if self.encoding != UTF8:
                self._decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        if self._decoder is None:
            return piece
        try:
            return self._decoder.decode(piece, final).encode(UTF8)
        except UnicodeError as error:
            raise NotText(self.encoding) from error
