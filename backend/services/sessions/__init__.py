"""Sessions: one DuckDB file per upload under UPLOAD_DIR, guarded by file locks, expired after their time to live."""
from backend.services.sessions.cleanup import cleanup_old_sessions, start_cleanup_thread
from backend.services.sessions.database import open_session, read_summary
from backend.services.sessions.errors import SessionDeleted, SessionIdInvalid, SessionNotFound, TooManySessions
from backend.services.sessions.store import SESSION_ID, SessionStore, exclusive_lock

__all__ = ["SESSION_ID", "SessionDeleted", "SessionIdInvalid", "SessionNotFound", "SessionStore", "TooManySessions",
           "cleanup_old_sessions", "exclusive_lock", "open_session", "read_summary", "start_cleanup_thread"]
