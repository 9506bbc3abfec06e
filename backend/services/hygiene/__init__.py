"""Process hygiene: memory measured around heavy work and handed back after it; what an entry point sets once."""
from backend.services.hygiene.allocator import release_free_memory, tune_allocator
from backend.services.hygiene.memory import MB, logged_memory, rss_mb
from backend.services.hygiene.process import set_up_process

__all__ = ["MB", "logged_memory", "release_free_memory", "rss_mb", "set_up_process", "tune_allocator"]
