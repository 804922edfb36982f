"""File system helpers: the project's one CSV writer and atomic replacement of an output folder.

**CSV**: :func:`write_csv` writes every CSV the project produces, in one of two fixed forms.
The *plain* form (``quote_text=False``: the indicator table, the published side tables) is
pandas' own: cells quoted only where they must be, floats in shortest round-trip form; the
tables hold codes, labels and numbers. The *safe* form (``quote_text=True``: the quarantine
file, whose cells are whatever arrived in a raw export) reads back as written whatever the
text holds:

Python's ``csv`` writer (which pandas uses) quotes a cell only when it holds
the separator, a quote or a character of the line terminator; with ``\\n``
line ends a bare ``\\r`` inside a cell is left unquoted, and readers then see
a line break there. :func:`write_csv` therefore quotes *every* non-numeric
cell (``csv.QUOTE_NONNUMERIC``): any text, including ``\\r``, ``\\n``,
quotes, ``;``, ``,``, NUL and other control characters, leading or trailing
spaces and any Unicode, survives a round trip through ``pandas.read_csv``,
pyarrow, DuckDB, Python's ``csv`` module or Excel.

The format is fixed so that the same frame gives the same bytes:

- UTF-8 without byte-order mark, ``,`` separator, ``"`` quote (doubled
  inside a cell), ``\\n`` line ends, a header row, no index column;
- text, dates and the header quoted; numbers (int, float, bool) unquoted,
  floats in Python's shortest round-trip form (``0.1``, ``1e+300``, ``inf``);
- a missing value (``NaN``, ``NA``, ``NaT``, ``None``) and the empty string
  are both written as ``""`` and read back as missing.

**Output folders** (``zwt clean --out``, ``zwt report --out``):
:func:`replace_folder` builds the new contents in a temporary sibling folder
``.<name>.zwt-tmp-<pid>-<hex>`` and renames it into place only when the build
succeeded, so a failed or killed run leaves the previous folder untouched.
Temporary folders of processes that no longer exist are removed by the next
run (:func:`remove_stale_temp_folders`); :func:`check_replaceable` refuses
folders that may not be replaced as a whole.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from zwt_analysis import config
from zwt_analysis.errors import ZwtError

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


def write_csv(df: pd.DataFrame, path: str | Path, *, quote_text: bool = True,
              atomic: bool = False) -> Path:
    """Write ``df`` (without its index) to ``path`` as UTF-8 CSV with ``\\n`` line ends.

    Read the safe form back with ``pandas.read_csv(path, keep_default_na=False,
    na_values=[""])``; pass ``dtype=str`` (or a per-column dtype) for text
    columns whose values could all look like numbers (``"007"``).

    Args:
        df: the table; column names become the header.
        path: target file; its folder must exist. An existing file is replaced.
        quote_text: True: every non-numeric cell quoted (the safe form); False: pandas'
            plain form (quotes only where needed).
        atomic: write a ``.tmp`` sibling first and rename it into place.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    target = path.with_name(path.name + ".tmp") if atomic else path
    if quote_text:
        df.to_csv(target, index=False, sep=",", quotechar='"', doublequote=True,
                  quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n", encoding="utf-8", na_rep="")
    else:
        df.to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
    if atomic:
        target.replace(path)
    return path


# --------------------------------------------------------------------------- output folders

#: Kinds of temporary sibling folders: the new contents, and the previous ones moved aside.
TEMP_KINDS = ("zwt-tmp", "zwt-old")
#: Tags (``<pid>-<hex>``) of the temporary folders this process is using right now.
_ACTIVE_TAGS: set[str] = set()
#: Top-level names that do not make a folder "foreign" to :func:`check_replaceable`.
HARMLESS_NAMES = ("readme.md",)


def pid_alive(pid: int) -> bool:
    """True when a process with ``pid`` exists (or we may not signal it: assume alive)."""
    if pid <= 0:
        return True  # not a pid we wrote: leave the folder alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's live process
        return True
    return True


def stale_temp_folders(out: Path) -> list[tuple[str, Path]]:
    """``(kind, folder)`` for temporary folders beside ``out`` left by runs that died.

    A folder ``.{out.name}.zwt-tmp-<pid>-<hex>`` (or ``zwt-old``) is stale when
    no process ``pid`` exists any more, or when ``pid`` is this process but the
    folder is not one it is using (a pid reused after a restart). ``zwt-old``
    folders come first.
    """
    stale = []
    entries = list(out.parent.iterdir()) if out.parent.is_dir() else []
    for kind in TEMP_KINDS:
        prefix = f".{out.name}.{kind}-"
        for d in entries:
            if not d.name.startswith(prefix):
                continue
            tag = d.name[len(prefix):]
            pid_text, _, rest = tag.partition("-")
            if not d.is_dir() or d.is_symlink() or not pid_text.isdigit() or not rest:
                continue
            pid = int(pid_text)
            dead = not pid_alive(pid) if pid != os.getpid() else tag not in _ACTIVE_TAGS
            if dead:
                stale.append((kind, d))
    return sorted(stale, key=lambda kd: (kd[0] != "zwt-old", kd[1].name))


def remove_stale_temp_folders(out: Path) -> list[Path]:
    """Clear what killed runs into ``out`` left beside it; returns the folders handled.

    A dead run's temporary folder (possibly holding pseudonymised person data
    nobody would ever clean up) is removed. A dead run's ``zwt-old`` folder is
    the previous complete output, moved aside just before the swap: when
    ``out`` itself is missing (the run died between the two renames) it is put
    back as ``out``, otherwise removed. Folders of live runs are never touched.
    """
    out = Path(out).absolute()
    handled = []
    for kind, d in stale_temp_folders(out):
        if kind == "zwt-old" and not out.exists():
            try:
                d.rename(out)
            except OSError:
                continue
        else:
            shutil.rmtree(d, ignore_errors=True)
        handled.append(d)
    return handled


def check_replaceable(out: Path, *, protected: Mapping[str, Path] | None = None,
                      marker: str | None = None, option: str = "--out") -> None:
    """Refuse an ``out`` that may not be replaced as a whole.

    Refused: ``/``, the home folder and the project folder; a path that is,
    contains or lies inside a ``protected`` folder (option name -> path, e.g.
    ``{"--processed": dir}``); an existing file; and, when ``marker`` is given,
    an existing folder without that file whose top level holds anything but
    dot-files and :data:`HARMLESS_NAMES` (files zwt did not write). A missing
    ``out`` is fine.

    Raises:
        ZwtError: on any of those; the message names ``option``.
    """
    out = Path(out)
    out_r = out.resolve()
    for label, folder in (protected or {}).items():
        pr = Path(folder).resolve()
        if out_r == pr or pr in out_r.parents or out_r in pr.parents:
            raise ZwtError(f"{option} {out} may not be, contain or lie inside {label} {folder}")
    if out_r in (config.PROJECT_ROOT.resolve(), Path.home().resolve(), Path("/")):
        raise ZwtError(f"{option} {out}: refusing to replace this folder; choose a folder of "
                       "its own")
    if out.exists() and not out.is_dir():
        raise ZwtError(f"{option} {out} exists and is not a folder")
    if marker is not None and out.is_dir() and not (out / marker).exists():
        foreign = [p.name for p in out.iterdir()
                   if not p.name.startswith(".") and p.name.lower() not in HARMLESS_NAMES]
        if foreign:
            raise ZwtError(f"{option} {out} holds files that zwt did not write "
                           f"({', '.join(sorted(foreign)[:5])}); choose an empty or new folder")


def _carry_over(out: Path, tmp: Path, own_files: Collection[str]) -> None:
    """Copy top-level files of ``out`` that zwt did not write (not in ``own_files``) into ``tmp``.

    Sub-folders are not carried over, nor a file the new build wrote itself.
    """
    if not out.is_dir():
        return
    for p in out.iterdir():
        if p.is_file() and p.name not in own_files and not (tmp / p.name).exists():
            shutil.copy2(p, tmp / p.name)


def replace_folder(out: Path, write: Callable[[Path], T], *,
                   keep_files_except: Collection[str] | None = None,
                   protected: Mapping[str, Path] | None = None, marker: str | None = None,
                   option: str = "--out", mode: int = 0o777) -> T:
    """Build the new ``out`` in a temporary sibling folder, then swap it in; return ``write``'s value.

    Steps: :func:`check_replaceable` (``protected``, ``marker``, ``option``);
    remove what dead runs into ``out`` left (:func:`remove_stale_temp_folders`);
    make ``.<name>.zwt-tmp-<pid>-<hex>`` (``mode``, less the umask) and call
    ``write(tmp)``; with ``keep_files_except`` (names zwt writes at the top
    level), copy the other top-level files of the old ``out`` (a README) into
    the new one; move the old ``out`` aside, rename the new one into place and
    remove the old one. On any error (also KeyboardInterrupt) the temporary
    folder is removed and ``out`` is left exactly as it was.

    Raises:
        ZwtError: ``out`` may not be replaced (see :func:`check_replaceable`).
    """
    out = Path(out).absolute()
    check_replaceable(out, protected=protected, marker=marker, option=option)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_folders(out)
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = out.parent / f".{out.name}.zwt-tmp-{tag}"
    old = out.parent / f".{out.name}.zwt-old-{tag}"
    _ACTIVE_TAGS.add(tag)
    try:
        tmp.mkdir(mode=mode)
        try:
            value = write(tmp)
            if keep_files_except is not None:
                _carry_over(out, tmp, keep_files_except)
            if out.exists():
                out.rename(old)
            tmp.rename(out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if old.exists() and not out.exists():
                old.rename(out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        _ACTIVE_TAGS.discard(tag)
    return value
