"""The object store sessions live in with SESSION_STORE=s3: a bucket under a prefix, reached through boto3 with
bounded waits, so a storage fault becomes StorageUnavailable (503) in seconds instead of a hang or a 500.

Objects are written whole (one PUT, or a multipart upload that appears only when completed) and never made
public: the service streams what callers download and issues no presigned URLs.
"""
from __future__ import annotations

import email.utils
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import Loader, create_loader

from backend.core.settings import Settings
from backend.services.sessions.errors import StorageUnavailable

log = logging.getLogger(__name__)
MISSING = {"404", "NoSuchKey", "NotFound"}
WRONG_CREDENTIALS = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}
# One part up to this size: most sessions go up in a single PUT, visible whole or not at all.
SINGLE_PUT_BYTES = 64 * 2**20
PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    etag: str
    size: int
    modified: float  # seconds since the epoch, by the store's clock


@dataclass(frozen=True)
class Listing:
    objects: list[ObjectInfo]
    store_now: float  # the store's clock when it answered: idle times are judged on one clock


def _config(timeout: float, attempts: int, endpoint_url: str) -> Config:
    # Checksums "when_required": boto3's default CRC trailers on every PUT are refused or mangled by most
    # S3-compatible stores (SeaweedFS, MinIO before 2025, R2, GCS); AWS accepts either.
    return Config(connect_timeout=timeout, read_timeout=timeout,
                  retries={"max_attempts": attempts, "mode": "standard"}, signature_version="s3v4",
                  request_checksum_calculation="when_required", response_checksum_validation="when_required",
                  s3={"addressing_style": "path"} if endpoint_url else None)


@functools.cache
def _descriptions() -> Loader:
    """botocore's JSON descriptions (endpoints, S3's API and its rules), parsed once per process. A new session
    parses them again (~50 ms of CPU), and a process that makes many apps makes a store, so a session, for each."""
    return create_loader(botocore.session.get_session().get_config_variable("data_path"))


def _session() -> boto3.session.Session:
    """A session of the store's own, so credentials are found when the store is made, reading the shared
    descriptions (boto3 appends its data folder to their search path each time; the path is walked only for a
    description not yet loaded)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _descriptions())
    return boto3.session.Session(botocore_session=core)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class ObjectStore:
    """The bucket, under S3_PREFIX; every call gives up within a few S3_TIMEOUT_SECONDS."""

    def __init__(self, settings: Settings):
        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix
        session = _session()
        options = {"endpoint_url": settings.s3_endpoint_url or None, "region_name": settings.s3_region or None}
        timeout, endpoint = settings.s3_timeout_seconds, settings.s3_endpoint_url
        self.client = session.client("s3", config=_config(timeout, 2, endpoint), **options)
        # /health asks once, briefly: its answer must come within a few seconds even when the store is away
        self.probe_client = session.client("s3", config=_config(min(timeout, PROBE_SECONDS), 1, endpoint), **options)
        self.transfer = TransferConfig(multipart_threshold=SINGLE_PUT_BYTES, use_threads=False)

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _call(self, method: str, **kwargs) -> dict:
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as error:
            if _code(error) in MISSING and "Key" in kwargs:
                raise
            log.warning("Object store refused %s: %s", method, _code(error))
            raise StorageUnavailable from error
        except BotoCoreError as error:
            log.warning("Object store unreachable for %s: %s", method, type(error).__name__)
            raise StorageUnavailable from error

    def head(self, name: str) -> ObjectInfo | None:
        try:
            answer = self._call("head_object", Key=self.key(name))
        except ClientError:
            return None
        return ObjectInfo(name, answer["ETag"].strip('"'), answer["ContentLength"],
                          answer["LastModified"].timestamp())

    def download(self, name: str, target: Path) -> str | None:
        """Write the object to target; its ETag, or None when there is no such object."""
        try:
            answer = self._call("get_object", Key=self.key(name))
        except ClientError:
            return None
        body = answer["Body"]
        try:
            with open(target, "wb") as out:
                for chunk in body.iter_chunks(1 << 20):
                    out.write(chunk)
        except (BotoCoreError, OSError) as error:
            target.unlink(missing_ok=True)
            if isinstance(error, OSError) and not isinstance(error, ConnectionError):
                raise
            raise StorageUnavailable from error
        finally:
            body.close()
        return answer["ETag"].strip('"')

    def get_range(self, name: str, first: int, last: int) -> Iterator[bytes]:
        body = self._call("get_object", Key=self.key(name), Range=f"bytes={first}-{last}")["Body"]
        try:
            yield from body.iter_chunks(1 << 16)
        finally:
            body.close()

    def upload(self, source: Path, name: str) -> None:
        try:
            self.client.upload_file(str(source), self.bucket, self.key(name), Config=self.transfer)
        except (BotoCoreError, ClientError, boto3.exceptions.S3UploadFailedError) as error:
            log.warning("Object store upload failed: %s", type(error).__name__)
            raise StorageUnavailable from error

    def put(self, name: str, data: bytes) -> None:
        self._call("put_object", Key=self.key(name), Body=data)

    def listing(self, under: str = "") -> Listing:
        """Every object whose name starts with `under` (below the prefix), and the store's time."""
        objects, token, store_now = [], None, 0.0
        while True:
            more = {"ContinuationToken": token} if token else {}
            answer = self._call("list_objects_v2", Prefix=self.key(under), **more)
            date = answer["ResponseMetadata"]["HTTPHeaders"].get("date")
            store_now = email.utils.parsedate_to_datetime(date).timestamp() if date else 0.0
            objects += [ObjectInfo(item["Key"].removeprefix(self.prefix), item["ETag"].strip('"'), item["Size"],
                                   item["LastModified"].timestamp()) for item in answer.get("Contents", [])]
            token = answer.get("NextContinuationToken")
            if not token:
                return Listing(objects, store_now)

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):
            batch = [{"Key": self.key(name)} for name in names[start:start + 1000]]
            self._call("delete_objects", Delete={"Objects": batch, "Quiet": True})

    def state(self) -> str:
        """ok, unreachable, wrong credentials or missing bucket: one bounded request."""
        try:
            self.probe_client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            code = _code(error)
            if code in MISSING or code == "NoSuchBucket":
                return "missing bucket"
            return "wrong credentials" if code in WRONG_CREDENTIALS else "unreachable"
        except BotoCoreError:
            return "unreachable"
        return "ok"
