"""Coverage of the hour-share intervals (clustered Wilson versus Korn-Graubard) and of rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.methods.intervals import (
    korn_graubard_share,
    poisson_rate_interval,
    quasi_poisson_dispersion,
)
from zwt_analysis.validate.legacy import old_clustered_wilson

PERSONS = (2, 3, 5, 10, 30)


def hour_shares(reps: int, seed: int) -> pd.DataFrame:
    """Persons with 200..500 hours each and a person-specific share (logit-normal, sd 0.5,
    around 30%); the true share is the population ratio (computed from 10^6 persons)."""
    rng = np.random.default_rng(seed)

    def persons(size: int) -> tuple[np.ndarray, np.ndarray]:
        total = rng.uniform(200, 500, size)
        p = 1 / (1 + np.exp(-(np.log(0.3 / 0.7) + rng.normal(0, 0.5, size))))
        return p * total, total

    a, t = persons(1_000_000)
    truth = a.sum() / t.sum()
    rows = []
    for m in PERSONS:
        old = kg = 0
        for _ in range(reps):
            a, t = persons(m)
            lo, hi = old_clustered_wilson(a, t)
            old += lo <= truth <= hi
            r = korn_graubard_share(a, t)
            kg += r["ci_low"] <= truth <= r["ci_high"]
        rows += [{"persons": m, "method": "oud: geclusterde Wilson", "coverage": old / reps},
                 {"persons": m, "method": "nieuw: Korn-Graubard", "coverage": kg / reps}]
    return pd.DataFrame(rows).assign(reps=reps)


def outflow_rates(reps: int, seed: int) -> pd.DataFrame:
    """Leavers ~ Poisson (phi = 1) or negative binomial (phi = 2) around 12% of 60..250
    persons; 3 organisations x 7 years per data set; coverage of one organisation-year."""
    rng = np.random.default_rng(seed)
    rows = []
    for phi in (1.0, 2.0):
        exact = quasi = 0
        for _ in range(reps):
            stock = rng.integers(60, 251, 21).astype(float)
            mu = 0.12 * stock
            if phi == 1.0:
                k = rng.poisson(mu).astype(float)
            else:
                k = rng.negative_binomial(mu / (phi - 1), 1 / phi).astype(float)
            groups = np.repeat(np.arange(3), 7)
            d = quasi_poisson_dispersion(k, stock, groups)
            _, lo, hi = poisson_rate_interval(k[0], stock[0])
            exact += lo <= 0.12 <= hi
            _, lo, hi = poisson_rate_interval(k[0], stock[0], dispersion=d)
            quasi += lo <= 0.12 <= hi
        rows += [{"dispersion": phi, "method": "exact Poisson", "coverage": exact / reps},
                 {"dispersion": phi, "method": "quasi-Poisson (phi geschat)",
                  "coverage": quasi / reps}]
    return pd.DataFrame(rows).assign(reps=reps)
