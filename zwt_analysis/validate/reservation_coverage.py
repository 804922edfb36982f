"""Coverage of the flexible reservation for next year (old percentile rule versus bound)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.methods.reservation import empirical_percentile, prediction_bound

#: name -> (real growth per year, price rise per year in %, error distribution)
SCENARIOS: dict[str, tuple[float, float, str]] = {
    "geen groei, geen indexatie": (0.0, 0.0, "normal"),
    "indexatie 3%": (0.0, 3.0, "normal"),
    "reële groei 5% + indexatie 3%": (0.05, 3.0, "normal"),
    "reële groei 5% + indexatie 3%, zware staarten (t3)": (0.05, 3.0, "t3"),
}
YEARS = 8
SD = 0.25


def simulate(reps: int, seed: int, level: float = 0.8) -> pd.DataFrame:
    """Share of simulated next years at or below each rule's reservation."""
    rng = np.random.default_rng(seed)
    rows = []
    for name, (growth, index, dist) in SCENARIOS.items():
        hits = {"oud: 80e percentiel nominaal": 0, "nieuw: voorspellingsgrens met groeilijn": 0,
                "nieuw: voorspellingsgrens zonder groeilijn": 0}
        years = np.arange(2018, 2018 + YEARS + 1)
        price = (1 + index / 100) ** np.arange(YEARS + 1)
        for _ in range(reps):
            e = rng.normal(0, SD, YEARS + 1) if dist == "normal" else \
                rng.standard_t(3, YEARS + 1) * SD / np.sqrt(3)
            amount = 1e6 * np.exp(np.log1p(growth) * np.arange(YEARS + 1) + e) * price
            past = dict(zip(years[:-1].tolist(), amount[:-1].tolist(), strict=True))
            idx = {int(y): index for y in years}
            nxt = amount[-1]
            hits["oud: 80e percentiel nominaal"] += nxt <= empirical_percentile(past.values(), level)
            hits["nieuw: voorspellingsgrens met groeilijn"] += nxt <= prediction_bound(
                past, idx, index, level, trend=True).bound_eur
            hits["nieuw: voorspellingsgrens zonder groeilijn"] += nxt <= prediction_bound(
                past, idx, index, level, trend=False).bound_eur
        rows += [{"scenario": name, "method": k, "reps": reps, "coverage": v / reps}
                 for k, v in hits.items()]
    return pd.DataFrame(rows)
