"""Disclosure control of the prevention report's side tables: one linked set, then a slice.

The report publishes four linked tables (schemas in
:mod:`zwt_analysis.disclosure.tables`): ``termijnen_per_kwartaal`` (cases
on time and late per organisation and quarter), ``urenverdeling_team_kwartaal``
(hours per team, quarter and activity: sums over persons, suppressed when
fewer than 5 persons registered in the team-quarter), ``urenverdeling_pact``
(the same hours pooled over the latest quarters, per report folder) and
``onder_ondergrens`` (team-quarters below the floor). The city's report and
every organisation's report print overlapping cells, so all of them are
protected in ONE pass over the city's full tables (every organisation's
rows) and every folder's PACT table; each report then prints its own rows.
The pass is deterministic, so the city's and an organisation's report show
the same symbol for the same cell.

Figures draw from :meth:`~zwt_analysis.disclosure.ProtectedTable.masked`
(numbers, missing where hidden): they never show what a table suppresses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import ProtectedTable, protect
from zwt_analysis.disclosure.rules import default_rules

DEADLINES = "termijnen_per_kwartaal"
TEAM_QUARTER = "urenverdeling_team_kwartaal"
PACT = "urenverdeling_pact"
BELOW = "onder_ondergrens"

#: Columns of ``onder_ondergrens`` computed from the team-quarter's hours.
_BELOW_FROM_HOURS = ("preventive_share", "ci_low", "ci_high", "gap")
_KEY = ["organisation", "team", "period"]


@dataclass
class Published:
    """The report's slice of the protected tables and what the protection cost.

    Attributes:
        deadlines, team_quarter, below: this report's rows (the city: all rows).
        deadlines_all: the city's whole ``termijnen_per_kwartaal`` (the city's
            rows are the reference line of an organisation's figure).
        pact: this report's PACT table (None when it publishes none).
        hidden_team_quarters: (organisation, team, period) of team-quarters
            with a hidden hours cell (all organisations): figures leave them out.
        cells, primary, secondary: controlled cells of the whole linked set
            and how many were suppressed (each printed copy counted).
        issues: relations the protection left out (they did not hold).
    """

    deadlines: ProtectedTable
    team_quarter: ProtectedTable
    below: ProtectedTable
    pact: ProtectedTable | None
    deadlines_all: ProtectedTable | None = None
    hidden_team_quarters: set[tuple[str, str, str]] = field(default_factory=set)
    cells: int = 0
    primary: int = 0
    secondary: int = 0
    issues: list[str] = field(default_factory=list)

    @property
    def suppressed_share(self) -> float:
        """Suppressed / controlled cells of the linked set (0 when there are none)."""
        return (self.primary + self.secondary) / self.cells if self.cells else 0.0


def protect_report(deadlines: pd.DataFrame, team_quarter: pd.DataFrame, below: pd.DataFrame,
                   pact: Mapping[str, pd.DataFrame], organisation: str) -> Published:
    """Protect the city's full tables and every folder's PACT table; return one report's slice.

    Args:
        deadlines: ``termijnen_per_kwartaal`` of the city (organisation and
            city rows of every organisation, team ``ALL``).
        team_quarter: ``urenverdeling_team_kwartaal`` of the city (every team).
        below: ``onder_ondergrens`` of the city (every team).
        pact: folder (``ALL`` or an organisation) -> its ``urenverdeling_pact``;
            only the folders that publish one.
        organisation: the report's organisation (``ALL``: the city).

    Returns:
        A :class:`Published`. An empty table stays empty (nothing to protect).

    Raises:
        zwt_analysis.disclosure.DisclosureError: a cell no suppression protects.
    """
    frames: dict[str | tuple[str, str], pd.DataFrame] = {}
    for name, df in ((DEADLINES, deadlines), (TEAM_QUARTER, team_quarter), (BELOW, below)):
        if not df.empty:
            frames[name] = df.reset_index(drop=True)
    for folder, df in pact.items():
        if not df.empty:
            frames[(PACT, folder)] = df.reset_index(drop=True)
    prot = protect(frames)
    tables = {k: prot[k] for k in frames}
    tq = tables.get(TEAM_QUARTER, _plain(team_quarter))
    hidden = hidden_team_quarters(tq)
    low = hide_with_hours(tables.get(BELOW, _plain(below)), hidden)
    dl = tables.get(DEADLINES, _plain(deadlines))
    return Published(
        deadlines=_slice(dl, organisation), deadlines_all=dl,
        team_quarter=_slice(tq, organisation),
        below=_slice(low, organisation),
        pact=tables.get((PACT, organisation)),
        hidden_team_quarters=hidden,
        cells=prot.cells, primary=prot.primary, secondary=prot.secondary,
        issues=list(prot.issues),
    )


def _plain(df: pd.DataFrame) -> ProtectedTable:
    """A table with nothing suppressed (an empty table needs no protection)."""
    frame = df.reset_index(drop=True)
    return ProtectedTable(frame, pd.DataFrame("", index=frame.index, columns=frame.columns,
                                              dtype=object))


def _slice(table: ProtectedTable, organisation: str) -> ProtectedTable:
    """The rows of ``organisation`` (all rows for the city), index reset."""
    if organisation == ALL or "organisation" not in table.frame.columns:
        return table
    keep = (table.frame["organisation"] == organisation).to_numpy(dtype=bool)
    return ProtectedTable(table.frame.loc[keep].reset_index(drop=True),
                          table.labels.loc[keep].reset_index(drop=True))


def hidden_team_quarters(team_quarter: ProtectedTable) -> set[tuple[str, str, str]]:
    """Team-quarters (organisation, team, period) with any suppressed cell."""
    f = team_quarter.frame
    if f.empty:
        return set()
    any_hidden = team_quarter.hidden.any(axis=1).to_numpy(dtype=bool)
    rows = f.loc[any_hidden, _KEY].astype(str)
    return set(rows.itertuples(index=False, name=None))


def hide_with_hours(below: ProtectedTable, hidden: set[tuple[str, str, str]]) -> ProtectedTable:
    """Hide the share, interval and gap of below-floor rows whose team-quarter hours are hidden.

    The preventive share is a ratio of hours that ``urenverdeling_team_kwartaal``
    prints per activity; where that table hides a cell of the team-quarter,
    the share beside it could give the hidden cell back. A row without a
    count of registering persons is hidden too (nobody to judge the threshold
    rule on). ``clearly_below`` (whether the interval lies below the floor)
    is hidden with the interval.
    """
    f, labels = below.frame, below.labels.copy()
    if f.empty:
        return below
    secondary = default_rules().secondary
    keys = list(f[_KEY].astype(str).itertuples(index=False, name=None))
    persons = pd.to_numeric(f["persons"], errors="coerce") if "persons" in f else None
    rows = [k in hidden or (persons is not None and pd.isna(persons.iloc[i]))
            for i, k in enumerate(keys)]
    for col in _BELOW_FROM_HOURS:
        if col in labels.columns:
            labels.loc[rows, col] = labels.loc[rows, col].where(labels.loc[rows, col] != "",
                                                                secondary)
    if "clearly_below" in labels.columns and "ci_high" in labels.columns:
        labels.loc[labels["ci_high"] != "", "clearly_below"] = secondary
    return ProtectedTable(f, labels)
