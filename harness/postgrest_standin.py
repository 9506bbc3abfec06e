"""A local stand-in for Supabase's REST endpoint (PostgREST), on the stand-in base (harness/standins.py).

It answers every request with `status`, or, with hang=True, reads the request and never answers until the
stand-in is closed, or misbehaves (harness/misbehaviour.py): `dribble` sends its answer a byte a second;
`huge` answers 256 MB (with its Content-Length), `huge_undeclared` the same without one, `huge_gzip` a gzip
body inflating to 256 MB, all made lazily. What a misbehaving answer sent is in `sent`.
"""
from __future__ import annotations

from harness.misbehaviour import gzip_bomb, zeros
from harness.standins import ANY_METHOD, Exchange, Route, Standin

HUGE_BYTES = 256 * 2**20
MISBEHAVIOURS = ("dribble", "huge", "huge_undeclared", "huge_gzip")
FAILURE = {"code": "XX000", "message": "stand-in failure", "details": None, "hint": None}


class PostgrestStandin(Standin):
    """`with PostgrestStandin() as rest:` serves rest.url; rest.requests lists what came."""

    def __init__(self, status: int = 201, hang: bool = False, misbehaviour: str | None = None):
        assert misbehaviour in (None, *MISBEHAVIOURS)
        super().__init__(hang)
        self.status, self.misbehaviour = status, misbehaviour

    def routes(self) -> list[Route]:
        return [Route(ANY_METHOD, r".*", self._misbehave if self.misbehaviour else self._answer)]

    def _answer(self, exchange: Exchange) -> None:
        if self.status < 400:
            exchange.send(self.status, b"")
        else:
            exchange.send_json(self.status, FAILURE)

    def _misbehave(self, exchange: Exchange) -> None:
        if self.misbehaviour == "dribble":
            exchange.dribble("201 Created", {"Content-Length": "0"}, b"")
            return
        json_type = {"Content-Type": "application/json"}
        if self.misbehaviour == "huge_gzip":
            exchange.stream("201 Created", {**json_type, "Content-Encoding": "gzip"},
                            gzip_bomb(b"[", b"]", HUGE_BYTES))
            return
        declared = {"Content-Length": str(HUGE_BYTES)} if self.misbehaviour == "huge" else {}
        exchange.stream("201 Created", {**json_type, **declared}, zeros(HUGE_BYTES), total=HUGE_BYTES)
