"""Same results before and after: run the model from two source trees and compare exactly.

For each setting of :data:`SETTINGS` and each seed, the model is run from this
tree and from a baseline revision (default ``main``), each in its own
interpreter with ``PYTHONPATH`` pointing at that tree's ``src``. The summary
dict, the partnership table and the monthly reporters must be bit-identical
(same values, same dtypes, same NaN positions); any difference is printed
with its setting, seed and column, and the exit status is 1.

The baseline tree is a ``git archive`` of the revision, unpacked once into a
cache folder (no ``git worktree`` is made)::

    .venv/bin/python benchmarks/same_results.py [--baseline main] [--seeds 6]

This is the safety net of the performance work (issue #16): a faster model
must still be the same model.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: settings that between them reach every stage and branch: coordinator, grants, turnover,
#: membership, orientation, shocks, size, formation, gaps, agreements, flexible money
SETTINGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "no_coordinator": {"coordinator": False},
    "mainstreamed_coordinator": {"coordinator_mainstreamed": True, "formal_agreement": True},
    "short_grants": {"funding_length": 12, "funding_gap": 3, "development_months": 0},
    "high_turnover": {"staff_turnover": 0.6},
    "open_membership": {"membership": "open"},
    "strategic": {"orientation": 0.0, "funding_flexibility": 0.5},
    "communicative": {"orientation": 1.0, "membership": "open"},
    "austerity": {"austerity_rate": 0.8},
    "large_partnerships": {"partnership_size": 10, "n_partnerships": 6},
    "formation": {"formation_rate": 6.0, "funder_call_share": 0.3},
    "vcse_fund_holder": {"fund_holder": "vcse", "networking_rate": 8.0},
}


def _run_all(seeds: int, out: str) -> None:
    """Worker: run every setting x seed with the ``partnersim`` on ``sys.path``; pickle the results."""
    import partnersim
    from partnersim.model import run_model

    results = {}
    for name, params in SETTINGS.items():
        for seed in range(seeds):
            model = run_model({**params, "rng": seed})
            results[(name, seed)] = {
                "summary": model.summary(),
                "table": model.partnership_table(),
                "monthly": model.timeseries(),
            }
    with open(out, "wb") as fh:
        pickle.dump({"source": partnersim.__file__, "results": results}, fh)


def _tree(revision: str, cache: Path) -> Path:
    """The ``src`` folder of ``revision``, unpacked once into ``cache`` by its commit hash."""
    commit = subprocess.run(
        ["git", "rev-parse", revision], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    dest = cache / commit
    if not (dest / "src" / "partnersim").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def _collect(src: Path, seeds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.pkl")
        env = {**os.environ, "PYTHONPATH": str(src)}
        subprocess.run(
            [sys.executable, __file__, "--worker", out, "--seeds", str(seeds)], env=env, check=True
        )
        with open(out, "rb") as fh:
            data = pickle.load(fh)
    if not data["source"].startswith(str(src)):
        raise RuntimeError(f"ran {data['source']}, not the tree under {src}")
    return data["results"]


def _same_float(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def compare(before: dict, after: dict) -> list[str]:
    """Every difference between two result sets, as ``setting/seed: what`` lines."""
    import pandas as pd

    diffs = []
    for key in sorted(before):
        where = f"{key[0]}/seed {key[1]}"
        if key not in after:
            diffs.append(f"{where}: missing after")
            continue
        b, a = before[key], after[key]
        for k in b["summary"].keys() | a["summary"].keys():
            x, y = b["summary"].get(k), a["summary"].get(k)
            if not _same_float(x, y):
                diffs.append(f"{where}: summary {k}: {x!r} -> {y!r}")
        for part in ("table", "monthly"):
            tb, ta = b[part], a[part]
            if list(tb.columns) != list(ta.columns) or not tb.index.equals(ta.index):
                diffs.append(f"{where}: {part} shape/columns differ {tb.shape} -> {ta.shape}")
                continue
            for col in tb.columns:
                sb, sa = tb[col], ta[col]
                if sb.dtype != sa.dtype or not sb.equals(sa):
                    diff = ~((sb == sa) | (sb.isna() & sa.isna()))
                    first = diff.idxmax() if diff.any() else None
                    detail = (
                        f"row {first}: {sb[first]!r} -> {sa[first]!r}"
                        if first is not None
                        else f"dtype {sb.dtype} -> {sa.dtype}"
                    )
                    diffs.append(f"{where}: {part} column {col}: {int(diff.sum())} rows differ ({detail})")
        assert isinstance(b["table"], pd.DataFrame)
    return diffs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="main", help="git revision to compare against (default main)")
    ap.add_argument("--seeds", type=int, default=6, help="seeds 0..N-1 for every setting (default 6)")
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "partnersim-baseline"))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _run_all(args.seeds, args.worker)
        return
    base = _tree(args.baseline, Path(args.cache))
    before = _collect(base, args.seeds)
    after = _collect(ROOT / "src", args.seeds)
    diffs = compare(before, after)
    n = len(SETTINGS) * args.seeds
    for line in diffs:
        print(line)
    if diffs:
        print(
            f"DIFFERENT: {len(diffs)} differences over {n} runs ({len(SETTINGS)} settings x {args.seeds} seeds)"
        )
        sys.exit(1)
    print(
        f"identical: {len(SETTINGS)} settings x {args.seeds} seeds = {n} runs; summaries, "
        f"partnership tables and monthly reporters bit-identical to {args.baseline}"
    )


if __name__ == "__main__":
    main()
