"""Dutch reader tables and sentences of the places report."""

from __future__ import annotations

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import protect
from zwt_analysis.labels import org_in_sentence
from zwt_analysis.present.fmt import nl_date, nl_number, nl_percent
from zwt_analysis.present.publish import is_hidden
from zwt_analysis.present.signals import (
    absent_sentence,
    more_line,
    signal_items,
    signal_list,
    theme_overview_nl,
)
from zwt_analysis.reports.places import stories
from zwt_analysis.reports.places.build import PlacesResult

#: File stem of the CSV with every signal drawn beside a figure (the lists keep the latest).
SIGNALS_CSV = "signalen_bij_figuren"
#: Reader names of the figures that carry signals (the CSV's ``figure`` column).
FIGURE_NAMES = {"reach": "bereik per wijk", "cost_gap": "cao-lonen en indexatie"}


def _where(own: float, q1: float, q3: float) -> str:
    if own > q3:
        return "boven de middelste helft van"
    if own < q1:
        return "onder de middelste helft van"
    return "binnen de middelste helft van"


def peers_sentences(r: PlacesResult) -> list[str]:
    """One sentence per CBS measure: where the municipality stands among its peers."""
    out = []
    for p in r.position.itertuples():
        if not pd.notna(p.own) or p.n_peers == 0:
            continue
        dec = 0 if p.unit == "per 1.000" else 1
        unit = " per 1.000 inwoners" if p.unit == "per 1.000" else "%"
        out.append(
            f"{p.label}: {r.municipality_name} heeft {nl_number(p.own, dec)}{unit}, "
            f"{_where(p.own, p.q1, p.q3)} {p.n_peers} vergelijkbare gemeenten "
            f"(mediaan {nl_number(p.median, dec)}; middelste helft {nl_number(p.q1, dec)} tot "
            f"{nl_number(p.q3, dec)}).")
    return out


def flagged_wijken(r: PlacesResult) -> pd.DataFrame:
    """Wijken whose whole interval of observed / expected lies below the flag ratio."""
    if r.reach is None:
        return pd.DataFrame()
    t = r.reach.table
    return t[t["ratio_high"] < float(r.settings["wijken"]["flag_below"])]


def _reach_sentence(r: PlacesResult) -> str:
    low = flagged_wijken(r)
    n = len(r.reach.table)
    where = "wijken" if r.organisation == ALL else f"wijken waar {r.organisation} werkt"
    if len(low):
        names = ", ".join(low["wijknaam"].astype(str).tolist()[:4])
        return (f"In {r.year} bereikten {len(low)} van de {n} {where} duidelijk minder "
                f"inwoners dan hun bevolkingsopbouw doet verwachten: {names}.")
    return (f"In {r.year} bereikte geen van de {n} {where} duidelijk minder inwoners "
            "dan hun bevolkingsopbouw doet verwachten.")


def _expertise_sentence(r: PlacesResult) -> str:
    """City: types rare in some team; organisation: its own teams' rare types."""
    n_rare = int(r.settings["expertise"]["rare_per_year"])
    if r.organisation == ALL:
        rare = r.type_summary[r.type_summary["teams_rare"] > 0]
        shared = rare[rare["teams_often"] > 0]
        return (f"{len(rare)} van de {len(r.type_summary)} soorten hulpvragen komen in minstens "
                f"één team minder dan {n_rare} keer per jaar voor; voor {len(shared)} daarvan "
                "is er een team dat ze vaak ziet en zijn kennis kan delen.")
    own = r.rare
    types = own["question_type"].nunique() if len(own) else 0
    if types == 0:
        return (f"Elk team van {r.organisation} ziet elke soort hulpvraag minstens {n_rare} keer "
                "per jaar.")
    helped = own.loc[own["experienced_teams"].astype(str) != "", "question_type"].nunique()
    return (f"{types} van de {len(r.type_summary)} soorten hulpvragen komen in minstens één team "
            f"van {r.organisation} minder dan {n_rare} keer per jaar voor; voor {helped} daarvan "
            "is er elders in de gemeente een team dat ze vaak ziet en zijn kennis kan delen.")


def kern(r: PlacesResult) -> list[str]:
    """Three to five plain-Dutch sentences with the answer, written from the results.

    An organisation's report starts with its own wijken and teams; the
    comparison with other municipalities (a figure of the whole
    municipality) follows as the reference.
    """
    peers = peers_sentences(r)[:1]
    own: list[str] = []
    if r.reach is not None:
        own.append(_reach_sentence(r))
    if not r.type_summary.empty:
        own.append(_expertise_sentence(r))
    if r.organisation == ALL:
        out = peers + own
    else:
        out = own + [f"Ter vergelijking, een cijfer van de hele gemeente — {p}" for p in peers]
    if not r.gap.empty and len(r.gap) > 1:
        last = r.gap.iloc[-1]
        loss = 1 - float(last["purchasing_power"])
        fte = "" if r.fte.empty else f" (ongeveer {nl_number(float(r.fte['fte_lost'].iloc[-1]), 0)} fte)"
        out.append(f"De cao-lonen stegen van {int(r.gap['year'].iloc[0])} tot {int(last['year'])} "
                   f"gemiddeld {nl_number(float(r.gap['gap_pp'].iloc[1:].mean()), 1)} procentpunt per "
                   f"jaar harder dan de indexatie; het budget koopt daardoor in {int(last['year'])} "
                   f"{nl_percent(loss, 1)} minder personeel dan in {int(r.gap['year'].iloc[0])}{fte}.")
    out.append("Dit zijn samenhangen en vergelijkingen, geen oordeel over teams: wat het model niet "
               "kent (inkomen, gezondheid, de sociale basis in de wijk) kan het verschil verklaren.")
    return out


def _own_rows(csv: pd.DataFrame, r: PlacesResult, key: str, values: set[str]) -> pd.DataFrame:
    if r.organisation == ALL:
        return csv.reset_index(drop=True)
    return csv[csv[key].astype(str).isin(values)].reset_index(drop=True)


def published_reach(r: PlacesResult) -> pd.DataFrame:
    """``bereik_per_wijk`` as published: protected on the city's table, cut to this report."""
    if r.reach is None or r.reach_city.empty:
        return pd.DataFrame()
    csv = protect({"bereik_per_wijk": r.reach_city})["bereik_per_wijk"].csv()
    return _own_rows(csv, r, "area_code", set(r.reach.table["area_code"].astype(str)))


def published_types(r: PlacesResult) -> pd.DataFrame:
    """``hulpvragen_per_team`` as published: protected on the city's table, cut to this report."""
    if r.by_type_city.empty:
        return pd.DataFrame()
    csv = protect({"hulpvragen_per_team": r.by_type_city})["hulpvragen_per_team"].csv()
    return _own_rows(csv, r, "organisation", {r.organisation})


def _nl(v: object, decimals: int) -> object:
    return v if isinstance(v, str) else nl_number(float(v), decimals)


def reach_table(r: PlacesResult, top: int = 15) -> pd.DataFrame:
    """Reach per wijk for readers, lowest observed / expected first (at most ``top`` rows;
    the full table is the CSV); hidden cells keep their symbol (``<5``, ``x``)."""
    pub = published_reach(r)
    if pub.empty:
        return pub
    pub = pub.head(top)
    return pd.DataFrame({
        "wijk": pub["wijknaam"], "inwoners": pub["population"].map(lambda v: _nl(v, 0)),
        "cliënten": pub["clients"].map(lambda v: _nl(v, 0)),
        "bereik per 1.000": pub["reach_per_1000"].map(lambda v: _nl(v, 1)),
        "verwacht": pub["expected"].map(lambda v: _nl(v, 0)),
        "waargenomen / verwacht": pub["ratio"].map(lambda v: _nl(v, 2)),
        "95%-interval": [x if isinstance(x, str) else f"{_nl(x, 2)} tot {_nl(y, 2)}"
                         for x, y in zip(pub["ratio_low"], pub["ratio_high"], strict=True)],
    })


def reach_hidden(r: PlacesResult) -> pd.Series:
    """True per row of ``r.reach.table`` whose clients the published table hides (figures
    leave those wijken out)."""
    pub = published_reach(r)
    if pub.empty:
        return pd.Series(dtype=bool)
    hidden = dict(zip(pub["area_code"].astype(str), is_hidden(pub["clients"]), strict=True))
    return r.reach.table["area_code"].astype(str).map(hidden).fillna(True).astype(bool)


def rare_table(r: PlacesResult, top: int = 15) -> pd.DataFrame:
    """The rarest team x type cells (at most ``top`` rows), who could share expertise; counts
    as published (protected on the city's table)."""
    if r.rare.empty:
        return pd.DataFrame()
    pub = published_types(r).set_index(["team", "question_type"])["cases"]
    t = r.rare.sort_values(["cases", "question_type"]).head(top)
    shown = [pub.get((tm, q), c) for tm, q, c in zip(t["team"], t["question_type"], t["cases"],
                                                      strict=True)]
    return pd.DataFrame({
        "team": t["team"], "organisatie": t["organisation"], "soort hulpvraag": t["question_type"],
        "zaken per jaar": [_nl(v, 0) for v in shown],
        "zien het vaak": t["experienced_teams"].replace("", "geen team")})


def gap_table(r: PlacesResult) -> pd.DataFrame:
    """Cao rise, indexation, gap and purchasing power per year, for readers."""
    if r.gap.empty:
        return pd.DataFrame()
    g = r.gap
    return pd.DataFrame({
        "jaar": g["year"].astype(str), "cao-loonstijging": g["cao_pct"].map(lambda v: nl_number(v, 1) + "%"),
        "indexatie": g["indexation_pct"].map(lambda v: nl_number(v, 1) + "%"),
        "verschil (procentpunt)": g["gap_pp"].map(lambda v: nl_number(v, 1)),
        "koopkracht budget": g["purchasing_power"].map(lambda v: nl_percent(v, 1))})


def who(r: PlacesResult) -> str:
    """The report's subject inside a sentence."""
    return org_in_sentence(r.organisation)


# ------------------------------------------------------------------ signals from practice


def signals_note(r: PlacesResult) -> str:
    """One Dutch sentence when no signal stands beside the figures (empty when some do)."""
    return absent_sentence(r.signals.status, f"Er zijn geen signalen uit de praktijk van {who(r)} "
                           "over de thema's bij de figuren van dit rapport in de getoonde periode.")


def _wijk_names(r: PlacesResult) -> dict[str, str]:
    if r.reach is None:
        return {}
    t = r.reach.table
    return dict(zip(t["area_code"].astype(str), t["wijknaam"].astype(str), strict=True))


def _themes(r: PlacesResult, figure: str) -> str:
    themes = stories.themes_of(r.settings.get("signals") or {}, figure)
    return ", ".join(themes[:-1]) + " en " + themes[-1] if len(themes) > 1 else "".join(themes)


def reach_signal_list(r: PlacesResult) -> str:
    """The reach figure's signals as a Markdown list per wijk (the latest ``max_listed``).

    Wijken in the order of the figure's table (lowest observed / expected first); a team's
    signal without a wijk of its own stands under all the team's wijken at once. Empty when
    the figure has no signals.
    """
    s = r.signals
    shown = s.listed("reach")
    if shown.empty:
        return ""
    names = _wijk_names(r)
    rank = {a: i for i, a in enumerate(names)}
    head = (f"**Signalen uit de praktijk per wijk** ({_themes(r, 'reach')}; van "
            f"{nl_date(s.start)} tot de peildatum; de nummers staan rechts in de figuur):")
    lines = [head]
    groups = sorted(shown.groupby("wijken", sort=False), key=lambda g: min(rank[a] for a in g[0]))
    for wijken, g in groups:
        label = ", ".join(names[a] for a in wijken)
        team = g["team"].dropna().unique()
        held = f" (werkgebied van {team[0]})" if len(wijken) > 1 and len(team) == 1 else ""
        lines += ["", f"*{label}*{held}", "", *signal_items(g, bullets=True)]
    tail = more_line(len(s.reach) - len(shown), f"in de CSV `{SIGNALS_CSV}.csv`")
    one = s.without_wijk == 1
    loose = (f"*{s.without_wijk} {'signaal noemt' if one else 'signalen noemen'} geen wijk of "
             f"team met een wijk in de figuur; {'het telt' if one else 'ze tellen'} mee in het "
             "overzicht per thema.*") if s.without_wijk else ""
    return "\n".join([*lines, *(["", tail] if tail else []), *(["", loose] if loose else [])])


def cost_gap_signal_list(r: PlacesResult) -> str:
    """The cost-gap figure's signals as a numbered Markdown list (empty without signals)."""
    s = r.signals
    shown = s.listed("cost_gap")
    return signal_list(shown, more=len(s.cost_gap) - len(shown),
                       full=f"in de CSV `{SIGNALS_CSV}.csv`")


def signal_overview(r: PlacesResult, top: int = 15) -> pd.DataFrame:
    """Signals per theme for readers: count, organisations, years, the figure each touches."""
    return theme_overview_nl(r.signals.overview, max_rows=top)


def signals_csv(r: PlacesResult) -> pd.DataFrame:
    """Every signal drawn beside a figure, with its figure and number (the CSV side table)."""
    names = _wijk_names(r)
    parts = []
    for fig in stories.FIGURES:
        sig = getattr(r.signals, fig)
        if sig.empty:
            continue
        wijken = sig["wijken"] if "wijken" in sig else pd.Series([()] * len(sig), index=sig.index)
        parts.append(pd.DataFrame({
            "figure": FIGURE_NAMES[fig], "nr": sig["nr"].astype(int),
            "date": pd.to_datetime(sig["date"]).dt.strftime("%Y-%m-%d"),
            "organisation": sig["organisation"], "team": sig["team"], "theme": sig["theme"],
            "wijken": wijken.map(lambda w: "; ".join(names.get(a, a) for a in w)),
            "text": sig["text"]}))
    cols = ["figure", "nr", "date", "organisation", "team", "theme", "wijken", "text"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
