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
from zwt_analysis.contract import ALL
from zwt_analysis.present import md, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Datakwaliteit",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, top_reasons=top_reasons),
)

# %%
import matplotlib.pyplot as plt

from zwt_analysis.reports.quality import build, plots
from zwt_analysis.reports.quality import tables as nl

result = build(ctx, ctx.params)

# %% [markdown]
# Dit rapport laat zien op welke gegevens de andere rapporten rusten: welke bestanden
# zijn aangeleverd, hoeveel regels zijn ingelezen en hoeveel er in **quarantaine** zijn
# gezet omdat ze een regel van het datacontract breken, en hoe volledig de kolommen zijn
# gevuld, per organisatie en per periode. Regels in quarantaine tellen in geen enkel
# ander rapport mee; ze zijn niet weggegooid of stilzwijgend verbeterd, maar staan met
# bestand, regelnummer, kolom en reden in `quarantine.csv`.

# %%
md(nl.as_of_md(result.as_of, result.as_of_source))

# %% [markdown]
# ## Wat is ingelezen
#
# Per tabel: het aantal regels in het aangeleverde bestand, het aantal dat door alle
# controles kwam en het aantal in quarantaine. Deze telling gaat altijd over de hele
# gemeente: een regel in quarantaine heeft soms geen geldige organisatie. Het zijn
# aantallen regels in bestanden, geen kenmerken van personen; daarom worden ze ook onder
# de 5 getoond.

# %%
show(nl.read_nl(result.read), percent=nl.READ_PERCENT)
ctx.save_table(result.read, "ingelezen")
md(nl.read_note(result.missing, result.unbalanced))

# %%
plots.rows_read(result.read)
plt.show()

# %% [markdown]
# ## Quarantaine: wat en waarom
#
# De meest voorkomende redenen per tabel (een regel die twee controles breekt, telt bij
# beide redenen mee; *regels* telt elke bronregel één keer per reden). Ook deze telling
# geldt voor de hele gemeente.

# %%
if result.reasons.empty:
    md("Er staan **geen** regels in quarantaine.")
else:
    show(nl.reasons_nl(result.reasons), percent=nl.REASONS_PERCENT)
ctx.save_table(result.reasons, "quarantaine_redenen")

# %%
md(nl.columns_md(result.notes))
if not result.notes.empty:
    show(nl.notes_nl(result.notes))

# %%
md(f"""
## Volledigheid per kolom

Een lege waarde is niet altijd een fout: een lopende zaak heeft nog geen sluitdatum, en een
zaak zonder aanvraag heeft geen beslisdatum. Het gaat om het patroon: verschillen tussen
organisaties of een plotselinge verandering in de tijd.

Aandeel gevulde waarden per kolom in de goedgekeurde regels van **{nl.scope(result.organisation)}**. Verplichte
kolommen zijn altijd gevuld (anders stond de regel in quarantaine); de tabel toont daarom
alleen kolommen die niet overal gevuld zijn. Aantallen onder de 5 staan als `<5`. Het 95%-interval (Wilson) geeft aan hoe
nauwkeurig het aandeel het registratiegedrag weergeeft; bij weinig regels is het breed.
""")

# %%
show(nl.gaps_nl(result.gaps), percent=nl.GAPS_PERCENT)
ctx.save_table(result.completeness, "volledigheid", person_count_columns=("rows", "filled"),
               derived_columns=("share", "low", "high"))

# %%
if result.compare_organisations:
    md("### Per organisatie\n\nKolommen die niet overal gevuld zijn, naar organisatie "
       "(groepen met minder dan 5 regels blijven leeg).")
    plots.completeness_by_organisation(result.by_organisation)
    plt.show()
elif result.organisation != ALL:
    md(nl.other_organisation_md(result.organisation))
ctx.save_table(result.by_organisation, "volledigheid_per_organisatie",
               person_count_columns=("rows", "filled"), group_columns=("table", "column"),
               derived_columns=("share", "low", "high"))

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
ctx.save_table(result.by_period, "volledigheid_per_periode",
               person_count_columns=("rows", "filled"), group_columns=("table", "column"),
               derived_columns=("share", "low", "high"))
for table in plots.PERIOD_TABLES:
    if plots.completeness_by_period(result.by_period, table) is not None:
        plt.show()

# %% [markdown]
# ## Aantal regels per periode
#
# Het aantal goedgekeurde regels per kwartaal laat zien of elke organisatie over de hele
# periode gegevens aanleverde. Een gat of een sprong hoort verklaard te worden voordat een
# trend wordt gelezen. Aantallen onder de 5 zijn in de figuur weggelaten.

# %%
if plots.rows_per_quarter(result.event_rows) is not None:
    plt.show()
ctx.save_table(result.rows_by_period, "regels_per_periode",
               person_count_columns=("rows",), group_columns=("table", "period"))

# %% [markdown]
# ## Datumbereik
#
# De eerste en laatste waarde van elke datumkolom in de goedgekeurde regels. Gebeurtenissen
# na de peildatum staan in quarantaine; geplande einddatums van dienstverbanden mogen na de
# peildatum liggen.

# %%
show(nl.dates_nl(result.date_ranges))
