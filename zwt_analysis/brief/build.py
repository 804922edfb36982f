"""What the council brief says: its inputs, its key figures and its stories (no HTML here).

:func:`load_inputs` reads the processed folder and the indicator table;
:func:`build_brief` turns them into a :class:`Brief` (figures from
:mod:`.figures`, stories from :mod:`.stories`) that :mod:`.page` renders.
The figures, their labels and the kind of margin of each come from
``resources/brief.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zwt_analysis import config
from zwt_analysis import processed as proc
from zwt_analysis.brief.figures import (
    FigureRow,
    KeyFigure,
    city_rows,
    figure_row,
    outflow_dispersion,
    person_hours,
)
from zwt_analysis.brief.stories import Story, recent_stories
from zwt_analysis.contract import ALL, PREVENTIVE_ACTIVITIES
from zwt_analysis.methods.windows import mark_periods
from zwt_analysis.periods import quarter_of

SETTINGS_FILE = "brief.yaml"
#: Activities of the preventive share's denominator (its numerator is PREVENTIVE_ACTIVITIES).
STATUTORY = ("statutory_individual",)


@dataclass(frozen=True)
class BriefInputs:
    """Everything the brief reads.

    ``hours``: ``time_registrations`` rows (``employee_id, date, activity,
    hours``) of the preventive share's activities, or None when not
    delivered. ``data_start``: first day the exports observe.
    """

    indicators: pd.DataFrame
    signals: pd.DataFrame
    as_of: date
    data_start: date
    synthetic: bool = False
    municipality: str | None = None
    hours: pd.DataFrame | None = None


@dataclass(frozen=True)
class Brief:
    """The content of one brief."""

    municipality: str | None
    as_of: date
    quarter: str  # the as-of date's quarter, YYYY-Qn
    synthetic: bool
    figures: list[KeyFigure]
    stories: list[Story]

    @property
    def provisional(self) -> list[str]:
        """Periods after a figure's shown period that were left out (provisional, partial), sorted."""
        return sorted({p for f in self.figures for r in f.rows for p in r.excluded})


def settings(path: str | Path | None = None) -> dict[str, Any]:
    """The brief's settings (``resources/brief.yaml``, or ``path``)."""
    return config.load_yaml(path or config.resource(SETTINGS_FILE))


def deadline_days() -> dict[str, int]:
    """Days of each deadline indicator's legal limit (``deadlines.yaml`` via ``methods.yaml``)."""
    from zwt_analysis.methods._config import section

    limits = config.load_yaml(config.resource("deadlines.yaml"))["limits"]
    names = section("windows")["deadline_indicators"]
    return {ind: int(limits[name]["days"]) for ind, name in names.items() if name in limits}


def _first_day(processed_dir: Path) -> date | None:
    """The earliest case report or hour registration (the first day the exports observe)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    lows = []
    for name, col in (("cases", "date_report"), ("time_registrations", "date")):
        path = processed_dir / f"{name}.parquet"
        if path.exists():
            low = pc.min(pq.read_table(path, columns=[col]).column(col)).as_py()
            if low is not None:
                lows.append(low.date())
    return min(lows) if lows else None


def municipality_name(processed_dir: str | Path) -> str | None:
    """The municipality's name from configuration or the ``areas`` wijk codes; None if unknown."""
    from zwt_analysis import municipality

    path = Path(processed_dir) / "areas.parquet"
    codes: list[object] = []
    if path.exists():
        import pyarrow.parquet as pq

        codes = pq.read_table(path, columns=["area_code"]).column("area_code").to_pylist()
    return municipality.resolve(codes).name


def load_inputs(processed_dir: str | Path, indicators_file: str | Path | None = None
                ) -> BriefInputs:
    """Read what the brief needs from a processed folder and its indicator table.

    Raises:
        FileNotFoundError: no ``validation.json`` (as-of) or no indicator table.
    """
    p = Path(processed_dir)
    ind_path = Path(indicators_file) if indicators_file else p / "indicators.csv"
    if not ind_path.is_file():
        raise FileNotFoundError(f"{ind_path}: no indicator table; run `zwt indicators` first")
    as_of = proc.as_of(p)
    tables = set(proc.available_tables(p))
    signals = proc.read_table(p, "signals") if "signals" in tables else \
        proc.empty_table("signals")
    hours = None
    if "time_registrations" in tables:
        import pyarrow.parquet as pq

        hours = pq.read_table(
            p / "time_registrations.parquet", columns=["employee_id", "date", "activity", "hours"],
            filters=[("activity", "in", list(PREVENTIVE_ACTIVITIES + STATUTORY))]).to_pandas()
    return BriefInputs(indicators=proc.read_indicators(ind_path), signals=signals, as_of=as_of,
                       data_start=_first_day(p) or as_of, synthetic=proc.is_synthetic(p),
                       municipality=municipality_name(p), hours=hours)


def _verdicts(inputs: BriefInputs) -> dict[str, dict[str, Any]]:
    """The run's trend verdicts of the city series, by indicator (the frequency of its periods)."""
    from zwt_analysis.methods.family import indicator_trends

    v = indicator_trends(inputs.indicators, inputs.as_of, inputs.data_start)
    city = v.loc[(v["organisation"].astype(str) == ALL) & (v["team"].astype(str) == ALL)]
    return {(str(r["indicator_id"]), str(r["frequency"])): r.to_dict() for _, r in city.iterrows()}


def _row(inputs: BriefInputs, spec: dict[str, Any], verdicts: dict, days: dict[str, int]
         ) -> FigureRow:
    """One configured row of a figure."""
    from zwt_analysis.indicators import registry
    from zwt_analysis.periods import is_quarter

    ind_id = spec["indicator"]
    label = spec.get("label", "")
    if ind_id in days and label:
        label = f"{label} ({days[ind_id]} dagen)"
    rows = city_rows(inputs.indicators, ind_id)
    if rows.empty:
        return FigureRow(ind_id, label, spec["interval"], short=spec.get("short", ""))
    marked = mark_periods(rows, inputs.as_of, inputs.data_start)
    freq = "quarter" if is_quarter(str(marked["period"].iloc[-1])) else "year"
    hours = None
    usable = marked.loc[marked["status"] == "usable", "period"]
    if spec["interval"] == "korn_graubard" and inputs.hours is not None and len(usable):
        hours = person_hours(inputs.hours, str(usable.iloc[-1]), PREVENTIVE_ACTIVITIES,
                             PREVENTIVE_ACTIVITIES + STATUTORY)
    phi = (outflow_dispersion(inputs.indicators, ind_id, inputs.as_of, inputs.data_start)
           if spec["interval"] == "poisson" else 1.0)
    better = registry.spec(ind_id).higher_is_better if ind_id in registry.INDICATORS else None
    row = figure_row(ind_id, label, spec["interval"], marked, verdicts.get((ind_id, freq)),
                     hours=hours, dispersion=phi, higher_is_better=better)
    return replace(row, short=spec.get("short", ""))


def build_brief(inputs: BriefInputs, cfg: dict[str, Any] | None = None) -> Brief:
    """The brief's figures and stories from ``inputs`` (``cfg``: :func:`settings`)."""
    cfg = cfg or settings()
    verdicts = _verdicts(inputs)
    days = deadline_days()
    figures = [KeyFigure(f["key"], f["label"], f.get("explain", ""),
                         [_row(inputs, r, verdicts, days) for r in f["rows"]], f.get("short", ""))
               for f in cfg["figures"]]
    st = cfg.get("stories", {})
    stories = recent_stories(inputs.signals, inputs.as_of, int(st.get("count", 3)),
                             int(st.get("max_chars", 160)))
    return Brief(inputs.municipality, inputs.as_of, quarter_of(inputs.as_of), inputs.synthetic,
                 figures, stories)
