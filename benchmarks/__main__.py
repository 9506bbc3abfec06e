"""python -m benchmarks <subcommand>: the one entry point of every measurement.

  requests        time and measure the API's heavy requests on a realistic export (writes docs/benchmarks.md)
  soak            keep a real gunicorn busy; errors, latency and memory growth
  parallel-stats  peak memory of parallel statistics, Wrapped cards and charts
  service-ingest  a 1,000,000-row Last.fm CSV ingested, against DuckDB alone; added to a Spotify session

`python -m benchmarks <subcommand> --help` gives each one's options.
"""
from __future__ import annotations

import argparse
import sys
from types import ModuleType

from benchmarks import heavy_requests, parallel_stats, request_runner, service_ingest, soak

SUBCOMMANDS: dict[str, ModuleType] = {"requests": heavy_requests, "soak": soak, "parallel-stats": parallel_stats,
                                     "service-ingest": service_ingest}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(SUBCOMMANDS) + "}")
    for name, module in SUBCOMMANDS.items():
        summary = module.__doc__.splitlines()[0].split(": ", 1)[1]
        sub = commands.add_parser(name, help=summary, description=module.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    # The process `requests` makes its requests in, so that their memory is the server's alone; not for people,
    # so given no help line and left out of the list above.
    runner = commands.add_parser(heavy_requests.REQUEST_RUNNER)
    request_runner.add_arguments(runner)
    runner.set_defaults(handler=request_runner.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
