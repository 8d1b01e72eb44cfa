"""Calibration against the field reports: ABC-SMC with pyabc, and conclusions across the posterior.

- :mod:`~partnersim.calibration.study`: the calibration file (targets, scenarios, priors), checked.
- :mod:`~partnersim.calibration.statistics`: the summary statistics the model computes.
- :mod:`~partnersim.calibration.distance`: binomial deviance per count, a band per range.
- :mod:`~partnersim.calibration.driver`: pyabc's ABCSMC with a resumable SQLite history.
- :mod:`~partnersim.calibration.outputs` and :mod:`~partnersim.calibration.report`: tables, figures, report.md.
- :mod:`~partnersim.calibration.posterior`: the weighted posterior and draws from it for other studies.
"""

from partnersim.calibration.posterior import Posterior, replicate_parameters
from partnersim.calibration.study import CalibrationStudy, load_calibration

__all__ = ["CalibrationStudy", "Posterior", "load_calibration", "replicate_parameters"]
