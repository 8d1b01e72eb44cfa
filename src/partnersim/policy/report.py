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
from partnersim.policy.analysis import HAZARD_WINDOW, SIGNIFICANCE, Comparison
from partnersim.policy.figures import FIGURES, caption
from partnersim.policy.robustness import HOLDS
from partnersim.policy.spec import COST_LEVERS, LEVERS, PolicyStudy
from partnersim.policy.survival import CROSS_TOLERANCE, snap_zero
from partnersim.schema import PARAMETERS

__all__ = ["MECHANISMS", "headline", "render_report", "summary_points"]

#: parameters behind the link between funding and survival, shown with their evidence
MECHANISMS: tuple[str, ...] = (
    "funding_end_commitment_hit",
    "paper_threshold",
    "quorum_share",
    "vcse_unfunded_capacity",
    "grant_end_window",
    "grant_end_turnover_boost",
    "coordinator_handover",
    "coordinator_hours",
    "legacy_months",
)

#: the month of the grant-end sentence, fixed in advance rather than the worst month seen: the first
#: month without the grant, when a grant that is not renewed stops (0 is the last month it pays for)
SPIKE_MONTH = 1

#: the comparison months for the grant-end sentence end this many months before the grant ends, so that
#: the run-up to the end (members leaving early) is not counted as the ordinary rate
SPIKE_GAP = 4

#: how the test against the baseline is named in sentences and tables
TEST_NAME = "permutation test of the log-rank statistic within replicates"

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:66rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
.lede{color:#555}.summary{background:#f4f8fb;border-left:4px solid #2a6f97;padding:.6rem 1.2rem}
.headline{background:#f4f8fb;border-left:4px solid #2a6f97;padding:.4rem 1rem;margin:.6rem 0}
.headline p{margin:.35rem 0}
.warning{background:#fff3e0;border-left:4px solid #e65100;padding:.4rem 1rem;margin:.6rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.8rem 0;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th code,td code{overflow-wrap:anywhere}
th{background:#f2f2f2}td.num{text-align:right}.ci{color:#666;font-size:.78rem;white-space:nowrap}
th code{font-size:.7rem;font-weight:400}tr.baseline td{background:#fffbe6}
table.compact{font-size:.75rem}table.compact td,table.compact th{padding:.15rem .3rem}
table.compact .ci{font-size:.68rem}td.nowrap{white-space:nowrap}table.compact td:first-child{min-width:9rem}
figure{margin:1.2rem 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85rem;color:#555}
.page1 figure{margin:.4rem 0}.page1 figcaption{font-size:.72rem}
.note{font-size:.85rem;color:#555}.changed{font-weight:600}
@page{size:A4;margin:11mm 10mm}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:9pt;line-height:1.3}
  h1{font-size:14pt;margin:0}h2{font-size:12pt;margin-top:1rem;break-after:avoid}h3{break-after:avoid}
  .page1{break-after:page}.page1 h2{font-size:10.5pt;margin:.4rem 0 .1rem;border-bottom-width:1px}
  .page1 .headline,.page1 .warning{padding:.15rem .6rem;margin:.3rem 0}.page1 .headline p{margin:.15rem 0}
  .page1 table{margin:.25rem 0}
  table{font-size:7.5pt}table.compact{font-size:6.8pt}th,td{padding:.1rem .25rem}
  tr,figure,.headline,.warning{break-inside:avoid}
  figure img{max-height:24cm}.page1 figure img{max-height:6.6cm;width:auto;max-width:100%}
  .page1 .note,.page1 figcaption{font-size:7pt;margin:.2rem 0}
  a{color:inherit;text-decoration:none}
}
"""


# ------------------------------------------------------------------ formatting


def _pct(x: float) -> str:
    """A share as a percentage with one decimal, so that 36.7% and 37.3% do not both read 37%."""
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def _pct_ci(x: float, lo: float, hi: float) -> str:
    if x is None or not np.isfinite(x):
        return "beyond follow-up"
    return f"{100 * x:.1f}% ({100 * lo:.1f}–{100 * hi:.1f}%)"


def _cell(x: float, lo: float, hi: float) -> str:
    """A table cell: the estimate, its interval on a second line."""
    if x is None or not np.isfinite(x):
        return "beyond follow-up"
    return f"{100 * x:.1f}%<br><span class='ci'>{100 * lo:.1f}–{100 * hi:.1f}%</span>"


def _money(k: float) -> str:
    """Thousand pounds in words a funder reads: £1.23m, £460k, £4.2k, £470."""
    if k is None or not np.isfinite(k):
        return "no partnership left" if k == np.inf else "n/a"
    pounds = 1000 * k
    if abs(pounds) >= 1e6:
        return f"£{pounds / 1e6:.2f}m"
    if abs(pounds) >= 1e4:
        return f"£{pounds / 1e3:.0f}k"
    if abs(pounds) >= 1e3:
        return f"£{pounds / 1e3:.1f}k"
    return f"£{pounds:.0f}"


def _money_ci(x: float, lo: float, hi: float, br: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return _money(x)
    sep = "<br>" if br else " "
    return f"{_money(x)}{sep}<span class='ci'>({_money(lo)}–{_money(hi)})</span>"


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


def _holm_floor(res: pd.DataFrame) -> float:
    """The smallest Holm-adjusted p-value the permutation test can give (m times its smallest p)."""
    tested = res[np.isfinite(res.get("p_value", pd.Series(dtype=float)))]
    if tested.empty or "p_floor" not in tested:
        return 0.0
    return float(min(1.0, len(tested) * tested["p_floor"].max()))


def _p_number(p: float) -> str:
    """A p-value with the digits it needs: three decimals, or two significant figures below 0.01
    (3/2001 is 0.0015, not 0.001)."""
    return f"{p:.3f}" if p >= 0.01 else f"{p:.2g}"


def _p_perm(p: float, floor: float, sentence: bool = False) -> str:
    """A permutation p-value; at the smallest value the test can give (below 1), say it is at most that."""
    if p is None or not np.isfinite(p):
        return "p not computed" if sentence else "—"
    if 0 < floor < 1 and p <= floor * (1 + 1e-9):
        return f"{'p ' if sentence else ''}≤ {_p_number(floor)}"
    return f"p = {_p_number(p)}" if sentence else _p_number(p)


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
        "grant_amount": lambda v: f"grants of £{v:g}k a month",
        "coordinator_cost": lambda v: f"£{v:g}k a month for a coordinator post",
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
    """The hazard in :data:`SPIKE_MONTH` against the average monthly hazard well before the grant end.

    The comparison months are the window's first months up to ``SPIKE_GAP``
    months before the end (-12 to -4 with the default window): their
    dissolutions over their partnership-months at risk.
    """
    h = hazard[(hazard["policy"] == name) & (hazard["at_risk"] > 0)]
    at = h[h["months_from_grant_end"] == SPIKE_MONTH]
    before = h[h["months_from_grant_end"] <= -SPIKE_GAP]
    if at.empty or before.empty or not np.isfinite(at["hazard"]).all():
        return None
    row = at.iloc[0]
    lo, hi = ("ci_lower", "ci_upper") if "ci_lower" in row else ("lower", "upper")
    return {
        "month": SPIKE_MONTH,
        "h": float(row["hazard"]),
        "lo": float(row[lo]),
        "hi": float(row[hi]),
        "n": int(row["at_risk"]),
        "k": int(row["dissolved"]),
        "pre": float(before["dissolved"].sum() / before["at_risk"].sum()),
        "pre_k": int(before["dissolved"].sum()),
        "pre_n": int(before["at_risk"].sum()),
        "pre_first": int(before["months_from_grant_end"].min()),
        "pre_last": int(before["months_from_grant_end"].max()),
        "pre_months": int(before["months_from_grant_end"].nunique()),
    }


def _spike_sentence(spike: Mapping[str, float], baseline: str) -> str:
    """The grant-end sentence: the month fixed in advance, the comparison window and the counts behind both."""
    window = (
        f"the {spike['pre_months']} months from {-spike['pre_first']} to {-spike['pre_last']} months before "
        "the grant ends"
    )
    earlier = (
        f"{100 * spike['pre']:.2f}% a month in {window} ({spike['pre_k']} dissolutions in "
        f"{spike['pre_n']:,} partnership-months)"
    )
    month = f"{_relative_month(spike['month'])} ({spike['k']} of {spike['n']:,} partnerships still going)"
    if spike["h"] <= spike["pre"]:
        return (
            f"Under the baseline, <b>{_esc(baseline)}</b>, the grant end is no more dangerous than the months "
            f"before it: {_pct_ci(spike['h'], spike['lo'], spike['hi'])} dissolve {month}, against {earlier}."
        )
    ratio = spike["h"] / spike["pre"] if spike["pre"] > 0 else math.inf
    if np.isfinite(ratio):
        times = f"about {float(f'{ratio:.2g}'):g} times the earlier rate"
        if spike["pre_k"] < 30:
            times += f" (a rough ratio: the earlier rate rests on only {spike['pre_k']} dissolutions)"
    else:
        times = "when none dissolved earlier"
    return (
        f"The grant end is the most dangerous time. Under the baseline, <b>{_esc(baseline)}</b>, "
        f"{_pct_ci(spike['h'], spike['lo'], spike['hi'])} of the partnerships still going dissolve {month}, "
        f"against {earlier}: {times}."
    )


def _length_only(study: PolicyStudy, res: pd.DataFrame, col: str) -> pd.DataFrame:
    """The baseline and the policies that differ from it in grant length only, shortest first."""
    base = study.policy(study.baseline).levers
    names = [
        p.name for p in study.policies if all(p.levers[k] == base[k] for k in LEVERS if k != "funding_length")
    ]
    rows = res[res["policy"].isin(names) & np.isfinite(res[col])]
    return rows.sort_values("funding_length")


def _signed(x: float) -> str:
    """Percentage points with a sign and one decimal, halves rounded away from zero (0.3855 is +38.6,
    -0.3855 is -38.6); a difference that rounds to zero is just 0.0. Every difference in the report goes
    through here."""
    tenths = int(math.copysign(math.floor(abs(1000 * x) + 0.5), x))
    if not tenths:
        return "0.0"
    return f"{'+' if tenths > 0 else '-'}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _points(x: float) -> str:
    """A signed difference in percentage points, in words: "+38.5 points", "-1.0 point", "0.0 points"."""
    s = _signed(x)
    return f"{s} point" if s in ("+1.0", "-1.0") else f"{s} points"


def _verdict(row: Mapping[str, Any], month: int, floor: float = 0.0, too_few: bool = False) -> str:
    """Is a policy different from the baseline? The whole curve by the permutation log-rank test, paired interval at ``month``."""
    p = row.get("p_holm", np.nan)
    # a bound of 1.1e-16 is zero, not "above zero"
    lo, hi = (snap_zero(row.get(f"diff{month}_{b}", np.nan)) for b in ("lower", "upper"))
    test = f"{_p_perm(p, floor, sentence=True)}, Holm-adjusted"
    if too_few:
        return f"too few replicates to judge ({test})"
    curve = bool(np.isfinite(p) and p < SIGNIFICANCE)
    at_month = bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))
    if curve and at_month:
        return f"beyond chance ({test})"
    if at_month:
        return f"a clear difference at {_years(month)}, though the whole survival curves are not clearly apart ({test})"
    if curve:
        return f"the survival curves differ ({test}), but the difference at {_years(month)} is within chance"
    return f"not clearly different from the baseline with this many runs ({test})"


def _direction(row: Mapping[str, Any]) -> str:
    """Which way the whole curves differ (the sign of the log-rank Z), in words."""
    z = row.get("z", np.nan)
    if not np.isfinite(z) or z == 0:
        return "as many dissolutions as the baseline over the whole run"
    which = "fewer" if z < 0 else "more"
    return f"<b>{which} dissolutions</b> than the baseline over the whole run (log-rank Z = {z:+.2f})"


def _crossing(row: Mapping[str, Any]) -> str:
    """Whether and when the survival curves cross, in words."""
    months = [int(m) for m in str(row.get("cross_months", "") or "").split(";") if m and m != "nan"]
    if not months:
        return "the curves do not cross"
    after = (
        "ahead of"
        if row.get("ahead_at_end", 0) > 0
        else "behind"
        if row.get("ahead_at_end", 0) < 0
        else "level with"
    )
    where = (
        f"at month {months[0]}"
        if len(months) == 1
        else (f"{len(months)} times, first at month {months[0]} and last at month {months[-1]}")
    )
    return f"the curves cross {where}; at the end of the runs the policy is {after} the baseline"


def _paired_at(row: Mapping[str, Any], months: tuple[int, ...]) -> str:
    """The paired difference from the baseline at every month the report uses."""
    parts = []
    for t in months:
        d, lo, hi = (
            row.get(f"diff{t}", np.nan),
            row.get(f"diff{t}_lower", np.nan),
            row.get(f"diff{t}_upper", np.nan),
        )
        if np.isfinite(d):
            parts.append(f"{_years(t)} {_signed(d)} ({_signed(lo)} to {_signed(hi)})")
    return "; ".join(parts)


def _cost_only(study: PolicyStudy, name: str) -> bool:
    """Whether a policy differs from the baseline only in what the grant costs (so behaves the same)."""
    base, pol = study.policy(study.baseline).levers, study.policy(name).levers
    changed = [k for k in LEVERS if pol[k] != base[k]]
    return bool(changed) and all(k in COST_LEVERS for k in changed)


def summary_points(cmp: Comparison) -> list[str]:
    """The plain-language findings, as HTML sentences, generated from the results."""
    study, res, month = cmp.study, cmp.results, cmp.month
    col = f"s{month}"
    # headline intervals: from resampling whole runs where that is wider than the pooled one
    ci = f"{col}_ci" if f"{col}_ci_lower" in res else col
    when = _years(month)
    floor = _holm_floor(res)
    points: list[str] = []
    ranked = res[np.isfinite(res[col])].sort_values(col, ascending=False)
    # a grant still paying at the headline month says little there: headline the others when there are two
    ended = ranked[ranked["funding_length"] < month]
    top = ended if len(ended) >= 2 else ranked
    if len(top) >= 2:
        best, worst = top.iloc[0], top.iloc[-1]
        left_out = ranked[ranked["funding_length"] >= month] if top is ended else ranked.iloc[0:0]
        among = f"Of the policies whose grants have ended by {when}, " if len(left_out) else ""
        points.append(
            f"{among}<b>{_esc(best['policy'])}</b> keeps the most partnerships working: "
            f"{_pct_ci(best[col], best[ci + '_lower'], best[ci + '_upper'])} after {when}, against "
            f"{_pct_ci(worst[col], worst[ci + '_lower'], worst[ci + '_upper'])} with "
            f"<b>{_esc(worst['policy'])}</b>, the fewest."
        )
        if len(left_out):
            # say who is not in that comparison, and why, with their number
            names = ", ".join(f"<b>{_esc(r['policy'])}</b> ({_pct(r[col])})" for _, r in left_out.iterrows())
            one = len(left_out) == 1
            points[-1] += (
                f" Left out: {names}, whose grant{'' if one else 's'} still "
                f"pay{'s' if one else ''} at {when}, so {'its' if one else 'their'} survival then is "
                "no guide to what happens when the money stops."
            )
    base = res[res["policy"] == study.baseline].iloc[0]
    diffs = []
    for _, row in ranked.iterrows():
        if row["policy"] == study.baseline:
            continue
        # the stored paired difference, as the results table shows it (not a recomputation that may round apart)
        stored = row.get(f"diff{month}", np.nan)
        diff = stored if np.isfinite(stored) else row[col] - base[col]
        changes = "; ".join(_changes(study, row["policy"])) or "the same levers"
        # no parenthesis that only repeats what the policy's name already says
        said = "" if changes.lower() in str(row["policy"]).lower() else f" ({_esc(changes)})"
        lo, hi = row.get(f"diff{month}_lower", np.nan), row.get(f"diff{month}_upper", np.nan)
        paired = f" ({_signed(lo)} to {_signed(hi)})" if np.isfinite(lo) and np.isfinite(hi) else ""
        if _cost_only(study, row["policy"]):
            diffs.append(
                f"<b>{_esc(row['policy'])}</b>{said}: differs from the baseline only in what the grant costs, "
                "which no rule of behaviour reads: its partnerships do exactly what the baseline's do, and "
                "only the cost table tells them apart."
            )
            continue
        diffs.append(
            f"<b>{_esc(row['policy'])}</b>{said}: {_pct(row[col])}, <b>{_points(diff)}</b>{paired}; "
            f"{_verdict(row, month, floor, cmp.too_few_replicates)}. It has {_direction(row)}; "
            f"{_crossing(row)}. Paired difference in points: {_paired_at(row, cmp.months)}."
        )
    points.append(
        f"Under the baseline, <b>{_esc(study.baseline)}</b>, "
        f"{_pct_ci(base[col], base[ci + '_lower'], base[ci + '_upper'])} are still working after {when}. "
        f"The other policies, best first: share still working after {when}, and the change against the "
        "baseline in percentage points (95% interval, paired on the same simulated systems). Whether the "
        f"whole survival curves differ is judged by a {TEST_NAME}: in each simulated system the policy's run "
        "and the baseline's swap labels at random, over and over, to see how often chance alone gives "
        "as large a difference:"
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
        points.append(_spike_sentence(spike, study.baseline))
    points.extend(_legacy_sentences(study, res))
    return points


def _legacy_sentences(study: PolicyStudy, res: pd.DataFrame) -> list[str]:
    """Legacy of the best and the worst policy, among the partnerships that can be judged."""
    leg = res[np.isfinite(res["legacy"])].sort_values("legacy", ascending=False)
    if len(leg) < 2:
        return []
    months = study.legacy_months
    ci = "legacy_ci" if "legacy_ci_lower" in res else "legacy"

    def rate(r: Mapping[str, Any]) -> str:
        return _pct_ci(r["legacy"], r[f"{ci}_lower"], r[f"{ci}_upper"])

    hi, lo = leg.iloc[0], leg.iloc[-1]
    text = (
        f"Legacy: of the {int(hi['judged']):,} partnerships under <b>{_esc(hi['policy'])}</b> whose grant ended at "
        f"least {months} months before the end of the run, or that dissolved sooner after it ended, "
        f"{rate(hi)} kept working for at least {months} months after their funding ended, against "
        f"{rate(lo)} of {int(lo['judged']):,} under <b>{_esc(lo['policy'])}</b>."
    )
    unjudged = res["partnerships"] - res["judged"]
    if "n_dissolved_funded" in res:
        unjudged = unjudged - res["n_dissolved_funded"]
    if unjudged.max() > 0:
        worst = res.loc[(unjudged / res["partnerships"]).idxmax()]
        n_un = int(unjudged.loc[worst.name])
        text += (
            " Partnerships still funded at the end of the runs, or whose funding ended less than "
            f"{months} months before it, cannot be judged yet and are left out, not counted as failures "
            f"(the most under <b>{_esc(worst['policy'])}</b>: {n_un:,} of {int(worst['partnerships']):,}); "
            "nor are those that dissolved before their funding ended."
        )
    return [text]


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
    "coordinator_cost": "coordinator post (£k a month)",
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
    return f"<table><tr><th>policy</th>{head}</tr>{''.join(rows)}</table>{note}"


def _diff(row: Mapping[str, Any], month: int) -> str:
    d, lo, hi = row.get(f"diff{month}", np.nan), row.get(f"diff{month}_lower"), row.get(f"diff{month}_upper")
    if d is None or not np.isfinite(d):
        return "—"
    return f"{_points(d)}<br><span class='ci'>{_signed(lo)} to {_signed(hi)}</span>"


def _results_table(cmp: Comparison) -> str:
    """Survival of each policy: counts, median, share still working at each reported month."""
    res, month = cmp.results, cmp.month
    horizon = cmp.study.horizon
    times = [t for t in sorted({12, 36, 60, horizon}) if f"s{t}" in res]
    head = (
        "<tr><th>policy</th><th>runs</th><th>partnerships (dissolved)</th><th>median survival (months)</th>"
        + "".join(
            f"<th>still working after {_years(t)}{' (end of the runs)' if t == horizon else ''}</th>"
            for t in times
        )
        + f"<th>after {_years(month)}, resampling whole runs</th></tr>"
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
        ]
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _against_table(cmp: Comparison) -> str:
    """Each policy against the baseline: which way, whether the curves cross, the paired differences, p."""
    res = cmp.results
    floor = _holm_floor(res)
    head = (
        "<tr><th>policy</th><th>which way (whole run)</th><th>do the curves cross?</th>"
        + "".join(f"<th>difference after {_years(t)} (points, paired)</th>" for t in cmp.months)
        + f"<th>p vs baseline: {TEST_NAME} (Holm-adjusted)</th></tr>"
    )
    rows = []
    for _, r in res.iterrows():
        if r["baseline"]:
            continue
        z = r.get("z", np.nan)
        way = (
            "—"
            if not np.isfinite(z)
            else f"{'fewer' if z < 0 else 'more' if z > 0 else 'as many'} dissolutions"
            f"<br><span class='ci'>Z = {z:+.2f}</span>"
        )
        cross = [m for m in str(r.get("cross_months", "") or "").split(";") if m and m != "nan"]
        crossing = "no" if not cross else "at month " + ", ".join(cross)
        cells = [
            f"<td><b>{_esc(r['policy'])}</b></td>",
            f"<td>{way}</td>",
            f"<td>{crossing}</td>",
            *(f"<td class='num'>{_diff(r, t)}</td>" for t in cmp.months),
            f"<td class='num'>{_p_perm(r['p_holm'], floor)}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _legacy_table(cmp: Comparison) -> str:
    res = cmp.results
    leg_ci = "legacy_ci" if "legacy_ci_lower" in res else "legacy"
    head = (
        "<tr><th>policy</th><th>legacy, of the partnerships that can be judged</th>"
        "<th>partnerships that can be judged</th>"
        "<th>share of all partnerships with a legacy (those not yet judged count as none)</th></tr>"
    )
    rows = []
    for _, r in res.iterrows():
        cls = " class='baseline'" if r["baseline"] else ""
        rows.append(
            f"<tr{cls}><td><b>{_esc(r['policy'])}</b></td>"
            f"<td class='num'>{_cell(r['legacy'], r[f'{leg_ci}_lower'], r[f'{leg_ci}_upper'])}</td>"
            f"<td class='num'>{int(r['judged'])} of {int(r['partnerships'])}</td>"
            f"<td class='num'>{_cell(r['legacy_all'], r['legacy_all_lower'], r['legacy_all_upper'])}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _cost_table(cmp: Comparison) -> str:
    """What each policy costs the funder, and the cost per thing it buys, with 95% intervals."""
    costs, study = cmp.costs, cmp.study
    if costs.empty:
        return "<p class='note'>No grant payments were recorded in these runs.</p>"
    per = [c for c in costs.columns if c.startswith("cost_per_working_") and c[17:].isdigit()]
    head = (
        f"<tr><th>policy</th><th>paid per local system over {_years(study.horizon)}</th>"
        + "".join(f"<th>per partnership still working after {_years(int(c[17:]))}</th>" for c in per)
        + "<th>per partnership-year of working</th><th>per unit of output</th></tr>"
    )
    rows = []
    base = cmp.results.set_index("policy")["baseline"]
    for _, r in costs.iterrows():
        cls = " class='baseline'" if base.get(r["policy"], False) else ""
        cells = [f"<td><b>{_esc(r['policy'])}</b></td>"] + [
            f"<td class='num nowrap'>{_money_ci(r[c], r[c + '_lower'], r[c + '_upper'])}</td>"
            for c in ("paid_per_run", *per, "cost_per_working_year", "cost_per_output")
        ]
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table class='compact'>{head}{''.join(rows)}</table>"


def _yearly_table(cmp: Comparison) -> str:
    """Share still working and partnerships at risk at the end of each year, one row per policy."""
    y = cmp.yearly
    if y.empty:
        return ""
    years = sorted(y["year"].unique())
    head = "<tr><th>policy</th>" + "".join(f"<th>year {k}</th>" for k in years) + "</tr>"
    rows = []
    base = cmp.results.set_index("policy")["baseline"]
    for name, g in y.groupby("policy", sort=False):
        g = g.set_index("year")
        cls = " class='baseline'" if base.get(name, False) else ""
        cells = "".join(
            f"<td class='num nowrap'>{_pct(g.loc[k, 'survival'])} <span class='ci'>{int(g.loc[k, 'at_risk'])}</span></td>"
            for k in years
        )
        rows.append(f"<tr{cls}><td><b>{_esc(name)}</b></td>{cells}</tr>")
    return f"<table class='compact'>{head}{''.join(rows)}</table>"


def _permutations(res: pd.DataFrame) -> str:
    """How many label swaps the test tried, in words."""
    tested = res[np.isfinite(res.get("p_value", pd.Series(dtype=float)))]
    if tested.empty or "permutations" not in tested:
        return "many times"
    n = int(tested["permutations"].max())
    if "exact" in tested and tested["exact"].astype(bool).all():
        return f"in every one of the {n:,} possible ways (an exact test)"
    return f"{n:,} times at random"


def _floor_note(res: pd.DataFrame) -> str:
    floor = _holm_floor(res)
    if floor <= 0:
        return ""
    if floor >= 1:
        return (
            "With so few replicates this test cannot give a p-value below 1 after the adjustment: it cannot "
            "tell any policy from the baseline."
        )
    return (
        f"The smallest p-value this test can give is {_p_number(floor)} after the adjustment (the number of "
        f"comparisons times the smallest unadjusted p), shown as &le; {_p_number(floor)}: none of the swaps "
        "gave as large a statistic as the real labels."
    )


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


# ------------------------------------------------------------------ first page


def _cost_sentence(cmp: Comparison) -> str | None:
    costs, study = cmp.costs, cmp.study
    col = f"cost_per_working_{cmp.month}"
    if costs.empty or col not in costs:
        return None
    c = costs.set_index("policy")
    base = c.loc[study.baseline]
    finite = c[np.isfinite(c[col])].sort_values(col)
    text = (
        f"<b>What it costs.</b> Under the baseline the funder pays {_money_ci(base['paid_per_run'], base['paid_per_run_lower'], base['paid_per_run_upper'])} "
        f"per local system over {_years(study.horizon)}: {_money_ci(base[col], base[col + '_lower'], base[col + '_upper'])} "
        f"per partnership still working after {_years(cmp.month)}, and {_money_ci(base['cost_per_working_year'], base['cost_per_working_year_lower'], base['cost_per_working_year_upper'])} "
        "per partnership-year of working."
    )
    if len(finite) >= 2:
        lo, hi = finite.iloc[0], finite.iloc[-1]
        text += (
            f" Per partnership still working after {_years(cmp.month)}, the cheapest is "
            f"<b>{_esc(finite.index[0])}</b> at {_money_ci(lo[col], lo[col + '_lower'], lo[col + '_upper'])} "
            f"and the dearest <b>{_esc(finite.index[-1])}</b> at {_money_ci(hi[col], hi[col + '_lower'], hi[col + '_upper'])}."
        )
    # a coordinator kept on after the grant is paid by the members: say so, with the sum
    for name, r in c[c["members_paid_per_run"] > 0].iterrows():
        text += (
            f" Under <b>{_esc(name)}</b> the members also pay {_money(r['members_paid_per_run'])} per local "
            "system for the coordinator kept on after the grant, which the funder's figures leave out."
        )
    return text


def _share(x: float, n: int) -> str:
    """``x`` of ``n`` draws; a draw tied for best is shared, so a count may end in .5 (or another fraction)."""
    k = round(x * n, 2)
    return f"{k:g} of {n}"


def _and(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _names(names: list[str]) -> str:
    return _and([f"<b>{_esc(n)}</b>" for n in names])


def _best_list(p: pd.Series, n: int) -> str:
    """Who ranks best in how many of ``n`` draws (``p``: share of draws by policy, largest first).

    A draw where many policies tie for best gives each a crumb; naming every
    crumb buries the answer, so policies with less than half a draw are
    counted together when there are two or more of them.
    """
    named = [(k, v) for k, v in p.items() if v * n >= 0.5 - 1e-9]
    crumbs = [(k, v) for k, v in p.items() if 0 < v * n < 0.5 - 1e-9]
    if len(crumbs) < 2:
        named, crumbs = named + crumbs, []
    parts = [f"<b>{_esc(k)}</b> in {_share(v, n)}" for k, v in named]
    if crumbs:
        shared = round(sum(v for _, v in crumbs) * n, 2)
        parts.append(f"{len(crumbs)} other policies, through ties, in {shared:g} of {n}")
    return _and(parts)


def _robustness_sentence(cmp: Comparison) -> str | None:
    rob = cmp.robustness
    if rob is None:
        return None
    n = len(rob.draws)
    summ = rob.summary.set_index("policy")
    best = []
    tied = False
    for t in rob.months:
        p = summ[f"p_best{t}"].sort_values(ascending=False)
        tied = tied or any(abs(v * n - round(v * n)) > 1e-9 for v in p)
        best.append(f"after {_years(t)}, {_best_list(p, n)}")
    end = max(rob.months)
    signs = summ[f"sign_held{end}"].dropna()
    held = [k for k, v in signs.items() if v >= HOLDS]
    loose = [k for k, v in signs.items() if v < HOLDS]
    if not loose:
        signs_text = (
            f"every difference from the baseline after {_years(end)} keeps its sign in at least {HOLDS:.0%}"
        )
    elif not held:
        signs_text = (
            f"no difference from the baseline after {_years(end)} keeps its sign in {HOLDS:.0%} of them"
        )
    else:
        signs_text = (
            f"the difference from the baseline after {_years(end)} keeps its sign in at least {HOLDS:.0%} of them "
            f"for {_names(held)}, not for the other {len(loose)}"
        )
    return (
        f"<b>Does it hold?</b> Rerun on {n} draws of {len(rob.described)} rates the field reports leave open "
        f"({rob.replicates} runs per policy in each), the policy keeping the most partnerships working is, "
        + "; ".join(best)
        + " draws"
        + (" (a draw tied for best is shared)" if tied else "")
        + f". The whole order after {_years(end)} is the same as here in {_share(rob.order_held[end], n)} "
        f"draws; {signs_text}."
    )


def headline(cmp: Comparison) -> list[str]:
    """The first page's sentences: who keeps the most partnerships working, at what cost, and whether it holds."""
    points = summary_points(cmp)
    out = [points[0]] if points else []
    for extra in (_cost_sentence(cmp), _robustness_sentence(cmp)):
        if extra:
            out.append(extra)
    return out


def _robustness_section(cmp: Comparison) -> str:
    rob = cmp.robustness
    if rob is None:
        return (
            "<p>Not run: add a <code>[robustness]</code> table to the policies file to rerun the comparison "
            "across the rates the field reports leave open.</p>"
        )
    n = len(rob.draws)
    ms = rob.months
    head = (
        "<tr><th>policy</th>"
        + "".join(f"<th>ranks best after {_years(t)} (share of draws)</th>" for t in ms)
        + "".join(f"<th>mean rank after {_years(t)}</th>" for t in ms)
        + "".join(f"<th>difference from the baseline after {_years(t)} keeps its sign</th>" for t in ms)
        + "</tr>"
    )
    rows = []
    for _, r in rob.summary.iterrows():
        cells = (
            "".join(f"<td class='num'>{_share(r[f'p_best{t}'], n)}</td>" for t in ms)
            + "".join(f"<td class='num'>{r[f'mean_rank{t}']:.1f}</td>" for t in ms)
            + "".join(
                "<td class='num'>baseline</td>"
                if not np.isfinite(r[f"sign_held{t}"])
                else f"<td class='num'>{_share(r[f'sign_held{t}'], n)}</td>"
                for t in ms
            )
        )
        rows.append(f"<tr><td><b>{_esc(r['policy'])}</b></td>{cells}</tr>")
    params = "".join(
        f"<tr><td><code>{_esc(k)}</code></td><td>{_esc(PARAMETERS[k].help) if k in PARAMETERS else ''}</td>"
        f"<td>{_esc(v)}</td><td>{_esc(_evidence(k)) if k in PARAMETERS else ''}</td></tr>"
        for k, v in rob.described.items()
    )
    order = "; ".join(
        f"after {_years(t)}: the same order in {_share(rob.order_held[t], n)} draws, mean Kendall's tau "
        f"{rob.tau[t]:.2f}"
        for t in ms
    )
    return (
        f"<p>The comparison above fixes every rate the field reports leave open at its default. Here it is "
        f"rerun on {n} draws of those rates, each a world every policy runs in, with {rob.replicates} runs per "
        "policy in each (the seeds and uncertain conditions of the first replicates above, so draws differ by "
        f"their rates, not by luck). Whole order of the policies as here: {order} (1 = the same order, 0 = "
        "no relation). With few runs per draw, part of any change of order or sign is simulation noise, so "
        f"these shares understate how well the ranking holds. A finding is said to hold when it is true in at "
        f"least {HOLDS:.0%} of the draws.</p>"
        f"<table>{head}{''.join(rows)}</table>"
        "<table><tr><th>rate</th><th>meaning</th><th>how it varied</th><th>evidence</th></tr>"
        f"{params}</table>"
        "<p class='note'>Every draw and its numbers: <a href='robustness_draws.csv'>robustness_draws.csv</a>; "
        "the table above: <a href='robustness_summary.csv'>robustness_summary.csv</a>. A calibration "
        "posterior can take the place of these ranges (<code>partnersim.policy.robustness.Samples</code>).</p>"
    )


def _data_links(cmp: Comparison, short: bool = False) -> str:
    """Links to the CSV files next to the report."""
    if short:
        return "Data: " + ", ".join(f"<a href='{n}'>{n}</a>" for n in cmp.TABLES) + "."
    items = "".join(f"<li><a href='{n}'><code>{n}</code></a>: {_esc(d)}</li>" for n, d in cmp.TABLES.items())
    if cmp.robustness is not None:
        items += (
            "<li><a href='robustness_draws.csv'><code>robustness_draws.csv</code></a> and "
            "<a href='robustness_summary.csv'><code>robustness_summary.csv</code></a>: the robustness check</li>"
        )
    return (
        "<p>Every number in this report comes from these files, in the same folder as the report "
        "(money in thousand pounds):</p><ul>" + items + "</ul>"
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
joint bands, and with many policies one of them will miss by chance now and then. The p-values are adjusted
(Holm) for the several comparisons with the baseline.</li>
<li><b>Partnerships in the same run are not independent.</b> They share one local system's budget shocks and
organisations. The Kaplan-Meier, hazard and legacy intervals in the tables pool partnerships as if independent;
the "resampling whole runs" interval and the paired differences resample whole simulated systems instead, and,
because every policy runs on the same systems (common random numbers), the paired differences are the fairest
comparison between policies. <b>The numbers in the summary, and the intervals in the figures of survival at five
years, of the grant end and of legacy, use the interval from resampling whole runs wherever it is wider than the
pooled one.</b> For the same reason the p-values do not come from the textbook log-rank test, which treats every
partnership as independent: it ignores the shocks that partnerships of a run share (which make differences look
surer than they are) and the pairing of runs on the same systems (which makes comparisons sharper). They come from
a permutation test of the log-rank statistic within replicates (the policy's and the baseline's run on each
simulated system swap labels at random), which respects both.</li>
<li><b>Money is counted, not modelled.</b> The cost tables count what the funder pays (the grant and any
coordinator post in each funded month, renewals included); no rule of the model reads the amount, so a bigger or
smaller grant changes the cost, not what partnerships do (the reports do not say how grant size changes that).
What else the money could buy is outside the model; nor does it model the quality of services to children and
families, only whether partnerships keep working and what they deliver in the model's units.</li>
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
            "partnerships in the same run move together, so the summary and the figures use the wider intervals."
            if ratio > 1.2
            else "partnerships in the same run hardly move together here; still, the summary and the figures use "
            "the whole-run interval wherever it is the wider."
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
    figs: dict[str, str] = {}
    for name in FIGURES:
        if name in figures:
            cap = caption(name, study.legacy_months)
            if name == "survival_5_years.png" and cmp.month != 60:
                cap = cap.replace("five years", _years(cmp.month))
            if name == "grant_end_hazard.png":
                cap += f" Window: {HAZARD_WINDOW[0]} to +{HAZARD_WINDOW[1]} months."
            cap += f" {backing}"
            figs[name] = (
                f"<figure><img alt='{_esc(name)}' src='{_embed(figures[name])}'>"
                f"<figcaption>{_esc(cap)}</figcaption></figure>"
            )
    figs.pop("survival_vs_baseline.png", None)
    first_fig = (
        f"<figure><img alt='survival_vs_baseline.png' src='{_embed(figures['survival_vs_baseline.png'])}'>"
        "<figcaption>Share still working by months since the partnership started: the policy in colour, the "
        "baseline in grey, shaded 95% intervals, x where the curves cross; in each panel the paired difference "
        "from the baseline (percentage points, 95% interval); dotted lines at one, three and five years. "
        f"{_esc(backing)}</figcaption></figure>"
        if "survival_vs_baseline.png" in figures
        else ""
    )
    info = "; ".join(f"{_esc(k)}: {_esc(v)}" for k, v in run_info.items())
    description = f"<p class='lede'>{_esc(study.description)}</p>" if study.description else ""
    warnings = "".join(f"<div class='warning'><b>Too few runs.</b> {_esc(w)}</div>" for w in cmp.warnings)
    lines = "".join(f"<p>{h}</p>" for h in headline(cmp))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Funding policies compared: {_esc(study.name)}</title><style>{_CSS}</style></head>
<body>
<section class="page1" id="first-page">
<h1>What funding policies do to partnerships</h1>
<p class="lede">Study <code>{_esc(study.name)}</code>: {n_pol} policies, each run {study.replicates} times for
{_years(study.horizon)} on the same simulated local systems. Baseline: <b>{_esc(study.baseline)}</b>. Brackets:
95% intervals.</p>
{warnings}
<div class="headline" id="headline">{lines}</div>
<h2>Each policy against the baseline</h2>
{first_fig}
<h2 id="costs">What it costs the funder</h2>
{_cost_table(cmp)}
<h2>Partnerships still working at the end of each year</h2>
{_yearly_table(cmp)}
<p class="note">Share still working (Kaplan-Meier); in grey, partnerships still followed (at risk). Money: grants
and coordinator posts the funder pays, renewals included. {_data_links(cmp, short=True)} Methods and details
follow.</p>
</section>

{description}
<h2>Summary</h2>
<div class="summary"><ul>{points}</ul>
<p class="note">{_esc(scope)} Percentages in brackets are 95% intervals. "Still working" means the partnership has
not dissolved. Survival is counted from the month each partnership started.</p></div>

<h2>The policies</h2>
{_policy_table(study)}

<h2>Results</h2>
<h3>Survival</h3>
{_results_table(cmp)}
<h3>Against the baseline</h3>
{_against_table(cmp)}
<p class="note">Which way: the sign of the log-rank statistic, dissolutions observed under the policy minus those
expected if it were no different from the baseline, over the whole run. The curves cross where each is ahead of the
other by at least {100 * CROSS_TOLERANCE:g} percentage points on either side. Differences are in percentage points, paired on the same simulated
systems, with 95% intervals from resampling whole runs.</p>
<h3>Legacy</h3>
{_legacy_table(cmp)}
<p class="note">Median survival: months until half the partnerships have dissolved, with its 95% interval;
"not reached" when more than half were still working at the end of the runs. The p-value comes from a {TEST_NAME}:
on each of the {study.replicates} simulated systems the policy's run and the baseline's run swap labels with
probability 1/2, {_permutations(res)}; p is the share of swaps that give a log-rank statistic at least as large as
the real one, adjusted (Holm) for the {int(np.isfinite(res["p_value"]).sum())} comparisons with the baseline.
{_floor_note(res)} Legacy: the share still working at least {study.legacy_months} months after their funding ended
(without renewal), among the partnerships that can be judged: those whose funding ended at least
{study.legacy_months} months before the end of the run, or that dissolved sooner after it ended; its interval is
from resampling whole runs where that is wider. Partnerships still funded at the end of the
run, or whose funding ended more recently, cannot be judged yet; with longer grants there are fewer that can, and
those are the ones whose funding ended earliest. The last column divides by all partnerships instead, so counts the
ones not yet judged as having no legacy: for reference only.</p>

<h2>Does the ranking hold?</h2>
{_robustness_section(cmp)}

<h2>Figures</h2>
{"".join(figs.values())}

<h2>Assumptions and evidence</h2>
{_assumptions(study)}

<h2>What the model cannot tell you</h2>
{_LIMITS}
<p class="note">{_widening(cmp)}</p>

<h2>Data</h2>
{_data_links(cmp)}
<p class="note">partnersim {__version__}. {info}</p>
</body></html>
"""
