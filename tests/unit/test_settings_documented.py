"""Every setting of the Settings object is listed in env/.env.example and in docs/deploy.md's Settings table."""
from __future__ import annotations

import re

from backend.core.settings import PROJECT_ROOT, setting_names


def test_every_setting_is_in_env_example_and_readme():
    example = (PROJECT_ROOT / "env" / ".env.example").read_text(encoding="utf-8")
    in_example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    readme = (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    in_readme = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table, flags=re.MULTILINE))
    assert in_example == set(setting_names())
    assert in_readme == set(setting_names())
