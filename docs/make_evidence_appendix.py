"""Render the evidence register into docs/ODD.md as the appendix "Evidence register".

Run from the repository root::

    .venv/bin/python docs/make_evidence_appendix.py           # print the appendix
    .venv/bin/python docs/make_evidence_appendix.py --write   # replace it in docs/ODD.md

Every row comes from ``src/partnersim/evidence.toml`` (ref, quote, claim),
grouped by mechanism in the order of its ``[mechanisms]`` table. The column
"where used" is found, not typed: the schema parameters whose evidence,
reason or help cites the ref, the functions and classes of ``src/`` whose
code or docstring cites it, the config files, and the ODD sections. The
appendix sits between two HTML comments, so ``--write`` replaces it whole;
``tests/test_evidence.py`` fails when it is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from partnersim import evidence as ev
from partnersim.schema import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
TITLE = "## Appendix: Evidence register"
DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)")
HEADING = re.compile(r"^#{2,4}\s+((?:\d+\.)*\d+)\b")


def _python_places(path: Path, module: str) -> dict[str, set[str]]:
    """ref -> {``module.Class.function``} for each citation in a source file (module level: ``module``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    places: dict[str, set[str]] = {}
    for ref, line in ev.citations_in("\n".join(lines)):
        places.setdefault(ref, set()).add(f"`{'.'.join([module, *_enclosing(lines, line - 1)])}`")
    return places


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _enclosing(lines: list[str], index: int) -> list[str]:
    """Names of the classes and functions around ``lines[index]``, outermost first."""
    chain: list[str] = []
    threshold = _indent(lines[index])
    for line in reversed(lines[:index]):
        if threshold == 0:
            break
        if not line.strip() or _indent(line) >= threshold:
            continue
        threshold = _indent(line)
        if m := DEF.match(line):
            chain.append(m.group(1))
        elif threshold == 0:
            break  # a module-level statement (a list, a dict): no function around it
    return chain[::-1]


def _odd_places(text: str) -> dict[str, set[str]]:
    """ref -> {ODD section numbers} for each citation outside the appendix."""
    places: dict[str, set[str]] = {}
    section = "intro"
    cites = ev.citations_in(text)
    by_line: dict[int, list[str]] = {}
    for ref, line in cites:
        by_line.setdefault(line, []).append(ref)
    for number, line in enumerate(text.splitlines(), start=1):
        if m := HEADING.match(line):
            section = m.group(1)
        if section == "8.1":
            continue  # the parameter table, generated from the schema: listed by parameter name
        for ref in by_line.get(number, []):
            places.setdefault(ref, set()).add(f"ODD {section}")
    return places


def where_used() -> dict[str, list[str]]:
    """ref -> sorted places that cite it: parameters, then code, configs and ODD sections."""
    places: dict[str, set[str]] = {}

    def add(found: dict[str, set[str]]) -> None:
        for ref, names in found.items():
            places.setdefault(ref, set()).update(names)

    for p in PARAMETERS.values():
        text = " ".join([*p.evidence, p.reason, p.help])
        add({ref: {f"`{p.name}`"} for ref, _ in ev.citations_in(text)})
    src = ROOT / "src" / "partnersim"
    for path in sorted(src.rglob("*.py")):
        if path.name in ("schema.py", "evidence.py"):
            continue  # schema: by parameter above; evidence.py cites only examples
        module = ".".join(path.relative_to(src).with_suffix("").parts)
        add(_python_places(path, module))
    for path in sorted((ROOT / "configs").glob("*.toml")):
        add({ref: {f"configs/{path.name}"} for ref, _ in ev.citations_in(path.read_text(encoding="utf-8"))})
    add(_odd_places(ev.strip_appendix(ODD.read_text(encoding="utf-8"))))
    order = {"`": 0, "c": 1, "O": 2}
    return {ref: sorted(names, key=lambda n: (order.get(n[0], 3), n)) for ref, names in places.items()}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def _ref_key(ref: str) -> tuple[int, int]:
    seed, lines = ref.split(":")
    return int(seed), int(lines.split("-")[0])


def appendix() -> str:
    """The appendix, markers included."""
    used = where_used()
    out = [
        ev.APPENDIX_START,
        "",
        TITLE,
        "",
        "Every `SEED:LINE` cited in this document, the code and the configs, with a verbatim quote "
        f"(at most {ev.MAX_QUOTE_WORDS} words; … joins pieces of the cited lines) and the claim it "
        "supports. Generated from `src/partnersim/evidence.toml` by `docs/make_evidence_appendix.py`; "
        "`tests/test_evidence.py` checks each quote against the reports. An entry cited nowhere yet "
        "says so under *where used*.",
    ]
    groups = {key: [e for e in ev.REGISTER.values() if e.mechanism == key] for key in ev.MECHANISMS}
    groups[""] = [e for e in ev.REGISTER.values() if not e.mechanism]
    for key, entries in groups.items():
        if not entries:
            continue
        title = ev.MECHANISMS.get(key, "Other")
        out += ["", f"### {key + ' ' if key else ''}{title}", ""]
        out += ["| ref | quote | claim | where used |", "|---|---|---|---|"]
        for e in sorted(entries, key=lambda e: _ref_key(e.ref)):
            where = ", ".join(used.get(e.ref, [])) or "not cited yet"
            out.append(f"| {e.ref} | “{_cell(e.quote)}” | {_cell(e.claim)} | {where} |")
    out += ["", ev.APPENDIX_END]
    return "\n".join(out)


def updated_odd(text: str) -> str:
    """``text`` of the ODD with the appendix replaced, or appended at the end."""
    body = ev.strip_appendix(text).rstrip("\n")
    start = text.find(ev.APPENDIX_START)
    if start < 0:
        return f"{body}\n\n{appendix()}\n"
    end = text.find(ev.APPENDIX_END) + len(ev.APPENDIX_END)
    return text[:start] + appendix() + text[end:]


def main(argv: list[str]) -> None:
    if "--write" in argv:
        ODD.write_text(updated_odd(ODD.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote the evidence register ({len(ev.REGISTER)} entries) into {ODD.relative_to(ROOT)}")
    else:
        print(appendix())


if __name__ == "__main__":
    main(sys.argv[1:])
