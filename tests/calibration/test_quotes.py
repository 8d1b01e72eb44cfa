"""Every target of the shipped calibration quotes the report line it cites, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from partnersim.calibration.study import load_calibration

ROOT = Path(__file__).resolve().parents[2]


def _seeds() -> dict[str, list[str]]:
    for base in (ROOT.parent, ROOT.parent.parent):
        files = {
            p.name[:3]: p.read_text(encoding="utf-8").splitlines()
            for p in (base / "shared" / "seeds").glob("00[0-4]_*.txt")
        }
        if len(files) == 5:
            return files
    pytest.skip("field reports not found")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def test_every_quote_is_at_its_cited_lines():
    seeds = _seeds()
    study = load_calibration(ROOT / "configs" / "calibration.toml")
    bad = []
    for t in study.targets:
        text = ""
        for ref in t.ref.split(","):
            seed, lines = ref.strip().split(":")
            first, _, last = lines.partition("-")
            text += " " + " ".join(seeds[seed][int(first) - 1 : int(last or first)])
        for part in _norm(t.quote).split(" ... "):
            if part not in _norm(text):
                bad.append(f"{t.name}: {part!r} not at {t.ref}")
    assert not bad, "\n".join(bad)
