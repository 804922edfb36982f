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

# %% tags=["parameters"]
processed_dir = ""     # "" -> the project's data/processed/current
indicators_file = ""   # "" -> <processed_dir>/indicators.csv if present, else computed
organisation = "ALL"   # ALL means the whole city, or one organisation: DOCK, Incluzio, SMD
output_dir = ""        # folder for the CSV side tables; "" -> current folder
top_reasons = 5        # quarantine reasons shown per table

# %%
from zwt_analysis import present
from zwt_analysis.contract import ALL
from zwt_analysis.present import md, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Datakwaliteit",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, top_reasons=top_reasons),
)

# %%
from zwt_analysis import processed
from zwt_analysis.reports.quality import compute as quality

validation = processed.read_validation(ctx.processed_dir)
tables = {t: ctx.filter_org(ctx.table(t)) for t in processed.available_tables(ctx.processed_dir)}
scope = "de hele gemeente" if ctx.organisation == ALL else ctx.organisation

# %% [markdown]
# Dit rapport laat zien op welke gegevens de andere rapporten rusten: welke bestanden
# zijn aangeleverd, hoeveel regels zijn ingelezen en hoeveel er in **quarantaine** zijn
# gezet omdat ze een regel van het datacontract breken, en hoe volledig de kolommen zijn
# gevuld, per organisatie en per periode. Regels in quarantaine tellen in geen enkel
# ander rapport mee; ze zijn niet weggegooid of stilzwijgend verbeterd, maar staan met
# bestand, regelnummer, kolom en reden in `quarantine.csv`.

# %%
as_of_source = validation.get("as_of_source", "")
md(f"""
## Peildatum

Alle cijfers gelden per **{present.nl_date(ctx.as_of)}** (de peildatum). Zaken, dienstverbanden
en termijnen die op die dag nog liepen, tellen als lopend.
{"De peildatum is bij het opschonen opgegeven." if as_of_source == "option" else
 "De peildatum is de laatste gebeurtenisdatum in de aangeleverde gegevens."
 if as_of_source else ""}
""")

# %% [markdown]
# ## Wat is ingelezen
#
# Per tabel: het aantal regels in het aangeleverde bestand, het aantal dat door alle
# controles kwam en het aantal in quarantaine. Deze telling gaat altijd over de hele
# gemeente: een regel in quarantaine heeft soms geen geldige organisatie. Het zijn
# aantallen regels in bestanden, geen kenmerken van personen; daarom worden ze ook onder
# de 5 getoond.

# %%
read = quality.add_interval(quality.read_summary(validation), "rows_quarantined", "rows_in")
read = read[["table", "delivered", "source_file", "rows_in", "rows_clean", "rows_quarantined",
             "share_quarantined", "low", "high", "balanced"]]
read_nl = read.assign(table=read["table"].map(quality.table_label)).rename(columns={
    "table": "Tabel", "delivered": "Aangeleverd", "source_file": "Bestand",
    "rows_in": "Regels ingelezen", "rows_clean": "Regels goed",
    "rows_quarantined": "Regels in quarantaine", "share_quarantined": "Aandeel quarantaine",
    "low": "95%-interval laag", "high": "95%-interval hoog", "balanced": "Telling sluit"})
read_nl = read_nl.assign(Aangeleverd=read_nl["Aangeleverd"].map({True: "ja", False: "nee"}),
                         **{"Telling sluit": read_nl["Telling sluit"].map(
                             {True: "ja", False: "NEE"}).fillna("")})
show(read_nl, percent=("Aandeel quarantaine", "95%-interval laag", "95%-interval hoog"))
ctx.save_table(read, "ingelezen")

missing = quality.missing_tables(validation)
unbalanced = read.loc[read["balanced"].eq(False).fillna(False), "table"].tolist()
md("**Niet aangeleverd:** " + (", ".join(f"`{t}`" for t in missing) if missing else "geen — "
   "alle tabellen van het datacontract zijn aangeleverd.")
   + (f"\n\n**Let op:** bij {', '.join(unbalanced)} is ingelezen niet gelijk aan goed plus "
      "quarantaine." if unbalanced else
      "\n\nBij elke tabel geldt: ingelezen = goed + quarantaine (er verdwijnen geen regels)."))

# %%
import matplotlib.pyplot as plt

shown = read[read["delivered"].fillna(False)].sort_values("rows_in")
fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.2))
ax.barh(shown["table"].map(quality.table_label), shown["rows_clean"].astype(float), label="goed")
ax.barh(shown["table"].map(quality.table_label), shown["rows_quarantined"].astype(float),
        left=shown["rows_clean"].astype(float), label="quarantaine", color="#d55e00")
ax.set_xscale("log")
ax.set_xlim(left=1)
ax.set_xlabel("aantal regels (logaritmische schaal)")
ax.set_title("Ingelezen regels per tabel")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Quarantaine: wat en waarom
#
# De meest voorkomende redenen per tabel (een regel die twee controles breekt, telt bij
# beide redenen mee; *regels* telt elke bronregel één keer per reden). Ook deze telling
# geldt voor de hele gemeente.

# %%
reasons = quality.quarantine_reasons(processed.read_quarantine(ctx.processed_dir),
                                     top=top_reasons)
if reasons.empty:
    md("Er staan **geen** regels in quarantaine.")
else:
    show(reasons.assign(table=reasons["table"].map(quality.table_label),
                        column=reasons["column"].map(quality.column_label)).rename(columns={
        "table": "Tabel", "column": "Kolom", "reason": "Reden", "lines": "Meldingen",
        "rows": "Regels", "share_of_lines": "Aandeel van de meldingen in de tabel"}),
        percent=("Aandeel van de meldingen in de tabel",))
ctx.save_table(reasons, "quarantaine_redenen")

# %%
notes = quality.column_notes(validation)
labels = {"unknown": "onbekende kolom (niet overgenomen)",
          "missing_optional": "optionele kolom ontbreekt", "renamed": "hernoemd"}
if notes.empty:
    md("## Kolommen\n\nAlle aangeleverde kolommen horen bij het datacontract en geen "
       "optionele kolom ontbreekt.")
else:
    md("## Kolommen\n\nKolommen die niet in het datacontract staan zijn niet overgenomen; "
       "ontbrekende optionele kolommen zijn leeg in de verwerkte gegevens.")
    show(notes.assign(kind=notes["kind"].map(labels),
                      table=notes["table"].map(quality.table_label),
                      column=notes["column"].map(quality.column_label)).rename(
        columns={"table": "Tabel", "kind": "Soort", "column": "Kolom"}))

# %%
md(f"""
## Volledigheid per kolom

Een lege waarde is niet altijd een fout: een lopende zaak heeft nog geen sluitdatum, en een
zaak zonder aanvraag heeft geen beslisdatum. Het gaat om het patroon: verschillen tussen
organisaties of een plotselinge verandering in de tijd.

Aandeel gevulde waarden per kolom in de goedgekeurde regels van **{scope}**. Verplichte
kolommen zijn altijd gevuld (anders stond de regel in quarantaine); de tabel toont daarom
alleen kolommen die niet overal gevuld zijn. Aantallen onder de 5 staan als `<5`. Het 95%-interval (Wilson) geeft aan hoe
nauwkeurig het aandeel het registratiegedrag weergeeft; bij weinig regels is het breed.
""")

# %%
overall = quality.completeness_all(tables)
gaps = overall[overall["share"] < 1].sort_values(["table", "share"])
gaps_pub = present.publishable(gaps, ("rows", "filled"), derived_columns=("share", "low", "high"))
show(gaps_pub.assign(table=gaps_pub["table"].map(quality.table_label),
                     column=gaps_pub["column"].map(quality.column_label))
     .rename(columns={"table": "Tabel", "column": "Kolom", "rows": "Regels",
                          "filled": "Gevuld", "share": "Aandeel gevuld",
                          "low": "95%-interval laag", "high": "95%-interval hoog"}),
     percent=("Aandeel gevuld", "95%-interval laag", "95%-interval hoog"))
ctx.save_table(overall, "volledigheid", person_count_columns=("rows", "filled"),
               derived_columns=("share", "low", "high"))

# %%
by_org = quality.completeness_all(tables, by=["organisation"])
if ctx.organisation == ALL and by_org["organisation"].nunique() > 1:
    md("### Per organisatie\n\nKolommen die niet overal gevuld zijn, naar organisatie "
       "(groepen met minder dan 5 regels blijven leeg).")
    part = quality.mask_small(by_org)
    part = part[part.groupby(["table", "column"])["share"].transform("min") < 1]
    matrix = quality.completeness_matrix(
        part.assign(column=[quality.table_column_label(t, c)
                            for t, c in zip(part["table"], part["column"], strict=True)]))
    present.heatmap(matrix, title="Aandeel gevuld per kolom en organisatie")
    plt.show()
elif ctx.organisation != ALL:
    md(f"De organisaties naast elkaar staan in het rapport voor de hele gemeente; de "
       f"volledigheid per kolom van {scope} staat in deze tabel:")
ctx.save_table(by_org, "volledigheid_per_organisatie", person_count_columns=("rows", "filled"),
               group_columns=("table", "column"), derived_columns=("share", "low", "high"))

# %% [markdown]
# ### Per periode
#
# Zaken zijn gedateerd naar meldingsdatum, tijdregistraties en signalen naar hun datum
# (per kwartaal); dienstverbanden naar het jaar van de begindatum, begrotingen en formatie
# per jaar.
# Een plotselinge daling in één kwartaal wijst eerder op een registratie- of
# exportprobleem dan op een verandering in het werk. Een leeg vak betekent minder dan 5
# regels in die periode (niet getoond).

# %%
by_period = quality.completeness_all(tables, by=["period"])
ctx.save_table(by_period, "volledigheid_per_periode", person_count_columns=("rows", "filled"),
               group_columns=("table", "column"), derived_columns=("share", "low", "high"))
for table in ("cases", "time_registrations", "staff"):
    part = quality.mask_small(by_period[by_period["table"] == table])
    part = part[part.groupby("column")["share"].transform("min") < 1]
    if part.empty:
        continue
    part = part.assign(column=part["column"].map(lambda c: quality.column_label(c, code=False)))
    present.heatmap(quality.completeness_matrix(part, columns="period"),
                     title=f"Aandeel gevuld per {'jaar' if table == 'staff' else 'kwartaal'}"
                           f" — {quality.table_label(table)}")
    plt.show()

# %% [markdown]
# ## Aantal regels per periode
#
# Het aantal goedgekeurde regels per kwartaal laat zien of elke organisatie over de hele
# periode gegevens aanleverde. Een gat of een sprong hoort verklaard te worden voordat een
# trend wordt gelezen. Aantallen onder de 5 zijn in de figuur weggelaten.

# %%
counts = quality.hide_small_counts(quality.rows_by_period(
    {t: df for t, df in tables.items() if t in ("cases", "time_registrations", "signals")}))
counts = counts[counts.groupby("table")["rows"].transform("count") > 0]  # not all hidden
if not counts.empty:
    fig, axes = plt.subplots(counts["table"].nunique(), 1, sharex=True,
                             figsize=(10, 2.6 * counts["table"].nunique()), squeeze=False)
    periods = sorted(counts["period"].unique())
    for ax, (table, part) in zip(axes[:, 0], counts.groupby("table"), strict=True):
        wide = part.pivot(index="period", columns="organisation", values="rows").reindex(periods)
        wide.plot(ax=ax, marker="o", legend=True)
        ax.legend(title="organisatie", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(f"{quality.table_label(table)}: regels per kwartaal")
        ax.set_xlabel("")
        ax.set_ylim(bottom=0)
        present.dutch_axis(ax, integer=True)
    ticks = range(0, len(periods), max(1, len(periods) // 10))
    axes[-1, 0].set_xticks(list(ticks), [periods[i] for i in ticks], rotation=45)
    plt.show()
ctx.save_table(quality.rows_by_period(tables), "regels_per_periode",
               person_count_columns=("rows",), group_columns=("table", "period"))

# %% [markdown]
# ## Datumbereik
#
# De eerste en laatste waarde van elke datumkolom in de goedgekeurde regels. Gebeurtenissen
# na de peildatum staan in quarantaine; geplande einddatums van dienstverbanden mogen na de
# peildatum liggen.

# %%
ranges = quality.date_ranges(tables)
show(ranges.assign(table=ranges["table"].map(quality.table_label),
                   column=ranges["column"].map(quality.column_label)).rename(columns={
    "table": "Tabel", "column": "Kolom", "filled": "Gevuld", "first": "Eerste", "last": "Laatste"}))
