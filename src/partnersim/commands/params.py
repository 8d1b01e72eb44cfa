"""``partnersim params``: every parameter with its default, range and evidence, by group, and the outcomes."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import Any

from partnersim.schema import PARAMETERS, describe

#: what each group of parameters is, in the order listed
GROUPS = {
    "funder": "what a funder decides",
    "partnership": "how a partnership is set up",
    "environment": "the world the partnerships work in",
    "system": "how many organisations and partnerships",
    "behaviour": "how organisations and people behave (effect sizes)",
    "run": "the length and bookkeeping of a run",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "params",
        help="list the model parameters (by group) and the outcomes",
        description="List every parameter, group by group, with its default, allowed values, unit, "
        "help and evidence, then the summary outcomes of a run with their meaning.",
    )
    p.add_argument("--group", choices=sorted({q.group for q in PARAMETERS.values()}), help="only this group")
    p.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="text (default), csv (one row per parameter or outcome) or json",
    )
    p.set_defaults(func=main)


def _groups(only: str | None) -> list[str]:
    present = {q.group for q in PARAMETERS.values()}
    order = [g for g in GROUPS if g in present] + sorted(present - set(GROUPS))
    return [g for g in order if only is None or g == only]


def parameter_rows(only: str | None = None) -> list[dict[str, Any]]:
    """One dict per parameter, group by group."""
    rows = []
    for group in _groups(only):
        for name, q in PARAMETERS.items():
            if q.group != group:
                continue
            rows.append(
                {
                    "role": "parameter",
                    "name": name,
                    "group": group,
                    "kind": q.kind.__name__,
                    "default": q.default,
                    "low": q.low,
                    "high": q.high,
                    "choices": list(q.choices),
                    "unit": q.unit,
                    "meaning": q.help,
                    "evidence": list(q.evidence),
                    "reason": q.reason,
                }
            )
    return rows


def outcome_rows() -> list[dict[str, Any]]:
    """One dict per summary outcome."""
    from partnersim.outcomes import OUTCOMES

    return [
        {"role": "outcome", "name": o.name, "unit": o.unit, "better": o.direction, "meaning": o.meaning}
        for o in OUTCOMES.values()
    ]


def render(fmt: str, only: str | None = None) -> str:
    """The listing as text, CSV or JSON."""
    params, outcomes = parameter_rows(only), outcome_rows()
    if fmt == "json":
        return json.dumps({"parameters": params, "outcomes": outcomes}, indent=2, default=str)
    if fmt == "csv":
        columns = list(dict.fromkeys([*params[0], *outcomes[0]]))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in [*params, *outcomes]:
            writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
        return buf.getvalue().rstrip("\n")
    blocks = []
    for group in _groups(only):
        names = [r["name"] for r in params if r["group"] == group]
        title = f"{group}: {GROUPS.get(group, '')}".rstrip(": ")
        blocks.append(f"{title}\n{'-' * len(title)}\n{describe(names)}")
    title = "outcomes: one number per run (partnersim.simulate, runs.parquet)"
    lines = [
        f"{r['name']:34s} {r['unit']:>14s}  {'higher' if r['better'] == 'higher' else 'lower'} is better\n"
        f"{'':36s}{r['meaning']}"
        for r in outcomes
    ]
    blocks.append(f"{title}\n{'-' * len(title)}\n" + "\n".join(lines))
    return "\n\n".join(blocks)


def main(args: argparse.Namespace) -> int:
    print(render(args.format, args.group))
    return 0
