"""Markdown tables of the stylised-fact results and the ablation, written into ``docs/ODD.md``.

:func:`update_odd` replaces (or adds, after section 1.2.1) two subsections:

- :data:`RESULTS_HEADING`: each check of the twelve facts with its mean
  paired difference, 95 % interval and p, whether the fact holds, and the
  magnitude checks;
- :data:`ABLATION_HEADING`: the mechanism x fact table of
  :mod:`partnersim.ablation`.

Everything else in the ODD is left as it is. ``experiments/ablation.py
--odd`` writes both from real runs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from partnersim import facts as F
from partnersim.ablation import ABLATIONS, BASELINE, fact_matrix

__all__ = [
    "ABLATION_HEADING",
    "RESULTS_HEADING",
    "ablation_markdown",
    "results_markdown",
    "update_odd",
]

RESULTS_HEADING = "### 1.2.2 Results of the stylised-fact tests"
ABLATION_HEADING = "### 1.2.3 Ablation: which facts rest on which mechanism"
#: the subsection the two new ones follow
AFTER_HEADING = "### 1.2.1 "


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    return f"{x:.2e}"


def _p(p: float) -> str:
    if isinstance(p, float) and math.isnan(p):
        return "–"
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}".rstrip("0").rstrip(".")


def results_markdown(checks: pd.DataFrame, magnitudes: pd.DataFrame, provenance: str) -> str:
    """The body of :data:`RESULTS_HEADING`: one row per check, then the magnitude checks."""
    verdict = F.fact_verdicts(checks)["holds"]
    lines = [
        provenance,
        "",
        "The difference is of the contrast the check names (high setting minus low, or the",
        "within-run statistic, or the difference in differences); p is one-sided in the",
        "stated direction. A fact holds when all of its checks hold.",
        "",
        "| fact | check | claim | direction | mean difference | 95 % interval | p | check holds | fact holds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in checks.iterrows():
        note = f" ({r['note']})" if r["note"] else ""
        lines.append(
            f"| {r['fact']} | {r['check']} | {r['claim']}{note} | {r['direction']} | {_num(r['mean_diff'])} | "
            f"{_num(r['ci_low'])} to {_num(r['ci_high'])} | {_p(r['p'])} | {'yes' if r['holds'] else 'no'} | "
            f"{'yes' if verdict[r['fact']] else 'no'} |"
        )
    lines += [
        "",
        "**Magnitudes at the defaults** (the same default runs, partnerships pooled):",
        "",
        "| check | claim | value | allowed | holds | counts |",
        "|---|---|---|---|---|---|",
    ]
    for _, m in magnitudes.iterrows():
        low = "" if m["low"] is None or pd.isna(m["low"]) else f"≥ {m['low']:g}"
        high = "" if m["high"] is None or pd.isna(m["high"]) else f"≤ {m['high']:g}"
        allowed = " and ".join(x for x in (low, high) if x)
        value = "never (beyond the horizon)" if math.isinf(m["value"]) else _num(m["value"])
        lines.append(
            f"| {m['check']} | {m['claim']} | {value} | {allowed} | {'yes' if m['holds'] else 'no'} | {m['detail']} |"
        )
    return "\n".join(lines)


def ablation_markdown(results: pd.DataFrame, provenance: str) -> str:
    """The body of :data:`ABLATION_HEADING`: ablation x fact, each cell holds/fails with the largest p."""
    matrix = fact_matrix(results)
    facts = list(matrix["holds"].columns)
    lines = [
        provenance,
        "",
        "Each row switches off one mechanism (the parameter overrides named) in every",
        "setting of every fact, on the same seeds and tests as section 1.2.1. A cell",
        "says whether the fact still holds, with the largest one-sided p of its",
        "checks ('=' when every paired difference is the same).",
        "",
        "| switched off | overrides | " + " | ".join(f"fact {f}" for f in facts) + " |",
        "|---|---|" + "---|" * len(facts),
    ]
    for name in matrix.index:
        if name == BASELINE:
            label, overrides = "nothing (the model as it is)", "–"
        else:
            a = ABLATIONS[name]
            label = f"{name}: {a.mechanism}"
            overrides = ", ".join(f"`{k}` = {v}" for k, v in a.overrides.items())
        cells = []
        for f in facts:
            ok, p = matrix["holds"].at[name, f], matrix["max_p"].at[name, f]
            cells.append(("holds" if ok else "**fails**") + f" ({'=' if pd.isna(p) else _p(p)})")
        lines.append(f"| {label} | {overrides} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _section(heading: str, body: str) -> str:
    return f"{heading}\n\n{body.strip()}\n\n"


def update_odd(path: str | Path, *, results: str | None = None, ablation: str | None = None) -> Path:
    """Put the results and/or ablation bodies into the ODD at ``path``, atomically.

    An existing subsection is replaced up to the next heading of level 3 or
    less; a missing one is added after section 1.2.1 (results first).
    """
    from partnersim.io import atomic_write

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    for heading, body in ((RESULTS_HEADING, results), (ABLATION_HEADING, ablation)):
        if body is None:
            continue
        text = _replace_or_insert(text, heading, _section(heading, body))
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _next_heading(text: str, start: int) -> int:
    m = re.compile(r"^#{1,3} ", re.M).search(text, start)
    return m.start() if m else len(text)


def _replace_or_insert(text: str, heading: str, section: str) -> str:
    at = text.find(heading + "\n")
    if at >= 0:
        end = _next_heading(text, at + len(heading))
        return text[:at] + section + text[end:]
    # new: after 1.2.1 and after the results subsection if there is one
    anchor = text.find(RESULTS_HEADING + "\n") if heading == ABLATION_HEADING else -1
    if anchor < 0:
        anchor = text.find("\n" + AFTER_HEADING)
        if anchor < 0:
            raise ValueError(f"no section starting '{AFTER_HEADING}' in the ODD to put '{heading}' after")
        anchor += 1
    end = _next_heading(text, anchor + 4)
    return text[:end] + section + text[end:]


def odd_table(text: str, heading: str) -> list[list[str]]:
    """The rows (cells as text, header first, separator dropped) of the first table under ``heading``."""
    at = text.find(heading + "\n")
    if at < 0:
        return []
    body = text[at : _next_heading(text, at + len(heading))]
    rows = []
    for line in body.splitlines():
        if line.startswith("|"):
            if rows and line.startswith("|---"):
                continue
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows
