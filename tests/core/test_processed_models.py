"""The pandera models of the processed tables and the indicator table, checked when read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import processed


def _staff(**over) -> pd.DataFrame:
    cols = {"employee_id": ["e1", "e2"], "organisation": ["A", "A"], "team": ["T", "T"],
            "role": ["generalist", None], "fte": [1.0, 0.5],
            "start_date": ["2024-01-01", "2024-02-01"], "end_date": [None, None],
            "end_reason": [None, None]}
    cols.update(over)
    return processed.coerce_types("staff", pd.DataFrame(cols))


def test_a_valid_table_reads_back(tmp_path: Path):
    _staff().to_parquet(tmp_path / "staff.parquet")
    df = processed.read_table(tmp_path, "staff")
    assert len(df) == 2 and str(df["fte"].dtype) == "float64"


@pytest.mark.parametrize(("over", "column"), [
    ({"fte": [1.0, 0.0]}, "fte"),                       # 0 < fte: exclusive bound
    ({"fte": [1.0, 1.3]}, "fte"),                       # above 1.2
    ({"role": ["generalist", "boss"]}, "role"),         # not an enumerated value
    ({"employee_id": ["e1", None]}, "employee_id"),     # required column empty
])
def test_a_table_that_breaks_its_model_names_file_and_column(tmp_path: Path, over, column):
    _staff(**over).to_parquet(tmp_path / "staff.parquet")
    with pytest.raises(processed.ProcessedDataError, match=rf"staff\.parquet.*column {column}"):
        processed.read_table(tmp_path, "staff")


def test_upper_bound_itself_is_allowed(tmp_path: Path):
    _staff(fte=[1.2, 0.01]).to_parquet(tmp_path / "staff.parquet")
    assert processed.read_table(tmp_path, "staff")["fte"].max() == 1.2


def _write_indicators(path: Path, rows: list[tuple]) -> Path:
    pd.DataFrame(rows, columns=["indicator_id", "period", "organisation", "team", "numerator",
                                "denominator", "value"]).to_csv(path, index=False)
    return path


def test_indicator_table_model(tmp_path: Path):
    good = _write_indicators(tmp_path / "i.csv", [("x", "2024-Q1", "ALL", "ALL", 1.0, 4.0, 0.25),
                                                  ("x", "2024", "A", "ALL", 0.0, 2.0, 0.0)])
    df = processed.read_indicators(good)
    assert df["period"].tolist() == ["2024-Q1", "2024"] and str(df["period"].dtype) == "string"
    bad_value = _write_indicators(tmp_path / "b.csv", [("x", "2024-Q1", "ALL", "ALL", 1.0, 4.0, 0.3)])
    with pytest.raises(processed.ProcessedDataError, match="value = numerator / denominator"):
        processed.read_indicators(bad_value)
    bad_period = _write_indicators(tmp_path / "p.csv", [("x", "2024-Q5", "ALL", "ALL", 1.0, 4.0, 0.25)])
    with pytest.raises(processed.ProcessedDataError, match="column period"):
        processed.read_indicators(bad_period)
    zero = _write_indicators(tmp_path / "z.csv", [("x", "2024", "ALL", "ALL", 0.0, 0.0, 0.0)])
    with pytest.raises(processed.ProcessedDataError, match="column denominator"):
        processed.read_indicators(zero)
    (tmp_path / "m.csv").write_text("indicator_id,period\nx,2024\n")
    with pytest.raises(processed.ProcessedDataError, match="lacks columns"):
        processed.read_indicators(tmp_path / "m.csv")
