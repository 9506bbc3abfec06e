"""Usage events to Supabase (figures only, never what was sent), queued off the request path."""
from backend.services.analytics.events import Analytics

__all__ = ["Analytics"]
