"""Adding replicates to a comparison keeps every finished run: policy seeds per replicate do not change."""

from __future__ import annotations

import pandas as pd

from partnersim.cli import main

STUDY = """
[study]
name = "grow"
replicates = {replicates}
seed = 5
baseline = "36-month grants"

[uncertainties]
staff_turnover = {{ uniform = [0.1, 0.35] }}
horizon = 30

[policies."12-month grants"]
funding_length = 12

[policies."36-month grants"]
funding_length = 36
"""


def _compare(path, out, replicates, capsys):
    path.write_text(STUDY.format(replicates=replicates), encoding="utf-8")
    capsys.readouterr()
    assert main(["compare", str(path), "--out", str(out), "--no-progress"]) == 0
    return capsys.readouterr().out


def test_more_replicates_keep_every_old_run_and_match_a_fresh_comparison(tmp_path, capsys):
    study = tmp_path / "grow.toml"
    out = tmp_path / "results"
    _compare(study, out, 3, capsys)
    said = _compare(study, out, 5, capsys)
    # 2 policies x 3 replicates kept; the second policy's 3 runs moved from run_ids 3-5 to 5-7
    assert "10 runs (6 kept from before, 3 of them renumbered and kept, 4 run now)" in said
    assert "rerun" not in said

    fresh = tmp_path / "fresh"
    _compare(study, fresh, 5, capsys)
    for name in ("runs.parquet", "partnerships.parquet", "policy_results.csv", "survival_curves.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        pd.testing.assert_frame_equal(read(out / "grow" / name), read(fresh / "grow" / name))

    # and back to fewer replicates: nothing to run, every run under the run_id it ran with
    said = _compare(study, out, 3, capsys)
    assert "6 runs (6 kept from before, 0 run now)" in said
