"""The municipality beside comparable municipalities on CBS figures (Wmo, youth care).

Comparable = inhabitants within a factor of the municipality's own and urbanity within a
number of steps (settings ``peers``). The figures are CBS's, not the project's: they show
where the municipality stands, not why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis import config

#: CBS columns compared, with their Dutch label and unit.
MEASURES: dict[str, tuple[str, str]] = {
    "wmo_clienten_per_1000_inw": ("Wmo-cliënten per 1.000 inwoners", "per 1.000"),
    "pct_jongeren_met_jeugdzorg_in_natura": ("Jongeren met jeugdzorg in natura", "%"),
}


def load_municipalities(file: str) -> pd.DataFrame:
    """The packaged CBS municipality table (one row per municipality)."""
    return pd.read_csv(config.resource(file), dtype={"gemeentecode": str, "gemeentenaam": str})


def peer_group(cbs: pd.DataFrame, code: str, size_factor: float, urbanity_steps: int) -> pd.DataFrame:
    """Municipalities comparable to ``code``: size within ``size_factor`` and urbanity within
    ``urbanity_steps``; the municipality itself is included and marked ``own``.

    Raises:
        KeyError: ``code`` is not in the table.
    """
    own = cbs[cbs["gemeentecode"] == code]
    if own.empty:
        raise KeyError(f"municipality {code} not in the CBS table")
    inh = float(own["aantal_inwoners"].iloc[0])
    urb = float(own["stedelijkheid"].iloc[0])
    size_ok = cbs["aantal_inwoners"].between(inh / size_factor, inh * size_factor)
    urb_ok = (cbs["stedelijkheid"] - urb).abs() <= urbanity_steps
    out = cbs[size_ok & urb_ok].copy()
    out["own"] = out["gemeentecode"] == code
    return out.sort_values("aantal_inwoners", ascending=False, ignore_index=True)


def position(peers: pd.DataFrame) -> pd.DataFrame:
    """Per measure: the own value, the peers' median and quartiles, and the own rank.

    Peers without a value for a measure are left out of that measure (``n_peers`` says how
    many count). ``percentile`` is the share of peers (own excluded) with a lower value.
    Columns: measure, label, unit, own, median, q1, q3, low, high, n_peers, percentile.
    """
    rows = []
    for col, (label, unit) in MEASURES.items():
        vals = peers[["own", col]].dropna()
        others = vals.loc[~vals["own"], col].to_numpy(float)
        own = vals.loc[vals["own"], col]
        own_v = float(own.iloc[0]) if len(own) else np.nan
        has = len(others) > 0
        rows.append({
            "measure": col, "label": label, "unit": unit, "own": own_v,
            "median": float(np.median(others)) if has else np.nan,
            "q1": float(np.quantile(others, 0.25)) if has else np.nan,
            "q3": float(np.quantile(others, 0.75)) if has else np.nan,
            "low": float(others.min()) if has else np.nan,
            "high": float(others.max()) if has else np.nan,
            "n_peers": int(len(others)),
            "percentile": float((others < own_v).mean()) if has and np.isfinite(own_v) else np.nan,
        })
    return pd.DataFrame(rows)
