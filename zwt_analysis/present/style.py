"""The report style: matplotlib rc from resources/matplotlibrc, pandas display options.

Neither matplotlib nor pandas is imported here: the style reaches matplotlib via
``$MATPLOTLIBRC`` and pandas via a one-shot import hook when they are first imported.
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

from zwt_analysis import config
from zwt_analysis.present.fmt import nl_number

STYLE_FILE = config.RESOURCES_DIR / "matplotlibrc"


def style_rc() -> dict[str, str]:
    """The settings of :data:`STYLE_FILE` as ``{rc key: text value}``."""
    out = {}
    for line in STYLE_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, _, value = line.partition(":")
            out[key.strip()] = value.strip()
    return out


def _display_float(x: float) -> str:
    return nl_number(x, 2)


#: pandas display options of the reports (Dutch decimal marks, wide tables).
PANDAS_OPTIONS: dict[str, Any] = {
    "display.float_format": _display_float,
    "display.max_columns": 30,
    "display.width": 160,
}


def _set_pandas_options(pandas: Any) -> None:
    for key, value in PANDAS_OPTIONS.items():
        pandas.set_option(key, value)


class _PandasOptionsOnImport(importlib.abc.MetaPathFinder):
    """Import hook: sets :data:`PANDAS_OPTIONS` as soon as pandas is first imported.

    It finds pandas' spec with the other finders and only wraps the loader's
    ``exec_module`` for that one import; afterwards the module's spec and
    ``__loader__`` are the original ones again and the hook is gone.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pandas":
            return None
        _remove_pandas_hook()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _SetOptionsAfterExec(spec.loader)
        return spec


class _SetOptionsAfterExec:
    """Loader wrapper: runs the real loader, restores it, then sets the pandas options."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        try:
            self.loader.exec_module(module)
        finally:
            module.__loader__ = self.loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self.loader
        _set_pandas_options(module)


def _remove_pandas_hook() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PandasOptionsOnImport)]


def set_style() -> None:
    """Readable plotting defaults and Dutch decimal commas in displayed tables.

    Neither matplotlib nor pandas is imported here (this keeps their import
    time out of every notebook's start-up and out of notebooks that never
    use them). The plot style (:data:`STYLE_FILE`): when matplotlib is
    loaded, its ``rcParams`` are updated directly; else ``$MATPLOTLIBRC``
    points to the style file, which matplotlib reads on first import. The
    pandas display options (:data:`PANDAS_OPTIONS`: ``display.float_format``
    with two decimals and Dutch marks, up to 30 columns, width 160) are set
    directly when pandas is loaded; else an import hook sets them right
    after pandas' first import. Safe to call twice.
    """
    import os

    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.rcParams.update(style_rc())
    else:
        os.environ["MATPLOTLIBRC"] = str(STYLE_FILE)
    if "pandas" in sys.modules:
        _remove_pandas_hook()
        _set_pandas_options(sys.modules["pandas"])
    elif not any(isinstance(f, _PandasOptionsOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PandasOptionsOnImport())
