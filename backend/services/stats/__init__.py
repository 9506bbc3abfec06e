"""Listening statistics of a session: totals, years, the weekly clock, discoveries, streaks and top days."""
from backend.services.stats.summary import StatsRequest, listening_stats

__all__ = ["StatsRequest", "listening_stats"]
