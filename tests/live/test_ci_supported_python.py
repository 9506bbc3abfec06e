"""`.ci/run` refuses a python3 outside the range the README states (3.11 to 3.13) before doing anything."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# A python3 that reports another version: the real interpreter with sys.version_info replaced. Anything
# but the version check and --version exits 99, so a run that went past the check would show it.
STUB = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "Python {dotted}"; exit 0; fi
if [ "$1" = "-c" ]; then exec {python} -c "import sys; sys.version_info = {version}; $2"; fi
exit 99
"""


@pytest.mark.parametrize("version", [(3, 10, 14), (3, 14, 0)])
def test_ci_refuses_a_python_outside_the_supported_range(tmp_path, version):
    dotted = ".".join(map(str, version))
    stub = tmp_path / "python3"
    stub.write_text(STUB.format(dotted=dotted, python=sys.executable, version=(*version, "final", 0)))
    stub.chmod(0o755)
    run = subprocess.run(["bash", str(REPO / ".ci" / "run")], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"})
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == f"python3 is Python {dotted}; this project supports Python 3.11 to 3.13."
