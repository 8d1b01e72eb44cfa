"""partnersim: agent-based simulation of partnerships in children's, family and community services.

The public API:

- :class:`PartnershipModel`, a Mesa model of organisations and partnerships;
- :func:`simulate`, a plain function from parameters to summary outcomes;
- :data:`PARAMETERS`, the one parameter schema, and :class:`ParameterError`.
"""

from partnersim._lazy import lazy_attributes

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


__getattr__, __dir__ = lazy_attributes("partnersim", _WHERE, globals())


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
