"""Sessions: one DuckDB file per upload, in UPLOAD_DIR (local) or a bucket every machine shares (s3), with a TTL."""
from backend.core.settings import Settings
from backend.services.sessions.cleanup import cleanup_old_sessions, start_cache_check_thread, start_cleanup_thread
from backend.services.sessions.database import (
    SessionFacts,
    open_session,
    read_facts,
    read_summary,
    write_session_info,
)
from backend.services.sessions.duckdb_instance import bound, duckdb_connection
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
        return __getattr__("BucketSessionStore")(settings)
    return SessionStore.from_settings(settings)


def __getattr__(name: str) -> type:
    """BucketSessionStore, imported on first use: a local deployment never loads boto3."""
    if name == "BucketSessionStore":
        from backend.services.sessions.bucket import BucketSessionStore
        return BucketSessionStore
    raise AttributeError(name)


__all__ = [
    "SESSION_ID",
    "BucketSessionStore",
    "SessionDamaged",
    "SessionDeleted",
    "SessionFacts",
    "SessionIdInvalid",
    "SessionNotFound",
    "SessionStore",
    "StorageUnavailable",
    "TooManySessions",
    "bound",
    "cleanup_old_sessions",
    "duckdb_connection",
    "exclusive_lock",
    "open_session",
    "open_session_store",
    "read_facts",
    "read_summary",
    "start_cache_check_thread",
    "start_cleanup_thread",
    "write_session_info",
]
