"""Prevention under pressure (report 03): :func:`build` computes, ``tables`` and ``plots`` render."""

from zwt_analysis.reports.prevention.build import PreventionResult, build

__all__ = ["PreventionResult", "build"]
