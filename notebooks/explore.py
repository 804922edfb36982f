# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (zwt)
#     language: python
#     name: zwt
# ---

# %% [markdown]
# # Verkenning (voor onderzoekers)
#
# Dit notebook hoort niet bij de rapportenreeks: het is een startpunt om zelf in de
# verwerkte gegevens te kijken. Het leest alles via de bibliotheek (`zwt_analysis`), dus
# met dezelfde typen, dezelfde peildatum en dezelfde indicatordefinities als de rapporten.
# Let op: de tabellen hier zijn **niet** beveiligd voor publicatie (geen `<5`); deel ze
# niet buiten het onderzoeksteam.
#
# Open het in JupyterLab met `make lab` (zie `docs/reports.md`) en pas de parameters aan.

# %% tags=["parameters"]
processed_dir = ""     # "" -> the project's data/processed/current
indicators_file = ""   # "" -> <processed_dir>/indicators.csv if present, else computed
organisation = "ALL"   # ALL means the whole city, or the name of one organisation in the data
output_dir = ""        # folder for the CSV side tables; "" -> current folder
indicator = "preventive_share"  # indicator for the cut by organisation and quarter
team = ""              # team for the team cut; "" -> the first team of the organisation

# %%
from zwt_analysis import present
from zwt_analysis.contract import ALL
from zwt_analysis.present import md, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Verkenning",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, indicator=indicator, team=team),
)

# %%
import matplotlib.pyplot as plt
import pandas as pd

from zwt_analysis import indicators as ind_lib
from zwt_analysis import processed, stats
from zwt_analysis.labels import org_name
from zwt_analysis.periods import quarter_labels
from zwt_analysis.reports.quality.tables import table_label

# %% [markdown]
# ## Welke tabellen zijn er?
#
# `ctx.table(naam)` geeft een verwerkte tabel (één keer gelezen, daarna uit het geheugen);
# `ctx.filter_org(df)` beperkt tot de organisatie van de parameter.

# %%
available = processed.available_tables(ctx.processed_dir)
show(pd.DataFrame({"Tabel": [table_label(t) for t in available],
                   "Regels (alle organisaties)": [len(ctx.table(t)) for t in available],
                   "Regels (deze selectie)": [len(ctx.filter_org(ctx.table(t)))
                                              for t in available]}))

# %% [markdown]
# ## De indicatortabel
#
# `ctx.indicators()` geeft de lange tabel uit het datacontract (`indicator_id, period,
# organisation, team, numerator, denominator, value`); `team == "ALL"` is het
# organisatieniveau, `organisation == "ALL"` de hele gemeente. `stats.add_intervals`
# voegt het 95%-interval (Wilson) toe aan de aandelen die zaken tellen en markeert kleine
# aantallen. Aandelen van **uren** krijgen hier geen interval: de uren van één persoon
# zijn geen onafhankelijke trekkingen, dus een binomiaal interval (Wilson) is veel te smal.
# Gebruik daarvoor `zwt_analysis.methods.intervals.korn_graubard_share` op uren per
# persoon (zoals het rapport *Preventie onder druk* doet).

# %%
count_shares = [i for i in ind_lib.share_indicators()
                if "time_registrations" not in ind_lib.describe(i)["source_tables"]]
ind = stats.add_intervals(ctx.indicators(), count_shares)
overview = (ind.groupby("indicator_id", sort=False)
            .agg(perioden=("period", "nunique"), eerste=("period", "min"),
                 laatste=("period", "max"), regels=("value", "size")).reset_index())
overview.insert(1, "titel", [ind_lib.describe(i)["title_nl"] if i in ind_lib.INDICATORS else ""
                             for i in overview["indicator_id"]])
show(overview)

# %% [markdown]
# ## Eén indicator per organisatie en kwartaal

# %%
spec = ind_lib.describe(indicator)
rows = ind[(ind["indicator_id"] == indicator) & (ind["team"] == ALL)]
if ctx.organisation != ALL:
    rows = rows[rows["organisation"].isin([ctx.organisation, ALL])]
wide = rows.pivot(index="period", columns="organisation", values="value").sort_index()
fig, ax = plt.subplots()
for org, part in rows.sort_values("period").groupby("organisation"):
    ax.plot(part["period"], part["value"], marker="o", label=org_name(org))
    if part["ci_low"].notna().any():
        ax.fill_between(part["period"], part["ci_low"], part["ci_high"], alpha=0.15)
ax.set_title(spec["title_nl"])
ax.legend(title="organisatie")
ticks = list(range(0, len(wide.index), max(1, len(wide.index) // 10)))
ax.set_xticks(ticks, [wide.index[i] for i in ticks], rotation=45)
present.dutch_axis(ax, percent=spec["unit"] == "share")
plt.show()
show(wide.reset_index().rename(columns={"period": "periode"}).tail(12), decimals=3)

# %% [markdown]
# ## De lijnen van één team
#
# Alle kwartaalindicatoren van één team, elk in een eigen paneel.

# %%
teams = ind.loc[(ind["team"] != ALL) & ((ind["organisation"] == ctx.organisation)
                                        | (ctx.organisation == ALL)), "team"]
chosen = team or (sorted(teams.unique())[0] if len(teams) else "")
lines = ind[(ind["team"] == chosen) & ind["period"].str.contains("Q")]
ids = list(dict.fromkeys(lines["indicator_id"]))
if ids:
    fig, axes = plt.subplots(len(ids), 1, figsize=(8, 2.2 * len(ids)), sharex=True,
                             squeeze=False)
    for ax, (iid, part) in zip(axes[:, 0], lines.groupby("indicator_id", sort=False),
                               strict=True):
        part = part.sort_values("period")
        ax.plot(part["period"], part["value"], marker=".")
        if part["ci_low"].notna().any():
            ax.fill_between(part["period"], part["ci_low"], part["ci_high"], alpha=0.2)
        ax.set_title(ind_lib.describe(iid)["title_nl"], fontsize=10)
        present.dutch_axis(ax, percent=ind_lib.describe(iid)["unit"] == "share")
    periods = sorted(lines["period"].unique())
    step = max(1, len(periods) // 8)
    axes[-1, 0].set_xticks(periods[::step], periods[::step], rotation=45)
    fig.suptitle(f"Team {chosen}")
    plt.show()
else:
    md("Geen team gevonden voor deze selectie.")

# %% [markdown]
# ## Uren naar activiteit
#
# Geregistreerde uren per kwartaal en activiteit (alle uren, ook overhead en
# coördinatie), als aandeel van het totaal van het kwartaal.

# %%
tr = ctx.filter_org(ctx.table("time_registrations"))
hours = (tr.assign(periode=quarter_labels(tr["date"]))
         .pivot_table(index="periode", columns="activity", values="hours", aggfunc="sum",
                      observed=True).fillna(0.0))
if not hours.empty:
    shares = hours.div(hours.sum(axis=1), axis=0)
    ax = shares.plot.area(figsize=(9, 4.5), linewidth=0)
    ax.set_title("Aandeel van de uren per activiteit")
    ax.set_xlabel("")
    ax.legend(title="activiteit", bbox_to_anchor=(1.02, 1), loc="upper left")
    present.dutch_axis(ax, percent=True)
    plt.show()
    show(hours.reset_index().tail(8), decimals=0)

# %% [markdown]
# ## Verder zoeken
#
# - Alle tabellen staan als Parquet in de map `processed_dir`; DuckDB leest ze direct:
#   `duckdb.sql("select organisation, count(*) from 'data/processed/current/cases.parquet' group by 1")`.
# - Indicatordefinities: `zwt_analysis.indicators.describe("<indicator_id>")` en
#   `docs/indicators.md`.
# - Wat in quarantaine ging en waarom: rapport *Datakwaliteit* of
#   `processed.read_quarantine(ctx.processed_dir)`.
