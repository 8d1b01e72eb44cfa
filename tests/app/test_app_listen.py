"""``partnersim app`` checks where it will listen before the server starts: one line, exit 2."""

from __future__ import annotations

import socket

import pytest

from partnersim.cli import main


def test_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no "open http://..." for a server that will not start
    assert err == (
        f"partnersim app: error: --port {port} is already in use on 127.0.0.1: stop what uses it or "
        "choose another port (--port 0 picks a free one)\n"
    )


def test_an_unresolvable_host_is_named_in_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app", "--host", "no-such-host.invalid", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("partnersim app: error: --host 'no-such-host.invalid' cannot be resolved (")


def test_a_host_that_is_not_this_computers_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    # TEST-NET-1 (RFC 5737): an address no computer here has
    assert main(["app", "--host", "192.0.2.1", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith("partnersim app: error: cannot listen on --host 192.0.2.1")
