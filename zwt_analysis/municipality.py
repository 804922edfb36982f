"""Who the reports are about: the municipality's code, name, assignment horizon, first year.

Nothing in the library names a municipality: the values come from the data (wijk codes,
the CBS table of all municipalities, the dates delivered) and from one configuration file,
``resources/municipality.yaml`` (or the file named by ``$ZWT_MUNICIPALITY_FILE``).

Examples:
    >>> code_from_areas(["WK047912", "WK047913"])
    'GM0479'
    >>> Municipality(code=None, name=None).display_name
    'de gemeente'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwt_analysis import config

CONFIG_FILE = "municipality.yaml"
CBS_MUNICIPALITIES = "cbs_kwb2022_gemeenten_wmo_jeugd.csv"
#: How the reports name a municipality whose name is unknown.
UNKNOWN_NAME = "de gemeente"
_WIJK = re.compile(r"^WK(\d{4})\d{2}$")


@dataclass(frozen=True)
class Municipality:
    """The municipality of a run (any field may be None when neither data nor config tell)."""

    code: str | None
    name: str | None
    horizon_start: int = 2027
    horizon_end: int = 2034
    first_year: int | None = None

    @property
    def display_name(self) -> str:
        """The name for readers: the municipality's name, else "de gemeente"."""
        return self.name or UNKNOWN_NAME

    @property
    def horizon(self) -> str:
        """The assignment horizon as text: ``'2027–2034'``."""
        return f"{self.horizon_start}–{self.horizon_end}"

    @property
    def horizon_years(self) -> int:
        """Number of years of the horizon (inclusive)."""
        return self.horizon_end - self.horizon_start + 1


def code_from_areas(area_codes: Iterable[object]) -> str | None:
    """The GM code shared by the CBS wijk codes, or None (none valid, or several)."""
    found = {m.group(1) for c in area_codes if isinstance(c, str) and (m := _WIJK.match(c.strip()))}
    return f"GM{found.pop()}" if len(found) == 1 else None


def name_from_cbs(code: str | None) -> str | None:
    """The municipality's name in the packaged CBS table, or None."""
    if code is None:
        return None
    import csv

    with open(config.resource(CBS_MUNICIPALITIES), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["gemeentecode"] == code:
                return row["gemeentenaam"]
    return None


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The packaged settings with the keys of ``path`` (or ``$ZWT_MUNICIPALITY_FILE``) over them."""
    settings = dict(config.load_yaml(config.resource(CONFIG_FILE)) or {})
    own = path or os.environ.get("ZWT_MUNICIPALITY_FILE") or None
    if own:
        settings.update({k: v for k, v in (config.load_yaml(own) or {}).items() if v is not None})
    return settings


def resolve(area_codes: Iterable[object] = (), first_data_year: int | None = None,
            path: str | Path | None = None) -> Municipality:
    """The municipality from configuration first, then the data.

    Args:
        area_codes: the wijk codes of the ``areas`` table (for the GM code).
        first_data_year: the first year with data (for ``first_year`` when not configured).
        path: an own configuration file (else ``$ZWT_MUNICIPALITY_FILE``, else the packaged one).
    """
    s = load_config(path)
    code = s.get("code") or code_from_areas(area_codes)
    name = s.get("name") or name_from_cbs(code)
    first = s.get("first_year") or first_data_year
    return Municipality(code=code, name=name, horizon_start=int(s.get("horizon_start") or 2027),
                        horizon_end=int(s.get("horizon_end") or 2034),
                        first_year=int(first) if first else None)
