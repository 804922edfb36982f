"""Errors that end a command with one plain message (no traceback)."""

from __future__ import annotations


class ZwtError(Exception):
    """A problem the user can fix; the CLI prints ``str(err)`` and exits non-zero."""

    exit_code: int = 2


class FatalInputError(ZwtError):
    """Raw input that cannot be read at all (missing required column, unreadable file...).

    The message names the file, the column and, where it applies, the row.
    """
