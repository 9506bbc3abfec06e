"""Upstream answers within bounds: a deadline for each whole answer and a cap on its bytes; clients import by module."""
from backend.services.bounded_http.capped_reads import (
    AnswerCutShort,
    AnswerTooLarge,
    DeadlinePassed,
    UnsupportedEncoding,
    read_within,
)

__all__ = ["AnswerCutShort", "AnswerTooLarge", "DeadlinePassed", "UnsupportedEncoding", "read_within"]
