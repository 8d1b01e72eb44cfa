"""The ``partnersim`` command line.

Each subcommand lives in its own module under :mod:`partnersim.commands`
with two functions: ``add_parser(subparsers)`` and ``main(args) -> int``.
Errors in input (parameters, config files) exit with code 2 and a one-line
message; nothing is written.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

from partnersim import __version__
from partnersim.config import ConfigError
from partnersim.schema import ParameterError

#: subcommand modules, in the order shown by --help (each imports its heavy parts only when it runs)
COMMANDS = ("run", "params", "sweep", "plot", "sobol", "morris", "discover", "compare", "calibrate", "app")


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM, so a ``kill`` stops a sweep like Ctrl-C does:
    executors shut down (no worker process is left behind) and finished work is kept."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name]
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``partnersim`` command."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        parser.print_help()
        return 0
    if extra:
        # the subcommand's own usage, not the top-level one
        _subparser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    from partnersim.experiments.executors import ExecutorUnavailable

    try:
        with _sigterm_as_interrupt():
            return int(args.func(args) or 0)
    except Terminated:
        print(f"partnersim {args.command}: terminated; finished work is kept", file=sys.stderr)
        return 128 + signal.SIGTERM
    except (ConfigError, ParameterError) as exc:
        print(f"partnersim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ExecutorUnavailable as exc:
        # no worker could be reached, so nothing ran and no result was touched
        print(f"partnersim {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (`partnersim params | head`): not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0
    except KeyboardInterrupt:
        print(f"partnersim {args.command}: interrupted; finished work is kept", file=sys.stderr)
        return 130


def run() -> None:
    """The console entry point: :func:`main`, then leave with its exit code.

    Once pyarrow is loaded, leave without running C++ static destructors:
    pyarrow's thread pool can abort a finished process at exit ("terminate
    called without an active exception", apache/arrow#34314), which turned a
    completed 33-minute calibration's exit code into SIGABRT. Other threads
    are joined, Python's exit handlers run and the standard streams are
    flushed first; every result file is already closed and renamed into
    place by then.
    """
    code = main()
    if "pyarrow" not in sys.modules:
        sys.exit(code)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
