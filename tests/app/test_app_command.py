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
