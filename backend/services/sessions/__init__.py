"""Sessions: one DuckDB file per upload, on this machine's UPLOAD_DIR (SESSION_STORE=local, guarded by file
locks) or in an S3 bucket every machine shares (SESSION_STORE=s3), expired after their time to live."""
from backend.core.settings import Settings
from backend.services.sessions.cleanup import cleanup_old_sessions, start_cleanup_thread
from backend.services.sessions.database import open_session, read_summary
from backend.services.sessions.errors import (
    SessionDamaged,
    SessionDeleted,
    SessionIdInvalid,
    SessionNotFound,
    StorageUnavailable,
    TooManySessions,
)
from backend.services.sessions.store import SESSION_ID, SessionStore, exclusive_lock


def open_session_store(settings: Settings) -> SessionStore:
    """The store SESSION_STORE names; making it contacts nothing, so the service starts whatever the storage does."""
    if settings.session_store == "s3":
        from backend.services.sessions.bucket import BucketSessionStore  # boto3 only where it is used
        return BucketSessionStore(settings)
    return SessionStore.from_settings(settings)


__all__ = ["SESSION_ID", "SessionDamaged", "SessionDeleted", "SessionIdInvalid", "SessionNotFound", "SessionStore",
           "StorageUnavailable", "TooManySessions", "cleanup_old_sessions", "exclusive_lock", "open_session",
           "open_session_store", "read_summary", "start_cleanup_thread"]
