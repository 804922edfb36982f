"""The workforce report (``notebooks/04_workforce.py``): :func:`build` and its result.

Compute modules: ``calibrate`` (rates, time to fill, tenure, base stock, the
eight-year check), ``history`` (processed tables -> calibrated model input),
``simulate`` (scenario file and the monthly Monte Carlo), ``model_checks``
(parameter recovery, back-test), ``funding`` (structural vs incidental money).
``build`` holds the report's steps and policy; ``tables`` (Dutch reader
tables and sentences) and ``plots`` (figures) present the result.
"""

from zwt_analysis.reports.workforce.build import WorkforceResult, build

__all__ = ["WorkforceResult", "build"]
