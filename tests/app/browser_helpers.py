"""Shared helpers for the app's browser tests: chromium, and a ``partnersim app`` server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0  # seconds; importing Solara and Mesa is slow on a busy machine
UI_TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 240_000  # a whole run played on a busy 2-core machine

#: Marks for a module of browser tests.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh --browser)"),
]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and anything it started (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def app_server(log: Path, *args: str) -> Iterator[str]:
    """A ``partnersim app`` server on a free 127.0.0.1 port (with ``args``); yields its URL."""
    from partnersim.app.assets import fetch_assets, missing_assets
    from partnersim.commands.app import free_port

    if missing_assets() and shutil.which("npm"):
        # the CDN Solara uses may be blocked where the npm registry is not
        fetch_assets()
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "partnersim.cli", "app", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with code {proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the app did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()[-2000:]}"
                )
            time.sleep(0.5)
        assert f"localhost:{port}" in log.read_text(), "partnersim app must print its URL"
        yield url
    finally:
        _stop(proc)
