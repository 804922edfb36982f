"""The quarterly council brief: one printable A4 page (``zwt brief``; also part of ``zwt report``).

About five key figures for the whole municipality (from the indicator
table), each with its latest usable period, its 95% margin, the value a year
earlier and its direction; two or three recent stories from practice (the
``signals`` table); and the caveats. Advice 2.5 of the evaluation asks to
inform the council regularly; issue 18 sets the page.

- :mod:`.figures`: key figures as pure functions over the indicator table;
- :mod:`.stories`: the latest signals, short;
- :mod:`.build`: inputs and the :class:`~.build.Brief`;
- :mod:`.page`: the HTML (``@page { size: A4 }``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from zwt_analysis.errors import ZwtError

BRIEF_FILE = "kwartaalbrief.html"
#: Time zone of the times shown to readers.
LOCAL_TZ = "Europe/Amsterdam"


def local_now() -> datetime:
    """The current time in :data:`LOCAL_TZ` (UTC when the zone database is missing)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return datetime.now(ZoneInfo(LOCAL_TZ))
    except ZoneInfoNotFoundError:
        return datetime.now(UTC)


def write_brief(processed: str | Path, out: str | Path, indicators_file: str | Path | None = None,
                index_href: str | None = None, made: datetime | None = None) -> Path:
    """Build the brief from a processed folder and write it as the HTML file ``out``.

    Returns:
        ``out`` as a :class:`~pathlib.Path`.
    """
    from zwt_analysis.brief.build import build_brief, load_inputs
    from zwt_analysis.brief.page import brief_html

    brief = build_brief(load_inputs(processed, indicators_file))
    out = Path(out)
    out.write_text(brief_html(brief, made or local_now(), index_href), encoding="utf-8")
    return out


def main(processed: Path | None = None, out: Path | None = None,
         indicators_file: Path | None = None) -> int:
    """``zwt brief``: write the brief; 0 on success.

    Raises:
        ZwtError: no processed data or indicator table, or ``out`` cannot be written.
    """
    from zwt_analysis import config

    processed = Path(processed or config.CURRENT_PROCESSED_DIR)
    out = Path(out or BRIEF_FILE)
    if not (processed / "validation.json").is_file():
        raise ZwtError(f"{processed}: no processed data (validation.json missing); "
                       "run `zwt clean` first")
    ind = Path(indicators_file) if indicators_file else processed / "indicators.csv"
    if not ind.is_file():
        raise ZwtError(f"{ind}: no indicator table; run `zwt indicators --processed {processed} "
                       f"--out {ind}` first")
    if out.is_dir():
        out = out / BRIEF_FILE
    try:
        write_brief(processed, out, ind)
    except OSError as err:
        raise ZwtError(f"{out}: cannot write the brief ({err.strerror or err})") from None
    print(f"zwt brief: wrote {out}")
    return 0
