"""Ingest: an export unpacked and stored as a session's `plays` (or added to them), with a summary of what it held."""
from backend.services.ingest.plays import IngestSummary, ingest_export
from backend.services.ingest.upload import StoredUpload, add_upload, store_upload

__all__ = ["IngestSummary", "StoredUpload", "add_upload", "ingest_export", "store_upload"]
