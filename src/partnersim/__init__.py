"""partnersim: agent-based simulation of partnerships in children's, family and community services.

The public API:

- :class:`PartnershipModel`, a Mesa model of organisations and partnerships;
- :func:`simulate`, a plain function from parameters to summary outcomes;
- :data:`PARAMETERS`, the one parameter schema, and :class:`ParameterError`.
"""

import importlib
from typing import Any

__version__ = "0.1.0"

# imported on first use, so the command line starts fast (the model loads Mesa, pandas and scipy)
_WHERE = {
    "LargeCharity": "agents",
    "Organisation": "agents",
    "Partnership": "agents",
    "SmallVCSE": "agents",
    "StatutoryBody": "agents",
    "END_REPORTERS": "model",
    "MODEL_REPORTERS": "model",
    "PartnershipModel": "model",
    "simulate": "model",
    "OUTCOMES": "outcomes",
    "SUMMARY_NAMES": "outcomes",
    "PARAMETERS": "schema",
    "Parameter": "schema",
    "ParameterError": "schema",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'partnersim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"partnersim.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "END_REPORTERS",
    "MODEL_REPORTERS",
    "OUTCOMES",
    "PARAMETERS",
    "SUMMARY_NAMES",
    "LargeCharity",
    "Organisation",
    "Parameter",
    "ParameterError",
    "Partnership",
    "PartnershipModel",
    "SmallVCSE",
    "StatutoryBody",
    "__version__",
    "simulate",
]
