"""Budgets: one structural main line per organisation and year, plus many
short additional assignments (incidental money from the gemeente or PACT).

Main lines follow the municipal indexation; wage costs follow the CAO, which
outgrows the indexation from 2022 (both series go into the ground truth).
Additional lines come in *tracks*: each track is a chain of short
assignments (2-6 months) covering the whole year, so time registrations of
activity ``additional_assignment`` always find an active line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from . import _params as P
from ._calendar import day, year_start

ORG_CODE = {"DOCK": "DCK", "Incluzio": "INC", "SMD": "SMD"}


@dataclass
class FundingResult:
    budgets: pd.DataFrame                     # dates as day offsets
    tracks: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]]  # (org, comm, track) -> (starts, ids)
    truth: dict


def cumulative(series: dict[int, float], year: int) -> float:
    """Product of (1 + growth) over 2019..year (2018 = 1.0)."""
    out = 1.0
    for y in range(2019, year + 1):
        out *= 1.0 + series.get(y, series[max(series)])
    return out


def build_budgets(formation: pd.DataFrame, pact_orgs: set[str], until_day: int, scale: float,
                  rng: np.random.Generator) -> FundingResult:
    """Budget lines and the additional-assignment tracks (see module doc)."""
    last_year = int(formation["year"].max())
    rows = []
    tracks: dict[tuple[str, str, int], tuple[list, list]] = {}
    for org in P.ORGANISATIONS:
        comms = ["gemeente"] + (["PACT"] if org in pact_orgs else [])
        for y in range(2019, last_year + 1):
            fte = float(formation.loc[(formation["organisation"] == org) & (formation["year"] == y),
                                      "budgeted_fte"].iloc[0])
            amount = round(fte * P.COST_PER_FTE_2018 * cumulative(P.MUNICIPAL_INDEXATION, y), 2)
            rows.append((org, y, "MAIN", "main", "structural", amount, year_start(y),
                         day(date(y, 12, 31)), "gemeente"))
            k = 0
            for comm in comms:
                lo, hi = P.MONTHLY_AMOUNT[comm]
                for tr in range(P.TRACKS[comm]):
                    cur = year_start(y)
                    end_y = day(date(y, 12, 31))
                    while cur <= end_y and cur <= until_day:
                        length = int(rng.integers(60, 184))
                        end = min(cur + length - 1, end_y)
                        if end_y - end < 45:
                            end = end_y
                        k += 1
                        aid = f"{ORG_CODE[org]}-{y}-{'P' if comm == 'PACT' else 'G'}{k:02d}"
                        months = (end - cur + 1) / 30.44
                        amt = round(float(rng.uniform(lo, hi)) * months * scale, 2)
                        funding = "structural" if rng.random() < P.ADDITIONAL_STRUCTURAL_SHARE else "incidental"
                        rows.append((org, y, aid, "additional", funding, amt, cur, end, comm))
                        starts, ids = tracks.setdefault((org, comm, tr), ([], []))
                        starts.append(cur)
                        ids.append(aid)
                        cur = end + 1
    budgets = pd.DataFrame(rows, columns=["organisation", "year", "assignment_id", "assignment_type",
                                          "funding_type", "amount_eur", "start_date", "end_date",
                                          "commissioner"])
    out_tracks = {k: (np.asarray(v[0], dtype=np.int64), np.asarray(v[1], dtype=object))
                  for k, v in tracks.items()}
    years = list(range(2019, last_year + 1))
    inc = budgets["funding_type"] == "incidental"
    by_org = {}
    for org in P.ORGANISATIONS:
        b = budgets[budgets["organisation"] == org]
        by_org[org] = {str(y): round(float(b.loc[(b["year"] == y) & inc.loc[b.index], "amount_eur"].sum()
                                           / b.loc[b["year"] == y, "amount_eur"].sum()), 4) for y in years}
    truth = {
        "cao_wage_growth": {str(y): P.CAO_WAGE_GROWTH[y] for y in years if y in P.CAO_WAGE_GROWTH},
        "municipal_indexation": {str(y): P.MUNICIPAL_INDEXATION[y] for y in years if y in P.MUNICIPAL_INDEXATION},
        "cumulative_wage_index_2018_1": {str(y): round(cumulative(P.CAO_WAGE_GROWTH, y), 4) for y in years},
        "cumulative_indexation_2018_1": {str(y): round(cumulative(P.MUNICIPAL_INDEXATION, y), 4) for y in years},
        "cost_per_fte_2018_eur": P.COST_PER_FTE_2018,
        "main_line_rule": "amount_eur = budgeted_fte x cost_per_fte_2018 x cumulative indexation; "
                          "the wage cost of that formation grows with the CAO instead, so the main "
                          "line affords cumulative_indexation / cumulative_wage_index of the formation",
        "additional_tracks_per_year": dict(P.TRACKS),
        "additional_monthly_amount_eur_at_scale_1": {k: list(v) for k, v in P.MONTHLY_AMOUNT.items()},
        "additional_structural_share": P.ADDITIONAL_STRUCTURAL_SHARE,
        "pact_organisations": sorted(pact_orgs),
        "incidental_funding_share_realised": by_org,
    }
    return FundingResult(budgets, out_tracks, truth)
