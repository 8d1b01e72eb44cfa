"""The console entry point leaves with main's exit code, after Python's exit handlers have run."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import atexit, sys, threading, time
{imports}
import partnersim.cli as cli
done = []
def late():
    time.sleep(0.2)
    done.append(1)
threading.Thread(target=late).start()
atexit.register(lambda: print("handler ran, thread done:", bool(done), flush=True))
cli.main = lambda: {code}
print("buffered", end="")
cli.run()
"""


@pytest.mark.parametrize("imports", ["import pyarrow", ""], ids=["pyarrow-loaded", "no-pyarrow"])
@pytest.mark.parametrize("code", [0, 3])
def test_run_keeps_the_exit_code_the_exit_handlers_and_the_output(imports: str, code: int) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(imports=imports, code=code)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == code, out.stderr
    assert out.stdout == "bufferedhandler ran, thread done: True\n"
