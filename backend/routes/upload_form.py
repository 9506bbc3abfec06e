"""The request class of the service: an upload form is read within its own limits, each refused in its own words.

Werkzeug refuses a multipart form of too many parts, or with a text field too large to hold in memory,
with the same RequestEntityTooLarge as a body over MAX_CONTENT_LENGTH, so 1,500 one-byte fields were
answered "The upload is larger than the 512 MB limit". Here a refusal while the form is parsed says
which limit it was. A urlencoded form is never parsed: no route takes one, and werkzeug would read the
whole body (up to MAX_UPLOAD_MB) into memory to do it.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from backend.routes.refusals import ApiError

MAX_FORM_PARTS = 100
# Werkzeug's default. It also bounds the parser's buffer between two parts of a file, which holds up to
# one 64 KiB read and more: a smaller limit would refuse ordinary uploads.
MAX_FORM_FIELD_BYTES = 500_000
FORM_TOO_COMPLEX = (f"The upload form holds more than {MAX_FORM_PARTS} fields, or a text field larger than "
                    f"{MAX_FORM_FIELD_BYTES // 1000} KB; send the export alone, as a file in a field named 'file'.")


class UploadFormParser(FormDataParser):
    """Werkzeug's form parser, telling a form over its part limits apart from a body over its size limit."""

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None):
        try:
            return super().parse(stream, mimetype, content_length, options)
        except RequestEntityTooLarge:
            # Only a body of undeclared length can pass MAX_CONTENT_LENGTH while it is parsed (a declared
            # one is refused before); it has then been read up to that limit.
            if content_length is None and getattr(stream, "is_exhausted", False):
                raise
            raise ApiError(413, FORM_TOO_COMPLEX) from None

    def _parse_urlencoded(self, stream: IO[bytes], mimetype: str, content_length: int | None,
                          options: dict[str, str]):
        return stream, self.cls(), MultiDict()


class ServiceRequest(Request):
    """Flask's request, its forms parsed by UploadFormParser within the form limits above, each file part
    written into `form_files_folder` when the view names one before the form is parsed."""

    form_data_parser_class = UploadFormParser
    max_form_parts = MAX_FORM_PARTS
    max_form_memory_size = MAX_FORM_FIELD_BYTES
    # A scratch folder on the sessions' disk rather than werkzeug's temporary files: the file is then moved where
    # ingest reads it instead of copied, and a large upload never fills /tmp (memory, on hosts where /tmp is one).
    form_files_folder: Path | None = None

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        streams = self.__dict__.setdefault("_form_files", [])
        if self.form_files_folder is None:
            stream = super()._get_file_stream(total_content_length, content_type, filename, content_length)
        else:
            stream = open(self.form_files_folder / f"part-{len(streams)}", "w+b")  # noqa: SIM115 (closed by close())
        streams.append(stream)
        return stream

    def close(self) -> None:
        """Also close the files of a form refused halfway: they never reach `files`, which close() covers."""
        super().close()
        for stream in self.__dict__.pop("_form_files", []):
            stream.close()
