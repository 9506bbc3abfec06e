"""Every domain error has an HTTP answer in backend/routes/error_statuses.py, so none becomes a 500."""
from __future__ import annotations

import importlib
from pathlib import Path

from backend.routes.error_statuses import ANSWERS, answer_for
from backend.services.charts import CannotDraw, NoAlbums
from backend.services.jobs import JobNotFound, TooManySessionRenders
from src.domain_error import DomainError

ROOT = Path(__file__).resolve().parents[2]


def domain_errors() -> set[type[DomainError]]:
    """Every subclass of DomainError the services and src define (their modules imported first)."""
    for layer in ("src", "backend/services"):
        for path in (ROOT / layer).glob("**/*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    found, pending = set(), [DomainError]
    while pending:
        for kind in pending.pop().__subclasses__():
            found.add(kind)
            pending.append(kind)
    return found


def test_every_domain_error_has_an_answer():
    errors = domain_errors()
    assert len(errors) > 15  # the walk found them
    # the classes raised: a base such as ExportError only groups its subclasses
    raised = [kind for kind in errors if not kind.__subclasses__()]
    unanswered = sorted(kind.__name__ for kind in raised if not any(base in ANSWERS for base in kind.__mro__))
    assert unanswered == []


def test_a_class_without_an_entry_answers_as_its_nearest_listed_base():
    assert NoAlbums not in ANSWERS
    assert answer_for(NoAlbums()) is ANSWERS[CannotDraw]


def test_words_that_name_an_endpoint_come_from_the_table_and_may_read_the_error():
    assert answer_for(JobNotFound()).message(JobNotFound()) == ("Unknown or expired job; start it again with "
                                                                "POST /jobs/animation.")
    too_many = TooManySessionRenders(2)
    answer = answer_for(too_many)
    assert (answer.status, answer.headers) == (503, {"Retry-After": "30"})
    assert answer.message(too_many) == ("This session already has 2 renders queued or running; wait for one to "
                                        "finish or cancel one with DELETE /jobs/<job_id>.")
