"""Guided lessons for the classroom app, in the spirit of NetLogo's Info tab.

Each lesson is a preset (parameter values checked against
:data:`partnersim.schema.PARAMETERS`) plus four short texts: *What is it?*,
*How it works* (with ``SEED:LINE`` citations of the field reports), *Things
to notice* and *Things to try*. Texts name controls by the words on their
sliders, which come from the schema's help text.

The texts describe directions, never numbers: the model is calibrated
separately, and a lesson must stay true when its numbers move.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from partnersim.lesson_claims import Claim
from partnersim.schema import validate

__all__ = ["DEFAULT_LESSON", "LESSONS", "Lesson"]

#: Seed of every lesson, so a class sees the same run when it presses reset.
LESSON_SEED = 7


@dataclass(frozen=True)
class Lesson:
    """One guided lesson: a preset and the text that goes with it.

    Attributes:
        key: short identifier, used in URLs and tests.
        title: what the teacher picks from the list.
        preset: parameter values that differ from the schema defaults.
        what_is_it, how_it_works: a paragraph each.
        notice, try_: bullet points (things to notice, things to try).
        claims: checks on the lesson's run behind each "thing to notice" that
            states what the run shows (a question to the class needs none);
            see :mod:`partnersim.lesson_claims`.
    """

    key: str
    title: str
    preset: dict[str, Any]
    what_is_it: str
    how_it_works: str
    notice: tuple[str, ...]
    try_: tuple[str, ...]
    claims: tuple[Claim, ...] = ()
    seed: int = LESSON_SEED

    def parameters(self) -> dict[str, Any]:
        """Every parameter for this lesson (defaults plus the preset), validated, with its seed."""
        return validate({**self.preset, "rng": self.seed})

    def info_markdown(self) -> str:
        """The lesson's Info text as Markdown."""
        notice = "\n".join(f"- {line}" for line in self.notice)
        tries = "\n".join(f"- {line}" for line in self.try_)
        return (
            f"### {self.title}\n\n"
            f"**What is it?** {self.what_is_it}\n\n"
            f"**How it works.** {self.how_it_works}\n\n"
            f"**Things to notice.**\n\n{notice}\n\n"
            f"**Things to try.**\n\n{tries}\n"
        )

    def info_html(self) -> str:
        """The lesson's Info text as HTML, converted here so the page needs no script from a CDN.

        Uses the ``markdown`` package (Solara depends on it). Lesson texts are
        plain words, so any ``<``, ``>`` or ``&`` in them is shown as written.
        """
        import markdown

        return markdown.markdown(html.escape(self.info_markdown(), quote=False))


_LESSONS = (
    Lesson(
        key="explore",
        title="Explore: a local children's system",
        preset={},
        what_is_it=(
            "About sixty organisations in one area: statutory bodies (squares), large charities "
            "(diamonds) and small VCSE groups (circles). Ten partnerships start with a three-year "
            "grant and a funded coordinator."
        ),
        how_it_works=(
            "Each month grants age, staff come and go, partnerships meet, deliver and take stock. "
            "Trust lives largely in people and is lost when they leave (002:517, 004:468); it builds "
            "slowly through repeated meetings (003:440), and one old incident can keep "
            "partners apart for years (003:628)."
        ),
        notice=(
            "Lines between members get thicker as trust builds; they thin when a representative leaves.",
            "What happens around the month the grants end (the event log says when)?",
        ),
        try_=(
            "Press Step a few times and read the event log, then press play.",
            "Pick one of the guided lessons from the list above.",
        ),
        claims=(
            Claim(
                0, "change", {"series": "trust_within", "months": (0, 36), "direction": "up", "at_least": 0.1}
            ),
            Claim(0, "events", {"kinds": ("rep_left",), "at_least": 1}),
            Claim(1, "events", {"kinds": ("grant_ended",), "at_least": 1, "months": (36, 38)}),
        ),
    ),
    Lesson(
        key="grant_ends",
        title="The grant ends",
        preset={
            "funding_length": 36,
            "renewal_probability": 0.0,
            "evidence_weight": 0.0,
            "development_months": 0,
            "coordinator_mainstreamed": False,
        },
        what_is_it=(
            "Every partnership is funded for three years and no grant is renewed. What is left of "
            "the partnerships when the money stops?"
        ),
        how_it_works=(
            "When a grant ends the coordinator post goes unless it was mainstreamed (002:999), "
            "small VCSE groups lose the paid time that let them take part (002:605), and members "
            "ask why they should stay committed (003:672). A partnership carries on only if enough "
            "members are committed enough to work without money (002:1009, 000:143)."
        ),
        notice=(
            "The 'Active partnerships' plot slips while the grants pay, as a few partnerships never get "
            "established (001:249), then drops faster in the months after month 36, as partnerships without "
            "a coordinator stop meeting, and keeps falling.",
            "The event log names the partnerships whose grant ended and who left them.",
            "Output drops with the grants, mostly because partnerships end; those that survive also "
            "produce a little less.",
        ),
        try_=(
            "Move 'Chance that a grant is renewed at its end' up, reset and run again.",
            "Tick 'The coordinator post outlives the grant': do more partnerships survive?",
            "Compare a 12-month grant with a 60-month one (002:701).",
        ),
        claims=(
            Claim(
                0,
                "drop_then_fall",
                {"series": "active_partnerships", "month": 36, "within": 4, "at_least": 1},
            ),
            Claim(
                0,
                "change",
                {"series": "active_partnerships", "months": (0, 36), "direction": "down", "at_least": 1},
            ),
            Claim(1, "events", {"kinds": ("grant_ended",), "at_least": 3, "months": (37, 40)}),
            Claim(1, "events", {"kinds": ("member_left", "paper"), "at_least": 1, "months": (37, 48)}),
            Claim(
                2, "window_ratio", {"series": "output", "early": (25, 36), "late": (38, 48), "at_most": 0.5}
            ),
            Claim(
                2,
                "per_partnership_ratio",
                {"series": "output", "early": (25, 36), "late": (38, 48), "at_most": 0.95},
            ),
        ),
    ),
    Lesson(
        key="coordinator_leaves",
        title="The coordinator leaves",
        preset={"coordinator": True, "coordinator_mainstreamed": False, "staff_turnover": 0.3},
        what_is_it=(
            "Each partnership has a funded coordinator who chases attendance, mediates and "
            "onboards new staff. Coordinators leave too, and the post goes with the grant."
        ),
        how_it_works=(
            "A coordinator makes meetings regular and brings momentum and accountability "
            "(002:364); about half the role is keeping relationships up (003:536). Without one, "
            "groups meet irregularly and fade (003:1448). While the post is empty, meetings are "
            "less regular and a lost bit of trust is not repaired."
        ),
        notice=(
            "In the view, a partnership's label shows C while its coordinator is in post.",
            "Watch a partnership in the event log after 'the coordinator ... left'.",
            "Trust within partnerships grows more slowly when coordinators keep leaving.",
        ),
        try_=(
            "Untick 'Partnerships have a funded coordinator post', reset and run: compare the plots.",
            "Tick 'The coordinator post outlives the grant' and watch the months just after month 36, when the grants end.",
        ),
        claims=(
            Claim(0, "label_shows_coordinator"),
            Claim(1, "events", {"kinds": ("coordinator_left",), "at_least": 3}),
            Claim(
                2,
                "lower_than_variant",
                {
                    "series": "trust_within",
                    "months": (1, 36),
                    "variant": {"staff_turnover": 0.05},
                    "by": 0.02,
                },
            ),
        ),
    ),
    Lesson(
        key="strategic_communicative",
        title="Strategic versus communicative",
        preset={"orientation": 0.0},
        what_is_it=(
            "Partnerships can be run top-down, to targets set by the biggest funder (strategic), "
            "or co-designed by their members (communicative). This lesson starts fully strategic."
        ),
        how_it_works=(
            "Strategic partnerships are instrumental, criteria-driven and short-lived (000:106); "
            "communicative ones are bottom-up and co-evolve as they mature (000:108). Strategic "
            "working gets results early, communicative working is likelier to last (000:143). "
            "Under strategic rules voice follows money and power, so power gaps weigh on the small "
            "partners (003:343, 000:169)."
        ),
        notice=(
            "Output is high in the first months under strategic rules, then fades.",
            "The VCSE share of active membership falls by about half in the first year, as small partners go on paper or leave.",
            "Trust across sectors stays lower than trust within sectors.",
        ),
        try_=(
            "Move the strategic .. communicative slider to 1, reset and run: which partnerships outlive their grant?",
            "Try the middle (0.5): a strategic structure can still work in a communicative way (000:124-137).",
        ),
        claims=(
            Claim(
                0, "window_ratio", {"series": "output", "early": (1, 6), "late": (25, 36), "at_most": 0.75}
            ),
            Claim(
                1,
                "change",
                {"series": "vcse_share", "months": (0, 12), "direction": "down", "at_least": 0.05},
            ),
            Claim(1, "events", {"kinds": ("paper", "member_left"), "at_least": 5, "months": (1, 36)}),
            Claim(2, "below", {"lower": "trust_across", "upper": "trust_within", "share_of_months": 0.8}),
        ),
    ),
    Lesson(
        key="open_doors",
        title="Open doors: open versus closed membership",
        preset={"membership": "open", "prior_tie_density": 0.2, "recruitment_rate": 0.5},
        what_is_it=(
            "In an open partnership, willing organisations join through the ties of existing "
            "members; a closed one is fixed when it forms."
        ),
        how_it_works=(
            "Open partnerships hear more of the community but decide more slowly; closed ones have "
            "clear roles and little drift (002:372-378, 002:411). Membership that grows through "
            "friendship networks brings in the people members already know (003:1258), and every "
            "extra member makes agreement harder and commitment weaker (001:357, 002:413)."
        ),
        notice=(
            "Partnership groups in the view grow as organisations join (see the event log).",
            "The VCSE share of active membership rises in the first year, as small groups join.",
            "Do the biggest partnerships last longest, or do they struggle to agree?",
        ),
        try_=(
            "Switch membership to closed, reset and compare the plots.",
            "Raise 'Share of pairs in a local system that already know each other': who joins now?",
        ),
        claims=(
            Claim(0, "events", {"kinds": ("joined",), "at_least": 5, "months": (1, 36)}),
            Claim(
                1, "change", {"series": "vcse_share", "months": (0, 12), "direction": "up", "at_least": 0.08}
            ),
        ),
    ),
    Lesson(
        key="staff_churn",
        title="Staff churn",
        preset={"staff_turnover": 0.6, "formal_agreement": False},
        what_is_it=(
            "Six in ten representatives leave their post each year. Each one takes personal "
            "relationships with them."
        ),
        how_it_works=(
            "Partnerships end when the relevant staff leave (004:468); a departure loses knowledge, "
            "credibility and relationships (004:474), and each newcomer starts again (004:470). "
            "Trust has a personal layer, lost with the person, and an institutional layer that "
            "stays; a written agreement on roles keeps more of it through a handover (004:416)."
        ),
        notice=(
            "Lines in the view thin out suddenly when a representative leaves.",
            "Mean trust never climbs far before the next departure knocks it back.",
            "Count the departures in the event log: do staff leave more often in the months just "
            "before the grants end (004:474)?",
        ),
        try_=(
            "Tick 'Roles agreed in writing', reset and run: does trust hold up better?",
            "Move the turnover slider down to 0.05 and compare.",
        ),
        claims=(
            Claim(0, "events", {"kinds": ("rep_left",), "at_least": 24, "months": (1, 36)}),
            Claim(
                1,
                "lower_than_variant",
                {
                    "series": "trust_within",
                    "months": (1, 36),
                    "variant": {"staff_turnover": 0.05},
                    "by": 0.05,
                },
            ),
        ),
    ),
    Lesson(
        key="hard_times",
        title="Hard times: budget shocks",
        preset={"austerity_rate": 0.6},
        what_is_it="Statutory budgets are cut often. Who feels it first?",
        how_it_works=(
            "A statutory budget crisis cuts the money that flows on to VCSE partners and raises "
            "competition for what is left (002:354); small groups have no reserves and are "
            "hit hardest (001:350, 003:254). Scarcity makes partners hold on to ideas and clients "
            "(004:388)."
        ),
        notice=(
            "The event log reports each budget shock; what follows in the next months?",
            "What happens to the VCSE share of active membership in the year after a shock?",
        ),
        try_=(
            "Set 'Who holds the grant' to vcse or neutral: does it soften the shocks (002:705-707)?",
            "Set the shock rate to 0 and compare.",
        ),
        claims=(Claim(0, "events", {"kinds": ("text:budget shock",), "at_least": 3}),),
    ),
)

#: The lessons, by key, in the order the app lists them.
LESSONS: dict[str, Lesson] = {lesson.key: lesson for lesson in _LESSONS}

#: The lesson the app opens with.
DEFAULT_LESSON = "explore"
