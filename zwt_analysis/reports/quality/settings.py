"""Settings of the data-quality report (``resources/quality.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from zwt_analysis import config

SETTINGS_FILE = "quality.yaml"


@dataclass(frozen=True)
class QualitySettings:
    """The report's settings (see ``resources/quality.yaml`` for what each means).

    Attributes:
        shown_rows: rows of a reader table in the reviewer version.
        top_reasons: quarantine reasons kept per table.
        quarantine_notable_share: quarantined share above which the Kern names a table.
        gap_fraction: a quarter below this fraction of the median is a possible gap.
        uses: table -> the reports (Dutch short names) that rest on it.
        signal_themes: themes of signals that explain registration problems.
        signal_words: words (any case) whose presence in a signal's text does too.
        signal_touches: what those signals stand beside (the overview's "Raakt aan").
    """

    shown_rows: int = 15
    top_reasons: int = 5
    quarantine_notable_share: float = 0.01
    gap_fraction: float = 0.5
    uses: dict[str, list[str]] = field(default_factory=dict)
    signal_themes: tuple[str, ...] = ()
    signal_words: tuple[str, ...] = ()
    signal_touches: str = ""


def load_settings() -> QualitySettings:
    """The packaged settings.

    Raises:
        ValueError: a setting is out of range (rows or reasons below 1, a share
            outside 0..1).
    """
    raw = config.load_yaml(config.resource(SETTINGS_FILE)) or {}
    sig = raw.get("signals") or {}
    s = QualitySettings(
        shown_rows=int(raw.get("shown_rows", 15)), top_reasons=int(raw.get("top_reasons", 5)),
        quarantine_notable_share=float(raw.get("quarantine_notable_share", 0.01)),
        gap_fraction=float(raw.get("gap_fraction", 0.5)),
        uses={str(k): [str(r) for r in v] for k, v in (raw.get("uses") or {}).items()},
        signal_themes=tuple(str(t) for t in sig.get("themes") or ()),
        signal_words=tuple(str(w) for w in sig.get("words") or ()),
        signal_touches=str(sig.get("touches") or ""))
    if s.shown_rows < 1 or s.top_reasons < 1:
        raise ValueError(f"{SETTINGS_FILE}: shown_rows and top_reasons must be at least 1")
    if not (0 <= s.quarantine_notable_share <= 1 and 0 <= s.gap_fraction <= 1):
        raise ValueError(f"{SETTINGS_FILE}: shares must lie in 0..1")
    return s
