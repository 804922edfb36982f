"""The data-quality report (``notebooks/01_data_quality.py``): :func:`build` and its result.

Modules: ``compute`` (pure summaries), ``delivery`` (the reading notes of contract
section 6 in ``validation.json``), ``published`` (the CSV side tables of the city and
every organisation, protected in one pass), ``settings`` (``resources/quality.yaml``),
``stories`` (signals from practice about registration, for the figure of rows per quarter),
``build`` (the report's steps), ``kern`` (the Kern sentences), ``tables`` (Dutch reader
tables and labels), ``plots`` (figures from the published tables).
"""

from zwt_analysis.reports.quality.build import QualityResult, build

__all__ = ["QualityResult", "build"]
