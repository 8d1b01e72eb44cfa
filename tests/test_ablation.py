"""The ablation registry, a tiny ablation run, and the fact tables in docs/ODD.md."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from partnersim import facts as F
from partnersim.ablation import ABLATIONS, BASELINE, fact_matrix, plot_ablation, run_ablation
from partnersim.facts_report import (
    ABLATION_HEADING,
    RESULTS_HEADING,
    ablation_markdown,
    odd_table,
    results_markdown,
    update_odd,
)
from partnersim.schema import PARAMETERS, validate

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


@pytest.mark.parametrize("name", list(ABLATIONS))
def test_every_switch_is_valid_in_the_schema_and_changes_something(name):
    a = ABLATIONS[name]
    assert a.name == name and a.mechanism and a.overrides
    typed = validate(dict(a.overrides))  # one ParameterError naming the parameter if not
    for key, value in a.overrides.items():
        assert key in PARAMETERS
        assert typed[key] != PARAMETERS[key].default, f"{name}: {key} = {value} is already the default"


def test_a_tiny_ablation_runs_and_makes_the_table(tmp_path):
    results = run_ablation(["size_cost", "prior_ties"], facts=["9"], seeds=[0, 1], cache=F.RunCache())
    assert list(dict.fromkeys(results["ablation"])) == [BASELINE, "size_cost", "prior_ties"]
    assert list(results["check"]) == ["9a", "9b"] * 3
    # with no prior ties both settings of fact 9 are the same runs: no difference at all
    off = results[(results["ablation"] == "prior_ties") & (results["fact"] == "9")]
    assert (off["mean_diff"] == 0).all() and not off["holds"].any()
    matrix = fact_matrix(results)
    assert list(matrix.index) == [BASELINE, "size_cost", "prior_ties"]
    assert list(matrix["holds"].columns) == ["9"]
    assert not matrix["holds"].at["prior_ties", "9"]
    table = odd_table(f"{ABLATION_HEADING}\n\n" + ablation_markdown(results, "tiny"), ABLATION_HEADING)
    assert [row[0].split(":")[0] for row in table[1:]] == [
        "nothing (the model as it is)",
        "size_cost",
        "prior_ties",
    ]
    assert plot_ablation(results, tmp_path / "ablation.png").stat().st_size > 0


def test_an_unknown_switch_is_refused():
    with pytest.raises(ValueError, match="unknown ablation"):
        run_ablation(["no_such_switch"], seeds=[0], cache=F.RunCache())


def _fake_results(checks: list[F.Check]) -> pd.DataFrame:
    rows = [
        {"fact": c.fact, "check": c.check, "claim": c.claim, "direction": c.direction, "outcome": "x",
         "n": 32, "mean_diff": 0.1, "ci_low": 0.0, "ci_high": 0.2, "p": 0.001, "holds": True, "note": ""}
        for c in checks
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _fake_magnitudes() -> pd.DataFrame:
    return pd.DataFrame(
        [{"check": m.check, "claim": m.claim, "value": 0.2, "low": m.low, "high": m.high, "holds": True,
          "detail": ""} for m in F.MAGNITUDES]
    )  # fmt: skip


def test_update_odd_adds_the_sections_after_1_2_1_once(tmp_path):
    odd = tmp_path / "ODD.md"
    shutil.copy(ODD, odd)
    checks = _fake_results(F.all_checks())
    ablation = pd.concat([checks.assign(ablation=n) for n in (BASELINE, *ABLATIONS)], ignore_index=True)
    for _ in range(2):  # a second update replaces, never duplicates
        update_odd(
            odd,
            results=results_markdown(checks, _fake_magnitudes(), "made up"),
            ablation=ablation_markdown(ablation, "made up"),
        )
    text = odd.read_text()
    assert text.count(RESULTS_HEADING) == 1 and text.count(ABLATION_HEADING) == 1
    assert text.index("### 1.2.1 ") < text.index(RESULTS_HEADING) < text.index(ABLATION_HEADING)
    assert text.index(ABLATION_HEADING) < text.index("### 1.3 ")
    # everything outside the two sections is unchanged
    original = ODD.read_text()
    start, end = text.index(RESULTS_HEADING), text.index("### 1.3 ")
    outside = text[:start] + text[end:]
    o_start = original.find(RESULTS_HEADING)
    o_end = original.index("### 1.3 ")
    assert outside == (original[:o_start] + original[o_end:] if o_start >= 0 else original)


def test_the_odd_tables_match_the_registry():
    text = ODD.read_text()
    results = odd_table(text, RESULTS_HEADING)
    assert results, "docs/ODD.md has no results table: run experiments/ablation.py --odd"
    assert [(r[0], r[1]) for r in results[1:]] == [(c.fact, c.check) for c in F.all_checks()]
    for row in results[1:]:
        assert row[-2] in ("yes", "no") and row[-1] in ("yes", "no")
        float(row[4])  # a measured mean difference
    ablation = odd_table(text, ABLATION_HEADING)
    assert ablation, "docs/ODD.md has no ablation table: run experiments/ablation.py --odd"
    assert ablation[0][2:] == [f"fact {f}" for f in F.FACTS]
    names = [r[0].split(":")[0] for r in ablation[1:]]
    assert names == ["nothing (the model as it is)", *ABLATIONS]
    for row in ablation[1:]:
        assert all(c.split(" (")[0] in ("holds", "**fails**") for c in row[2:])


def test_results_markdown_states_every_number():
    checks = _fake_results(F.all_checks()[:2])
    checks.loc[1, ["p", "holds", "note"]] = [math.nan, False, "every paired difference is the same"]
    text = results_markdown(checks, _fake_magnitudes(), "made up")
    assert "| 1 | 1a |" in text and "0.001" in text and "every paired difference is the same" in text
