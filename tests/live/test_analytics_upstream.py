"""Usage events against a Supabase that misbehaves: an answer trickled a byte a
second ends at the insert's deadline, and a 256 MB answer (declared, undeclared or gzip) is read
only to its cap; the sender then goes on with the next event."""
from __future__ import annotations

import logging
import time

import pytest

from backend.core.settings import load_settings
from backend.services.analytics import events as analytics_module
from backend.services.analytics.events import Analytics
from harness.misbehaviour import DRIBBLE_INTERVAL_S, PeakMemory
from harness.postgrest_standin import HUGE_BYTES, PostgrestStandin

pytestmark = pytest.mark.slow

KEY = "standin-key"
SLACK_S = 6.0
MEMORY_BOUND = 100 * 2**20
SETTINGS = {"SUPABASE_KEY": KEY, "ANALYTICS_TIMEOUT_SECONDS": 10, "ANALYTICS_MAX_RESPONSE_KB": 64}


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == analytics_module.__name__ and r.levelno >= logging.WARNING]


@pytest.fixture
def sender():
    made: list[Analytics] = []

    def make(url: str, **settings) -> Analytics:
        made.append(Analytics(load_settings({**SETTINGS, "SUPABASE_URL": url, **settings})))
        return made[-1]
    yield make
    for analytics in made:
        analytics.close()


def test_an_answer_sent_a_byte_a_second_ends_at_the_insert_deadline(sender, caplog):
    caplog.set_level(logging.INFO, logger=analytics_module.__name__)
    with PostgrestStandin(misbehaviour="dribble") as rest:
        analytics = sender(rest.url, ANALYTICS_TIMEOUT_SECONDS=1.5)
        started = time.monotonic()
        analytics.record("image", ok=True)
        assert analytics.flush(1.5 + SLACK_S)  # the insert gave up at its deadline: the sender is free again
        [sent] = rest.sent
        assert sent.wait_ended(1.5 + 2 * DRIBBLE_INTERVAL_S + SLACK_S)
        assert sent.hung_up_at - started < 1.5 + 2 * DRIBBLE_INTERVAL_S + SLACK_S
        assert sent.bytes < sent.total
    [warning] = warnings_of(caplog)
    assert "ReadTimeout" in warning and "1 not sent" in warning


@pytest.mark.parametrize("misbehaviour", ["huge", "huge_undeclared", "huge_gzip"])
def test_a_256_mb_answer_is_read_only_to_its_cap(sender, caplog, misbehaviour):
    caplog.set_level(logging.INFO, logger=analytics_module.__name__)
    with PostgrestStandin(misbehaviour=misbehaviour) as rest:
        analytics = sender(rest.url)
        with PeakMemory() as memory:
            for _ in range(2):
                analytics.record("image", ok=True)
            assert analytics.flush(SLACK_S)  # both inserts ended: the first did not wedge the sender
        assert len(rest.requests) == 2
        for sent in rest.sent:
            assert sent.wait_ended(SLACK_S)
            if misbehaviour != "huge_gzip":  # 256 MB offered; the client hung up after its cap and the socket buffers
                assert sent.hung_up_at is not None and sent.bytes < HUGE_BYTES / 8, sent.bytes
    assert memory.growth < MEMORY_BOUND, memory.growth / 2**20
    [warning] = warnings_of(caplog)
    assert "AnswerTooLarge" in warning and "1 not sent" in warning
