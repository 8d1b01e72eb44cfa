"""The evidence register (src/partnersim/evidence.toml) holds up: every quote is at its cited lines,
is short, and every SEED:LINE cited in src/, configs/ and docs/ODD.md has an entry.

The reports are looked for in ``shared/seeds`` beside the clone (or beside a folder above it), or in
``$PARTNERSIM_SEEDS``; the quote check is skipped, saying so, when they are not found. An entry that
nothing cites is reported as a warning, not a failure: the register may hold checked entries for a
mechanism before the code that cites them lands.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from partnersim import evidence as ev

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"


def _cited_files() -> list[Path]:
    """The files whose citations must be in the register."""
    files = [*sorted((ROOT / "src").rglob("*.py")), *sorted((ROOT / "configs").rglob("*.toml")), ODD]
    return [f for f in files if f.exists()]


def _text(path: Path) -> str:
    """A file's text; for the ODD, without the generated register appendix (it cites every entry)."""
    text = path.read_text(encoding="utf-8")
    return ev.strip_appendix(text) if path == ODD else text


def _citations() -> list[tuple[str, str]]:
    """(ref, "file:line") for every citation in the cited files."""
    return [
        (ref, f"{path.relative_to(ROOT)}:{line}")
        for path in _cited_files()
        for ref, line in ev.citations_in(_text(path))
    ]


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[str]]:
    folder = ev.find_seeds(ROOT)
    if folder is None:
        pytest.skip(
            "field reports not found: put them in shared/seeds beside the clone, or set PARTNERSIM_SEEDS"
        )
    lines = ev.read_seeds(folder)
    assert sorted(lines) == ["000", "001", "002", "003", "004"], f"{folder} lacks a report: {sorted(lines)}"
    return lines


def test_the_register_is_not_empty_and_names_its_groups():
    assert len(ev.REGISTER) >= 40
    unknown = {e.ref: e.mechanism for e in ev.REGISTER.values() if e.mechanism not in ev.MECHANISMS}
    assert not unknown, f"entries filed under no [mechanisms] key in evidence.toml: {unknown}"


def test_every_quote_is_at_its_cited_lines(seeds):
    bad = [f"{e.ref}: {problem}" for e in ev.REGISTER.values() if (problem := ev.quote_problem(e, seeds))]
    if bad:
        pytest.fail(
            "quotes in src/partnersim/evidence.toml not found at their lines:\n" + "\n".join(bad),
            pytrace=False,
        )


def test_every_quote_has_at_most_25_words():
    long = [f"{e.ref}: {e.words} words" for e in ev.REGISTER.values() if e.words > ev.MAX_QUOTE_WORDS]
    assert not long, f"quotes longer than {ev.MAX_QUOTE_WORDS} words in evidence.toml:\n" + "\n".join(long)


def test_a_wrong_quote_is_caught(seeds):
    """The quote check can fail: a real quote at the wrong line, words out of order, a changed word."""
    right = ev.REGISTER["004:416"]
    assert ev.quote_problem(right, seeds) is None
    assert ev.quote_problem(ev.Evidence("004:418", right.quote, "x"), seeds) is not None
    pieces = right.quote.split("…")
    assert ev.quote_problem(ev.Evidence("004:416", f"{pieces[1]} … {pieces[0]}", "x"), seeds) is not None
    assert (
        ev.quote_problem(ev.Evidence("004:416", right.quote.replace("limit", "end"), "x"), seeds) is not None
    )
    assert ev.quote_problem(ev.Evidence("004:9999", "a", "x"), seeds) is not None


def test_citations_are_found_in_code_schema_configs_and_odd():
    places = {where.split(":")[0] for _, where in _citations()}
    for expected in ("src/partnersim/mechanisms.py", "src/partnersim/schema.py", "docs/ODD.md"):
        assert expected in places
    assert ev.citations_in("see 002:372-378 and 004:416; not 2004:41 or 1:002:3") == [
        ("002:372-378", 1),
        ("004:416", 1),
    ]
    assert ev.citations_in("x\n003:440–442") == [("003:440-442", 2)]


def test_every_cited_ref_has_a_register_entry():
    missing: dict[str, list[str]] = {}
    for ref, where in _citations():
        if ref not in ev.REGISTER:
            missing.setdefault(ref, []).append(where)
    lines = [f"{ref} cited at {', '.join(places)}" for ref, places in sorted(missing.items())]
    if missing:
        pytest.fail(
            f"{len(missing)} cited refs have no entry in src/partnersim/evidence.toml "
            "(add one with ref, a verbatim quote and the claim, or fix the citation):\n" + "\n".join(lines),
            pytrace=False,
        )


def test_unused_register_entries_are_reported():
    cited = {ref for ref, _ in _citations()}
    unused = [ref for ref in ev.REGISTER if ref not in cited]
    if unused:
        warnings.warn(
            f"{len(unused)} evidence.toml entries are cited nowhere in src/, configs/ or docs/ODD.md: "
            + ", ".join(unused),
            stacklevel=1,
        )


def test_the_odd_prints_the_register_and_it_is_up_to_date(load_script):
    text = ODD.read_text(encoding="utf-8")
    assert ev.APPENDIX_START in text and ev.APPENDIX_END in text, (
        "docs/ODD.md has no evidence register: run .venv/bin/python docs/make_evidence_appendix.py --write"
    )
    make = load_script("docs/make_evidence_appendix.py")
    if make.updated_odd(text) != text:
        pytest.fail(
            "the evidence register in docs/ODD.md is out of date with src/partnersim/evidence.toml or with "
            "where the refs are cited: run .venv/bin/python docs/make_evidence_appendix.py --write",
            pytrace=False,
        )
    for e in ev.REGISTER.values():
        assert f"| {e.ref} |" in text, f"{e.ref} is missing from the ODD appendix"


def test_the_appendix_groups_entries_and_shows_where_they_are_used(load_script):
    make = load_script("docs/make_evidence_appendix.py")
    text = make.appendix()
    assert text.index("### M1 ") < text.index("### M4 ") < text.index("### O ")
    row = next(line for line in text.splitlines() if line.startswith("| 004:416 |"))
    assert "limit the degree of disruption" in row and "`formal_agreement`" in row
