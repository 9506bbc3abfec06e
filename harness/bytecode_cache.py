"""A pytest plugin (pytest.ini loads it with -p) that lets Python keep the bytecode it compiles.

With PYTHONDONTWRITEBYTECODE=1 (the Dockerfile's, and many shells') nothing of backend/, src/, harness/ or the
tests is ever cached: each of the suite's processes (four xdist workers, and every server and worker they start)
compiles the project again, and pytest rewrites every test module's asserts again, about 2 CPU-seconds a
process. The caches go to the __pycache__ folders git and .dockerignore leave out; Python and pytest check each
against its source's size and time, so an edited file is compiled anew. Started servers inherit the variable
and do not write, but they read what the suite wrote.
"""
from __future__ import annotations

import sys

sys.dont_write_bytecode = False
