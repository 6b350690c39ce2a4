"""Command line: `python -m framework <command>`; each area registers its own sub-commands."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines register(subparsers) and sets `func` (args -> exit code) on its parsers.
COMMAND_MODULES = (
    "framework.cli.catalog",
    "framework.cli.survey",
    "framework.cli.analysis",
    "framework.cli.export",
)


class UsageError(Exception):
    """A bad command-line input: printed as one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m framework",
                                description="OCSC digital-skills framework: catalogue, surveys, analysis, exports.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
