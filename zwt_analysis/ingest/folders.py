"""The output folder: checks against ``--raw`` and the all-or-nothing swap.

``--out`` belongs to zwt: it is built in a temporary folder beside it and
swapped in only when everything succeeded; folders left by killed runs are
cleared (or the last complete output restored) by the next run.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from zwt_analysis.errors import FatalInputError


def check_folders(raw: Path, out: Path) -> None:
    """``--out`` may not be, contain or lie inside ``--raw``, nor be a file.

    Raises:
        FatalInputError: on any of those.
    """
    r, o = raw.resolve(), out.resolve()
    if o == r:
        raise FatalInputError(f"{out}: --out may not be the raw folder {raw}")
    if r in o.parents:
        raise FatalInputError(f"{out}: --out may not lie inside the raw folder {raw}")
    if o in r.parents:
        raise FatalInputError(f"{out}: --out may not contain the raw folder {raw}")
    if o.exists() and not o.is_dir():
        raise FatalInputError(f"{out}: --out exists and is not a folder")


#: Tags (``<pid>-<hex>``) of the temporary folders this process is using right now.
_ACTIVE_TAGS: set[str] = set()
_TEMP_KINDS = ("zwt-tmp", "zwt-old")


def _pid_alive(pid: int) -> bool:
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


def _stale_temp_folders(out: Path) -> list[tuple[str, Path]]:
    """``(kind, folder)`` for temporary folders beside ``out`` left by runs that died.

    A folder ``.{out.name}.zwt-tmp-<pid>-<hex>`` (or ``zwt-old``) is stale when
    no process ``pid`` exists any more, or when ``pid`` is this process but the
    folder is not one it is using (a pid reused after a restart).
    """
    stale = []
    entries = list(out.parent.iterdir()) if out.parent.is_dir() else []
    for kind in _TEMP_KINDS:
        prefix = f".{out.name}.{kind}-"
        for d in entries:
            if not d.name.startswith(prefix):
                continue
            tag = d.name[len(prefix):]
            pid_text, _, rest = tag.partition("-")
            if not d.is_dir() or d.is_symlink() or not pid_text.isdigit() or not rest:
                continue
            pid = int(pid_text)
            dead = not _pid_alive(pid) if pid != os.getpid() else tag not in _ACTIVE_TAGS
            if dead:
                stale.append((kind, d))
    return sorted(stale, key=lambda kd: (kd[0] != "zwt-old", kd[1].name))


def remove_stale_temp_folders(out: Path) -> list[Path]:
    """Clear what killed runs into ``out`` left beside it; returns the folders handled.

    A dead run's temporary folder holds (pseudonymised) person data nobody
    would ever clean up: it is removed. A dead run's ``zwt-old`` folder is the
    previous complete output, moved aside just before the swap: when ``out``
    itself is missing (the run died between the two renames) it is put back as
    ``out``, otherwise removed. Folders of live runs are never touched.
    """
    out = out.absolute()
    handled = []
    for kind, d in _stale_temp_folders(out):
        if kind == "zwt-old" and not out.exists():
            try:
                d.rename(out)
            except OSError:
                continue
        else:
            shutil.rmtree(d, ignore_errors=True)
        handled.append(d)
    return handled


def replace_folder(out: Path, write) -> None:
    """Build the output in a temporary folder beside ``out``, then swap it in.

    Temporary folders that earlier, killed runs into ``out`` left behind are
    cleared first (:func:`remove_stale_temp_folders`). ``write(tmp)`` fills the
    temporary folder. On any error the temporary folder is removed and ``out``
    is left exactly as it was.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_folders(out)
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = out.parent / f".{out.name}.zwt-tmp-{tag}"
    old = out.parent / f".{out.name}.zwt-old-{tag}"
    _ACTIVE_TAGS.add(tag)
    try:
        tmp.mkdir()
        try:
            write(tmp)
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
