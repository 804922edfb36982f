"""``make validate``: the statistical methods under known truths (issue 15).

Simulates trendless series, panels with a planted (or zero) effect,
yearly amounts with and without growth, clustered hour shares, outflow
counts, staff histories with and without a drift in leaving, and whole
synthetic case deliveries with a planted (or zero) effect of caseload on
deadline compliance; prints Markdown tables of false-positive rates and
coverage for the old and the new methods (``docs/validation.md`` holds a
real run). Not part of the test suite: it measures, it does not assert.

    python -m zwt_analysis.validate [--quick] [--out FILE] [--seed N] [--workers N]
                                    [--only SECTION ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

#: Replications per table: full run and ``--quick``.
FULL = {"trend": 2000, "trend_old": 400, "panel_generator": 40, "panel_light": 300,
        "reservation": 4000, "hours": 2000, "rates": 2000,
        "workforce": 100, "workforce_backtest": 40, "deadline": 200, "deadline_null": 100}
QUICK = {"trend": 80, "trend_old": 40, "panel_generator": 2, "panel_light": 10,
         "reservation": 100, "hours": 100, "rates": 100,
         "workforce": 2, "workforce_backtest": 2, "deadline": 2, "deadline_null": 1}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _markdown(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def trend_tables(reps: dict[str, int], seed: int, workers: int = 2) -> tuple[list[str], dict]:
    """Markdown for the trend-size tables and the minimum lengths they imply."""
    from zwt_analysis.methods._config import section
    from zwt_analysis.validate import trend_size

    table = trend_size.simulate(reps["trend"], reps["trend_old"], seed, workers)
    out = []
    for kind, g in table.groupby("kind", sort=False):
        wide = g.pivot_table(index="method", columns=["noise", "n"], values="reject",
                             sort=False).map(_pct)
        wide.columns = [f"{noise}, n={n}" for noise, n in wide.columns]
        out.append(f"**Trendtoets {kind}: verwerpingskans zonder trend (nominaal 5%)**\n\n"
                   + _markdown(wide.reset_index().rename(columns={"method": "methode"})))
        nov = g[g["method"].str.startswith("nieuw")].pivot_table(
            index="method", columns=["noise", "n"], values="no_verdict", sort=False).map(_pct)
        nov.columns = [f"{noise}, n={n}" for noise, n in nov.columns]
        out.append(f"Zonder oordeel (te sterke autocorrelatie voor de lengte), {kind}:\n\n"
                   + _markdown(nov.reset_index().rename(columns={"method": "methode"})))
    lengths = trend_size.min_lengths(table)
    cfg = section("trend")["min_length"]
    out.append("Kleinste gesimuleerde lengte vanaf waar de nieuwe toets <= 7% blijft "
               f"(beide ruissoorten): {lengths}; `methods.yaml` gebruikt {cfg}.")
    return out, lengths


def panel_tables(reps: dict[str, int], workers: int) -> list[str]:
    """Markdown for the panel coverage / false-positive table."""
    from zwt_analysis.validate import panel_coverage

    runs = panel_coverage.simulate(reps["panel_generator"], reps["panel_light"], workers)
    s = panel_coverage.summarise(runs)
    null = s["condition"].str.startswith("nul")

    def col(key: str, for_null: bool) -> list[str]:
        return [(_pct(v) if z == for_null else "-") for z, v in zip(null, s[key], strict=True)]

    table = pd.DataFrame({
        "bron": s["source"], "conditie": s["condition"], "datasets": s["sets"],
        "clusters": s["clusters"].astype(int), "kwartalen": s["quarters"].astype(int),
        "dekking CR1": col("cov_cr1", False), "dekking WCR": col("cov_wcr", False),
        "dekking MG": col("cov_mg", False),
        "fout-positief CR1": col("rej_cr1", True), "fout-positief WCR": col("rej_wcr", True),
        "fout-positief MG": col("rej_mg", True),
        "breedte WCR / CR1": s["width_ratio"].round(2),
        "vlag weinig clusters": s["few"].map(_pct),
    })
    return ["**Paneel (vaste team- en kwartaaleffecten, 95%-intervallen)**\n\n" + _markdown(table)]


def other_tables(reps: dict[str, int], seed: int) -> list[str]:
    """Markdown for reservation, hour-share and rate coverage."""
    from zwt_analysis.validate import interval_coverage, reservation_coverage

    res = reservation_coverage.simulate(reps["reservation"], seed)
    wide = res.pivot_table(index="method", columns="scenario", values="coverage", sort=False)
    out = ["**Flexibele reservering: kans dat het volgende jaar binnen de reservering valt "
           "(gesteld 80%, 8 jaren historie)**\n\n"
           + _markdown(wide.map(_pct).reset_index().rename(columns={"method": "methode"}))]
    hs = interval_coverage.hour_shares(reps["hours"], seed)
    wide = hs.pivot_table(index="method", columns="persons", values="coverage", sort=False)
    wide.columns = [f"{c} personen" for c in wide.columns]
    out.append("**Urenaandeel geclusterd per persoon: dekking van het 95%-interval**\n\n"
               + _markdown(wide.map(_pct).reset_index().rename(columns={"method": "methode"})))
    rt = interval_coverage.outflow_rates(reps["rates"], seed)
    wide = rt.pivot_table(index="method", columns="dispersion", values="coverage", sort=False)
    wide.columns = [f"dispersie {c:g}" for c in wide.columns]
    out.append("**Uitstroompercentage per organisatie-jaar: dekking van het 95%-interval**\n\n"
               + _markdown(wide.map(_pct).reset_index().rename(columns={"method": "methode"})))
    return out


def _by_kind(kind: str, x: float, signed: bool = False) -> str:
    """A recovery figure in its parameter's unit: outflow in % (points), months, log per year."""
    if kind == "outflow":
        return f"{100 * x:+.1f} %-punt" if signed else _pct(x)
    d = 3 if kind == "drift" else 2
    return f"{x:+.{d}f}" if signed else f"{x:.{d}f}"


def workforce_tables(reps: dict[str, int], seed: int, workers: int = 2) -> list[str]:
    """Markdown for the workforce model: parameter recovery, drift test, back-test."""
    from zwt_analysis.validate import scenario_recovery as sr

    rec, bt = sr.simulate(reps["workforce"], reps["workforce_backtest"], seed, workers)
    s = sr.summarise_recovery(rec)
    table = pd.DataFrame({
        "conditie": s["condition"], "parameter": s["kind"].map(sr.KINDS),
        "historieën": s["histories"], "intervallen": s["intervals"],
        "dekking": s["coverage"].map(_pct),
        "gem. schatting": [_by_kind(k, v) for k, v in zip(s["kind"], s["estimate"], strict=True)],
        "gem. waarheid": [_by_kind(k, v) for k, v in zip(s["kind"], s["truth"], strict=True)],
        "vertekening": [_by_kind(k, v, True) for k, v in zip(s["kind"], s["bias"], strict=True)],
    })
    out = ["**Personeelsmodel: bekende waarden terugvinden uit een ander proces "
           "(dekking van de 95%-intervallen)**\n\n" + _markdown(table)]
    d = sr.summarise_drift_test(rec)
    table = pd.DataFrame({
        "conditie": d["condition"], "ware drift": d["truth"].map(lambda v: f"{v:.2f}"),
        "historieën": d["histories"],
        "lees als": ["fout-positief" if v == 0 else "onderscheidend vermogen" for v in d["truth"]],
        "gemeenschappelijke drift p < 0,05": d["common"].map(_pct),
        "model neemt een drift op": d["adopted"].map(_pct),
    })
    out.append("**Drifttoets vertrek: kans dat een drift wordt gevonden "
               "(nominaal 5% zonder drift)**\n\n" + _markdown(table))
    if len(bt):
        b = sr.summarise_backtest(bt)
        table = pd.DataFrame({
            "conditie": b["condition"], "niveau": b["level"], "historieën": b["histories"],
            "voorspellingen": b["predictions"], "binnen band": b["coverage"].map(_pct),
            "onder band": b["below"].map(_pct),
            "boven band": (1 - b["coverage"] - b["below"]).map(_pct),
        })
        out.append("**Terugtoets vertrekkers per jaar: aandeel binnen de 10-90%-band van de "
                   "runs (nominaal 80%)**\n\n" + _markdown(table))
    return out


#: Sections of a run, in order (``--only`` picks some).
SECTIONS = ("trend", "panel", "overig", "personeel", "termijnen")


def deadline_tables(reps: dict[str, int], seed: int, workers: int) -> list[str]:
    """Markdown for the deadline-compliance-on-load coverage (whole chain, per law)."""
    from zwt_analysis.validate import deadline_coverage

    return deadline_coverage.deadline_tables(reps, seed, workers)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every simulation, print the tables (and write them to ``--out``). Returns 0."""
    ap = argparse.ArgumentParser(prog="python -m zwt_analysis.validate", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="few replications (smoke test)")
    ap.add_argument("--out", type=Path, help="also write the Markdown to this file")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2, help="processes for the simulations")
    ap.add_argument("--only", action="append", choices=SECTIONS,
                    help="run only this section (repeatable; default: all)")
    args = ap.parse_args(argv)
    reps = QUICK if args.quick else FULL
    parts: list[str] = []
    timings = []
    sections = {
        "trend": lambda: trend_tables(reps, args.seed, args.workers)[0],
        "panel": lambda: panel_tables(reps, args.workers),
        "overig": lambda: other_tables(reps, args.seed),
        "personeel": lambda: workforce_tables(reps, args.seed, args.workers),
        "termijnen": lambda: deadline_tables(reps, args.seed, args.workers),
    }
    for name, fn in sections.items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        parts += fn()
        timings.append(f"{name} {time.perf_counter() - start:.0f} s")
        print(f"[validate] {timings[-1]}", flush=True)
    text = "\n\n".join(parts) + (f"\n\nReplicaties: {reps}; seed {args.seed}; rekentijd: "
                                 + ", ".join(timings) + ".\n")
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0
