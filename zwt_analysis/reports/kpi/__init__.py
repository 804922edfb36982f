"""The KPI report wing: audit of the KPI register, accountability, trends and signals.

Compute: :mod:`.rules`, :mod:`.checks`, :mod:`.redundancy`, :mod:`.audit`,
:mod:`.accountability`, :mod:`.series`, :mod:`.trends`, :mod:`.signals`;
presentation: :mod:`.tables`, :mod:`.plots`; the report in one call:
:func:`build` (module :mod:`.build`).
"""

from zwt_analysis.reports.kpi.build import KpiResult, build

__all__ = ["KpiResult", "build"]
