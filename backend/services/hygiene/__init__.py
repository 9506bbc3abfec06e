"""Process hygiene: memory measured and logged around heavy work, and freed memory handed back to the system."""
from backend.services.hygiene.allocator import release_free_memory, tune_allocator
from backend.services.hygiene.memory import MB, logged_memory, rss_mb

__all__ = ["MB", "logged_memory", "release_free_memory", "rss_mb", "tune_allocator"]
