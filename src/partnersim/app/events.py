"""The event log in plain words: one sentence a month, grouped by partnership.

The model records single events (``model.events``, ``(month, "Month N: ...")``).
A class reads them better gathered up: all that happened to one partnership
in one month becomes one sentence, for example

    Month 37: the grant of Partnership 4 ended and its coordinator post went;
    Riverside Youth Project left; Partnership 4 dissolved because too few
    members would carry it on without funding.

A dissolution always names its partnership, never "it", which could be read
as the organisation named just before.

Events this module does not recognise are kept word for word, so new model
events still reach the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CAUSE_WORDS", "Event", "month_sentences", "parse_event"]

#: Dissolution causes (``Partnership.dissolution_cause``) in words for a class.
CAUSE_WORDS = {
    "too_few_members": "fewer than two members still took part",
    "lost_statutory": "no statutory member took part any more",
    "commitment_collapse": "its members' commitment collapsed",
    "stopped_meeting": "it had not held a proper meeting for months",
    "funding_gap": "too few members would carry it through a gap between grants",
    "funding_ended": "too few members would carry it on without funding",
}

_PART = r"Partnership (?P<n>\d+)"
# (kind, pattern); first match wins. The groups feed the wording below.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"^{pattern}$"))
    for kind, pattern in (
        ("grant_ended", rf"the grant of {_PART} ended(?P<coord> and its coordinator post went)?"),
        ("grant_renewed", rf"the grant of {_PART} was renewed"),
        ("taken_on", rf"{_PART} was taken on after its development phase"),
        ("grant_gap", rf"the grant of {_PART} ran out; renewal comes in (?P<k>\d+) months"),
        ("coordinator_left", rf"the coordinator of {_PART} left"),
        ("rep_left", rf"the representative of (?P<org>.+) in {_PART} left"),
        ("paper", rf"(?P<org>.+) became a partner on paper in {_PART}"),
        ("active_again", rf"(?P<org>.+) became an active partner again in {_PART}"),
        ("member_left", rf"(?P<org>.+) left {_PART}"),
        ("joined", rf"(?P<org>.+) joined {_PART}"),
        ("formed", rf"{_PART} formed \((?P<route>[^)]*)\)"),
        ("dissolved", rf"{_PART} dissolved \((?P<cause>[^)]*)\)"),
    )
)


@dataclass(frozen=True)
class Event:
    """One model event, parsed.

    Attributes:
        month: the month it happened.
        kind: one of the kinds above, or ``"other"``.
        partnership: the partnership's number, if the event concerns one.
        org: the organisation's name, if the event names one.
        detail: the rest (coordinator post lost, cause, route, gap), or the raw text.
    """

    month: int
    kind: str
    partnership: int | None = None
    org: str | None = None
    detail: str = ""


def parse_event(month: int, text: str) -> Event:
    """Parse one model event (with or without its ``Month N:`` prefix)."""
    body = re.sub(r"^Month \d+:\s*", "", text.strip())
    for kind, pattern in _PATTERNS:
        m = pattern.match(body)
        if m:
            groups = m.groupdict()
            detail = (
                groups.get("coord") or groups.get("cause") or groups.get("route") or groups.get("k") or ""
            )
            return Event(month, kind, int(groups["n"]), groups.get("org"), detail.strip())
    return Event(month, "other", detail=body)


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _cause(raw: str) -> str:
    key = raw.replace(" ", "_")
    return CAUSE_WORDS.get(key, raw.replace("_", " "))


def _clause(e: Event, first: bool) -> str:
    """One clause (organisation events are grouped elsewhere); the first names the partnership."""
    n = e.partnership
    its = f"the grant of Partnership {n}" if first else "its grant"
    if e.kind == "grant_ended":
        return f"{its} ended" + (" and its coordinator post went" if e.detail else "")
    if e.kind == "grant_renewed":
        return f"{its} was renewed"
    if e.kind == "taken_on":
        subject = f"Partnership {n}" if first else "it"
        return f"{subject} was taken on after its development phase"
    if e.kind == "grant_gap":
        return f"{its} ran out, with a renewal due in {e.detail} months"
    if e.kind == "coordinator_left":
        return f"the coordinator of Partnership {n} left" if first else "its coordinator left"
    if e.kind == "formed":
        how = {"ties": "out of strong ties", "funder call": "in answer to a funder's call"}
        return f"Partnership {n} formed {how.get(e.detail, f'({e.detail})')}".rstrip()
    if e.kind == "dissolved":
        return f"Partnership {n} dissolved because {_cause(e.detail)}"
    return e.detail


#: Events about organisations that read better as one clause listing them all.
_GROUPED = {
    "rep_left": ("the {people} of {names} in Partnership {n} left", "the {people} of {names} left"),
    "paper": ("{names} became {partners} on paper in Partnership {n}", "{names} went on paper"),
    "active_again": (
        "{names} became {active} again in Partnership {n}",
        "{names} became {active} again",
    ),
    "member_left": ("{names} left Partnership {n}", "{names} left"),
    "joined": ("{names} joined Partnership {n}", "{names} joined"),
}


def _group_clause(kind: str, n: int | None, names: list[str], first: bool) -> str:
    full, short = _GROUPED[kind]
    many = len(names) > 1
    return (full if first else short).format(
        n=n,
        names=_names(names),
        people="representatives" if many else "representative",
        partners="partners" if many else "a partner",
        active="active partners" if many else "an active partner",
    )


def _partnership_sentence(events: list[Event]) -> str:
    """All of one partnership's events in one month, in the order they first happened.

    Organisations that did the same thing are listed in one clause; the first
    clause names the partnership, the rest say "it".
    """
    orgs: dict[str, list[str]] = {}
    for e in events:
        if e.kind in _GROUPED and e.org:
            orgs.setdefault(e.kind, []).append(e.org)
    clauses: list[str] = []
    done: set[str] = set()
    for e in events:
        first = not clauses
        if e.kind in orgs:
            if e.kind not in done:
                done.add(e.kind)
                clauses.append(_group_clause(e.kind, e.partnership, orgs[e.kind], first))
        else:
            clauses.append(_clause(e, first))
    return "; ".join(clauses)


_COUNTABLE = {"event", "shock"}


def _counted(text: str, k: int) -> str:
    """'a networking event brought ...' twice reads '2 networking events brought ...'."""
    if k == 1:
        return text
    words = text.split(" ")
    if words[0] == "a":
        for i, word in enumerate(words[1:4], start=1):
            if word in _COUNTABLE:
                return " ".join([str(k), *words[1:i], word + "s", *words[i + 1 :]])
    return f"{text} ({k} times)"


def _system_sentences(events: list[Event]) -> list[str]:
    """Events that concern the whole system, each said once with how often it happened."""
    counts: dict[str, int] = {}
    for e in events:
        counts[e.detail] = counts.get(e.detail, 0) + 1
    return [_counted(text, k) for text, k in counts.items()]


def month_sentences(events: Iterable[tuple[int, str]], newest_first: bool = True) -> list[str]:
    """The event log as one line a month: ``"Month 37: ...; .... ..."``.

    Within a month, events about the whole system come first, then one
    sentence for each partnership in the order they appear.
    """
    months: dict[int, list[Event]] = {}
    for month, text in events:
        months.setdefault(month, []).append(parse_event(month, text))
    lines = []
    for month in sorted(months):
        parsed = months[month]
        system = [e for e in parsed if e.partnership is None]
        by_part: dict[int, list[Event]] = {}
        for e in parsed:
            if e.partnership is not None:
                by_part.setdefault(e.partnership, []).append(e)
        sentences = _system_sentences(system) + [_partnership_sentence(v) for v in by_part.values()]
        body = ". ".join(_capitalise(s) if i else s for i, s in enumerate(sentences))
        lines.append(f"Month {month}: {body}.")
    return lines[::-1] if newest_first else lines


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
