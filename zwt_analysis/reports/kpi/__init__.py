"""The KPI report wing: audit of the KPI register, accountability, trends and signals.

Compute: :mod:`.rules`, :mod:`.checks`, :mod:`.redundancy`, :mod:`.audit`,
:mod:`.accountability`, :mod:`.series`, :mod:`.trends` (verdicts from the run's
families, :mod:`zwt_analysis.methods`), :mod:`.signals`; presentation:
:mod:`.text` (the Kern and every sentence), :mod:`.reasons`, :mod:`.tables`,
:mod:`.accountability_tables`, :mod:`.plots`; the report in one call:
:func:`build` (module :mod:`.build`).
"""

from zwt_analysis.reports.kpi.build import KpiResult, build

__all__ = ["KpiResult", "build"]
