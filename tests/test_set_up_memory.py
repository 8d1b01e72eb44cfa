"""Set-up memory stays bounded at every value the schema allows; larger regions are refused in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from partnersim.cli import main
from partnersim.schema import (
    MAX_LOCAL_SYSTEM,
    MAX_PRIOR_TIES,
    PARAMETERS,
    ParameterError,
    local_systems,
    validate,
)


def test_local_systems_are_dealt_as_the_model_deals_them():
    from partnersim.model import PartnershipModel

    model = PartnershipModel(n_statutory=7, n_large_charity=5, n_small_vcse=31, local_network_size=10, rng=1)
    assert sorted((len(s) for s in model.systems), reverse=True) == local_systems(43, 10)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"n_small_vcse": 50_000, "local_network_size": 100_000}, "local_network_size"),  # 18.6 GiB before
        ({n: PARAMETERS[n].high for n in ("n_statutory", "n_large_charity", "n_small_vcse", "local_network_size")},
         "local_network_size"),
        ({"n_small_vcse": 50_000, "local_network_size": 4000, "prior_tie_density": 1.0},
         "prior_tie_density"),
    ],
)  # fmt: skip
def test_regions_whose_prior_ties_grow_quadratically_are_refused_by_the_schema(params, name):
    with pytest.raises(ParameterError) as caught:
        validate(params)
    assert caught.value.name == name and "is out of range" in str(caught.value)


def test_the_cli_refuses_them_in_one_line_before_running(tmp_path, capsys):
    args = [
        "run",
        "--set",
        "n_small_vcse=50000",
        "--set",
        "local_network_size=100000",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "parameter 'local_network_size' = 100000 is out of range for 50025 organisations" in err[0]
    assert f"at most {MAX_LOCAL_SYSTEM} are allowed" in err[0]


def test_set_up_at_the_largest_allowed_local_system_stays_within_a_bound():
    # the largest local system allowed, with a modest density: the k x k draw is the peak
    k = MAX_LOCAL_SYSTEM
    params = {"n_statutory": 15, "n_large_charity": 10, "n_small_vcse": k - 25, "local_network_size": k,
              "prior_tie_density": 0.02, "horizon": 1, "rng": 3}  # fmt: skip
    validate(params)
    assert local_systems(k, k) == [k]
    script = (
        "import resource, sys\nfrom partnersim.model import PartnershipModel\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"PartnershipModel(**{params!r})\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)"
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    grew_mb = float(res.stdout.strip())
    # about 18 bytes a pair for the draw (k*k), plus the ties: well under 1 GB
    assert grew_mb < 18 * k * k / 2**20 + 300, grew_mb


def test_the_most_prior_ties_allowed_is_a_stated_bound():
    k = 2000
    density = MAX_PRIOR_TIES / (k * (k - 1) / 2 * 10) * 1.01
    region = {"n_small_vcse": 10 * k - 25, "local_network_size": k}
    with pytest.raises(ParameterError, match="prior_tie_density"):
        validate({**region, "prior_tie_density": min(1.0, density)})
    validate({**region, "prior_tie_density": density / 1.02})
