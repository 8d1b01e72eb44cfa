"""partnersim: agent-based simulation of partnerships in children's, family and community services.

The public API:

- :class:`PartnershipModel`, a Mesa model of organisations and partnerships;
- :func:`simulate`, a plain function from parameters to summary outcomes;
- :data:`PARAMETERS`, the one parameter schema, and :class:`ParameterError`.
"""

from partnersim.agents import (
    LargeCharity,
    Organisation,
    Partnership,
    SmallVCSE,
    StatutoryBody,
)
from partnersim.model import MODEL_REPORTERS, SUMMARY_NAMES, PartnershipModel, simulate
from partnersim.schema import PARAMETERS, Parameter, ParameterError

__version__ = "0.1.0"

__all__ = [
    "MODEL_REPORTERS",
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
