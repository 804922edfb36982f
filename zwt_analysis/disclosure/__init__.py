"""Disclosure control of published tables (data contract, section 3).

No published cell counts fewer than 5 persons, and no other cell lets a
reader recompute it. The package treats all tables of a run as one system of
*linked tables* (:mod:`.model`): the same quantity printed in two files is
one cell, and row totals, the city as the sum of its organisations,
numerator + complement = denominator and shares with their sources are
linear relations between cells.

- :func:`protect` (:mod:`.suppress`): primary and secondary suppression over
  all linked tables at once, before anything is written; ``<5`` for a
  suppressed count below 5, ``x`` for every other suppressed cell.
- :func:`audit_folder` (:mod:`.audit`, :mod:`.folder`): for each suppressed
  cell, the interval a reader can narrow it down to (linear programming),
  checked against the protection rules; ``zwt audit-disclosure`` runs it.
- :mod:`.tables`: the registry of the reports' tables (keys, controlled
  columns, relations); :mod:`.schema` its types; :mod:`.rules` thresholds
  and protection levels from ``resources/disclosure.yaml``;
  :mod:`.magnitude` contributor counts and dominance inputs for sums.

See ``docs/disclosure.md``.
"""

from zwt_analysis.disclosure.audit import AuditResult, Finding, audit_fragments
from zwt_analysis.disclosure.build import Fragment
from zwt_analysis.disclosure.folder import audit_folder, read_folder
from zwt_analysis.disclosure.magnitude import contributions
from zwt_analysis.disclosure.model import Kind
from zwt_analysis.disclosure.rules import Rules, default_rules, load_rules
from zwt_analysis.disclosure.schema import Col, Margin, RowSum, TableSchema
from zwt_analysis.disclosure.suppress import (
    DisclosureError,
    ProtectedTable,
    Protection,
    protect,
    protect_table,
)
from zwt_analysis.disclosure.tables import REGISTRY

__all__ = [
    "REGISTRY",
    "AuditResult",
    "Col",
    "DisclosureError",
    "Finding",
    "Fragment",
    "Kind",
    "Margin",
    "ProtectedTable",
    "Protection",
    "RowSum",
    "Rules",
    "TableSchema",
    "audit_folder",
    "audit_fragments",
    "contributions",
    "default_rules",
    "load_rules",
    "protect",
    "protect_table",
    "read_folder",
]
