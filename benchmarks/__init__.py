"""Measurements of the API (heavy requests, a soak, parallel statistics): `python -m benchmarks --help`."""
