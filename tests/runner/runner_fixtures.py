"""Test-only report notebooks and a small hand-built processed folder for the runner tests.

The processed folder has areas, cases and staff for two organisations
(DOCK, SMD) and a hand-written ``indicators.csv`` of two rows: the runner
only passes the file on; ``OK_NOTEBOOK`` saves how many rows it read.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from zwt_analysis import config, processed
from zwt_analysis.contract import TABLES

HEADER = """# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python (zwt)
#     language: python
#     name: zwt
# ---
"""

PARAMS = """
# %% tags=["parameters"]
processed_dir = ""
indicators_file = ""
organisation = "ALL"
output_dir = ""
"""

OK_NOTEBOOK = HEADER + PARAMS + """n_extra = 3

# %%
from zwt_analysis import present
from zwt_analysis.reports import context
ctx = context.start(title="Proefrapport", params=dict(processed_dir=processed_dir,
    indicators_file=indicators_file, organisation=organisation, output_dir=output_dir,
    n_extra=n_extra))

# %% [markdown]
# ## Een kop

# %%
import sys
import matplotlib.pyplot as plt
print("waarschuwing op stderr", file=sys.stderr)
areas = ctx.filter_org(ctx.table("areas"))
fig, ax = plt.subplots()
ax.bar(areas["team"], areas["population"].astype(float))
plt.show()
ctx.save_table(areas.assign(n_extra=n_extra, n_indicator_rows=len(ctx.indicators()))[
    ["team", "n_extra", "n_indicator_rows"]], "teams")
"""

FAIL_NOTEBOOK = HEADER + PARAMS + """
# %%
print("voor de fout")

# %%
raise ValueError("opzettelijke fout")
"""

HANG_NOTEBOOK = HEADER + PARAMS + """
# %%
import time
time.sleep(120)
"""

#: The hand-written indicator table: two rows.
INDICATORS_CSV = ("indicator_id,period,organisation,team,numerator,denominator,value\n"
                  "caseload_per_fte,2024-Q1,ALL,ALL,3.0,6.0,0.5\n"
                  "caseload_per_fte,2024-Q1,DOCK,ALL,2.0,3.0,0.6666666666666666\n")


def make_processed(out: Path, with_indicators: bool = True) -> Path:
    """A small processed folder: areas, cases and staff for two organisations."""
    out.mkdir(parents=True, exist_ok=True)
    frames = {
        "areas": pd.DataFrame({"area_code": ["WK1", "WK2", "WK3"], "area_name": ["A", "B", "C"],
                               "organisation": ["DOCK", "SMD", "DOCK"],
                               "team": ["T1", "T2", "T3"], "pact": [True, False, False],
                               "population": [1000, 2000, 3000]}),
        "cases": pd.DataFrame({"case_id": [f"c{i}" for i in range(12)],
                               "client_id": [f"{i:064x}" for i in range(12)],
                               "organisation": ["DOCK", "SMD"] * 6, "team": ["T1", "T2"] * 6,
                               "legal_framework": ["wmo"] * 12,
                               "date_report": pd.date_range("2024-01-01", periods=12,
                                                            freq="MS")}),
        "staff": pd.DataFrame({"employee_id": [f"{100 + i:064x}" for i in range(6)],
                               "organisation": ["DOCK", "SMD"] * 3, "team": ["T1", "T2"] * 3,
                               "fte": [1.0] * 6,
                               "start_date": pd.to_datetime(["2023-01-01"] * 6)}),
    }
    meta = {"as_of": "2024-12-31", "synthetic": True, "missing_tables": []}
    for name, df in frames.items():
        df = processed.coerce_types(name, df.reindex(columns=TABLES[name].column_names))
        df.to_parquet(out / f"{name}.parquet", index=False)
        meta[name] = {"rows_in": len(df), "rows_clean": len(df), "rows_quarantined": 0}
    meta["missing_tables"] = [t for t in TABLES if t not in frames]
    (out / "validation.json").write_text(json.dumps(meta), encoding="utf-8")
    (out / config.SYNTHETIC_MARKER).write_text("synthetic\n", encoding="utf-8")
    if with_indicators:
        (out / "indicators.csv").write_text(INDICATORS_CSV, encoding="utf-8")
    return out


def write_notebooks(folder: Path, **sources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def body(html: str) -> str:
    return html[html.index("<body"):]


def links(html: str) -> list[str]:
    import re

    return [unquote(h) for h in re.findall(r"""href=["']([^"'#]+)["']""", body(html))
            if not h.startswith(("http:", "https:", "mailto:"))]
