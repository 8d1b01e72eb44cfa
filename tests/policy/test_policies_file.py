"""Policies files: the shipped ones, clear errors, and common random numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnersim.cli import main
from partnersim.config import ConfigError
from partnersim.policy import LEVERS, load_policies, parse_policies, policy_specs

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
FULL = CONFIGS / "funding-policies.toml"
QUICK = CONFIGS / "funding-policies-quick.toml"

BASE = {
    "study": {"name": "t", "replicates": 4, "seed": 3},
    "uncertainties": {"staff_turnover": {"uniform": [0.1, 0.4]}, "orientation": {"choice": [0.2, 0.8]}},
    "policies": {"short": {"funding_length": 12}, "long": {"funding_length": 36}},
}


def with_(**changes) -> dict:
    data = {k: dict(v) for k, v in BASE.items()}
    data["robustness"] = {"draws": 3, "replicates": 2, "parameters": {"quorum_share": "schema"}}
    for path, value in changes.items():
        table, key = path.split("__")
        data[table][key] = value
    return data


def test_shipped_comparison_has_the_policies_the_issue_asks_for():
    study = load_policies(FULL)
    levers = [p.levers for p in study.policies]
    for months in (12, 24, 36, 60):
        assert any(lv["funding_length"] == months for lv in levers)
    assert any(lv["funding_length"] == 36 and not lv["coordinator"] for lv in levers)
    assert any(lv["funding_length"] == 36 and lv["coordinator_mainstreamed"] for lv in levers)
    assert any(lv["fund_holder"] == "vcse" and lv["funding_flexibility"] > 0 for lv in levers)
    assert study.baseline in [p.name for p in study.policies]
    # every policy is fully specified: all levers, defaults filled in
    assert all(set(lv) == set(LEVERS) for lv in levers)
    assert load_policies(QUICK).replicates < study.replicates


def test_all_policies_share_their_replicate_seeds_and_draws():
    study = parse_policies(BASE)
    specs = policy_specs(study)
    assert len(specs) == 2 * 4 and len({s.run_id for s in specs}) == 8
    by_rep: dict[int, list] = {}
    for s in specs:
        by_rep.setdefault(s.replicate, []).append(s)
    for reps in by_rep.values():
        assert len({s.seed for s in reps}) == 1  # same seed under every policy
        draws = {(s.params["staff_turnover"], s.params["orientation"]) for s in reps}
        assert len(draws) == 1  # same world under every policy
        assert {s.params["funding_length"] for s in reps} == {12, 36}
    seeds = [by_rep[r][0].seed for r in sorted(by_rep)]
    assert len(set(seeds)) == len(seeds)  # replicates differ from each other
    assert len({by_rep[r][0].params["staff_turnover"] for r in by_rep}) == len(by_rep)


def test_more_replicates_keep_the_earlier_ones():
    study = parse_policies(BASE)
    more = study.with_replicates(10)
    assert more.replicate_draws()[:4] == study.replicate_draws()


def test_sampled_values_stay_in_their_ranges():
    study = parse_policies(with_(study__replicates=50))
    for rep in study.replicate_draws():
        assert 0.1 <= rep.uncertainties["staff_turnover"] <= 0.4
        assert rep.uncertainties["orientation"] in (0.2, 0.8)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"policies__bad": {"staff_turnover": 0.3}}, "policies.bad.staff_turnover' is not a funder lever"),
        ({"policies__bad": {"funding_length": 1}}, "policies.bad.funding_length"),
        ({"policies__bad": {"coordinator": "yes"}}, "expected true or false"),
        ({"uncertainties__funding_length": 12}, "is a funder lever"),
        ({"uncertainties__staff_turnover": {"uniform": [0.5, 0.1]}}, "low no greater than high"),
        ({"uncertainties__staff_turnover": {"normal": [0.5, 0.1]}}, "uniform = [low, high]"),
        ({"uncertainties__staff_turnover": {"uniform": [0.1, 2.0]}}, "out of range"),
        ({"uncertainties__membership": {"uniform": [0, 1]}}, "choice"),
        ({"uncertainties__horizon": {"choice": [60, 120]}}, "must be the same in every run"),
        ({"uncertainties__rng": 3}, "seed"),
        ({"uncertainties__staff_turnovr": 0.2}, "did you mean 'staff_turnover'"),
        ({"study__baseline": "nope"}, "study.baseline"),
        ({"study__replicates": 0}, "study.replicates"),
        ({"study__name": "../escape"}, "study.name"),
        ({"study__colour": "red"}, "study.colour"),
        # a misspelt lever gets a suggestion, as a misspelt uncertainty does
        (
            {"policies__bad": {"funding_lenght": 24}},
            "policies.bad.funding_lenght' is not a funder lever (did you mean 'funding_length'?)",
        ),
        # a policy with exactly the baseline's levers (defaults filled in) has nothing to compare
        (
            {"policies__same": {"funding_length": 36}},
            "'policies.same' has exactly the levers of 'policies.long'",
        ),
        (
            {"policies__same": {"coordinator": True, "funding_length": 12}},
            "exactly the levers of 'policies.short'",
        ),
        ({"robustness__draws": 0}, "robustness.draws"),
        ({"robustness__parameters": {"staff_turnover": "schema"}}, "already in [uncertainties]"),
        ({"robustness__parameters": {"funding_length": "schema"}}, "is a funder lever"),
        ({"robustness__parameters": {"quorum_shar": "schema"}}, "did you mean 'quorum_share'"),
        ({"robustness__parameters": {"quorum_share": 0.4}}, '"schema"'),
    ],
)
def test_errors_name_the_key_the_value_and_what_is_allowed(changes, expected):
    with pytest.raises(ConfigError) as err:
        parse_policies(with_(**changes), "my-policies.toml")
    assert "my-policies.toml" in str(err.value)
    assert expected in str(err.value)


def test_one_policy_is_not_a_comparison():
    data = with_()
    data["policies"] = {"only": {"funding_length": 12}}
    with pytest.raises(ConfigError, match="at least two"):
        parse_policies(data, "p.toml")


def test_cross_parameter_rules_are_checked_before_running():
    data = with_(uncertainties__partnership_size=30, uncertainties__n_small_vcse=0)
    data["uncertainties"].update(n_statutory=2, n_large_charity=2)
    with pytest.raises(ConfigError, match="partnership_size"):
        parse_policies(data, "p.toml")


def test_cli_refuses_a_bad_file_with_exit_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[study]\nname = "x"\n[policies.a]\nfunding_length = 12\n[policies.b]\nfunding_length = 500\n'
    )
    out = tmp_path / "results"
    assert main(["compare", str(bad), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "policies.b.funding_length" in err and "500" in err and "240" in err
    assert not out.exists()
    assert main(["compare", str(tmp_path / "missing.toml"), "--out", str(out)]) == 2
    assert not out.exists()


def test_robustness_table_schema_ranges_and_given_ranges():
    data = with_()
    data["robustness"]["parameters"] = {
        "quorum_share": "schema",
        "coordinator_handover": {"uniform": [0.1, 0.5]},
        "membership": "schema",
    }
    rob = parse_policies(data, "p.toml").robustness
    assert (rob.draws, rob.replicates) == (3, 2)
    assert rob.parameters["quorum_share"].values == (0.0, 1.0)
    assert rob.parameters["coordinator_handover"].values == (0.1, 0.5)
    assert rob.parameters["membership"].kind == "choice"
    assert parse_policies(BASE).robustness is None
