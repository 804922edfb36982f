"""Text alternatives for figures: every chart in a report carries a Dutch ``alt`` text.

A reader who cannot see a chart (screen reader, image blocked, printed in
black and white) gets a description of it: its title, per panel the kind of
chart, the axes with their first and last category, the range of the values
drawn and the series in the legend. A plot function may put its own first
sentence in front with :func:`describe` (e.g. what the chart shows in
words); the rest is read from the drawn figure, so it cannot go stale.

:func:`install_alt_text` makes the notebook's display machinery attach the
text to every figure it shows (``image/png`` output metadata ``alt``); the
report template writes it as the ``alt`` attribute of the ``<img>``.
Matplotlib is never imported here: a figure is recognised by its type's
module, so notebooks without figures pay nothing.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable
from typing import Any

from zwt_analysis.present.fmt import nl_number

#: Panels described one by one; further panels are counted.
MAX_PANELS = 6
#: Series named per panel; further series are counted.
MAX_SERIES = 6
#: Upper bound on the length of the text (characters); longer texts end with "…".
MAX_CHARS = 900

_DESCRIPTIONS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def describe(fig: Any, text: str) -> Any:
    """Give ``fig`` an own first sentence for its text alternative; returns ``fig``.

    ``None`` is passed through (plot functions return None when there is
    nothing to draw), so ``return describe(fig, "...")`` is always safe.
    """
    if fig is not None:
        _DESCRIPTIONS[fig] = " ".join(str(text).split())
    return fig


def is_figure(obj: Any) -> bool:
    """True for a matplotlib ``Figure`` (checked without importing matplotlib)."""
    return any(c.__name__ == "Figure" and c.__module__ == "matplotlib.figure"
               for c in type(obj).__mro__)


def _value_text(axis: Any, value: float) -> str:
    """A data value as its axis writes it (Dutch), else a Dutch number with 2 significant digits."""
    formatter = axis.get_major_formatter()
    kind = type(formatter).__name__
    if kind in ("DutchFormatter", "FuncFormatter"):
        text = _tick_text(str(formatter(value)))
        if text:
            return text
    if kind == "PercentFormatter":
        return nl_number(value * 100 / formatter.xmax, 0) + "%"
    if value == 0 or not math.isfinite(value):
        return nl_number(value, 0)
    digits = max(0, 1 - int(math.floor(math.log10(abs(value)))))
    return nl_number(value, min(digits, 4))


def _clean(text: str) -> str:
    return " ".join(str(text).replace("$", "").split())


def _is_reference_line(line: Any) -> bool:
    """Straight horizontal/vertical helper lines (``axhline``, ``axvline``) and lone points."""
    x, y = line.get_xdata(), line.get_ydata()
    try:
        return len(x) < 2 or len(set(map(float, x))) == 1 or len(set(map(float, y))) == 1
    except (TypeError, ValueError):
        return False


def is_category_axis(labels: Iterable[Any]) -> bool:
    """True when an axis's tick labels are names (wijken, teams), not numbers or periods."""
    texts = [_clean(t.get_text()) for t in labels]
    texts = [t for t in texts if t]
    return bool(texts) and any(sum(ch.isalpha() for ch in t) > 2 for t in texts)


def _on_data(artist: Any, ax: Any) -> bool:
    """Drawn in data coordinates (not a mark placed in axes coordinates, e.g. a signal)."""
    if hasattr(artist, "get_offset_transform"):  # scatter: the points' positions count
        return artist.get_offset_transform() == ax.transData
    return artist.get_transform() == ax.transData


def _kinds(ax: Any) -> tuple[list[str], list[float]]:
    """The chart kinds drawn on ``ax`` (Dutch) and the finite data values in view.

    Values are read along the value axis: the vertical one, or the
    horizontal one when the vertical axis lists names (horizontal bars,
    dots per wijk); none when that axis holds dates (a timeline).
    """
    kinds: list[str] = []
    values: list[float] = []
    names_on_y = is_category_axis(ax.get_yticklabels())
    col = 0 if names_on_y else 1
    bars = [p for c in ax.containers for p in getattr(c, "patches", [])]
    if bars:
        kinds.append("staafdiagram")
        values += [p.get_x() + p.get_width() if names_on_y else p.get_y() + p.get_height()
                   for p in bars]
    lines = [ln for ln in ax.get_lines() if not _is_reference_line(ln) and _on_data(ln, ax)]
    if lines:
        kinds.append("lijndiagram")
        for ln in lines:
            values += [_as_float(v) for v in (ln.get_xdata() if names_on_y else ln.get_ydata())]
    areas = False
    for coll in ax.collections:
        name = type(coll).__name__
        if name == "PathCollection" and len(coll.get_offsets()) and _on_data(coll, ax):
            kinds.append("spreidingsdiagram")
            values += [_as_float(v) for v in coll.get_offsets()[:, col]]
        elif name in ("PolyCollection", "FillBetweenPolyCollection"):
            areas = True
    if areas:
        kinds.append("band" if lines else "vlakdiagram")
    if ax.images:
        kinds.append("kleurenkaart (heatmap)")
    value_axis = ax.xaxis if names_on_y else ax.yaxis
    if "Date" in type(value_axis.get_major_formatter()).__name__:
        return list(dict.fromkeys(kinds)), []
    lo, hi = sorted(ax.get_xlim() if names_on_y else ax.get_ylim())
    return list(dict.fromkeys(kinds)), [v for v in values if math.isfinite(v) and lo <= v <= hi]


def _as_float(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _tick_text(text: str) -> str:
    """A tick label in Dutch: matplotlib's default ``2.5`` becomes ``2,5``, a log axis's
    ``$\\mathdefault{10^{3}}$`` becomes ``1.000``."""
    text = _clean(text).replace("\u2212", "-")
    power = re.fullmatch(r"(?:\\mathdefault\{)?10\^\{(-?\d+)\}\}?", text)
    if power:
        k = int(power.group(1))
        return nl_number(10.0**k, max(0, -k))
    return re.sub(r"^(-?\d+)\.(\d{1,2})$", r"\1,\2", text)


def _tick_span(axis: Any) -> str:
    """First and last tick label inside the axis's view (``"2019 tot 2026"``)."""
    lo, hi = sorted(axis.get_view_interval())
    pad = (hi - lo) * 1e-9
    texts = [_tick_text(t.get_text()) for loc, t in zip(axis.get_majorticklocs(),
                                                         axis.get_majorticklabels(), strict=False)
             if lo - pad <= loc <= hi + pad]
    texts = [t for t in texts if t]
    if not texts:
        return ""
    return texts[0] if len(texts) == 1 else f"{texts[0]} tot {texts[-1]}"


def _series(ax: Any) -> list[str]:
    legend = ax.get_legend()
    if legend is None:
        return []
    return [t for t in (_clean(x.get_text()) for x in legend.get_texts()) if t]


def _names(items: list[str], limit: int = MAX_SERIES) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" en nog {len(items) - limit}" if len(items) > limit else "")


def panel_text(ax: Any) -> str:
    """One panel described in Dutch: kind, axes with their span, value range, series."""
    kinds, values = _kinds(ax)
    parts = [" met ".join(kinds) if kinds else "figuur"]
    names_on_y = is_category_axis(ax.get_yticklabels())
    for side, label, axis in (("horizontaal", ax.get_xlabel(), ax.xaxis),
                              ("verticaal", ax.get_ylabel(), ax.yaxis)):
        label = _clean(label)
        span = _tick_span(axis) if side == "horizontaal" or names_on_y else ""
        if label and span:
            parts.append(f"{side} '{label}' ({span})")
        elif label or span:
            parts.append(f"{side} '{label}'" if label else f"{side}: {span}")
    if values:
        lo, hi = min(values), max(values)
        value_axis = ax.xaxis if names_on_y else ax.yaxis
        parts.append(f"waarden van {_value_text(value_axis, lo)} tot "
                     f"{_value_text(value_axis, hi)}" if lo != hi
                     else f"waarde {_value_text(value_axis, lo)}")
        bottom, top = ax.get_xlim() if names_on_y else ax.get_ylim()
        if kinds and kinds[0] in ("lijndiagram", "spreidingsdiagram") and min(bottom, top) > 0:
            parts.append("de waardenas begint niet bij nul")
    series = _series(ax)
    if series:
        parts.append(f"reeksen: {_names(series)}")
    title = _clean(ax.get_title()) or _clean(ax.get_title(loc="left"))
    return (f"'{title}': " if title else "") + "; ".join(parts)


def _panels(fig: Any) -> list[Any]:
    """Axes that show data (colour bars and empty, hidden axes left out)."""
    out = []
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison and not ax.images:
            continue
        if ax.get_label() == "<colorbar>":
            continue
        out.append(ax)
    return out


def alt_text(fig: Any) -> str:
    """A Dutch text alternative for a drawn matplotlib figure.

    Starts with the plot function's own sentence (:func:`describe`), then
    the figure's title, the panels (at most :data:`MAX_PANELS` described,
    the rest counted) and a source line on the figure ("Bron: ..."). Read
    after the figure is drawn, so tick labels are filled in. At most
    :data:`MAX_CHARS` characters.
    """
    pieces = []
    own = _DESCRIPTIONS.get(fig)
    if own:
        pieces.append(own.rstrip(".") + ".")
    suptitle = getattr(fig, "_suptitle", None)
    title = _clean(suptitle.get_text()) if suptitle is not None else ""
    panels = _panels(fig)
    if len(panels) > 1:
        head = f"Figuur met {len(panels)} panelen" + (f", '{title}'" if title else "")
    else:
        head = "Figuur" + (f" '{title}'" if title else "")
    described = [panel_text(ax) for ax in panels[:MAX_PANELS]]
    if len(panels) > 1:
        described = [f"paneel {i} {d}" for i, d in enumerate(described, 1)]
    more = len(panels) - MAX_PANELS
    body = "; ".join(described) + (f"; en nog {more} panelen van dezelfde soort" if more > 0 else "")
    pieces.append(head + (": " + body if body else "") + ".")
    sources = [_clean(t.get_text()) for t in fig.texts if _clean(t.get_text()).startswith("Bron")]
    pieces += [s.rstrip(".") + "." for s in sources[:1]]
    text = " ".join(pieces)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def install_alt_text(shell: Any = None) -> bool:
    """Attach :func:`alt_text` to every figure the notebook displays. Safe to call twice.

    Wraps the IPython shell's display formatter: when a matplotlib figure is
    shown as ``image/png`` (the inline backend at the end of a cell,
    ``plt.show()`` or ``display(fig)``), its output metadata gains
    ``{"image/png": {"alt": ...}}``. Returns False outside IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter
    if getattr(formatter, "_zwt_alt_text", False):
        return True
    original = formatter.format

    def format_with_alt(obj: Any, include: Any = None, exclude: Any = None) -> Any:
        data, meta = original(obj, include=include, exclude=exclude)
        if "image/png" in data and is_figure(obj):
            meta = dict(meta)
            meta["image/png"] = {**meta.get("image/png", {}), "alt": alt_text(obj)}
        return data, meta

    formatter.format = format_with_alt
    formatter._zwt_alt_text = True
    return True
