"""`.ci/run` runs the README's test command, coverage flags included, so what CI checks is what a newcomer runs."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command():
    readme_commands = re.findall(r"```sh\n(.*?)\n```", (REPO / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    test_command = next(command for command in readme_commands if "requirements-test.txt" in command)
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    ci_command = next(line for line in ci_lines if line.startswith("python3 -m venv"))
    assert " ".join(ci_command.split()) == " ".join(test_command.split())
    assert test_command.endswith("python -m pytest --cov")


def test_the_readme_states_the_range():
    assert "Python 3.11, 3.12 or 3.13" in (REPO / "README.md").read_text(encoding="utf-8")
