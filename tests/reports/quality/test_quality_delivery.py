"""What reading had to make of the files (contract section 6, issue 17): the reader of
``validation.json`` tolerates missing keys and other shapes; Dutch table and Kern text."""

from __future__ import annotations

import pandas as pd

from zwt_analysis.reports.quality import delivery
from zwt_analysis.reports.quality import tables as nl

FULL = {
    "unmatched_files": [{"file": "Cases 2025-06.csv", "likely_table": "cases"},
                        {"file": "notes.txt", "likely_table": None}],
    "cases": {"encoding": "utf-8+cp1252", "cp1252_lines": 3, "header_row": 4,
              "sheet": "Zaken", "skipped_sheets": ["Voorblad"], "empty_lines": 2,
              "merged_cells_filled": 0,
              "name_mappings": {"organisation": {"Coöperatie Noord": "Cooperatie Noord"},
                                "team": {"Team – A": "Team - A", "team b": "Team B"}},
              "masked_values": {"clean_cells": 0, "quarantine_lines": 2}},
    "time_registrations": {"identical_rows": 5, "header_row": 1, "cp1252_lines": 0},
    "budgets": {"duplicate_rows": 2, "encoding": "cp1252", "cp1252_lines": 40},
}


def test_every_kind_read_most_consequential_first():
    df = delivery.delivery_notes(FULL)
    assert list(df.columns) == list(delivery.NOTE_COLUMNS)
    assert df[["table", "kind", "count", "detail"]].astype(object).where(df.notna(), None) \
        .values.tolist() == [
        ["cases", "unmatched_file", None, "Cases 2025-06.csv"],
        ["", "unmatched_file", None, "notes.txt"],
        ["budgets", "encoding", None, "Windows-1252"],  # whole file: not "40 lines"
        ["cases", "cp1252_lines", 3, ""],
        ["time_registrations", "duplicate_rows", 5, ""],  # contract order within a kind
        ["budgets", "duplicate_rows", 2, ""],
        ["cases", "name_mappings", 3,
         "Coöperatie Noord → Cooperatie Noord; Team – A → Team - A; team b → Team B"],
        ["cases", "masked_values", 2, ""],
        ["cases", "header_row", None, "4"],
        ["cases", "skipped_sheets", 1, "Voorblad"],
        ["cases", "sheet", None, "Zaken"],
        ["cases", "empty_lines", 2, ""],
    ]


def test_missing_keys_and_odd_shapes_are_tolerated():
    assert delivery.delivery_notes({}).empty
    assert delivery.delivery_notes({"cases": "not a dict", "unmatched_files": "x"}).empty
    odd = {"cases": {"cp1252_lines": "3", "header_row": True, "identical_rows": -1,
                     "name_mappings": ["no", {"from": "A"}], "sheet": 4,
                     "masked_values": None, "skipped_sheets": "Voorblad"}}
    assert delivery.delivery_notes(odd).empty
    # other accepted shapes: [file, table] pairs and bare names; flat and listed mappings
    df = delivery.delivery_notes({"unmatched_files": [["a.csv", "staff"], "b.csv"],
                                  "staff": {"name_mappings": {"Org–A": "Org-A"}},
                                  "areas": {"name_mappings": [{"column": "team", "from": "x",
                                                               "to": "X"}]}})
    assert df[["table", "detail"]].values.tolist() == [
        ["staff", "a.csv"], ["", "b.csv"], ["areas", "x → X"], ["staff", "Org–A → Org-A"]]


def test_mapping_examples_are_capped_and_all_listed_apart():
    maps = {f"Team {i}": f"team {i}" for i in range(5)}
    df = delivery.delivery_notes({"cases": {"name_mappings": {"team": maps}}})
    assert df["count"].tolist() == [5]
    assert df["detail"].iloc[0].count("→") == delivery.MAPPING_EXAMPLES
    assert df["detail"].iloc[0].endswith("; …")
    full = delivery.name_mappings({"cases": {"name_mappings": {"team": maps}}})
    assert len(full) == 5 and list(full.columns) == ["table", "column", "from", "to"]
    out = nl.mappings_nl(full)
    assert list(out.columns) == ["Tabel", "Kolom", "Aangeleverd", "Gelezen als"]
    assert set(out["Tabel"]) == {"zaken"} and set(out["Kolom"]) == {"team"}


def test_delivery_nl_dutch():
    out = nl.delivery_nl(delivery.delivery_notes(FULL))
    assert list(out.columns) == ["Tabel", "Wat", "Aantal", "Toelichting"]
    first = out.iloc[0]
    assert first["Tabel"] == "zaken" and first["Wat"].startswith("bestand niet gelezen")
    assert out.iloc[1]["Tabel"] == ""  # no likely table
    assert set(out["Wat"]) <= set(nl.DELIVERY_KINDS_NL.values())
    assert nl.delivery_nl(pd.DataFrame(columns=list(delivery.NOTE_COLUMNS))).empty
