"""KPI report: accountability after Ebrahim, trends with trend tests, signals, figures.

The audit of the register itself is in :mod:`zwt_analysis.kpi_audit`. This
module adds what the report (``notebooks/02_kpi.py``) shows next to it:

- which result levels each assignment can be held to account for, after
  Ebrahim's contingency framework (A. Ebrahim (2019), *Measuring Social
  Change*, Stanford University Press), configured in ``kpi_rules.yaml``;
- time series of KPI values and of zwt's indicators per organisation, with
  targets and 95% intervals (Wilson, for count-based shares);
- a trend test per series (binomial GLM with Pearson-scaled dispersion for
  count-based shares, else OLS on time with Newey-West errors), with
  Benjamini-Hochberg adjusted p-values;
- signals from practice on the same time axis;
- Dutch display tables and small-multiple figures.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")

#: Dutch labels of the result levels.
LEVEL_LABELS: dict[str, str] = {
    "input": "input",
    "activity": "activiteit",
    "output": "output",
    "outcome": "outcome",
    "impact": "impact",
}

#: zwt indicators whose value is not a share (a rate per FTE or per 1000 inhabitants).
NON_SHARE_INDICATORS: frozenset[str] = frozenset({"caseload_per_fte", "reach_per_1000"})

#: Dutch labels of the KPI units.
UNIT_LABELS: dict[str, str] = {
    "share": "aandeel", "count": "aantal", "days": "dagen", "eur": "euro", "score": "score",
}


# ------------------------------------------------------------------------ periods


def _bounds_of(period: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    m = _PERIOD.match(str(period).strip()) if isinstance(period, str) else None
    if m is None:
        return pd.NaT, pd.NaT
    year = int(m.group(1))
    if m.group(2) is None:
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    start = pd.Timestamp(year, 3 * int(m.group(2)) - 2, 1)
    return start, start + pd.offsets.QuarterEnd(0)


def period_bounds(period: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last day of each period (``YYYY`` or ``YYYY-Qn``); NaT if unreadable."""
    text = period.astype("string")
    uniq = {p: _bounds_of(p) for p in text.dropna().unique()}
    start = text.map(lambda p: uniq.get(p, (pd.NaT, pd.NaT))[0])
    end = text.map(lambda p: uniq.get(p, (pd.NaT, pd.NaT))[1])
    return (pd.to_datetime(start).astype("datetime64[ns]"),
            pd.to_datetime(end).astype("datetime64[ns]"))


def period_midpoint(period: pd.Series) -> pd.Series:
    """Midpoint date of each period (used to place a period on a time axis)."""
    start, end = period_bounds(period)
    return (start + (end - start) / 2).dt.normalize()


def decimal_year(dates: pd.Series) -> pd.Series:
    """Dates as decimal years (2024-07-02 -> about 2024.5)."""
    d = pd.to_datetime(dates)
    days = np.where(d.dt.is_leap_year, 366.0, 365.0)
    return d.dt.year + (d.dt.day_of_year - 1) / days


# ------------------------------------------------------------------------ Ebrahim


def strategy_table(rules: Mapping[str, Any]) -> pd.DataFrame:
    """Ebrahim's four strategies as a Dutch display table (from the rules file)."""
    rows = []
    for key, s in rules["ebrahim_strategies"].items():
        rows.append({
            "Strategie": s.get("label", key),
            "Oorzaak-gevolg": s.get("cause_effect", ""),
            "Controle over uitkomsten": s.get("control", ""),
            "Verantwoorden over": ", ".join(LEVEL_LABELS.get(x, x) for x in s["accountable"]),
            "Alleen samen leren over": ", ".join(LEVEL_LABELS.get(x, x) for x in s["learning"])
            or "-",
        })
    return pd.DataFrame(rows)


def assignment_strategies(register: pd.DataFrame, budgets: pd.DataFrame,
                          rules: Mapping[str, Any]) -> pd.DataFrame:
    """The Ebrahim strategy of every assignment named in the register or the budgets.

    Looked up in order: ``by_assignment`` (exact id), ``by_commissioner`` (any
    budget line of the assignment with that commissioner),
    ``by_assignment_type`` (the type on its budget lines), else ``default``.
    A KPI without assignment_id belongs to the main assignment (``MAIN``).

    Returns:
        assignment_id, assignment_type, commissioner, strategy.
    """
    cfg = rules["assignment_strategy"]
    ids = set(register["assignment_id"].dropna().astype(str)) | set(
        budgets["assignment_id"].dropna().astype(str))
    if register["assignment_id"].isna().any():
        ids.add("MAIN")
    rows = []
    for aid in sorted(ids):
        lines = budgets[budgets["assignment_id"] == aid]
        commissioners = sorted(set(lines["commissioner"].dropna().astype(str)))
        types = lines["assignment_type"].dropna().astype(str)
        a_type = types.mode().iloc[0] if len(types) else ("main" if aid == "MAIN" else pd.NA)
        strategy = cfg.get("by_assignment", {}).get(aid)
        if strategy is None:
            for c in commissioners:
                if c in cfg.get("by_commissioner", {}):
                    strategy = cfg["by_commissioner"][c]
                    break
        if strategy is None and isinstance(a_type, str):
            strategy = cfg.get("by_assignment_type", {}).get(a_type)
        rows.append({"assignment_id": aid, "assignment_type": a_type,
                     "commissioner": ", ".join(commissioners),
                     "strategy": strategy or cfg["default"]})
    return pd.DataFrame(rows, columns=["assignment_id", "assignment_type", "commissioner",
                                       "strategy"])


def accountability(audit: pd.DataFrame, strategies: pd.DataFrame,
                   rules: Mapping[str, Any]) -> pd.DataFrame:
    """Whether each KPI's result level fits what its assignment can answer for.

    ``fit``: ``passend`` (level among the strategy's accountable levels),
    ``leren`` (level only for shared learning, no attribution), ``te hoog``
    (above what the assignment controls), ``onbekend`` (no result level).
    ``should_be``: the highest level the assignment can answer for (output
    for niche/emergent, outcome for integrated/ecosystem in the default rules).

    Returns:
        kpi_id, assignment_id, strategy, result_level, should_be, fit, advice.
    """
    levels = list(rules["result_levels"])
    strat = rules["ebrahim_strategies"]
    by_id = strategies.set_index("assignment_id")["strategy"].to_dict()
    rows = []
    for _, r in audit.iterrows():
        aid = r["assignment_id"] if pd.notna(r.get("assignment_id")) else "MAIN"
        s = by_id.get(aid, rules["assignment_strategy"]["default"])
        acc = list(strat[s]["accountable"])
        learn = list(strat[s]["learning"])
        top = max(acc, key=levels.index)
        lvl = r.get("result_level")
        if pd.isna(lvl):
            fit, advice = "onbekend", "Leg het resultaatniveau vast."
        elif lvl in acc:
            fit = "passend"
            if levels.index(lvl) < levels.index(top):
                advice = (f"Past; deze opdracht kan ook op {LEVEL_LABELS[top]} "
                          "worden aangesproken.")
            else:
                advice = "Past bij wat deze opdracht in de hand heeft."
        elif lvl in learn:
            fit, advice = "leren", (f"Samen volgen en leren, niet afrekenen; verantwoorden "
                                    f"op {LEVEL_LABELS[top]}.")
        else:
            fit, advice = "te hoog", (f"Niet toe te rekenen aan deze opdracht; meet op "
                                      f"{LEVEL_LABELS[top]}-niveau.")
        rows.append({"kpi_id": r["kpi_id"], "assignment_id": aid, "strategy": s,
                     "result_level": lvl, "should_be": top, "fit": fit, "advice": advice})
    return pd.DataFrame(rows, columns=["kpi_id", "assignment_id", "strategy", "result_level",
                                       "should_be", "fit", "advice"])


# ------------------------------------------------------------------------ series


def kpi_series(values: pd.DataFrame, register: pd.DataFrame,
               kpi_ids: Iterable[str]) -> pd.DataFrame:
    """Delivered KPI values of ``kpi_ids`` as a long series table.

    Returns:
        series (= kpi_id), label, organisation, period, date (period midpoint),
        t (decimal years), value, target, unit, direction, low, high (NaN:
        reported values carry no denominator, so no interval), numerator,
        denominator (NaN), binomial (False).
    """
    ids = list(kpi_ids)
    v = values[values["kpi_id"].isin(ids) & values["value"].notna()]
    reg = register.drop_duplicates("kpi_id").set_index("kpi_id")
    out = pd.DataFrame({
        "series": v["kpi_id"].astype("string"),
        "organisation": v["organisation"].astype("string"),
        "period": v["period"].astype("string"),
        "value": v["value"].astype(float),
    })
    out["date"] = period_midpoint(out["period"])
    out["t"] = decimal_year(out["date"])
    names = reg["name"] if "name" in reg else pd.Series(dtype="string")
    out["label"] = out["series"].map(
        lambda k: f"{k} {names.get(k)}" if pd.notna(names.get(k)) else str(k))
    for col in ("target", "unit", "direction"):
        out[col] = out["series"].map(reg[col]) if col in reg else pd.NA
    out["target"] = pd.to_numeric(out["target"], errors="coerce").astype(float)
    out["low"], out["high"] = np.nan, np.nan
    out["numerator"], out["denominator"] = np.nan, np.nan
    out["binomial"] = False
    return out.dropna(subset=["date"]).sort_values(["series", "organisation", "date"],
                                                   ignore_index=True)


def _indicator_meta(ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(Dutch title, unit) per indicator id from the registry; id and a guess if absent."""
    try:
        from zwt_analysis.indicators import INDICATORS
    except ImportError:  # pragma: no cover - registry always present in the suite
        INDICATORS = {}
    out = {}
    for i in ids:
        spec = INDICATORS.get(i) if hasattr(INDICATORS, "get") else None
        title = getattr(spec, "title_nl", None) or i
        unit = getattr(spec, "unit", None)
        if unit is None:
            unit = "rate" if i in NON_SHARE_INDICATORS else "share"
        out[i] = (title, "share" if unit == "share" else "rate")
    return out


def indicator_title(indicator_id: str) -> str:
    """Dutch reader title of a zwt indicator (``caseload_per_fte`` -> ``Caseload per fte``).

    A comma-separated list of ids gives the titles in the same order; an
    unknown id or an empty value is returned unchanged.
    """
    if not isinstance(indicator_id, str) or not indicator_id.strip():
        return indicator_id
    ids = [i.strip() for i in indicator_id.split(",")]
    meta = _indicator_meta(ids)
    return ", ".join(meta[i][0] for i in ids)


def indicator_series(indicators: pd.DataFrame, indicator_ids: Iterable[str],
                     organisation: str = ALL, wilson_ids: Iterable[str] = (),
                     alpha: float = 0.05, register: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """zwt indicators at organisation and city level as a long series table.

    With ``organisation`` ALL: every organisation (team ALL) plus the city;
    with one organisation: that organisation plus the city as reference.
    Count-based shares (``wilson_ids``) get a Wilson interval
    (``zwt_analysis.stats.wilson_interval``); others get none. With
    ``register``, an indicator gets the target of the first KPI (by kpi_id)
    that names it and has a target.

    Returns:
        Same columns as :func:`kpi_series`; ``label`` is the Dutch
        title from the indicator registry, ``unit`` ``share`` for shares (registry
        unit; without registry all but :data:`NON_SHARE_INDICATORS`) else
        ``rate``; ``binomial`` marks the ``wilson_ids``.
    """
    ids = list(indicator_ids)
    ind = indicators[indicators["indicator_id"].isin(ids) & (indicators["team"] == ALL)]
    if organisation != ALL:
        ind = ind[ind["organisation"].isin([organisation, ALL])]
    meta = _indicator_meta(ids)
    out = pd.DataFrame({
        "series": ind["indicator_id"].astype("string"),
        "label": ind["indicator_id"].map(lambda i: meta[i][0]).astype("string"),
        "organisation": ind["organisation"].astype("string").replace({ALL: "Zaanstad"}),
        "period": ind["period"].astype("string"),
        "value": ind["value"].astype(float),
        "numerator": ind["numerator"].astype(float),
        "denominator": ind["denominator"].astype(float),
    })
    out["date"] = period_midpoint(out["period"])
    out["t"] = decimal_year(out["date"])
    out["target"] = np.nan
    if register is not None and len(register):
        named = register.dropna(subset=["indicator_id", "target"]).sort_values("kpi_id")
        targets = named.drop_duplicates("indicator_id").set_index("indicator_id")["target"]
        out["target"] = out["series"].map(targets).astype(float)
    out["unit"] = out["series"].map(lambda i: meta[i][1]).astype(object)
    out["direction"] = pd.NA
    out["low"], out["high"] = np.nan, np.nan
    wil = out["series"].isin(list(wilson_ids)).to_numpy(dtype=bool)
    out["binomial"] = wil
    if wil.any():
        from zwt_analysis.stats import wilson_interval

        lo, hi = wilson_interval(out.loc[wil, "numerator"].to_numpy(),
                                 out.loc[wil, "denominator"].to_numpy(), alpha=alpha)
        out.loc[wil, "low"] = np.asarray(lo, dtype=float)
        out.loc[wil, "high"] = np.asarray(hi, dtype=float)
    return out.dropna(subset=["date"]).sort_values(["series", "organisation", "date"],
                                                   ignore_index=True)


def complete_periods(series: pd.DataFrame, as_of: Any, start: Any = None) -> pd.DataFrame:
    """Rows whose period has ended on or before ``as_of`` (and starts on/after ``start``).

    An unfinished year or quarter is not comparable with whole ones (e.g. the
    reach of a year counted up to September), so trends leave it out.
    """
    first, last = period_bounds(series["period"])
    keep = (last <= pd.Timestamp(as_of)).to_numpy(dtype=bool)
    if start is not None:
        keep = keep & (first >= pd.Timestamp(start)).to_numpy(dtype=bool)
    return series[keep].reset_index(drop=True)


# ------------------------------------------------------------------------ trend tests


def newey_west_lags(n: int) -> int:
    """Newey-West rule of thumb floor(4 (n/100)^(2/9)), at least 1."""
    return max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))


def trend_test(t: Sequence[float], y: Sequence[float],
               numerator: Sequence[float] | None = None,
               denominator: Sequence[float] | None = None,
               alpha: float = 0.05) -> dict[str, Any]:
    """Linear trend over time of one series.

    With numerator and denominator (a count-based share): binomial GLM with a
    logit link on time, dispersion estimated from Pearson chi2 (quasi-binomial,
    allows overdispersion); the slope is given as the average marginal effect
    in share points per year. Otherwise: OLS of value on time with
    Newey-West (HAC) standard errors, slope in the value's unit per year.

    Args:
        t: time in decimal years.
        y: values (shares as fractions for the GLM).

    Returns:
        method, n, slope_per_year, ci_low, ci_high, p_value (NaN when the
        model cannot be fitted, e.g. fewer than 3 points or no variation in t).
    """
    import statsmodels.api as sm

    t_arr = np.asarray(t, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    ok = np.isfinite(t_arr) & np.isfinite(y_arr)
    use_glm = numerator is not None and denominator is not None
    if use_glm:
        num = np.asarray(numerator, dtype=float)
        den = np.asarray(denominator, dtype=float)
        ok &= np.isfinite(num) & np.isfinite(den) & (den > 0)
    n = int(ok.sum())
    res: dict[str, Any] = {"method": "binomiaal GLM (logit)" if use_glm else "OLS + Newey-West",
                           "n": n, "slope_per_year": np.nan, "ci_low": np.nan,
                           "ci_high": np.nan, "p_value": np.nan}
    if n < 3 or np.ptp(t_arr[ok]) == 0:
        return res
    x = sm.add_constant(t_arr[ok] - t_arr[ok].mean())
    try:
        if use_glm:
            counts = np.column_stack([num[ok], den[ok] - num[ok]])
            fit = sm.GLM(counts, x, family=sm.families.Binomial()).fit(scale="X2")
            p_hat = fit.fittedvalues
            scale = float(np.mean(p_hat * (1 - p_hat)))
            ci = fit.conf_int(alpha)[1] * scale
            res.update(slope_per_year=float(fit.params[1]) * scale, ci_low=float(ci[0]),
                       ci_high=float(ci[1]), p_value=float(fit.pvalues[1]))
        else:
            if np.ptp(y_arr[ok]) == 0:
                res.update(slope_per_year=0.0, ci_low=0.0, ci_high=0.0, p_value=1.0)
                return res
            fit = sm.OLS(y_arr[ok], x).fit(cov_type="HAC",
                                           cov_kwds={"maxlags": newey_west_lags(n)})
            ci = fit.conf_int(alpha)[1]
            res.update(slope_per_year=float(fit.params[1]), ci_low=float(ci[0]),
                       ci_high=float(ci[1]), p_value=float(fit.pvalues[1]))
    except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - degenerate data
        pass
    return res


def trend_tests(series: pd.DataFrame, min_periods: int = 6, alpha: float = 0.05) -> pd.DataFrame:
    """A trend test per series x organisation, with Benjamini-Hochberg adjusted p.

    Series marked ``binomial`` (count-based shares with numerator and
    denominator) use the binomial GLM, others OLS + Newey-West (see
    :func:`trend_test`). Series with fewer than ``min_periods`` points
    are listed untested.

    Returns:
        series, label, organisation, unit, n, method, slope_per_year, ci_low,
        ci_high, p_value, p_adjusted, trend (Dutch: stijgend / dalend /
        geen aantoonbare trend / te weinig perioden).
    """
    from statsmodels.stats.multitest import multipletests

    rows = []
    for (sid, org), g in series.groupby(["series", "organisation"], sort=True):
        share = bool(g.get("binomial", pd.Series(False, index=g.index)).fillna(False).all()
                     and g["denominator"].notna().all())
        if len(g) < min_periods:
            r = {"method": "-", "n": len(g), "slope_per_year": np.nan, "ci_low": np.nan,
                 "ci_high": np.nan, "p_value": np.nan}
        elif share:
            r = trend_test(g["t"], g["value"], g["numerator"], g["denominator"], alpha)
        else:
            r = trend_test(g["t"], g["value"], alpha=alpha)
        unit = g["unit"].dropna()
        rows.append({"series": sid, "label": g["label"].iloc[0], "organisation": org,
                     "unit": str(unit.iloc[0]) if len(unit) else "", **r})
    out = pd.DataFrame(rows, columns=["series", "label", "organisation", "unit", "method", "n",
                                      "slope_per_year", "ci_low", "ci_high", "p_value"])
    out["p_adjusted"] = np.nan
    tested = out["p_value"].notna()
    if tested.any():
        out.loc[tested, "p_adjusted"] = multipletests(out.loc[tested, "p_value"],
                                                      alpha=alpha, method="fdr_bh")[1]
    sig = out["p_adjusted"] < alpha
    out["trend"] = np.select(
        [out["p_value"].isna(), sig & (out["slope_per_year"] > 0),
         sig & (out["slope_per_year"] < 0)],
        ["te weinig perioden", "stijgend", "dalend"], default="geen aantoonbare trend")
    return out


def trend_table_nl(trends: pd.DataFrame) -> pd.DataFrame:
    """The trend tests as a Dutch display table; shares in percentage points per year.

    A share series whose values were fractions has its slope and interval
    multiplied by 100 and labelled ``pp`` (percentage points).
    """
    from zwt_analysis.present.fmt import nl_number

    def fmt(r: pd.Series) -> str:
        if pd.isna(r["slope_per_year"]):
            return "-"
        k, unit = (100.0, " pp") if r["unit"] == "share" else (1.0, "")
        d = 1 if r["unit"] == "share" else 2
        return (f"{nl_number(r['slope_per_year'] * k, d)}{unit} "
                f"({nl_number(r['ci_low'] * k, d)} tot {nl_number(r['ci_high'] * k, d)})")

    return pd.DataFrame({
        "Reeks": trends["label"].to_numpy(),
        "Organisatie": trends["organisation"].to_numpy(),
        "Perioden": trends["n"].astype(int).to_numpy(),
        "Methode": trends["method"].to_numpy(),
        "Helling per jaar (95%-BI)": [fmt(r) for _, r in trends.iterrows()],
        "p (gecorrigeerd)": trends["p_adjusted"].map(
            lambda p: "-" if pd.isna(p) else ("< 0,001" if p < 0.001 else nl_number(p, 3)))
        .to_numpy(),
        "Trend": trends["trend"].to_numpy(),
    })


# ------------------------------------------------------------------------ signals


def signals_for(signals: pd.DataFrame, organisations: Iterable[str],
                start: pd.Timestamp | None = None) -> pd.DataFrame:
    """Signals of ``organisations`` (from ``start`` on), numbered in date order.

    Returns:
        nr (1..n), date, organisation, team, theme, kpi_id, text.
    """
    s = signals[signals["organisation"].isin(list(organisations))]
    if start is not None:
        s = s[s["date"] >= start]
    s = s.sort_values(["date", "organisation"], kind="stable", ignore_index=True)
    cols = ["date", "organisation", "team", "theme", "kpi_id", "text"]
    out = s[[c for c in cols if c in s]].copy()
    out.insert(0, "nr", np.arange(1, len(out) + 1))
    return out


def signal_panels(sig: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Which panel each signal belongs to: its KPI, and that KPI's zwt indicator.

    Returns:
        nr, date, organisation, panel: one row per (signal, panel); signals
        without kpi_id are left out (they appear on the timeline only).
    """
    s = sig.dropna(subset=["kpi_id"])[["nr", "date", "organisation", "kpi_id"]]
    ind = register.drop_duplicates("kpi_id").set_index("kpi_id")["indicator_id"].dropna()
    via = s.assign(panel=s["kpi_id"].map(ind)).dropna(subset=["panel"])
    out = pd.concat([s.assign(panel=s["kpi_id"]), via], ignore_index=True)
    return out.drop(columns="kpi_id").astype({"panel": str})


def signals_table_nl(sig: pd.DataFrame, max_chars: int = 120) -> pd.DataFrame:
    """Signals as a Dutch display table (text shortened to ``max_chars``)."""
    text = sig["text"].astype("string").fillna("")
    short = text.where(text.str.len() <= max_chars, text.str.slice(0, max_chars - 1) + "…")
    return pd.DataFrame({
        "Nr": sig["nr"].to_numpy(),
        "Datum": pd.to_datetime(sig["date"]).dt.strftime("%d-%m-%Y").to_numpy(),
        "Organisatie": sig["organisation"].to_numpy(),
        "Thema": sig["theme"].fillna("").to_numpy() if "theme" in sig else "",
        "KPI": sig["kpi_id"].fillna("").to_numpy() if "kpi_id" in sig else "",
        "Signaal": short.to_numpy(),
    })


# ------------------------------------------------------------------------ tables


def audit_table_nl(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The audit as a readable Dutch table (one row per KPI)."""
    def yes(x: pd.Series) -> pd.Series:
        return x.map({True: "ja", False: "nee"}).fillna("nee")

    from zwt_analysis.present.fmt import nl_number, nl_percent

    def pct(x: pd.Series) -> pd.Series:
        return x.map(lambda v: "-" if pd.isna(v) else nl_percent(v, 0))

    t = pd.DataFrame({
        "KPI": audit["kpi_id"],
        "Naam": audit.get("name", pd.Series("", index=audit.index)).fillna(""),
        "Niveau": audit["result_level"].map(LEVEL_LABELS).fillna("-"),
        "Bouwsteen": audit["quality_block"].astype("string").fillna("-"),
        "Meetbaar": yes(audit["measurable"]),
        "Volledig": pct(audit["completeness"]),
        "Variatiecoëff.": audit["cv"].map(lambda v: "-" if pd.isna(v) else nl_number(v, 2)),
        "Norm gehaald": pct(audit["share_met"]),
        "Groep": audit["near_duplicate_group"].fillna("-"),
        "Verandertheorie": yes(audit["has_theory_of_change"]),
        "Voorstel": audit["decision_nl"],
        "Regel": audit["rule"],
        "Reden": audit["reason"],
    })
    if "completeness_org" in audit:
        t.insert(6, "Volledig (organisatie)", pct(audit["completeness_org"]).to_numpy())
        t.insert(9, "Norm gehaald (organisatie)", pct(audit["share_met_org"]).to_numpy())
    if accountability_df is not None:
        fit = accountability_df.set_index("kpi_id")["fit"]
        t.insert(3, "Past bij opdracht", audit["kpi_id"].map(fit).fillna("-").to_numpy())
    return t


def audit_csv(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None,
              gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The audit as written to ``kpi_audit.csv``: one row per KPI, stable columns.

    When ``gaps`` is given, one row per coverage gap is appended (``kpi_id``
    ``GAP:<theme>``, decision ``add``, the candidates as reason).
    """
    cols = ["kpi_id", "name", "assignment_id", "unit", "direction", "target", "indicator_id",
            "quality_block", "result_level", "measurable", "measurable_via", "n_expected",
            "n_delivered", "completeness", "completeness_org", "n_values", "n_distinct",
            "distinct_share", "cv", "constant",
            "low_variation", "target_set", "share_met", "share_met_org", "has_theory_of_change",
            "near_duplicate_group", "most_similar", "max_abs_rho", "decision", "decision_nl",
            "merge_into", "rule", "reason"]
    out = audit[[c for c in cols if c in audit]].copy()
    for c in ("n_expected", "n_delivered", "n_values", "n_distinct", "quality_block"):
        if c in out:
            out[c] = out[c].astype("Int64")
    for c in ("measurable", "constant", "low_variation", "target_set", "has_theory_of_change"):
        if c in out:
            out[c] = out[c].astype("boolean")
    out["reason"] = out["reason"].astype("string").str.replace("\n", " ", regex=False)
    if accountability_df is not None:
        acc = accountability_df.set_index("kpi_id")
        for c in ("strategy", "should_be", "fit"):
            out[f"accountability_{c}"] = out["kpi_id"].map(acc[c]).to_numpy()
    if gaps is not None and len(gaps):
        g = gaps[gaps["gap"]]
        extra = pd.DataFrame({
            "kpi_id": "GAP:" + g["theme"].astype(str),
            "name": g["label"].astype(str),
            "decision": "add",
            "decision_nl": "toevoegen",
            "reason": "Geen behouden KPI op dit thema; kandidaten die zwt berekent: "
                      + g["candidates"].astype(str),
        })
        out = pd.concat([out, extra], ignore_index=True)
    return out


# ------------------------------------------------------------------------ figures


def _colour_cycle() -> list[str]:
    """Colours of the active matplotlib style (the report style sets a colour-blind-safe one)."""
    import matplotlib

    return list(matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#0173b2"]))


def organisation_colours(organisations: Iterable[str]) -> dict[str, str]:
    """A fixed colour per organisation (sorted order), the city in dark grey.

    Use the same mapping in the city report and every organisation report so
    an organisation keeps its colour.
    """
    cycle = _colour_cycle()
    orgs = sorted({str(o) for o in organisations if pd.notna(o) and o not in (ALL, "Zaanstad")})
    out = {o: cycle[i % len(cycle)] for i, o in enumerate(orgs)}
    out["Zaanstad"] = "#333333"
    return out


def plot_small_multiples(series: pd.DataFrame, signals: pd.DataFrame | None = None,
                         ncols: int = 3, title: str | None = None,
                         colours: Mapping[str, str] | None = None) -> Any:
    """One panel per series; a line per organisation, target, interval and signals.

    Shares are drawn as percentages. ``signals`` (from :func:`signal_panels`:
    nr, date, organisation, panel) appear as a dotted line in the
    organisation's colour with their number on top, on their own panel only.

    Returns:
        The matplotlib Figure (None when ``series`` is empty).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from zwt_analysis.present.fmt import nl_number

    if series.empty:
        return None
    panels = list(dict.fromkeys(series["series"]))
    orgs = list(dict.fromkeys(sorted(series["organisation"].unique(),
                                     key=lambda o: (o == "Zaanstad", o))))
    colours = dict(colours or {})
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, "#333333" if o == "Zaanstad" else cycle[i % len(cycle)])
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows), sharex=True,
                             squeeze=False)
    sig = signals if signals is not None else pd.DataFrame(columns=["nr", "date",
                                                                    "organisation", "panel"])
    for ax, sid in zip(axes.flat, panels, strict=False):
        g = series[series["series"] == sid]
        share = bool(g["unit"].eq("share").fillna(False).all())
        k = 100.0 if share and g["value"].max() <= 1 else 1.0
        for org, go in g.groupby("organisation", sort=False):
            c = colours[org]
            ls = "--" if org == "Zaanstad" else "-"
            ax.plot(go["date"], go["value"] * k, color=c, ls=ls, lw=1.6, label=org)
            if go["low"].notna().any():
                ax.fill_between(go["date"], go["low"] * k, go["high"] * k, color=c, alpha=0.15,
                                lw=0)
        target = g["target"].dropna()
        if len(target):
            ax.axhline(float(target.iloc[0]) * k, color="#b00020", ls=":", lw=1.2)
        mine = sig[(sig["panel"] == str(sid)) & sig["organisation"].isin(g["organisation"])]
        for j, (_, s) in enumerate(mine.iterrows()):
            c = colours.get(s["organisation"], "#555")
            ax.axvline(s["date"], color=c, ls=":", lw=1.1)
            ax.annotate(str(s["nr"]), (s["date"], 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 1 + 7 * (j % 2)), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=c)
        label = textwrap.shorten(str(g["label"].iloc[0]), 80, placeholder="…")
        ax.set_title("\n".join(textwrap.wrap(label, 42)), fontsize=10, pad=14)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        if share:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: nl_number(v, 0) + "%"))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(
                lambda v, _p: nl_number(v, 0 if abs(v) >= 10 or v == int(v) else 1)))
        ax.tick_params(labelsize=8)
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
        elif i + ncols >= len(panels):  # nothing below: show the years here
            ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(orgs) + 1, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_signal_timeline(sig: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         colours: Mapping[str, str] | None = None) -> Any:
    """Signals as numbered markers on one row per organisation (same time axis)."""
    import matplotlib.pyplot as plt

    if sig.empty:
        return None
    orgs = list(dict.fromkeys(sorted(sig["organisation"].unique())))
    colours = dict(colours or {})
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, cycle[i % len(cycle)])
    fig, ax = plt.subplots(figsize=(12.6, 0.6 + 0.55 * len(orgs)))
    for y, org in enumerate(orgs):
        s = sig[sig["organisation"] == org]
        ax.scatter(s["date"], [y] * len(s), marker="v", color=colours[org], s=40, zorder=3)
        for j, (_, r) in enumerate(s.iterrows()):
            ax.annotate(str(r["nr"]), (r["date"], y), xytext=(0, 6 + 8 * (j % 2)),
                        textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(orgs)), orgs)
    ax.set_ylim(-0.6, len(orgs) - 0.2)
    ax.set_xlim(start, end)
    ax.grid(axis="y", visible=False)
    ax.set_title("Signalen uit de praktijk (nummers: zie tabel)", fontsize=10)
    return fig


def decision_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Number of KPIs per proposed decision (Dutch labels, fixed order)."""
    from zwt_analysis.reports.kpi.audit import DECISION_LABELS

    counts = audit["decision"].value_counts()
    return pd.DataFrame({
        "Voorstel": [DECISION_LABELS[k] for k in DECISION_LABELS],
        "Aantal KPI's": [int(counts.get(k, 0)) for k in DECISION_LABELS],
    })


def duplicate_groups_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Near-duplicate groups: members, the KPI kept and the strongest |rho| inside."""
    from zwt_analysis.present.fmt import nl_number

    g = audit.dropna(subset=["near_duplicate_group"])
    rows = []
    for name, m in g.groupby("near_duplicate_group", sort=False):
        rep = m.loc[m["is_group_representative"], "kpi_id"]
        rows.append({"Groep": name, "KPI's": ", ".join(m["kpi_id"].astype(str)),
                     "Blijft": rep.iloc[0] if len(rep) else "-",
                     "Hoogste |rho|": nl_number(m["max_abs_rho"].max(), 2)})
    out = pd.DataFrame(rows, columns=["Groep", "KPI's", "Blijft", "Hoogste |rho|"])
    return out.sort_values("Groep", key=lambda s: s.str[1:].astype(int), ignore_index=True)


def accountability_summary(acc: pd.DataFrame, strategies: pd.DataFrame,
                           rules: Mapping[str, Any], audit: pd.DataFrame | None = None
                           ) -> pd.DataFrame:
    """Per Ebrahim strategy: its assignments, what they can answer for, their KPIs.

    Counts the KPIs in the register per result level, and (with ``audit``)
    how many of them are proposed to keep; assignments without any KPI are
    counted separately.

    Returns:
        One row per strategy that occurs, Dutch column names.
    """
    strat = rules["ebrahim_strategies"]
    levels = list(rules["result_levels"])
    kept = set(audit.loc[audit["decision"] == "keep", "kpi_id"]) if audit is not None else None
    with_kpi = set(acc["assignment_id"])
    rows = []
    for key in strat:
        s = strategies[strategies["strategy"] == key]
        k = acc[acc["strategy"] == key]
        if s.empty and k.empty:
            continue
        ids = sorted(set(s["assignment_id"]) | set(k["assignment_id"]))
        row = {
            "Strategie (Ebrahim)": strat[key].get("label", key),
            "Opdrachten": len(ids),
            "Zonder KPI": sum(1 for i in ids if i not in with_kpi),
            "Voorbeelden": ", ".join(ids[:3]) + (" …" if len(ids) > 3 else ""),
            "Verantwoorden tot en met": LEVEL_LABELS[max(strat[key]["accountable"],
                                                         key=levels.index)],
        }
        for lvl in levels:
            n_reg = int((k["result_level"] == lvl).fillna(False).sum())
            if kept is None:
                row[f"KPI's {LEVEL_LABELS[lvl]}"] = n_reg
            else:
                n_kept = int(((k["result_level"] == lvl).fillna(False)
                              & k["kpi_id"].isin(kept)).sum())
                row[f"KPI's {LEVEL_LABELS[lvl]}"] = f"{n_reg} ({n_kept})"
        row["Te hoog / alleen leren"] = int(k["fit"].isin(["te hoog", "leren"]).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def misfit_table_nl(acc: pd.DataFrame, audit: pd.DataFrame,
                    rules: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs above the level their assignment can answer for, as a Dutch table."""
    strat = rules["ebrahim_strategies"]
    m = acc[acc["fit"].isin(["te hoog", "leren"])].merge(audit[["kpi_id", "decision_nl"]],
                                                         on="kpi_id", how="left")
    return pd.DataFrame({
        "KPI": m["kpi_id"].to_numpy(),
        "Opdracht": m["assignment_id"].to_numpy(),
        "Strategie": m["strategy"].map(lambda k: strat[k].get("label", k)).to_numpy(),
        "Niveau": m["result_level"].map(LEVEL_LABELS).to_numpy(),
        "Verantwoorden tot en met": m["should_be"].map(LEVEL_LABELS).to_numpy(),
        "Advies": m["advice"].to_numpy(),
        "Voorstel": m["decision_nl"].to_numpy(),
    })


def accountability_text(acc: pd.DataFrame, audit: pd.DataFrame,
                        rules: Mapping[str, Any]) -> str:
    """Dutch sentences: per strategy, which kept KPIs are outputs/outcomes and what to add.

    For each strategy with KPIs: the number of kept KPIs at the highest level
    its assignments can answer for; when there is none, advice to add one at
    that level. Kept KPIs above that level are mentioned as learning KPIs.
    """
    strat = rules["ebrahim_strategies"]
    kept = set(audit.loc[audit["decision"] == "keep", "kpi_id"])
    lines = []
    for key, g in acc.groupby("strategy", sort=False):
        top = g["should_be"].iloc[0]
        k = g[g["kpi_id"].isin(kept)]
        at_top = k.loc[k["result_level"] == top, "kpi_id"].tolist()
        label = strat[key].get("label", key)
        text = (f"- **{label}** ({g['assignment_id'].nunique()} opdracht(en) met KPI's): "
                f"verantwoorden tot en met **{LEVEL_LABELS[top]}**. ")
        if at_top:
            text += f"Behouden KPI's op dat niveau: {', '.join(at_top)}."
        else:
            text += f"Geen behouden KPI op {LEVEL_LABELS[top]}-niveau: voeg er een toe."
        lower = k.loc[k["result_level"].isin(["input", "activity"]), "kpi_id"].tolist()
        if lower:
            text += (f" Beschrijven inzet, geen resultaat ({LEVEL_LABELS['input']}/"
                     f"{LEVEL_LABELS['activity']}): {', '.join(lower)}.")
        lines.append(text)
    return "\n".join(lines) if lines else "Geen KPI's met een opdracht."


def kept_with_values(audit: pd.DataFrame, values: pd.DataFrame, max_n: int = 12) -> list[str]:
    """KPIs proposed to keep that have delivered values, most outcome-like first."""
    has = set(values.loc[values["value"].notna(), "kpi_id"])
    kept = audit[(audit["decision"] == "keep") & audit["kpi_id"].isin(has)]
    kept = kept.sort_values(["result_level_rank", "kpi_id"], ascending=[False, True])
    return kept["kpi_id"].astype(str).head(max_n).tolist()


def report_indicator_ids(audit: pd.DataFrame, rules: Mapping[str, Any],
                         available: Iterable[str]) -> list[str]:
    """zwt indicators to show: the configured ones plus those named by kept KPIs.

    Only indicators present in the indicator table (``available``) are returned,
    configured ones first.
    """
    avail = set(available)
    named = audit.loc[audit["decision"] == "keep", "indicator_id"].dropna().astype(str)
    ids = list(dict.fromkeys([*rules["trend"].get("report_indicators", []), *sorted(named)]))
    return [i for i in ids if i in avail]
