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
organisation = "ALL"   # ALL means the whole city, or the name of one organisation in the data
output_dir = ""        # folder for the CSV side tables; "" -> current folder
top_reasons = 5        # quarantine reasons kept per table

# %%
from zwt_analysis.contract import ALL
from zwt_analysis.present import md, page, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Datakwaliteit",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, top_reasons=top_reasons),
)

# %%
import matplotlib.pyplot as plt

from zwt_analysis.reports.quality import build, kern, plots
from zwt_analysis.reports.quality import tables as nl

result = build(ctx, ctx.params)
pub = result.published
rows_shown = result.settings.shown_rows
themes = result.settings.signal_themes
page.kern(kern.sentences(result))

# %% [markdown]
# Dit rapport laat zien op welke gegevens de andere rapporten rusten: welke bestanden
# zijn aangeleverd, hoeveel regels zijn ingelezen en hoeveel er in **quarantaine** staan
# omdat ze een regel van het datacontract breken, en hoe volledig de kolommen zijn
# gevuld. Regels in quarantaine tellen in geen enkel ander rapport mee; ze zijn niet
# weggegooid of stilzwijgend verbeterd, maar staan met bestand, regelnummer, kolom en
# reden in `quarantine.csv`.

# %%
md(nl.as_of_md(result.as_of, result.as_of_source))

# %% [markdown]
# ## Wat is ingelezen
#
# Per tabel: het aantal regels in het aangeleverde bestand, het aantal dat door alle
# controles kwam en het aantal in quarantaine. Dit gaat over de hele levering (alle
# organisaties samen): een regel in quarantaine heeft soms geen geldige organisatie.

# %%
show(nl.read_nl(pub["ingelezen"]), percent=nl.READ_PERCENT, max_rows=rows_shown)
md(nl.read_note(result.missing, result.unbalanced))
ctx.save_table(pub["ingelezen"].csv(), "ingelezen")

# %%
if plots.rows_read(pub["ingelezen"]) is not None:
    plt.show()

# %% tags=["methode"]
md("### Ingelezen, met marge\n\nDe marge is het 95%-betrouwbaarheidsinterval (Wilson) van "
   "het aandeel in quarantaine: hoe nauwkeurig het aandeel het registratiegedrag weergeeft.")
show(nl.read_nl(pub["ingelezen"], full=True), percent=nl.READ_PERCENT)

# %% [markdown]
# ## Hoe de bestanden zijn gelezen
#
# Wat het inlezen van de bestanden moest maken: bestanden waarvan de naam bij geen tabel
# past, regels met een andere tekenset, titelregels boven de kopregel, dubbele regels en
# namen van organisaties of teams die anders gespeld waren dan in de wijkentabel.

# %%
if result.delivery.empty:
    md("Alle bestanden zijn gewoon gelezen: niets om te melden.")
else:
    show(nl.delivery_nl(result.delivery), max_rows=rows_shown)
ctx.save_table(pub["inleesnotities"].csv(), "inleesnotities")

# %% tags=["methode"]
if not result.mappings.empty:
    md("### Alle gelijkgetrokken namen")
    show(nl.mappings_nl(result.mappings), max_rows=200)

# %% [markdown]
# ## Quarantaine: wat en waarom
#
# De meest voorkomende redenen over alle tabellen (een regel die twee controles breekt,
# telt bij beide redenen mee). Ook dit geldt voor de hele levering.

# %%
if result.reasons.empty:
    md("Er staan **geen** regels in quarantaine.")
else:
    show(nl.reasons_nl(result.reasons), percent=nl.REASONS_PERCENT, max_rows=rows_shown)
ctx.save_table(pub["quarantaine_redenen"].csv(), "quarantaine_redenen")

# %%
md(nl.columns_md(result.notes))
if not result.notes.empty:
    show(nl.notes_nl(result.notes), max_rows=rows_shown)

# %%
md(f"""
## Volledigheid per kolom

Een lege waarde is niet altijd een fout: een lopende zaak heeft nog geen sluitdatum, en een
zaak zonder aanvraag heeft geen beslisdatum. Het gaat om het patroon: verschillen tussen
organisaties of een plotselinge verandering in de tijd. Hieronder de minst gevulde kolommen
in de goedgekeurde regels van **{nl.scope(result.organisation)}**; verplichte kolommen zijn
altijd gevuld (anders stond de regel in quarantaine).
""")

# %%
gaps = nl.gaps_nl(pub["volledigheid"])
if gaps.empty:
    md("Elke kolom is in elke goedgekeurde regel gevuld.")
else:
    show(gaps, percent=nl.GAPS_PERCENT, max_rows=rows_shown)
md(nl.symbols_md(pub))
md(nl.signals_pointer(result.signals, themes))
ctx.save_table(pub["volledigheid"].csv(), "volledigheid")

# %% tags=["methode"]
md("### Alle kolommen die niet overal gevuld zijn, met marge\n\nDe marge is het "
   "95%-betrouwbaarheidsinterval (Wilson) van het aandeel gevuld.")
show(nl.gaps_nl(pub["volledigheid"], full=True), percent=nl.GAPS_PERCENT, max_rows=200)

# %%
if result.compare_organisations:
    md("### Per organisatie\n\nKolommen die niet overal gevuld zijn, naar organisatie "
       "(een leeg vak is verborgen om personen te beschermen).")
    if plots.completeness_by_organisation(pub["volledigheid_per_organisatie"]) is not None:
        plt.show()
elif result.organisation != ALL:
    md(nl.other_organisation_md(result.organisation))
ctx.save_table(pub["volledigheid_per_organisatie"].csv(), "volledigheid_per_organisatie")

# %% [markdown]
# ### Per periode
#
# Een plotselinge daling in één kwartaal wijst eerder op een registratie- of
# exportprobleem dan op een verandering in het werk. Een leeg vak is verborgen om
# personen te beschermen.

# %%
ctx.save_table(pub["volledigheid_per_periode"].csv(), "volledigheid_per_periode")
drawn = 0
for table in plots.PERIOD_TABLES:
    if plots.completeness_by_period(pub["volledigheid_per_periode"], table) is not None:
        plt.show()
        drawn += 1
if not drawn:
    md("Geen van de tabellen zaken, tijdregistraties en personeel heeft kolommen die per "
       "periode wisselend gevuld zijn (of ze zijn niet aangeleverd).")

# %% [markdown] tags=["methode"]
# Periodes: zaken naar meldingsdatum, tijdregistraties en signalen naar hun datum (per
# kwartaal); dienstverbanden naar het jaar van de begindatum, begrotingen en formatie per
# jaar, KPI-waarden naar de aangeleverde periode.

# %% [markdown]
# ## Aantal regels per kwartaal
#
# Of elke organisatie over de hele periode gegevens aanleverde. Een gat of een sprong
# hoort verklaard te worden voordat een trend wordt gelezen. De genummerde streepjes zijn
# signalen uit de praktijk over registratie; de lijst onder de figuur geeft hun tekst.

# %%
if plots.rows_per_quarter(pub["regels_per_periode"], sig=result.signals.listed) is not None:
    plt.show()
else:
    md("Er zijn geen zaken of tijdregistraties per kwartaal om te tonen.")
md(nl.signal_list_md(result.signals, themes))
ctx.save_table(pub["regels_per_periode"].csv(), "regels_per_periode")

# %% [markdown]
# ### Signalen over registratie per thema
#
# Welke signalen uit de praktijk bij de registratie horen (ingesteld in
# `resources/quality.yaml`): hoeveel, van welke organisatie, uit welke jaren en waar ze bij
# staan.

# %%
if not result.signals.overview.empty:
    show(nl.signal_overview_nl(result.signals), caption="Signalen over registratie per thema")
    ctx.save_table(nl.signals_csv(result.signals), nl.SIGNALS_CSV)
else:
    md(nl.signals_note(result.signals, result.organisation, themes))

# %% [markdown]
# ## Datumbereik
#
# De eerste en laatste waarde van elke datumkolom in de goedgekeurde regels. Gebeurtenissen
# na de peildatum staan in quarantaine; geplande einddatums van dienstverbanden mogen na de
# peildatum liggen.

# %%
if result.date_ranges.empty:
    md("Er zijn geen datumkolommen aangeleverd.")
else:
    show(nl.dates_nl(result.date_ranges), max_rows=rows_shown)

# %% [markdown] tags=["methode"]
# ## Methode
#
# - **Quarantaine.** Elke regel gaat langs de controles van het datacontract (verplichte
#   velden, datums, bekende teams, dubbele sleutels, termijnen na de peildatum); een regel
#   die er één breekt, staat met de reden in `quarantine.csv` en telt nergens mee.
# - **Bescherming van kleine aantallen.** Regels van zaken en personeel staan voor een
#   cliënt of een medewerker: aantallen van 1 tot 4 staan als `<5`, en getallen waarmee
#   zo'n aantal terug te rekenen is als `x` (ook het verschil tussen regels en gevulde
#   waarden). De tabellen van de gemeente en van alle organisaties worden in één keer
#   beschermd (`zwt_analysis.disclosure.protect`), zodat geen rapport toont wat een ander
#   verbergt; zie `docs/disclosure.md`. Andere bestanden, het KPI-register en
#   quarantaineregels tellen geen personen en staan er altijd.
# - **Mogelijke gaten.** Een kwartaal met minder dan de helft van de mediane regels van
#   die organisatie en tabel (instelling `gap_fraction` in `resources/quality.yaml`).

# %% tags=["methode"]
if pub.issues:
    md("Relaties die niet opgingen en daarom niet zijn gebruikt bij de bescherming:\n\n"
       + "\n".join(f"- `{i}`" for i in pub.issues[:20]))

# %%
page.method_note()
