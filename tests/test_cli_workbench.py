"""The command line: grouped ``params`` with outcomes and csv/json, a subcommand's own usage, a fast --help."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from partnersim.cli import main as cli_main
from partnersim.outcomes import OUTCOMES
from partnersim.schema import PARAMETERS


def test_params_lists_every_parameter_once_group_by_group_then_the_outcomes(capsys):
    assert cli_main(["params"]) == 0
    text = capsys.readouterr().out
    headers = [
        line.split(":")[0]
        for line in text.splitlines()
        if line
        and not line.startswith(" ")
        and ": " in line
        and line.split(":")[0] in {p.group for p in PARAMETERS.values()} | {"outcomes"}
    ]
    assert headers[0] == "funder" and headers[-1] == "outcomes"
    assert sorted(headers[:-1]) == sorted({p.group for p in PARAMETERS.values()})
    names = [
        line.split()[0]
        for line in text.split("\noutcomes:")[0].splitlines()
        if line[:1].isalpha() and ":" not in line and not line.startswith("-")
    ]
    assert sorted(names) == sorted(PARAMETERS)
    outcomes_part = text.split("\noutcomes:")[1]
    for o in OUTCOMES.values():
        assert o.name in outcomes_part and o.meaning in outcomes_part


def test_params_as_csv_and_json(capsys):
    assert cli_main(["params", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows if r["role"] == "parameter"] == [
        r["name"] for r in json.loads(_params_json())["parameters"]
    ]
    assert len(rows) == len(PARAMETERS) + len(OUTCOMES)
    by_name = {r["name"]: r for r in rows}
    assert by_name["staff_turnover"]["unit"] == PARAMETERS["staff_turnover"].unit
    assert by_name["survival_rate"]["meaning"] == OUTCOMES["survival_rate"].meaning
    data = json.loads(_params_json("--group", "funder"))
    assert {p["group"] for p in data["parameters"]} == {"funder"}
    assert [o["name"] for o in data["outcomes"]] == list(OUTCOMES)


def _params_json(*extra: str) -> str:
    from partnersim.commands.params import render

    group = extra[1] if extra else None
    return render("json", group)


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep", "x.toml"],
        ["sobol", "x.toml"],
        ["params"],
        ["discover", "results/x", "--outcome", "survival_rate", "--below", "0.2"],
    ],
)
def test_an_unknown_flag_shows_the_subcommands_usage(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli_main([*argv, "--bogus"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"usage: partnersim {argv[0]}" in err
    assert "unrecognized arguments: --bogus" in err


def test_help_does_not_import_the_model_or_pandas():
    code = (
        "import sys\n"
        "from partnersim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'matplotlib', 'partnersim.model') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
