"""Expertise exposure: how often each team sees each type of help question.

Findings 1.5 and advice 2.7 of the evaluation: expertise on help questions that are rare in
some wijken is hard to build. Per team and year, cases per ``question_type``; a type seen
fewer than ``rare_per_year`` times a year in a team is flagged as rare there, with the teams
(and organisations) that see it often enough to share their expertise.
"""

from __future__ import annotations

import pandas as pd

from zwt_analysis.contract import ALL

COLUMNS = ["year", "organisation", "team", "question_type", "cases"]


def cases_by_type(cases: pd.DataFrame, year: int) -> pd.DataFrame:
    """Cases reported in ``year`` per team and question type (teams x types, 0-filled).

    Cases without a question type are left out. Columns: year, organisation, team,
    question_type, cases. An input without the column gives an empty frame.
    """
    if cases.empty or "question_type" not in cases.columns:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "cases") else "string")
                             for c in COLUMNS})
    d = pd.to_datetime(cases["date_report"])
    sel = cases[(d.dt.year == year) & cases["question_type"].notna()].copy()
    sel["question_type"] = sel["question_type"].astype("string").str.strip()
    sel = sel[sel["question_type"] != ""]
    teams = cases[["organisation", "team"]].drop_duplicates().astype("string")
    types = pd.DataFrame({"question_type": sorted(sel["question_type"].unique())}, dtype="string")
    grid = teams.merge(types, how="cross")
    counts = (sel.astype({"organisation": "string", "team": "string"})
              .groupby(["organisation", "team", "question_type"], observed=True).size()
              .rename("cases").reset_index())
    out = grid.merge(counts, on=["organisation", "team", "question_type"], how="left")
    out["cases"] = out["cases"].fillna(0).astype("int64")
    out.insert(0, "year", year)
    return out[COLUMNS].sort_values(["organisation", "team", "question_type"], ignore_index=True)


def rare_types(by_type: pd.DataFrame, rare_per_year: int) -> pd.DataFrame:
    """Team x type cells below ``rare_per_year``, with who sees that type often enough.

    Columns: organisation, team, question_type, cases, share_teams (teams where the type is
    rare, of all teams), experienced_teams (teams with at least ``rare_per_year``, as
    text "team (organisation)"), experienced_in_org (whether a team of the same organisation
    is among them). A type that no team sees often enough has no experienced teams.
    """
    if by_type.empty:
        return pd.DataFrame(columns=["organisation", "team", "question_type", "cases",
                                     "share_teams", "experienced_teams", "experienced_in_org"])
    often = by_type[by_type["cases"] >= rare_per_year]
    rare = by_type[by_type["cases"] < rare_per_year].copy()
    n_teams = by_type["team"].nunique()
    share = rare.groupby("question_type")["team"].nunique() / n_teams
    rare["share_teams"] = rare["question_type"].map(share).astype(float)
    who = often.groupby("question_type").apply(
        lambda g: ", ".join(f"{t} ({o})" for o, t in zip(g["organisation"], g["team"], strict=True)),
        include_groups=False)
    rare["experienced_teams"] = rare["question_type"].map(who).fillna("")
    orgs = often.groupby("question_type")["organisation"].agg(set)
    rare["experienced_in_org"] = [o in orgs.get(q, set()) for o, q in
                                  zip(rare["organisation"], rare["question_type"], strict=True)]
    return rare.drop(columns="year").reset_index(drop=True)


def type_summary(by_type: pd.DataFrame, rare_per_year: int) -> pd.DataFrame:
    """Per question type: cases in the city, teams where it is rare, teams that see it often.

    Columns: question_type, cases, teams_rare, teams_often, organisation (``ALL``).
    """
    if by_type.empty:
        return pd.DataFrame(columns=["question_type", "cases", "teams_rare", "teams_often",
                                     "organisation"])
    g = by_type.groupby("question_type")
    out = pd.DataFrame({
        "cases": g["cases"].sum(),
        "teams_rare": g["cases"].apply(lambda s: int((s < rare_per_year).sum())),
        "teams_often": g["cases"].apply(lambda s: int((s >= rare_per_year).sum())),
    }).reset_index()
    out["organisation"] = ALL
    return out.sort_values(["teams_rare", "cases"], ascending=[False, True], ignore_index=True)
