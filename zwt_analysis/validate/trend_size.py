"""Size (false-positive rate at nominal 5%) of the trend tests on simulated trendless series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.methods.trend import level_trend, mann_kendall, share_trend, trend_verdicts
from zwt_analysis.validate.legacy import old_level_p, old_share_p

LENGTHS = (6, 8, 12, 16, 20, 30)
NOISES = {"witte ruis": 0.0, "AR(1) 0,5": 0.5}
POOL = 4
TARGET = 0.07


def ar1(rng: np.random.Generator, n: int, rho: float, size: int) -> np.ndarray:
    """``size`` stationary AR(1) series of length ``n`` with unit marginal variance."""
    e = rng.normal(size=(size, n))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    s = np.sqrt(1 - rho * rho)
    for i in range(1, n):
        x[:, i] = rho * x[:, i - 1] + s * e[:, i]
    return x


def _shares(rng: np.random.Generator, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts around a 30% share with logit noise ``0.15 u`` and denominators 150..400."""
    m = rng.integers(150, 401, size=u.shape).astype(float)
    p = 1 / (1 + np.exp(-(np.log(0.3 / 0.7) + 0.15 * u)))
    return rng.binomial(m.astype(int), p).astype(float), m


def _pooled_p(t: np.ndarray, y: np.ndarray, k: np.ndarray | None, m: np.ndarray | None
              ) -> np.ndarray:
    """Per-series p-values of :func:`trend_verdicts` with families of ``POOL`` series."""
    reps, n = y.shape
    sid = np.repeat(np.arange(reps), n)
    table = pd.DataFrame({"series_id": sid, "pool": sid // POOL, "t": np.tile(t, reps),
                          "value": y.ravel()})
    if k is not None:
        table = table.assign(numerator=k.ravel(), denominator=m.ravel(), share=True)
    out = trend_verdicts(table, min_length={"pooled": 3, "single": 3}, pool_min_series=POOL)
    return out["p_value"].to_numpy()


def _cell(args: tuple[str, float, int, int, int, int]) -> list[dict[str, object]]:
    """Rejection rates of every method for one noise and length."""
    noise, rho, n, reps, reps_old, seed = args
    rng = np.random.default_rng([seed, int(rho * 10), n])
    t = 2019 + (np.arange(n) + 0.5) / 4
    reps_pool = reps - reps % POOL
    y = ar1(rng, n, rho, reps_pool)
    k, m = _shares(rng, ar1(rng, n, rho, reps_pool))
    p = {
        ("niveau", "oud: OLS + Newey-West (normaal)"):
            [old_level_p(t, v) for v in y[:reps_old]],
        ("niveau", "OLS t(n-2), geen AR-correctie"):
            [level_trend(t, v, rho=0.0).p_value for v in y],
        ("niveau", "nieuw: OLS + AR-correctie, reeks alleen"):
            [level_trend(t, v).p_value for v in y],
        ("niveau", f"nieuw: OLS + AR-correctie, gepoold ({POOL} reeksen)"):
            _pooled_p(t, y, None, None),
        ("niveau", "Mann-Kendall (Hamed-Rao)"):
            [mann_kendall(t, v).p_value for v in y[:reps_old]],
        ("aandeel", "oud: binomiaal GLM, twee kolommen, X2"):
            [old_share_p(t, a, b) for a, b in zip(k[:reps_old], m[:reps_old], strict=True)],
        ("aandeel", "quasi-binomiaal t(n-2), geen AR-correctie"):
            [share_trend(t, a, b, rho=0.0).p_value for a, b in zip(k, m, strict=True)],
        ("aandeel", "nieuw: quasi-binomiaal + AR-correctie, reeks alleen"):
            [share_trend(t, a, b).p_value for a, b in zip(k, m, strict=True)],
        ("aandeel", f"nieuw: quasi-binomiaal + AR-correctie, gepoold ({POOL} reeksen)"):
            _pooled_p(t, k / m, k, m),
    }
    rows = []
    for (kind, method), vals in p.items():
        arr = np.asarray(vals, dtype=float)
        rows.append({"kind": kind, "method": method, "noise": noise, "n": n,
                     "reps": len(arr), "reject": float(np.mean(arr < 0.05)),
                     "no_verdict": float(np.mean(~np.isfinite(arr)))})
    return rows


def simulate(reps: int, reps_old: int, seed: int, workers: int = 2) -> pd.DataFrame:
    """Rejection rates per kind, method, length and noise (rows), with withheld shares.

    ``reps`` series per cell for the new methods (families of ``POOL`` for the
    pooled rows), ``reps_old`` for the slower old methods and Mann-Kendall.
    """
    from concurrent.futures import ProcessPoolExecutor

    cells = [(noise, rho, n, reps, reps_old, seed) for noise, rho in NOISES.items()
             for n in LENGTHS]
    with ProcessPoolExecutor(max_workers=workers) as ex:
        parts = list(ex.map(_cell, cells))
    rows = [r for part in parts for r in part]
    order = {m: i for i, m in enumerate(dict.fromkeys(r["method"] for r in rows))}
    noises = {name: i for i, name in enumerate(NOISES)}
    kinds = {"niveau": 0, "aandeel": 1}
    keys = {"method": order, "noise": noises, "kind": kinds}
    return pd.DataFrame(rows).sort_values(["kind", "method", "noise", "n"], key=lambda c: (
        c.map(keys[c.name]) if c.name in keys else c), kind="stable").reset_index(drop=True)


def min_lengths(table: pd.DataFrame, target: float = TARGET) -> dict[str, dict[str, int | None]]:
    """Smallest simulated length from which each new method stays <= target in every noise,
    per kind (``level`` / ``share``, as in ``methods.yaml``); None where none holds."""
    out: dict[str, dict[str, int | None]] = {}
    names = {"niveau": "level", "aandeel": "share"}
    for kind, g in table.groupby("kind"):
        res: dict[str, int | None] = {}
        for label, key in (("gepoold", "pooled"), ("alleen", "single")):
            sub = g[g["method"].str.startswith("nieuw") & g["method"].str.contains(label)]
            worst = sub.groupby("n")["reject"].max().sort_index()
            ok = worst <= target
            good = [n for n in worst.index if ok.loc[n:].all()]
            res[key] = int(min(good)) if good else None
        out[names.get(str(kind), str(kind))] = res
    return out
