"""Ingest: an uploaded export unpacked and stored as a session's `plays` table, with a summary of what it held."""
from backend.services.ingest.plays import IngestSummary, ingest_export
from backend.services.ingest.upload import StoredUpload, store_upload

__all__ = ["IngestSummary", "StoredUpload", "ingest_export", "store_upload"]
