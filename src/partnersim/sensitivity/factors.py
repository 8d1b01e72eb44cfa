"""Sensitivity factors: from the parameter schema to a SALib ``problem``.

One :class:`Factor` per varied input. Its range comes from the schema
(:data:`partnersim.schema.PARAMETERS`) and a study may narrow it; nothing
here retypes a range. SALib samples every factor on a continuous interval;
:meth:`Factor.decode` turns a sampled number into the value the model gets.

The mapping for factors that are not real numbers (documented in the README,
"Sensitivity analysis"):

- ``float``: uniform on ``[low, high]``, passed as is.
- ``int``: uniform on ``[low, high + 1)`` and floored, so every whole value
  from ``low`` to ``high`` is equally likely.
- ``bool``: uniform on ``[0, 2)`` and floored: below 1 is ``False``, from 1
  ``True`` (each half the time); a bool is a categorical factor with the
  choices ``(False, True)``.
- ``str`` (categorical): uniform on ``[0, k)`` for ``k`` choices and floored
  to an index into the choices (each equally likely).

Sobol indices of a discrete factor are then the indices of that step
function of a uniform input, which is exactly "how much of the variance is
due to this switch". For Morris, the grid levels go through the same rule
(with 4 levels, a bool changes value across every step of the design).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from partnersim.schema import PARAMETERS, ParameterError, parameter

__all__ = ["Factor", "Problem", "factor_from_schema", "problem_from_schema"]

_KINDS = ("float", "int", "bool", "choice")


@dataclass(frozen=True)
class Factor:
    """One varied input of a sensitivity study.

    Attributes:
        name: the parameter (or test-function argument) name.
        kind: ``float``, ``int``, ``bool`` or ``choice``.
        low, high: the natural range for ``float`` and ``int`` (inclusive).
        choices: the values of a ``choice`` factor (``(False, True)`` for bool).
        unit: unit of measure, for tables and figure labels.
    """

    name: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple[Any, ...] = ()
    unit: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"factor '{self.name}': kind {self.kind!r} is not one of {_KINDS}")
        if self.kind in ("float", "int"):
            if not (math.isfinite(self.low) and math.isfinite(self.high)):
                raise ParameterError(
                    f"factor '{self.name}': the range must be finite; give low and high in the study",
                    self.name,
                )
            if not self.low < self.high:
                raise ParameterError(
                    f"factor '{self.name}': low ({self.low:g}) must be below high ({self.high:g}) "
                    "for a factor to vary",
                    self.name,
                )
        elif len(self.choices) < 2:
            raise ParameterError(f"factor '{self.name}': needs at least two choices to vary", self.name)

    @classmethod
    def real(cls, name: str, low: float, high: float, unit: str = "") -> Factor:
        """A real-valued factor, uniform on ``[low, high]``."""
        return cls(name, "float", float(low), float(high), unit=unit)

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval SALib samples on (see the module docstring)."""
        if self.kind == "float":
            return (self.low, self.high)
        if self.kind == "int":
            return (self.low, self.high + 1.0)
        return (0.0, float(len(self.choices)))

    @property
    def label(self) -> str:
        """Name plus range, for tables and figures."""
        if self.kind == "float":
            rng = f"{self.low:g}–{self.high:g}"
        elif self.kind == "int":
            rng = f"{int(self.low)}–{int(self.high)}"
        else:
            rng = "/".join(_show(c) for c in self.choices)
        return f"{self.name} ({rng}{' ' + self.unit if self.unit and self.kind != 'choice' else ''})"

    def decode(self, x: np.ndarray) -> list[Any]:
        """Map sampled numbers (one column of a SALib sample) to model values."""
        x = np.asarray(x, dtype=float)
        if self.kind == "float":
            return [float(v) for v in x]
        if self.kind == "int":
            # floor on [low, high+1): each whole value equally likely; the
            # closed upper end (Morris' top level) folds onto ``high``
            v = np.clip(np.floor(x), self.low, self.high)
            return [int(i) for i in v]
        idx = np.clip(np.floor(x), 0, len(self.choices) - 1).astype(int)
        return [self.choices[i] for i in idx]

    def describe(self) -> str:
        """The mapping in words, for the report."""
        if self.kind == "float":
            return f"uniform on [{self.low:g}, {self.high:g}]"
        if self.kind == "int":
            return f"whole values {int(self.low)}..{int(self.high)}, each equally likely (floor of uniform)"
        if all(isinstance(c, bool) for c in self.choices):
            return "false / true, each half the time (uniform u on [0, 2): u < 1 is false)"
        return "one of " + ", ".join(_show(c) for c in self.choices) + ", each equally likely"


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def factor_from_schema(name: str, spec: Any = None) -> Factor:
    """The factor for schema parameter ``name``; ``spec`` says which values it takes.

    The same forms as a sweep study's ``[factors]``, read for sampling:

    - ``None`` or ``{}``: the schema's whole range (numbers) or every
      allowed value (bool: false/true; str: every choice);
    - ``{low = .., high = ..}`` (numbers only, either key may be left out):
      a narrower range, which must lie inside the schema's;
    - a list of values: a categorical factor, each value equally likely
      (for bool and str a subset of the allowed values; for numbers any
      legal values, for example three funding lengths).

    Anything else raises a :class:`ParameterError` naming the factor.
    """
    p = parameter(name)
    if isinstance(spec, (list, tuple)):
        values = []
        for v in spec:
            v = p.check(v)
            if v not in values:  # a repeat would weigh a value twice
                values.append(v)
        if p.kind is bool:
            values.sort()  # false before true, whatever the file says
        return Factor(name, "choice", choices=tuple(values), unit=p.unit)
    if spec is not None and not isinstance(spec, Mapping):
        raise ParameterError(
            f"factor '{name}' = {spec!r} is not allowed: expected {{}} (the whole range), "
            "{ low = .., high = .. } or a list of values",
            name,
            spec,
        )
    spec = dict(spec or {})
    if p.kind is bool or p.kind is str:
        if spec:
            raise ParameterError(
                f"factor '{name}' = {spec!r} is not allowed: '{name}' is {p.allowed}, so give {{}} "
                "or a list of values, not a range",
                name,
                spec,
            )
        allowed: tuple[Any, ...] = (False, True) if p.kind is bool else tuple(p.choices)
        return Factor(name, "choice", choices=allowed, unit=p.unit)
    extra = set(spec) - {"low", "high"}
    if extra:
        raise ParameterError(
            f"factor '{name}': unknown range key(s) {', '.join(sorted(extra))}: use low and high", name
        )
    # a narrowed end must itself be a legal value of the parameter
    low = p.check(spec["low"]) if "low" in spec else p.low
    high = p.check(spec["high"]) if "high" in spec else p.high
    if low is None or high is None:
        raise ParameterError(
            f"factor '{name}': the schema gives no {'lower' if low is None else 'upper'} bound; "
            "give low and high in the study",
            name,
        )
    return Factor(name, "int" if p.kind is int else "float", float(low), float(high), unit=p.unit)


@dataclass(frozen=True)
class Problem:
    """The factors of a study and the SALib ``problem`` dict built from them."""

    factors: tuple[Factor, ...]

    def __post_init__(self) -> None:
        names = [f.name for f in self.factors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ParameterError(f"factor(s) listed twice: {', '.join(dup)}", dup[0])
        if len(self.factors) < 2:
            raise ParameterError("a sensitivity study needs at least two factors")

    @property
    def names(self) -> list[str]:
        """Factor names in order."""
        return [f.name for f in self.factors]

    @property
    def salib(self) -> dict[str, Any]:
        """The SALib problem: ``num_vars``, ``names`` and ``bounds``."""
        return {
            "num_vars": len(self.factors),
            "names": self.names,
            "bounds": [list(f.bounds) for f in self.factors],
        }

    def decode(self, X: np.ndarray) -> list[dict[str, Any]]:
        """One dict of factor values per row of a SALib sample."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if X.shape[1] != len(self.factors):
            raise ValueError(f"sample has {X.shape[1]} columns for {len(self.factors)} factors")
        cols = [f.decode(X[:, j]) for j, f in enumerate(self.factors)]
        return [dict(zip(self.names, row, strict=True)) for row in zip(*cols, strict=True)]

    def table(self) -> list[dict[str, str]]:
        """The factors and their mapping, for the report."""
        return [{"factor": f.name, "kind": f.kind, "distribution": f.describe()} for f in self.factors]


def problem_from_schema(factors: Iterable[str] | Mapping[str, Any]) -> Problem:
    """A :class:`Problem` of schema parameters.

    ``factors`` is a list of names (whole schema ranges) or a mapping of
    name to a spec (see :func:`factor_from_schema`; ``{}`` is the whole
    range).
    """
    if isinstance(factors, Mapping):
        items: Sequence[tuple[str, Any]] = list(factors.items())
    else:
        items = [(n, None) for n in factors]
    for n, _ in items:
        if n not in PARAMETERS:
            parameter(n)  # raises with a suggestion
    return Problem(tuple(factor_from_schema(n, v) for n, v in items))
