"""``partnersim app``: start the classroom app in the browser and print its URL."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "app",
        help="start the classroom app (open the printed URL in a browser)",
        description="Start the classroom app: sliders, a network view, live plots, an event log "
        "and guided lessons. It listens on this computer only unless --host says otherwise.",
    )
    p.add_argument(
        "--port", type=int, default=8765, help="port to listen on (default: 8765; 0 = any free port)"
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 = the whole network)",
    )
    p.add_argument(
        "--fetch-assets",
        action="store_true",
        help="fetch the page's scripts with npm into Solara's cache (for networks that block its CDN), then exit",
    )
    p.set_defaults(func=main)


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def listen_problem(host: str, port: int) -> str | None:
    """Why the app could not listen on ``host``:``port`` (``None``: it can), checked by binding there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return (
            f"--host {host!r} cannot be resolved ({reason}): give an address of this computer, "
            "such as 127.0.0.1 (this computer only) or 0.0.0.0 (the whole network)"
        )
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            s.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"--port {port} is already in use on {host}: stop what uses it or choose another "
                    "port (--port 0 picks a free one)"
                )
            return f"cannot listen on --host {host} --port {port}: {exc.strerror or exc}"
    return None


#: Ports a server can listen on (0 = any free port).
PORT_RANGE = (0, 65535)


def main(args: argparse.Namespace) -> int:
    low, high = PORT_RANGE
    if not low <= args.port <= high:
        print(f"partnersim app: error: --port must be {low} to {high}, not {args.port}", file=sys.stderr)
        return 2
    if getattr(args, "fetch_assets", False):
        from partnersim.app.assets import cache_dir, fetch_assets

        fetched = fetch_assets()
        print(
            f"partnersim app: {len(fetched)} packages fetched into {cache_dir()}"
            if fetched
            else "partnersim app: assets already in place"
        )
        return 0
    problem = listen_problem(args.host, args.port)
    if problem:  # before the server starts, so nothing is printed that suggests it runs
        print(f"partnersim app: error: {problem}", file=sys.stderr)
        return 2
    from solara.__main__ import cli as solara_cli

    port = args.port or free_port(args.host)
    shown = "localhost" if args.host in {"127.0.0.1", "localhost"} else args.host
    print(f"partnersim app: open http://{shown}:{port}/ in a browser (Ctrl+C stops it)", flush=True)
    # Solara reads the app from the command line; production mode skips the dev reloader
    argv = [
        "run",
        "partnersim.app.page",
        "--host",
        args.host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    try:
        solara_cli(argv, standalone_mode=False)
    except SystemExit as exc:  # click exits; keep our own return code
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(argparse.Namespace(port=8765, host="127.0.0.1", fetch_assets=False)))
