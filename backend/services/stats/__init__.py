"""Listening statistics of a session: totals, years, the weekly clock, discoveries, streaks and top days."""
from backend.services.stats.repeats import RepeatsRequest, find_repeats
from backend.services.stats.summary import CardStats, StatsRequest, card_stats, listening_stats

__all__ = ["CardStats", "RepeatsRequest", "StatsRequest", "card_stats", "find_repeats", "listening_stats"]
