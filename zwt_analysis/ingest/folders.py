"""The output folder of ``zwt clean``: checks against ``--raw``; the swap is fsutil's.

``--out`` belongs to zwt: it is built in a temporary folder beside it and swapped in only
when everything succeeded (:func:`zwt_analysis.fsutil.replace_folder`, the one folder swap
of the project, shared with the report runner); folders left by killed runs are cleared (or
the last complete output restored) by the next run.
"""

from __future__ import annotations

from pathlib import Path

from zwt_analysis.errors import FatalInputError
from zwt_analysis.fsutil import remove_stale_temp_folders, replace_folder

__all__ = ["check_folders", "remove_stale_temp_folders", "replace_folder"]


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
