"""Every evidence citation (SEED:LINE) in the code and the ODD points at a real line of a field report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CITATION = re.compile(r"\b(00[0-4]):(\d{1,4})(?:-(\d{1,4}))?\b")


def _seed_lines() -> dict[str, list[str]]:
    files = {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("00[0-4]_*.txt")}
    if len(files) != 5:
        pytest.skip(f"field reports not found in {SEEDS}")
    return files


def _citations() -> list[tuple[str, str, int, int]]:
    found = []
    paths = [*sorted((ROOT / "src").rglob("*.py")), ROOT / "docs" / "ODD.md"]
    for path in paths:
        if not path.exists():
            continue
        for m in CITATION.finditer(path.read_text(encoding="utf-8")):
            first = int(m.group(2))
            last = int(m.group(3) or first)
            found.append((str(path.relative_to(ROOT)), m.group(1), first, last))
    return found


def test_there_are_citations_in_code_and_docs():
    places = {path for path, *_ in _citations()}
    assert "src/partnersim/mechanisms.py" in places
    assert "src/partnersim/schema.py" in places


def test_every_citation_points_at_text():
    seeds = _seed_lines()
    bad = []
    for path, seed, first, last in _citations():
        lines = seeds[seed]
        if not (1 <= first <= last <= len(lines)):
            bad.append(f"{path}: {seed}:{first}-{last} is outside the report ({len(lines)} lines)")
        elif not any(line.strip() for line in lines[first - 1 : last]):
            bad.append(f"{path}: {seed}:{first}-{last} is a blank line")
    assert not bad, "\n".join(bad)
