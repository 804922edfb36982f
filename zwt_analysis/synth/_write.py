"""Formatting tables as CSV text: plain (UTF-8, ``,``, ISO) or messy (real exports).

Every column is turned into a categorical of strings (cheap for millions of
rows: only the distinct values are formatted). Messy mode writes what the
cleaner must accept: Windows-1252, ``;``, decimal comma with ``.`` grouping
thousands, day-first dates (``07-03-2024`` and ``7-3-2024`` mixed), header
spellings differing in case and surrounding spaces, and enumeration
spellings from real exports (all listed in resources/spellings.yaml).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import TABLES
from ._params import EPOCH, NAD

#: Messy enumeration spellings (canonical value first). Every spelling maps to
#: its canonical value under resources/spellings.yaml (tested).
ENUM_SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "legal_framework": {
        "wmo": ("wmo", "WMO", "Wmo 2015", "Wmo"),
        "jeugdwet": ("jeugdwet", "Jeugd", "Jeugdwet", "JEUGDWET"),
        "participatiewet": ("participatiewet", "Participatie", "Participatiewet", "PW"),
        "wgs": ("wgs", "Schuldhulp", "WGS", "Schuldhulpverlening"),
        "none": ("none", "geen", "n.v.t.", "Geen"),
    },
    "activity": {
        "statutory_individual": ("statutory_individual", "Individueel wettelijk", "Maatwerk"),
        "preventive_individual": ("preventive_individual", "Preventief individueel", "Lichte ondersteuning"),
        "preventive_collective": ("preventive_collective", "Preventief collectief", "Sociale basis"),
        "coordination": ("coordination", "Coördinatie", "Casusoverleg"),
        "additional_assignment": ("additional_assignment", "Aanvullende opdracht", "Pluspakket"),
        "overhead": ("overhead", "Indirecte tijd", "Overhead"),
    },
    "role": {
        "generalist": ("generalist", " Generalist ", "Wijkteammedewerker"),
        "specialist": ("specialist", "Specialist", "Specialistisch werker"),
        "team_lead": ("team_lead", "Teamleider", "TEAMLEIDER"),
        "support": ("support", "Administratie", "Ondersteuning"),
    },
    "end_reason": {
        "voluntary": ("voluntary", "Eigen verzoek", "Vrijwillig"),
        "retirement": ("retirement", "Pensioen", "AOW"),
        "end_of_contract": ("end_of_contract", "Einde contract", "Einde tijdelijk contract"),
        "transfer_internal": ("transfer_internal", "Interne overplaatsing"),
        "transfer_other_wijkteam": ("transfer_other_wijkteam", "Ander wijkteam"),
        "other": ("other", "Overig"),
    },
    "assignment_type": {
        "main": ("main", "Hoofdopdracht", "Basis"),
        "additional": ("additional", "Aanvullend", "Extra"),
    },
    "funding_type": {
        "structural": ("structural", "Structureel"),
        "incidental": ("incidental", "Incidenteel", "Eenmalig"),
    },
    "unit": {
        "share": ("share", "Percentage", "%"),
        "count": ("count", "Aantal"),
        "days": ("days", "Dagen"),
        "eur": ("eur", "Euro", "€"),
        "score": ("score", "Cijfer"),
    },
    "direction": {
        "higher_is_better": ("higher_is_better", "Hoger is beter"),
        "lower_is_better": ("lower_is_better", "Lager is beter"),
        "none": ("none", "Neutraal"),
    },
    "result_level": {
        "input": ("input", "Input"),
        "activity": ("activity", "Activiteit"),
        "output": ("output", "Output", "Prestatie"),
        "outcome": ("outcome", "Outcome", "Effect"),
        "impact": ("impact", "Impact"),
    },
}
BOOL_SPELLINGS = {True: ("true", "ja", "Ja", "WAAR", "1"), False: ("false", "nee", "Nee", "ONWAAR", "0")}
#: Integer columns written without thousands grouping (a year is never "2.024").
NO_GROUPING = {"year", "quality_block"}
#: Stands for a ``"`` that opens a quoted cell and never closes it (replaced when written:
#: a cell holding ``"`` would otherwise be quoted properly by the CSV writer).
UNCLOSED_QUOTE = "\x01"


def _cat(codes: np.ndarray, categories: list[str] | np.ndarray) -> pd.Categorical:
    """Categorical from codes (-1 = missing) and possibly repeated category strings."""
    cats = np.asarray(categories, dtype=object)
    if len(cats) == 0:
        return pd.Categorical.from_codes(np.full(len(codes), -1), pd.Index([], dtype=object))
    uniq, inv = np.unique(cats.astype(str), return_inverse=True)
    new = np.where(codes >= 0, inv[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(new, pd.Index(uniq, dtype=object))


def date_strings(days: np.ndarray, messy: bool) -> list[np.ndarray]:
    """ISO strings (plain) or [zero-padded, unpadded] day-first strings (messy)."""
    iso = np.datetime_as_string(EPOCH + days.astype("timedelta64[D]"), unit="D")
    if not messy:
        return [iso.astype(object)]
    y = np.array([s[:4] for s in iso], dtype=object)
    m = np.array([s[5:7] for s in iso], dtype=object)
    d = np.array([s[8:10] for s in iso], dtype=object)
    padded = d + "-" + m + "-" + y
    unpadded = np.array([f"{int(a)}-{int(b)}-{c}" for a, b, c in zip(d, m, y, strict=True)], dtype=object)
    return [padded, unpadded]


def fmt_date(d: int, messy: bool, rng: np.random.Generator) -> str:
    """One date offset as text."""
    variants = date_strings(np.array([d], dtype=np.int64), messy)
    return str(variants[int(rng.integers(len(variants)))][0])


def fmt_number(v: float, messy: bool, group: bool = True, integer: bool = False) -> str:
    """One number as text: plain ``1234567.5`` or messy ``1.234.567,5``."""
    s = str(int(round(v))) if integer else repr(float(v))
    if not messy:
        return s
    ip, _, fp = s.partition(".")
    if fp == "0":
        fp = ""
    neg = ip.startswith("-")
    digits = ip.lstrip("-")
    if group and len(digits) > 3:
        parts = []
        while len(digits) > 3:
            parts.insert(0, digits[-3:])
            digits = digits[:-3]
        parts.insert(0, digits)
        digits = ".".join(parts)
    return ("-" if neg else "") + digits + ("," + fp if fp else "")


def _fmt_dates(x: np.ndarray, messy: bool, rng: np.random.Generator) -> pd.Categorical:
    x = np.asarray(x, dtype=np.int64)
    ok = x != NAD
    uniq, inv = np.unique(x[ok], return_inverse=True)
    variants = date_strings(uniq, messy)
    k = len(variants)
    codes = np.full(len(x), -1, dtype=np.int64)
    pick = rng.integers(0, k, int(ok.sum())) if k > 1 else 0
    codes[ok] = inv * k + pick
    cats = np.empty(len(uniq) * k, dtype=object)
    for j, v in enumerate(variants):
        cats[j::k] = v
    return _cat(codes, cats)


def _fmt_numbers(x: np.ndarray, integer: bool, messy: bool, group: bool) -> pd.Categorical:
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    uniq, inv = np.unique(x[ok], return_inverse=True)
    cats = [fmt_number(v, messy, group, integer) for v in uniq]
    codes = np.full(len(x), -1, dtype=np.int64)
    codes[ok] = inv
    return _cat(codes, cats)


def as_categorical(s: pd.Series) -> pd.Categorical:
    """A text column as a categorical with object categories (missing stays missing)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(s.cat.codes.to_numpy(), pd.Index(
            np.asarray(s.cat.categories, dtype=object).astype(str), dtype=object))
    vals = s.to_numpy(dtype=object)
    ok = pd.notna(vals)
    uniq, inv = np.unique(vals[ok].astype(str), return_inverse=True)
    codes = np.full(len(vals), -1, dtype=np.int64)
    codes[ok] = inv
    return _cat(codes, uniq)


def _fmt_enum(s: pd.Series, section: str, messy: bool, rng: np.random.Generator) -> pd.Categorical:
    c = as_categorical(s)
    if not messy:
        return c
    table = ENUM_SPELLINGS[section]
    cats = list(c.categories)
    codes = c.codes.astype(np.int64)
    width = max(len(table[v]) for v in cats) if cats else 1
    out_cats = np.empty(len(cats) * width, dtype=object)
    nvar = np.zeros(len(cats), dtype=np.int64)
    for i, v in enumerate(cats):
        sp = table[v]
        nvar[i] = len(sp)
        for j in range(width):
            out_cats[i * width + j] = sp[j % len(sp)]
    ok = codes >= 0
    pick = (rng.random(int(ok.sum())) * nvar[codes[ok]]).astype(np.int64)
    new = np.full(len(codes), -1, dtype=np.int64)
    new[ok] = codes[ok] * width + pick
    return _cat(new, out_cats)


def _fmt_bool(s: pd.Series, messy: bool, rng: np.random.Generator) -> pd.Categorical:
    v = s.to_numpy()
    ok = pd.notna(v)
    vb = np.zeros(len(v), dtype=bool)
    vb[ok] = v[ok].astype(bool)
    if not messy:
        cats = ["false", "true"]
        codes = np.where(ok, vb.astype(np.int64), -1)
        return _cat(codes, cats)
    k = len(BOOL_SPELLINGS[True])
    cats = list(BOOL_SPELLINGS[False]) + list(BOOL_SPELLINGS[True])
    codes = np.where(ok, vb.astype(np.int64) * k + rng.integers(0, k, len(v)), -1)
    return _cat(codes, cats)


def format_table(name: str, df: pd.DataFrame, messy: bool, rng: np.random.Generator) -> pd.DataFrame:
    """All contract columns of ``name`` as categoricals of strings, in contract order."""
    out = {}
    for col in TABLES[name].columns:
        s = df[col.name]
        if col.kind == "date":
            out[col.name] = _fmt_dates(s.to_numpy(), messy, rng)
        elif col.kind in ("float", "int"):
            out[col.name] = _fmt_numbers(s.to_numpy(dtype=float, na_value=np.nan), col.kind == "int",
                                         messy, col.name not in NO_GROUPING)
        elif col.kind == "bool":
            out[col.name] = _fmt_bool(s, messy, rng)
        elif col.kind == "enum":
            out[col.name] = _fmt_enum(s, col.name, messy, rng)
        else:
            out[col.name] = as_categorical(s)
    return pd.DataFrame(out)


def header_names(name: str, messy: bool, rng: np.random.Generator) -> list[str]:
    """Contract column names, or odd spellings (case, surrounding spaces) in messy mode."""
    cols = TABLES[name].column_names
    if not messy:
        return cols
    out = []
    for c in cols:
        k = int(rng.integers(6))
        h = [c, c.upper(), c.title(), " " + c, c + " ", " " + c.upper() + " "][k]
        out.append(h)
    return out


def write_csv(df: pd.DataFrame, path: Path, headers: list[str], messy: bool) -> None:
    """Write a formatted table (plain: UTF-8 ``,`` LF; messy: cp1252 ``;`` CRLF)."""
    df.to_csv(path, index=False, header=headers, sep=";" if messy else ",",
              encoding="cp1252" if messy else "utf-8", lineterminator="\r\n" if messy else "\n",
              na_rep="")
