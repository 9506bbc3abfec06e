"""The JSON budget: how large and how deep a JSON request body may be, checked before it is parsed.

A body over MAX_JSON_KB is refused with 413 before it is read when it says its length, and once
MAX_JSON_KB + 1 bytes have arrived when it does not (chunked). Nesting deeper than MAX_NESTING is refused with 400
by a scan of the brackets outside strings, which needs no recursion, before the parser (which would
recurse) sees the body. Integers longer than MAX_INTEGER_DIGITS are never converted: the field that
holds one is refused like any other value it does not accept.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from backend.routes.refusals import bad_request

MAX_NESTING = 32
MAX_INTEGER_DIGITS = 20
JSON_SPECIALS = re.compile(r'[\\"\[\]{}]')


class OversizedNumber:
    """Stands in for an integer literal too long to convert; no field accepts it."""

    def __repr__(self) -> str:
        return "OversizedNumber()"


def _integer(literal: str) -> int | OversizedNumber:
    return int(literal) if len(literal.lstrip("-")) <= MAX_INTEGER_DIGITS else OversizedNumber()


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit`, counting brackets outside strings."""
    depth = 0
    in_string = False
    escaped_at = -1     # the position a backslash inside a string escapes
    for match in JSON_SPECIALS.finditer(text):
        char, at = match.group(), match.start()
        if in_string:
            if at == escaped_at:
                continue
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing request bodies only within the budget."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode(json.detect_encoding(s)) if isinstance(s, (bytes, bytearray)) else s
        if nesting_exceeds(text, MAX_NESTING):
            raise bad_request(f"The JSON body is nested more than {MAX_NESTING} levels deep; send one flat "
                              "object as /docs shows.")
        return json.loads(text, parse_int=_integer, **kwargs)


def install_json_budget(app: Flask, limit_kb: int, upload_endpoints: Iterable[str],
                        own_limits: dict[str, tuple[int, str]] | None = None) -> None:
    """Every request but an upload may send at most MAX_JSON_KB, or the endpoint's own limit (KiB and the
    setting's name) in `own_limits`; the JSON it sends is parsed within budget."""
    uploads, own_limits = frozenset(upload_endpoints), own_limits or {}
    app.json = BoundedJSONProvider(app)
    app.json.sort_keys = False

    @app.before_request
    def limit_json_body() -> None:
        if request.endpoint in uploads:
            return
        limit, setting = own_limits.get(request.endpoint, (limit_kb, "MAX_JSON_KB"))
        g.too_large = (f"The JSON body is larger than the {limit} KB limit ({setting}); send only the "
                       "fields /docs lists.")
        # One byte past the budget tells a body without a declared length that is over it from one that fits;
        # a declared length over it is refused before anything is read.
        request.max_content_length = limit * 1024 + 1
        if len(request.get_data(cache=True)) > limit * 1024:
            raise RequestEntityTooLarge()
