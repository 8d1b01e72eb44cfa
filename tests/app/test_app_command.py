"""``partnersim app`` on the command line: argument errors are one line and exit 2."""

from __future__ import annotations

import pytest

from partnersim.cli import main


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_a_port_out_of_range_is_a_one_line_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app", "--port", port]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"partnersim app: error: --port must be 0 to 65535, not {port}\n"


def test_the_printed_address_is_never_0_0_0_0() -> None:
    from partnersim.commands.app import reachable_address

    assert reachable_address("127.0.0.1") == "localhost"
    assert reachable_address("192.168.1.20") == "192.168.1.20"
    for anywhere in ("0.0.0.0", "::"):
        shown = reachable_address(anywhere)
        assert shown and shown not in {"0.0.0.0", "::"}
