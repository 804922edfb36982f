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
indicators_file = ""   # "" -> <processed_dir>/indicators.csv
organisation = "ALL"   # ALL means the whole municipality, or one organisation
output_dir = ""        # folder for the CSV side tables; "" -> current folder
settings_file = ""     # "" -> the packaged zwt_analysis/resources/places.yaml

# %%
from zwt_analysis.present import md, page, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Wijken, vergelijkbare gemeenten en expertise",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, settings_file=settings_file),
)

# %%
from zwt_analysis.reports.places import plots, tables
from zwt_analysis.reports.places.build import build

r = build(ctx, {"settings_file": settings_file})

# %%
page.kern(tables.kern(r))
page.method_note()

# %% [markdown]
# ## 1. De gemeente naast vergelijkbare gemeenten
#
# Vergelijkbaar betekent hier: ongeveer even groot (de helft tot het dubbele aantal inwoners)
# en ongeveer even stedelijk (hoogstens één stap verschil op de CBS-schaal van stedelijkheid).
# De cijfers zijn die van het CBS en hebben hun eigen peilperiode; ze laten zien waar de
# gemeente staat, niet waarom.

# %%
if r.peers.empty:
    md(f"*Overgeslagen: {r.skipped['peers']}.*")
else:
    md("\n".join(f"- {s}" for s in tables.peers_sentences(r)))
    _ = plots.plot_peers(r)

# %% [markdown]
# ## 2. Bereik per wijk naast wat de bevolking doet verwachten
#
# Het bereik is het aantal inwoners met een melding in het jaar per 1.000 inwoners. Een model
# over alle wijken schat hoeveel cliënten een wijk met deze leeftijdsopbouw en
# huishoudensgrootte gemiddeld heeft. Een verhouding onder 1 betekent minder cliënten dan
# verwacht. Het streepje is het 95%-interval: ligt het helemaal links van de stippellijn, dan
# is het verschil groter dan toeval. Advies 2.9 van de evaluatie vraagt te durven
# differentiëren: wie overal evenveel terugtrekt, raakt sommige groepen harder. De nummers
# rechts van een wijk zijn signalen uit de praktijk uit die wijk of van het team dat er werkt;
# de lijst eronder geeft hun tekst.

# %%
if r.reach is None:
    md(f"*Overgeslagen: {r.skipped['reach']}.*")
else:
    _ = plots.plot_reach(r, suppressed=tables.reach_hidden(r))
    md(tables.reach_signal_list(r))
    show(tables.reach_table(r), caption=f"Bereik per wijk in {r.year}, laagste verhouding eerst "
         "(ten hoogste 15 wijken; <5: minder dan vijf; x: verborgen zodat niets terug te rekenen is)")
    ctx.save_table(tables.published_reach(r), "bereik_per_wijk")
    if r.reach.note:
        md(f"*{r.reach.note}.*")

# %% [markdown]
# ## 3. Zeldzame hulpvragen: waar is expertise te halen?
#
# Een soort hulpvraag die een team minder dan een keer per maand ziet, is daar moeilijk om
# expertise in op te bouwen (bevinding 1.5 en advies 2.7 van de evaluatie). Per team staat
# hieronder welke soorten zelden voorkomen en welke teams ze vaak zien.

# %%
if r.by_type.empty:
    md(f"*Overgeslagen: {r.skipped['expertise']}.*")
else:
    show(tables.rare_table(r), caption=f"Zeldzaamste hulpvragen per team in {r.year} "
         "(ten hoogste 15 regels; de volledige tabel staat in de CSV)")
    ctx.save_table(tables.published_types(r), "hulpvragen_per_team")

# %% [markdown]
# ## 4. Cao-lonen en indexatie
#
# Stijgen de cao-lonen harder dan de gemeente het budget indexeert, dan koopt hetzelfde budget
# minder personeel (bevinding 1.10 en advies 2.1).

# %%
if r.gap.empty:
    md(f"*Overgeslagen: {r.skipped['cost_gap']}.*")
else:
    show(tables.gap_table(r), caption="Cao-loonstijging, indexatie en koopkracht van het budget")
    _ = plots.plot_cost_gap(r)
    md(tables.cost_gap_signal_list(r))

# %% [markdown]
# ## 5. Signalen uit de praktijk per thema
#
# Verhalen uit de wijken naast de cijfers hierboven, per thema: hoeveel, van welke organisatie,
# uit welke jaren en bij welke figuur ze staan. Een signaal is een ervaring uit de praktijk,
# geen meting: het kan een cijfer helpen begrijpen, niet bewijzen.

# %%
if r.signals.overview.empty:
    md(tables.signals_note(r))
else:
    show(tables.signal_overview(r), caption="Signalen per thema (bij de figuren van dit rapport)")
    ctx.save_table(tables.signals_csv(r), tables.SIGNALS_CSV)
