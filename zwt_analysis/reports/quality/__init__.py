"""The data-quality report (``notebooks/01_data_quality.py``): :func:`build` and its result.

Modules: ``compute`` (pure summaries), ``build`` (the report's steps),
``tables`` (Dutch reader tables, labels, small-count hiding), ``plots`` (figures).
"""

from zwt_analysis.reports.quality.build import QualityResult, build

__all__ = ["QualityResult", "build"]
