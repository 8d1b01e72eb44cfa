"""The funder's report: one self-contained HTML file with the figures embedded.

Every number in the report is computed from the :class:`Comparison`; the
sentences are templates filled from the results, never typed in. The
sections are: the summary a funder can read in two minutes, the policies
and their results, the figures, the assumptions with their evidence, and what
the model cannot tell.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim import __version__
from partnersim.policy.analysis import HAZARD_WINDOW, Comparison
from partnersim.policy.figures import FIGURES
from partnersim.policy.spec import LEVERS, PolicyStudy
from partnersim.schema import PARAMETERS

__all__ = ["MECHANISMS", "render_report", "summary_points"]

#: parameters behind the link between funding and survival, shown with their evidence
MECHANISMS: tuple[str, ...] = (
    "funding_end_commitment_hit",
    "carry_on_threshold",
    "carry_on_quorum",
    "vcse_unfunded_capacity",
    "grant_end_window",
    "grant_end_turnover_boost",
    "coordinator_handover",
    "meeting_probability_uncoordinated",
    "legacy_months",
)

SIGNIFICANCE = 0.05

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:66rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
.lede{color:#555}.summary{background:#f4f8fb;border-left:4px solid #2a6f97;padding:.6rem 1.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.8rem 0;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right}.ci{color:#666;font-size:.78rem;white-space:nowrap}
.wide{overflow-x:auto}td:first-child{min-width:11rem}th code{font-size:.7rem;font-weight:400}tr.baseline td{background:#fffbe6}
figure{margin:1.2rem 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85rem;color:#555}
.note{font-size:.85rem;color:#555}.changed{font-weight:600}
"""


# ------------------------------------------------------------------ formatting


def _pct(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.0f}%"


def _pct_ci(x: float, lo: float, hi: float) -> str:
    if x is None or not np.isfinite(x):
        return "beyond follow-up"
    return f"{100 * x:.0f}% ({100 * lo:.0f}–{100 * hi:.0f}%)"


def _cell(x: float, lo: float, hi: float) -> str:
    """A table cell: the estimate, its interval on a second line."""
    if x is None or not np.isfinite(x):
        return "beyond follow-up"
    return f"{100 * x:.0f}%<br><span class='ci'>{100 * lo:.0f}–{100 * hi:.0f}%</span>"


def _months(x: float) -> str:
    return "not reached" if not np.isfinite(x) else f"{x:.0f}"


def _median(row: Mapping[str, Any]) -> str:
    med, lo, hi = row["median"], row["median_lower"], row["median_upper"]
    if not np.isfinite(med):
        low = "" if not np.isfinite(lo) else f" (lower bound {lo:.0f} months)"
        return "not reached" + low
    upper = "not reached" if not np.isfinite(hi) else f"{hi:.0f}"
    return f"{med:.0f} months ({lo:.0f}–{upper})"


def _median_cell(row: Mapping[str, Any]) -> str:
    med, lo, hi = row["median"], row["median_lower"], row["median_upper"]
    if not np.isfinite(med):
        return "not reached"
    return f"{med:.0f} months<br><span class='ci'>{lo:.0f}–{_months(hi)}</span>"


def _p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "—"
    return "&lt; 0.001" if p < 0.001 else f"{p:.3f}"


def _p_phrase(p: float) -> str:
    """``p < 0.001`` or ``p = 0.012``, for sentences."""
    if p is None or not np.isfinite(p):
        return "p not computed"
    return "p &lt; 0.001" if p < 0.001 else f"p = {p:.3f}"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


_HOLDERS = {"statutory": "a statutory", "vcse": "a VCSE", "neutral": "a neutral"}


def _lever_words(name: str, value: Any) -> str:
    """A lever setting in a funder's words (generic text for levers without a phrase)."""
    phrases = {
        "funding_length": lambda v: f"{v}-month grants",
        "renewal_probability": lambda v: f"{v:.0%} chance that a grant is renewed",
        "funding_gap": lambda v: f"{v} months without money before a renewal",
        "coordinator": lambda v: "a funded coordinator" if v else "no funded coordinator",
        "coordinator_mainstreamed": lambda v: (
            "the coordinator kept on after the grant" if v else "the coordinator goes when the grant ends"
        ),
        "fund_holder": lambda v: f"{_HOLDERS.get(v, v)} fund-holder",
        "funding_flexibility": lambda v: f"grant flexibility {v:g} (0 = tied to targets, 1 = fully flexible)",
        "grant_amount": lambda v: f"£{v:g}k a month",
        "formal_agreement": lambda v: "roles agreed in writing" if v else "no written agreement on roles",
    }
    if name in phrases:
        return phrases[name](value)
    p = PARAMETERS[name]
    unit = (
        f" {p.unit}" if p.unit and p.kind in (int, float) and p.unit not in ("share", "probability") else ""
    )
    return f"{p.help.lower()}: {_value(value)}{unit}"


def _esc(text: Any) -> str:
    return html.escape(str(text))


def _years(month: int) -> str:
    years = month / 12
    if years == 1:
        return "one year"
    words = {3: "three", 5: "five", 10: "ten"}
    return f"{words.get(int(years), f'{years:g}')} years" if years.is_integer() else f"{month} months"


# ------------------------------------------------------------------ summary


def _changes(study: PolicyStudy, name: str) -> list[str]:
    """The levers in which a policy differs from the baseline, in words."""
    base, pol = study.policy(study.baseline).levers, study.policy(name).levers
    return [_lever_words(k, pol[k]) for k in LEVERS if pol[k] != base[k]]


def _relative_month(k: int) -> str:
    """A month relative to the grant end, in words (0 = its last paid month)."""
    if k == 0:
        return "in the last month the grant pays for"
    if k == 1:
        return "in the first month without the grant"
    if k > 1:
        return f"{k} months after the grant ends"
    return f"{-k} month{'s' if k < -1 else ''} before the grant ends"


def _spike(hazard: pd.DataFrame, name: str) -> dict[str, float] | None:
    """The most dangerous month around the first grant end, against the year before it."""
    h = hazard[(hazard["policy"] == name) & (hazard["at_risk"] > 0)]
    # the grant end is month 0; look at the months around it, not a later renewal's end
    near = h[h["months_from_grant_end"].between(-3, 6)]
    before = h[h["months_from_grant_end"] < -3]
    if near.empty or before.empty or not np.isfinite(near["hazard"]).any():
        return None
    peak = near.loc[near["hazard"].idxmax()]
    return {
        "month": int(peak["months_from_grant_end"]),
        "h": float(peak["hazard"]),
        "lo": float(peak["lower"]),
        "hi": float(peak["upper"]),
        "pre": float(before["dissolved"].sum() / before["at_risk"].sum()),
    }


def _length_only(study: PolicyStudy, res: pd.DataFrame, col: str) -> pd.DataFrame:
    """The baseline and the policies that differ from it in grant length only, shortest first."""
    base = study.policy(study.baseline).levers
    names = [
        p.name for p in study.policies if all(p.levers[k] == base[k] for k in LEVERS if k != "funding_length")
    ]
    rows = res[res["policy"].isin(names) & np.isfinite(res[col])]
    return rows.sort_values("funding_length")


def _signed(x: float) -> str:
    """Percentage points with a sign; a difference that rounds to zero is just 0."""
    v = round(100 * x)
    return f"{v:+d}" if v else "0"


def _verdict(row: Mapping[str, Any], month: int) -> str:
    """Is a policy different from the baseline? Log-rank on the whole curve, paired interval at ``month``."""
    p = row.get("p_holm", np.nan)
    lo, hi = row.get(f"diff{month}_lower", np.nan), row.get(f"diff{month}_upper", np.nan)
    curve = bool(np.isfinite(p) and p < SIGNIFICANCE)
    at_month = bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))
    test = f"log-rank {_p_phrase(p)}, Holm-adjusted"
    if curve and at_month:
        return f"beyond chance ({test})"
    if at_month:
        return f"a clear difference at {_years(month)}, though the whole survival curves are not clearly apart ({test})"
    if curve:
        return f"the survival curves differ ({test}), but the difference at {_years(month)} is within chance"
    return f"not clearly different from the baseline with this many runs ({test})"


def summary_points(cmp: Comparison) -> list[str]:
    """The plain-language findings, as HTML sentences, generated from the results."""
    study, res, month = cmp.study, cmp.results, cmp.month
    col = f"s{month}"
    when = _years(month)
    points: list[str] = []
    ranked = res[np.isfinite(res[col])].sort_values(col, ascending=False)
    # a grant still paying at the headline month says little there: headline the others when there are two
    ended = ranked[ranked["funding_length"] < month]
    top = ended if len(ended) >= 2 else ranked
    if len(top) >= 2:
        best, worst = top.iloc[0], top.iloc[-1]
        points.append(
            f"With <b>{_esc(best['policy'])}</b>, "
            f"{_pct_ci(best[col], best[col + '_lower'], best[col + '_upper'])} of partnerships are still working "
            f"after {when}, against {_pct_ci(worst[col], worst[col + '_lower'], worst[col + '_upper'])} with "
            f"<b>{_esc(worst['policy'])}</b>."
        )
    base = res[res["policy"] == study.baseline].iloc[0]
    diffs = []
    for _, row in ranked.iterrows():
        if row["policy"] == study.baseline:
            continue
        diff = row[col] - base[col]
        changes = "; ".join(_changes(study, row["policy"])) or "the same levers"
        # no parenthesis that only repeats the policy's name
        said = "" if changes.lower() == str(row["policy"]).lower() else f" ({_esc(changes)})"
        lo, hi = row.get(f"diff{month}_lower", np.nan), row.get(f"diff{month}_upper", np.nan)
        paired = f" ({_signed(lo)} to {_signed(hi)})" if np.isfinite(lo) and np.isfinite(hi) else ""
        diffs.append(
            f"<b>{_esc(row['policy'])}</b>{said}: {_pct(row[col])}, <b>{_signed(diff)} points</b>{paired}; "
            f"{_verdict(row, month)}."
        )
    points.append(
        f"Under the baseline, <b>{_esc(study.baseline)}</b>, "
        f"{_pct_ci(base[col], base[col + '_lower'], base[col + '_upper'])} are still working after {when}. "
        f"The other policies, best first: share still working after {when}, and the change against the "
        "baseline in percentage points (95% interval, paired on the same simulated systems):"
        "<ul>" + "".join(f"<li>{d}</li>" for d in diffs) + "</ul>"
    )
    end_col = f"s{study.horizon}"
    lengths = _length_only(study, res, col)
    if len(lengths) >= 3:
        tail = end_col in res and end_col != col
        points.append(
            "Grant length alone (everything else as the baseline), share still working after "
            + (f"{when} and at the end of the runs ({_years(study.horizon)}): " if tail else f"{when}: ")
            + "; ".join(
                f"{int(r['funding_length'])}-month grants {_pct(r[col])}"
                + (f" and {_pct(r[end_col])}" if tail else "")
                for _, r in lengths.iterrows()
            )
            + "."
        )
    funded = res[res["funding_length"] >= month]
    if len(funded):
        names = ", ".join(f"<b>{_esc(n)}</b>" for n in funded["policy"])
        points.append(
            f"Careful with {names}: the grant still pays at {when}, so survival then says little about "
            "what happens when the money stops; read the median survival, the survival curves and the "
            "end of the runs instead."
        )
    spike = _spike(cmp.hazard, study.baseline)
    if spike is not None:
        ratio = spike["h"] / spike["pre"] if spike["pre"] > 0 else math.inf
        before = (
            f"{ratio:.0f} times the average monthly rate of the year before ({100 * spike['pre']:.1f}%)"
            if np.isfinite(ratio)
            else "when none dissolved in the year before"
        )
        points.append(
            f"The grant end is the most dangerous time. Under the baseline, "
            f"{_pct_ci(spike['h'], spike['lo'], spike['hi'])} of the partnerships still going dissolve "
            f"{_relative_month(spike['month'])}, {before}."
            if spike["h"] > spike["pre"]
            else f"Under the baseline, no month around the grant end is more dangerous than the year before it "
            f"({100 * spike['pre']:.1f}% a month)."
        )
    leg = res[np.isfinite(res["legacy"])].sort_values("legacy", ascending=False)
    if len(leg) >= 2:
        hi, lo = leg.iloc[0], leg.iloc[-1]
        points.append(
            f"Legacy: {_pct_ci(hi['legacy'], hi['legacy_lower'], hi['legacy_upper'])} of partnerships under "
            f"<b>{_esc(hi['policy'])}</b> keep working for at least {study.legacy_months} months after their "
            f"funding ends, against {_pct_ci(lo['legacy'], lo['legacy_lower'], lo['legacy_upper'])} under "
            f"<b>{_esc(lo['policy'])}</b>."
        )
    return points


# ------------------------------------------------------------------ tables


#: short column labels for the policy table (others use the schema's help text)
_LEVER_LABELS = {
    "funding_length": "grant length (months)",
    "renewal_probability": "chance of renewal",
    "funding_gap": "months without money before a renewal",
    "coordinator": "funded coordinator",
    "coordinator_mainstreamed": "coordinator kept on after the grant",
    "fund_holder": "fund-holder",
    "funding_flexibility": "grant flexibility (0-1)",
    "grant_amount": "grant (£k a month)",
    "formal_agreement": "roles agreed in writing",
}


def _policy_table(study: PolicyStudy) -> str:
    shown = [k for k in LEVERS if len({_value(p.levers[k]) for p in study.policies}) > 1]
    same = [k for k in LEVERS if k not in shown]
    base = study.policy(study.baseline).levers
    head = "".join(
        f"<th>{_esc(_LEVER_LABELS.get(k, PARAMETERS[k].help))}<br><code>{k}</code></th>" for k in shown
    )
    rows = []
    for p in study.policies:
        cells = "".join(
            f"<td class='{'changed' if p.levers[k] != base[k] else ''}'>{_esc(_value(p.levers[k]))}</td>"
            for k in shown
        )
        cls = " class='baseline'" if p.name == study.baseline else ""
        rows.append(f"<tr{cls}><td><b>{_esc(p.name)}</b><br>{_esc(p.description)}</td>{cells}</tr>")
    note = (
        "<p class='note'>Every policy also has "
        + "; ".join(_esc(_lever_words(k, base[k])) for k in same)
        + ". Bold: differs from the baseline (highlighted row).</p>"
        if same
        else ""
    )
    return f"<div class='wide'><table><tr><th>policy</th>{head}</tr>{''.join(rows)}</table></div>{note}"


def _diff(row: Mapping[str, Any], month: int) -> str:
    d, lo, hi = row[f"diff{month}"], row[f"diff{month}_lower"], row[f"diff{month}_upper"]
    if not np.isfinite(d):
        return "—"
    return f"{_signed(d)} points<br><span class='ci'>{_signed(lo)} to {_signed(hi)}</span>"


def _results_table(cmp: Comparison) -> str:
    res, month = cmp.results, cmp.month
    horizon = cmp.study.horizon
    times = [t for t in sorted({12, 36, 60, horizon}) if f"s{t}" in res]
    head = (
        "<tr><th>policy</th><th>runs</th><th>partnerships (dissolved)</th><th>median survival (months)</th>"
        + "".join(
            f"<th>still working after {_years(t)}{' (end of the runs)' if t == horizon else ''}</th>"
            for t in times
        )
        + f"<th>after {_years(month)}, resampling whole runs</th>"
        + f"<th>difference from baseline after {_years(month)} (paired)</th>"
        + "<th>log-rank p vs baseline (Holm-adjusted)</th><th>legacy (all)</th><th>legacy (grant ended)</th></tr>"
    )
    rows = []
    for _, r in res.iterrows():
        cls = " class='baseline'" if r["baseline"] else ""
        cells = [
            f"<td><b>{_esc(r['policy'])}</b></td>",
            f"<td class='num'>{int(r['runs'])}</td>",
            f"<td class='num'>{int(r['partnerships'])} ({int(r['dissolved'])})</td>",
            f"<td class='num'>{_median_cell(r)}</td>",
            *(f"<td class='num'>{_cell(r[f's{t}'], r[f's{t}_lower'], r[f's{t}_upper'])}</td>" for t in times),
            f"<td class='num'>{_cell(r[f's{month}'], r[f's{month}_boot_lower'], r[f's{month}_boot_upper'])}</td>",
            f"<td class='num'>{'baseline' if r['baseline'] else _diff(r, month)}</td>",
            f"<td class='num'>{'baseline' if r['baseline'] else _p(r['p_holm'])}</td>",
            f"<td class='num'>{_cell(r['legacy'], r['legacy_lower'], r['legacy_upper'])}</td>",
            f"<td class='num'>{_cell(r['legacy_if_ended'], r['legacy_if_ended_lower'], r['legacy_if_ended_upper'])}"
            f"<br><span class='ci'>of {int(r['grant_ended'])}</span></td>",
        ]
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<div class='wide'><table>{head}{''.join(rows)}</table></div>"


def _evidence(name: str) -> str:
    return ", ".join(PARAMETERS[name].evidence) or "—"


def _assumptions(study: PolicyStudy) -> str:
    rows = []
    for name, u in study.uncertainties.items():
        p = PARAMETERS[name]
        unit = f" ({p.unit})" if p.unit else ""
        rows.append(
            f"<tr><td><code>{name}</code></td><td>{_esc(p.help)}{_esc(unit)}</td><td>{_esc(u.describe())}</td>"
            f"<td>{_esc(_evidence(name))}</td><td>{_esc(p.reason)}</td></tr>"
        )
    unc = (
        "<table><tr><th>uncertainty</th><th>meaning</th><th>in this comparison</th><th>evidence</th>"
        f"<th>notes on the default</th></tr>{''.join(rows)}</table>"
        if rows
        else "<p>No uncertainties are set; every run uses the defaults.</p>"
    )
    lever_rows = "".join(
        f"<tr><td><code>{k}</code></td><td>{_esc(PARAMETERS[k].help)}</td><td>{_esc(_evidence(k))}</td>"
        f"<td>{_esc(PARAMETERS[k].reason)}</td></tr>"
        for k in LEVERS
    )
    mech_rows = []
    for k in MECHANISMS:
        if k not in PARAMETERS:
            continue
        p = PARAMETERS[k]
        value = (
            study.uncertainties[k].describe()
            if k in study.uncertainties
            else f"{_value(p.default)} (default)"
        )
        mech_rows.append(
            f"<tr><td><code>{k}</code></td><td>{_esc(p.help)}</td><td>{_esc(value)}</td>"
            f"<td>{_esc(_evidence(k))}</td><td>{_esc(p.reason)}</td></tr>"
        )
    return (
        "<h3>The world every policy faces</h3>"
        "<p>These conditions are the same for every policy. A sampled condition is drawn once per replicate "
        "and the same draw is used for every policy.</p>"
        + unc
        + "<h3>How funding reaches survival in the model</h3>"
        "<table><tr><th>mechanism</th><th>meaning</th><th>value</th><th>evidence</th><th>notes on the default</th></tr>"
        + "".join(mech_rows)
        + "</table><h3>The funder levers</h3>"
        "<table><tr><th>lever</th><th>meaning</th><th>evidence</th><th>why the default</th></tr>"
        + lever_rows
        + "</table><p class='note'>Evidence is cited as SEED:LINE: a line of one of the five field reports "
        "listed in the project's evidence digest (000 BNSSG Vanguard 2025; 001 Barnardo's evidence review 2024; "
        "002 Healthy Communities Together 2024; 003 UWE review for the Bristol Children's Fund 2004; "
        "004 Reaching Out, Supporting Families 2022). Every other parameter is at its default: "
        "run <code>partnersim params</code> to see them all.</p>"
    )


_LIMITS = """
<ul>
<li><b>Directions, not forecasts.</b> The five field reports are qualitative: they say which way funding,
coordinators and turnover push, not by how much. Many rates in the model are chosen, not measured (the tables
above say which). Read differences between policies as "which is better and roughly how much, if the mechanisms
are right", not as a prediction for a real programme.</li>
<li><b>The intervals cover simulation noise only.</b> They say how sure we are of what <i>the model</i> does,
given the runs made. They do not cover doubt about the model's rules or its chosen rates; more runs make them
narrower but not more true.</li>
<li><b>Intervals are pointwise.</b> Each 95% interval is for one number (one policy, one month). They are not
joint bands, and with many policies one of them will miss by chance now and then. Log-rank p-values are adjusted
(Holm) for the several comparisons with the baseline.</li>
<li><b>Partnerships in the same run are not independent.</b> They share one local system's budget shocks and
organisations. The Kaplan-Meier intervals pool partnerships as if independent; the "resampling whole runs"
interval and the paired differences resample whole simulated systems instead, and, because every policy runs on
the same systems (common random numbers), the paired differences are the fairest comparison between
policies.</li>
<li><b>It does not model money.</b> Grant size, value for money and what else the money could buy are outside
the model; nor does it model the quality of services to children and families, only whether partnerships keep
working and what they deliver in the model's units.</li>
<li><b>Censoring.</b> Partnerships still working at the end of a run are counted as alive up to then and no
further ("censored"); a median "not reached" means more than half were still working when the runs stopped.</li>
</ul>
"""


def _widening(cmp: Comparison) -> str:
    """How much wider intervals get when whole runs are resampled, computed from the results."""
    m, res = cmp.month, cmp.results
    greenwood = res[f"s{m}_upper"] - res[f"s{m}_lower"]
    boot = res[f"s{m}_boot_upper"] - res[f"s{m}_boot_lower"]
    ok = (greenwood > 0) & np.isfinite(boot)
    if not ok.any():
        return ""
    ratio = float((boot[ok] / greenwood[ok]).mean())
    return (
        f"Resampling whole runs rather than single partnerships makes the intervals at {_years(m)} "
        f"{ratio:.1f} times as wide on average (the 'resampling whole runs' column of the results table): "
        + (
            "partnerships in the same run move together, so read the narrower intervals with that in mind."
            if ratio > 1.2
            else "partnerships in the same run hardly move together here, so the pooled intervals are fair."
        )
    )


def _embed(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


def render_report(
    cmp: Comparison,
    figures: Mapping[str, Path],
    run_info: Mapping[str, Any] | None = None,
) -> str:
    """The report as one HTML string, figures embedded as base64 PNG.

    Args:
        cmp: the analysed comparison.
        figures: file name -> PNG path, as returned by
            :func:`partnersim.policy.figures.plot_comparison`.
        run_info: facts about the runs for the footer (executor, wall time, ...).
    """
    study, res = cmp.study, cmp.results
    run_info = dict(run_info or {})
    n_pol = len(study.policies)
    n_part = res["partnerships"]
    scope = (
        f"Each of the {n_pol} policies was run {study.replicates} times for {study.horizon} months "
        f"({study.replicates * n_pol} runs in all), on the same {study.replicates} simulated local systems "
        f"(same seeds, same draws of the uncertain conditions). Each figure pools "
        f"{int(n_part.min())}–{int(n_part.max())} partnerships per policy."
        if n_part.min() != n_part.max()
        else f"Each of the {n_pol} policies was run {study.replicates} times for {study.horizon} months "
        f"({study.replicates * n_pol} runs in all), on the same {study.replicates} simulated local systems "
        f"(same seeds, same draws of the uncertain conditions). Each figure pools {int(n_part.iloc[0])} "
        "partnerships per policy."
    )
    points = "".join(f"<li>{p}</li>" for p in summary_points(cmp))
    lo_n, hi_n = int(n_part.min()), int(n_part.max())
    backing = (
        f"Behind each policy: {study.replicates} runs and "
        + (f"{lo_n}" if lo_n == hi_n else f"{lo_n}–{hi_n}")
        + " partnerships; intervals are pointwise."
    )
    figs = []
    for name, caption in FIGURES.items():
        if name in figures:
            cap = caption
            if name == "survival_5_years.png" and cmp.month != 60:
                cap = cap.replace("five years", _years(cmp.month))
            if name == "grant_end_hazard.png":
                cap += f" Window: {HAZARD_WINDOW[0]} to +{HAZARD_WINDOW[1]} months."
            cap += f" {backing}"
            figs.append(
                f"<figure><img alt='{_esc(name)}' src='{_embed(figures[name])}'>"
                f"<figcaption>{_esc(cap)}</figcaption></figure>"
            )
    info = "; ".join(f"{_esc(k)}: {_esc(v)}" for k, v in run_info.items())
    description = f"<p class='lede'>{_esc(study.description)}</p>" if study.description else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Funding policies compared: {_esc(study.name)}</title><style>{_CSS}</style></head>
<body>
<h1>What funding policies do to partnerships</h1>
<p class="lede">Study <code>{_esc(study.name)}</code> from <code>{_esc(study.path)}</code>.
Baseline policy: <b>{_esc(study.baseline)}</b>.</p>
{description}
<h2>Summary</h2>
<div class="summary"><ul>{points}</ul>
<p class="note">{_esc(scope)} Percentages in brackets are 95% intervals. "Still working" means the partnership has
not dissolved. Survival is counted from the month each partnership started.</p></div>

<h2>The policies</h2>
{_policy_table(study)}

<h2>Results</h2>
{_results_table(cmp)}
<p class="note">Median survival: months until half the partnerships have dissolved, with its 95% interval;
"not reached" when more than half were still working at the end of the runs. Legacy (all): share of all
partnerships still working at least {study.legacy_months} months after their funding ended. Legacy (grant ended):
the same, of the partnerships whose grant ended without renewal at least {study.legacy_months} months before the
end of the run (the others cannot be judged yet).</p>

<h2>Figures</h2>
{"".join(figs)}

<h2>Assumptions and evidence</h2>
{_assumptions(study)}

<h2>What the model cannot tell you</h2>
{_LIMITS}
<p class="note">{_widening(cmp)}</p>
<p class="note">partnersim {__version__}. {info}</p>
</body></html>
"""
