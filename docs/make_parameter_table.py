"""Print the parameter table of docs/ODD.md (section 8) from the schema.

Run from the repository root::

    .venv/bin/python docs/make_parameter_table.py              # the Markdown table
    .venv/bin/python docs/make_parameter_table.py --unreported # parameters no report gives

The table is generated, never typed by hand: every row comes from
``partnersim.schema.PARAMETERS`` (name, default, range, unit, evidence,
reason), so it can be regenerated whenever a default changes.
"""

from __future__ import annotations

import sys

from partnersim.schema import PARAMETERS, Parameter

#: phrases by which a schema ``reason`` says that no report gives the number
NOT_REPORTED = ("no report gives", "no figure given")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip() or "—"


def _default(p: Parameter) -> str:
    if p.kind is bool:
        return "`true`" if p.default else "`false`"
    if p.kind is str:
        return f'`"{p.default}"`'
    if p.default is None:
        return "none"
    return f"`{p.default:g}`" if p.kind is float else f"`{p.default}`"


def _range(p: Parameter) -> str:
    if p.kind is bool:
        return "true, false"
    if p.kind is str:
        return ", ".join(f'"{c}"' for c in p.choices)
    low = "−∞" if p.low is None else f"{p.low:g}"
    high = "∞" if p.high is None else f"{p.high:g}"
    kind = "integer" if p.kind is int else "real"
    return f"{low} – {high} ({kind})"


def table() -> str:
    """The Markdown table, one row per parameter in schema order."""
    lines = [
        "| name | group | default | range | unit | evidence | meaning; reason for the default |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        meaning = p.help + (f". *{p.reason}*" if p.reason else "")
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{p.name}`",
                    p.group,
                    _default(p),
                    _cell(_range(p)),
                    _cell(p.unit),
                    _cell(", ".join(p.evidence)),
                    _cell(meaning),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def unreported() -> str:
    """Bullet list of the parameters whose reason says that no report gives the number."""
    names = [p for p in PARAMETERS.values() if any(m in p.reason.lower() for m in NOT_REPORTED)]
    return "\n".join(f"- `{p.name}` = {_default(p)} ({p.unit or p.kind.__name__})" for p in names)


def main(argv: list[str]) -> None:
    print(unreported() if "--unreported" in argv else table())


if __name__ == "__main__":
    main(sys.argv[1:])
