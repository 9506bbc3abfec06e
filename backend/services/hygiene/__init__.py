"""Process hygiene: memory measured and logged around heavy work, freed memory handed back to the system, and
what an entry point sets for its process once (set_up_process)."""
from backend.services.hygiene.allocator import release_free_memory, tune_allocator
from backend.services.hygiene.memory import MB, logged_memory, rss_mb
from backend.services.hygiene.process import set_up_process

__all__ = ["MB", "logged_memory", "release_free_memory", "rss_mb", "set_up_process", "tune_allocator"]
