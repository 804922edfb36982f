#!/usr/bin/env python3
"""Compare two `make report` runs: indicator table and every CSV byte for byte, reviewer pages
as text.

    python scripts/compare_runs.py OLD_CHECKOUT NEW_CHECKOUT

Each argument is a checkout in which `make report` ran (it reads
`data/processed/current/indicators.csv` and `reports/`). The reviewer pages (`report.html`,
`index.html`, and `runs.html` and `kwartaalbrief.html` when the old run has them) are compared as visible text with run times, durations and the checkout path
masked. Exit 0 when everything matches, 1 otherwise. Used to show that a refactoring left the
default run unchanged.
"""

from __future__ import annotations

import difflib
import html
import re
import sys
from pathlib import Path


def page_text(path: Path, roots: list[Path]) -> list[str]:
    """Visible text lines of an HTML page, with times, durations and checkout paths masked."""
    t = path.read_text(encoding="utf-8")
    t = re.sub(r"<script.*?</script>|<style.*?</style>", "", t, flags=re.S)
    t = html.unescape(re.sub(r"<[^>]+>", " ", t))
    for root in roots:
        t = t.replace(str(root.resolve()), "ROOT")
    t = re.sub(r"\d{1,2}:\d{2}(:\d{2})?", "HH:MM", t)
    t = re.sub(r"\d+([.,]\d+)?\s*(s|sec|seconden|min)\b", "DUR", t)
    t = re.sub(r"20\d\d-\d\d-\d\dT[\d:.+Z]+", "TS", t)
    return [ln.strip() for ln in t.split("\n") if ln.strip()]


def main(old: Path, new: Path) -> int:
    bad = 0
    ind = "data/processed/current/indicators.csv"
    same = (old / ind).read_bytes() == (new / ind).read_bytes()
    print(f"indicators.csv: {'identical' if same else 'DIFFERS'}")
    bad += not same
    csvs = sorted(p.relative_to(old / "reports") for p in (old / "reports").rglob("*.csv"))
    differ = [c for c in csvs if not (new / "reports" / c).exists()
              or (old / "reports" / c).read_bytes() != (new / "reports" / c).read_bytes()]
    for c in differ:
        print(f"CSV differs or missing: {c}")
    print(f"CSV files compared: {len(csvs)}, differing: {len(differ)}")
    bad += len(differ)
    pages = sorted(p.relative_to(old / "reports") for p in (old / "reports").rglob("report.html"))
    pages.append(Path("index.html"))
    # the run details and the council brief, when the old run wrote them too
    pages += [Path(p) for p in ("runs.html", "kwartaalbrief.html")
              if (old / "reports" / p).exists()]
    n_diff = 0
    for rel in pages:
        a_path, b_path = old / "reports" / rel, new / "reports" / rel
        if not b_path.exists():
            print(f"page missing: {rel}")
            n_diff += 1
            continue
        a, b = page_text(a_path, [old, new]), page_text(b_path, [old, new])
        if a != b:
            n_diff += 1
            diff = [ln for ln in difflib.unified_diff(a, b, lineterm="", n=0)
                    if not ln.startswith(("---", "+++", "@@"))]
            print(f"page text differs: {rel}\n  " + "\n  ".join(x[:200] for x in diff[:6]))
    print(f"reviewer pages compared: {len(pages)}, text differing: {n_diff}")
    return 1 if bad or n_diff else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
