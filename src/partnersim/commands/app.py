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
        help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 = every network "
        "interface, and the printed address is this computer's own)",
    )
    p.add_argument(
        "--classroom",
        action="store_true",
        help="participatory mode: one shared run that students join from their own browsers, each "
        "playing one organisation (use --host with this computer's network address)",
    )
    p.add_argument(
        "--lesson",
        default=None,
        help="with --classroom: the lesson whose settings the shared run uses (default: explore)",
    )
    p.add_argument(
        "--fetch-assets",
        action="store_true",
        help="fetch the page's scripts with npm into Solara's cache (for networks that block its CDN), then exit",
    )
    p.set_defaults(func=main)


def reachable_address(host: str) -> str:
    """The address to type in a browser for a server bound to ``host`` (never 0.0.0.0).

    A server on every interface (0.0.0.0, ::) is reached at this computer's own
    network address: the one its outgoing traffic would use (no packet is sent).
    """
    if host in {"127.0.0.1", "localhost", "::1"}:
        return "localhost"
    if host not in {"0.0.0.0", "::", ""}:
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, nothing is sent
            address = s.getsockname()[0]
        except OSError:
            address = ""
    return address if address and not address.startswith("0.") else socket.gethostname()


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
    shown = reachable_address(args.host)
    classroom = getattr(args, "classroom", False)
    app_module = "partnersim.app.page"
    if classroom:
        import secrets

        from partnersim.lessons import LESSONS

        lesson = args.lesson or "explore"
        if lesson not in LESSONS:
            print(
                f"partnersim app: error: --lesson must be one of {', '.join(LESSONS)}, not {lesson}",
                file=sys.stderr,
            )
            return 2
        key = secrets.token_urlsafe(9)
        os.environ["PARTNERSIM_TEACHER_KEY"] = key
        os.environ["PARTNERSIM_CLASSROOM_LESSON"] = lesson
        app_module = "partnersim.app.classroom_page"
        print(f"partnersim app: teacher, open http://{shown}:{port}/?teacher={key}", flush=True)
        print(
            f"partnersim app: students, open http://{shown}:{port}/ and type the join code on the teacher's "
            "screen (Ctrl+C stops it)",
            flush=True,
        )
        if shown == "localhost":
            print(
                "partnersim app: this listens on this computer only; for students' computers, give "
                "--host this computer's network address",
                flush=True,
            )
    else:
        print(f"partnersim app: open http://{shown}:{port}/ in a browser (Ctrl+C stops it)", flush=True)
    # Solara reads the app from the command line; production mode skips the dev reloader
    argv = [
        "run",
        app_module,
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
    sys.exit(
        main(
            argparse.Namespace(port=8765, host="127.0.0.1", fetch_assets=False, classroom=False, lesson=None)
        )
    )
