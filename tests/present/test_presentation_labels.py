"""Reader-facing labels and formats added for the reviewer reports (Dutch)."""

import math

from zwt_analysis import present
from zwt_analysis.reports.kpi import series as kpi
from zwt_analysis.reports.quality import tables as quality


def test_nl_pvalue_small_missing_and_regular():
    assert present.nl_pvalue(0.0000001) == "< 0,001"
    assert present.nl_pvalue(0.001) == "0,001"   # the bound itself is shown as a number
    assert present.nl_pvalue(0.0423) == "0,042"
    assert present.nl_pvalue(None) == ""
    assert present.nl_pvalue(math.nan) == ""


def test_dutch_fit_note_translates_known_warnings_only():
    out = present.dutch_fit_note("The MLE may be on the boundary of the parameter space.")
    assert out.startswith("Opmerking bij het schatten:") and "nul" in out
    assert "geconvergeerd" in present.dutch_fit_note("Maximum Likelihood optimization failed to converge")
    unknown = "something else entirely"
    assert present.dutch_fit_note(unknown) == unknown


def test_indicator_title_dutch_for_known_ids_and_lists():
    title = kpi.indicator_title("wmo_decision_on_time")
    assert title != "wmo_decision_on_time" and "_" not in title
    both = kpi.indicator_title("caseload_per_fte, preventive_share")
    assert both.count(", ") == 1
    assert both.split(", ")[0] == kpi.indicator_title("caseload_per_fte")
    assert kpi.indicator_title("") == ""
    assert kpi.indicator_title(None) is None


def test_column_labels_keep_contract_name_in_tables_only():
    assert quality.column_label("date_decision") == "datum besluit (date_decision)"
    assert quality.column_label("date_decision", code=False) == "datum besluit"
    assert quality.column_label("no_such_column") == "no_such_column"
    assert quality.column_label(3) == 3
    assert quality.table_column_label("cases", "date_decision") == "zaken: datum besluit"


def test_column_labels_cover_every_contract_column():
    from zwt_analysis.contract import TABLES

    missing = [c.name for t in TABLES.values() for c in t.columns
               if quality.column_label(c.name) == c.name]
    assert missing == [], f"no Dutch label for: {sorted(set(missing))}"

