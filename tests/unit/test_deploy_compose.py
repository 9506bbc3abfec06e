"""deploy/compose.yaml (documented in docs/deploy.md; no Docker engine runs it here) names two web machines, a
worker, redis and an S3 server, sets only settings the service has, and gives the S3 server the credentials the
machines use."""
from __future__ import annotations

import json
import re

from backend.core.settings import PROJECT_ROOT, setting_names

COMPOSE = PROJECT_ROOT / "deploy" / "compose.yaml"
AWS_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def test_the_compose_file_starts_the_machines_the_docs_name():
    text = COMPOSE.read_text(encoding="utf-8")
    services = re.findall(r"^  ([a-z0-9-]+):$", text.split("\nservices:\n", 1)[1].split("\nvolumes:\n")[0],
                          flags=re.MULTILINE)
    assert services == ["web-a", "web-b", "worker", "redis", "s3"]
    environment = dict(re.findall(r"^    ([A-Z][A-Z0-9_]*): (\S+)", text, flags=re.MULTILINE))
    assert set(environment) - AWS_VARIABLES <= set(setting_names())
    assert (environment["SESSION_STORE"], environment["JOB_BACKEND"]) == ("s3", "celery")
    identities = json.loads((PROJECT_ROOT / "deploy" / "seaweedfs-identities.json").read_text(encoding="utf-8"))
    credentials = identities["identities"][0]["credentials"][0]
    assert (credentials["accessKey"], credentials["secretKey"]) == (
        environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"])
    assert f"-bucket={environment['S3_BUCKET']}" in text
    assert "deploy/compose.yaml" in (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
