"""A pytest plugin (pytest.ini loads it with -p) that spares each of the suite's processes work it would repeat.

Bytecode is kept. With PYTHONDONTWRITEBYTECODE=1 (the Dockerfile's, and many shells') nothing of backend/, src/,
harness/ or the tests is ever cached: each of the suite's processes (four xdist workers, and every server, worker
and helper they start) compiles the project again, and pytest rewrites every test module's asserts again: about
1.8 CPU-seconds a test process, a quarter of a second for a server importing the app. The caches go to the
__pycache__ folders git and .dockerignore leave out; Python and pytest check each against its source's size and
time, so an edited file is compiled anew. Started processes inherit the variable and do not write, but they read
what the suite wrote.

What collection made is frozen out of the garbage collector: the imported modules, test items and parameters
live to the end anyway, and each full collection would walk them all again (about half the collector's time).
"""
from __future__ import annotations

import gc
import sys

import pytest

sys.dont_write_bytecode = False


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()
