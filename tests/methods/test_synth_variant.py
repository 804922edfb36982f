"""The generator's prevention switches: off = the same data, on = only the planted relation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zwt_analysis import synth
from zwt_analysis.synth import PreventionVariant
from zwt_analysis.synth._hours import _ar1_within_teams

SCALE = 0.05


@pytest.fixture(scope="module")
def default_tables() -> dict[str, pd.DataFrame]:
    return synth.generate(seed=3, scale=SCALE)[0]


def test_switches_off_give_identical_tables(default_tables: dict[str, pd.DataFrame]) -> None:
    tables, truth = synth.generate(seed=3, scale=SCALE, variant=PreventionVariant())
    for name, frame in default_tables.items():
        pd.testing.assert_frame_equal(frame, tables[name])
    assert "variant" not in truth["prevention"]


def test_switches_on_change_only_the_hours(default_tables: dict[str, pd.DataFrame]) -> None:
    v = PreventionVariant(slope=0.0, team_slope_sd=0.004, ar1=0.5)
    tables, truth = synth.generate(seed=3, scale=SCALE, variant=v)
    for name in ("areas", "staff", "cases", "formation", "budgets"):
        pd.testing.assert_frame_equal(default_tables[name], tables[name])
    assert not default_tables["time_registrations"].equals(tables["time_registrations"])
    prev = truth["prevention"]
    assert prev["slope_preventive_share_per_caseload_per_fte"] == 0.0
    assert prev["variant"] == {"slope": 0.0, "team_slope_sd": 0.004, "ar1": 0.5}
    assert len(prev["team_slopes"]) == 10


def test_prevention_panel_matches_the_generator() -> None:
    panel, truth = synth.prevention_panel(seed=3, scale=SCALE)
    assert truth == {"slope": -0.008, "team_slopes": None,
                     "variant": {"slope": None, "team_slope_sd": 0.0, "ar1": 0.0}}
    assert list(panel.columns) == ["organisation", "team", "period", "preventive_share",
                                   "hours", "caseload_per_fte"]
    assert panel["team"].nunique() == 10
    assert panel["preventive_share"].between(0, 1).all() and (panel["hours"] > 0).all()
    _, t2 = synth.prevention_panel(seed=3, scale=SCALE, variant=PreventionVariant(slope=0.01))
    assert t2["slope"] == 0.01


def test_ar1_within_teams_by_hand() -> None:
    noise = np.array([1.0, 0.0, 2.0, 1.0])
    team = np.array([0, 0, 1, 0])
    q = np.array([0, 1, 0, 2])
    out = _ar1_within_teams(noise, team, q, 0.5)
    s = np.sqrt(0.75)
    # team 0 in quarter order: 1, 0.5 * 1 + s * 0, 0.5 * 0.5 + s * 1; team 1 unchanged
    assert out == pytest.approx([1.0, 0.5, 2.0, 0.25 + s])
