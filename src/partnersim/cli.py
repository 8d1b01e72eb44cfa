"""The ``partnersim`` command line.

Each subcommand lives in its own module under :mod:`partnersim.commands`
with two functions: ``add_parser(subparsers)`` and ``main(args) -> int``.
Errors in input (parameters, config files) exit with code 2 and a one-line
message; nothing is written.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from partnersim import __version__
from partnersim.config import ConfigError
from partnersim.experiments.executors import ExecutorUnavailable
from partnersim.schema import ParameterError

#: subcommand modules, in the order shown by --help
COMMANDS = ("run", "params", "sweep", "sobol", "morris", "compare", "app")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="partnersim",
        description="Agent-based simulation of partnerships between statutory bodies, "
        "large charities and small VCSE groups.",
    )
    parser.add_argument("--version", action="version", version=f"partnersim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"partnersim.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``partnersim`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (ConfigError, ParameterError) as exc:
        print(f"partnersim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ExecutorUnavailable as exc:
        # no worker could be reached, so nothing ran and no result was touched
        print(f"partnersim {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"partnersim {args.command}: interrupted; finished work is kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
