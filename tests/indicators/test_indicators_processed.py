"""`zwt indicators` on the small synthetic processed data set."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from zwt_analysis import processed
from zwt_analysis.cli import app
from zwt_analysis.contract import INDICATOR_COLUMNS
from zwt_analysis.indicators import INDICATORS, compute_from_processed
from zwt_analysis.present.publish import is_publishable, publish_indicators


@pytest.fixture(scope="module")
def internal(small_processed) -> pd.DataFrame:
    return compute_from_processed(small_processed, with_persons=True)


def test_every_indicator_present_with_exact_columns(internal, small_processed):
    assert list(internal.columns) == [*INDICATOR_COLUMNS, "persons"]
    assert set(internal.indicator_id) == set(INDICATORS)
    as_of = processed.as_of(small_processed)
    for ind_id, df in internal.groupby("indicator_id"):
        spec = INDICATORS[ind_id]
        levels = {"team" if t != "ALL" else ("organisation" if o != "ALL" else "city")
                  for o, t in zip(df.organisation, df.team, strict=True)}
        assert levels == set(spec.levels), ind_id
        pattern = r"\d{4}-Q[1-4]" if spec.period == "quarter" else r"\d{4}"
        assert df.period.str.fullmatch(pattern).all(), ind_id
        assert (df.period.str[:4].astype(int) <= as_of.year).all()
    assert (internal.denominator != 0).all()
    keys = ["indicator_id", "period", "organisation", "team"]
    assert not internal.duplicated(keys).any()
    assert internal[keys].equals(internal.sort_values(keys)[keys].reset_index(drop=True))


def test_matches_the_planted_relation(internal, small_raw):
    # synth writes the team-quarter caseload and preventive share it planted, computed from the
    # rows it wrote; the library must find the same numbers
    truth = json.loads((small_raw / "ground_truth.json").read_text(encoding="utf-8"))
    tq = pd.DataFrame(truth["prevention"]["team_quarters"])
    teams = internal[internal.team != "ALL"]
    for ind, col, tol in (("caseload_per_fte", "caseload_per_fte", 1e-4),
                          ("preventive_share", "realised_share", 1e-5)):
        got = teams[teams.indicator_id == ind].merge(
            tq, left_on=["team", "period"], right_on=["team", "quarter"], how="inner"
        )
        assert len(got) == len(tq)
        assert (got["value"] - got[col]).abs().max() < tol


def test_matches_the_planted_workforce_and_deadlines(internal, small_raw, small_processed):
    from zwt_analysis.indicators import deadline_status

    truth = json.loads((small_raw / "ground_truth.json").read_text(encoding="utf-8"))
    out = internal[internal.indicator_id == "staff_outflow_rate"].set_index(["organisation", "period"])
    wf = truth["workforce"]
    for org, years in wf["realised_outflow_rate"].items():
        for year, rate in years.items():
            assert out.loc[(org, year), "value"] == pytest.approx(rate, abs=5e-5), (org, year)
    for year, rate in wf["realised_city_outflow_rate"].items():
        assert out.loc[("ALL", year), "value"] == pytest.approx(rate, abs=5e-5), year
    # the cases synth left without their end event on `until` (= as-of) within the limit
    cases = processed.read_table(small_processed, "cases")
    as_of = processed.as_of(small_processed)
    for key, d in truth["deadlines"]["limits"].items():
        st = deadline_status(cases, f"{key}_on_time", as_of)
        assert (st["status"] == "pending").sum() == d["pending_at_until"], key


def test_cli_writes_the_csv(small_processed, tmp_path, internal):
    out = tmp_path / "ind" / "indicators.csv"
    res = CliRunner().invoke(app, ["indicators", "--processed", str(small_processed), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "14/14 indicators" in res.output
    df = pd.read_csv(out, dtype={"period": str})
    assert list(df.columns) == list(INDICATOR_COLUMNS)
    assert len(df) == len(internal)
    pd.testing.assert_series_equal(df["value"], internal["value"], check_names=False)
    assert not (out.parent / "indicators.csv.tmp").exists()


def test_cli_limits_override(small_processed, tmp_path, internal):
    lim = tmp_path / "limits.yaml"
    lim.write_text("wmo_decision: 7\n", encoding="utf-8")
    out = tmp_path / "ind.csv"
    res = CliRunner().invoke(app, ["indicators", "--processed", str(small_processed), "--out", str(out),
                                   "--limits", str(lim)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    city = "organisation == 'ALL' and indicator_id == 'wmo_decision_on_time'"
    stricter = df.query(city)["numerator"].sum()
    default = internal.query(city)["numerator"].sum()
    assert stricter < default


def test_cli_errors_are_plain(tmp_path):
    res = CliRunner().invoke(app, ["indicators", "--processed", str(tmp_path / "nope"), "--out",
                                   str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "run `zwt clean` first" in res.output
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(app, ["indicators", "--processed", str(tmp_path / "empty"), "--out",
                                   str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "as_of" in res.output
    assert "Traceback" not in res.output


def test_cli_on_folder_without_tables(tmp_path):
    # only validation.json: every table absent -> an empty CSV with the header, no crash
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "validation.json").write_text('{"as_of": "2024-06-30"}', encoding="utf-8")
    out = tmp_path / "x.csv"
    res = CliRunner().invoke(app, ["indicators", "--processed", str(tmp_path / "p"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").strip() == ",".join(INDICATOR_COLUMNS)


def test_published_synthetic_table_is_publishable(internal):
    pub = publish_indicators(internal)
    assert is_publishable(pub)
    assert pub["suppressed"].any()  # the small data set has small cells
    assert not is_publishable(internal)
