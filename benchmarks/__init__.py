"""Benchmarks of the API's heavy requests: run with `python -m benchmarks --help`."""
