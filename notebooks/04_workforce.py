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
processed_dir = ""     # "" -> de map data/processed/current van het project
indicators_file = ""   # "" -> <processed_dir>/indicators.csv als die er is, anders berekend
organisation = "ALL"   # "ALL": de hele gemeente; of één organisatie
output_dir = ""        # map voor de CSV-tabellen; "" -> de huidige map
scenario = "baseline"  # een scenario uit zwt_analysis/resources/scenarios.yaml
runs = 500             # Monte Carlo-runs per scenario
seed = 2026            # startgetal van het toeval (zelfde getal, zelfde uitkomst)
outflow_rate = None            # None -> scenario; bv. 0.15 (vertrek per persoonjaar, vast)
months_to_fill = None          # None -> scenario; gemiddelde maanden dat een plek open staat
ramp_up_months = None          # None -> scenario
new_hire_productivity = None   # None -> scenario (0..1 in de eerste maand)
wage_growth = None             # None -> scenario; cao-loonstijging per jaar
indexation = None              # None -> scenario; gemeentelijke indexatie per jaar
population_growth = None       # None -> scenario
demand_trend = None            # None -> scenario
overhead_share = None          # None -> scenario
sensitivity_runs = 100         # runs per instelling in de gevoeligheidsfiguur

# %%
from zwt_analysis.present import md, show
from zwt_analysis.present.page import kern, method_note
from zwt_analysis.reports import context
from zwt_analysis.reports.workforce import build, plots, text
from zwt_analysis.reports.workforce import tables as report

ctx = context.start(
    title="Personeel, capaciteit en financiering",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, scenario=scenario, runs=runs,
                seed=seed, outflow_rate=outflow_rate, months_to_fill=months_to_fill,
                ramp_up_months=ramp_up_months, new_hire_productivity=new_hire_productivity,
                wage_growth=wage_growth, indexation=indexation,
                population_growth=population_growth, demand_trend=demand_trend,
                overhead_share=overhead_share, sensitivity_runs=sensitivity_runs),
)

# %%
res = build(ctx, ctx.params)
kern(text.kern(res))
for section in res.skipped:
    md(text.skipped_note(res, section))
method_note()
first, last = res.horizon
who = res.shown[0]

# %%
md(f"""De nieuwe opdracht voor de wijkteams loopt van {first} tot en met {last}. De evaluatie
verwacht dat in die periode een deel van het personeel wisselt, dat de cao-lonen harder stijgen
dan de gemeentelijke indexatie (zodat hetzelfde budget minder fte betaalt) en dat korte extra
opdrachten met incidenteel geld het werk blijven versnipperen.

Dit rapport meet eerst in de eigen gegevens hoeveel medewerkers vertrekken en hoe lang een
vacature openstaat. Daarna rekent het per organisatie, maand voor maand, door hoeveel capaciteit
er tot eind {last} overblijft voor preventie, onder een paar scenario's. Tot slot kijkt het naar de
financiering (advies 2.3 van de evaluatie) en toetst het het model zelf. **Lees de scenario's als
verkenning, niet als voorspelling.** Een 95%-interval is het bereik waarin de echte waarde met
grote waarschijnlijkheid ligt; hoe smaller, hoe zekerder.""")

# %% [markdown]
# ## 1. Hoeveel medewerkers vertrekken?
#
# *Vertrek per jaar* is het aantal medewerkers dat in een jaar bij de organisatie wegging, gedeeld
# door het aantal dat er op 1 januari werkte (zoals het CBS dat voor de sector doet). Wie een
# nieuw contract krijgt of binnen de organisatie van team wisselt, vertrekt niet. We tellen de
# volledige jaren sinds het eerste zichtbare vertrek in de gegevens.

# %%
if res.has_staff:
    cal = res.tables["workforce_calibration"]
    show(report.calibration_display(cal, res.shown),
         caption="Vertrek, instroom, vacatures en verblijfsduur (95%-interval tussen haakjes; "
                 "<5: minder dan vijf, x: niet getoond om een klein aantal te beschermen)")
    ctx.save_table(report.round_numbers(cal.csv()), "workforce_calibration")
    ctx.save_table(report.round_numbers(res.tables["workforce_yearly"].csv()), "workforce_yearly")
    md(text.trend_text(res))
    md(text.sector_text(res))

# %% [markdown]
# Het vertrek per jaar laat zien of het stabiel is of oploopt. Jaren met minder dan vijf
# vertrekkers ontbreken (kleine aantallen), net als jaren die nodig zijn om zo'n jaar te
# beschermen. De driehoekjes bovenin zijn signalen uit de praktijk over personeel, werkdruk en
# financiering, met de tekst eronder.

# %%
if res.has_staff:
    yearly = res.tables["workforce_yearly"].masked()
    _ = plots.plot_yearly_outflow(yearly, res.shown, res.policy.sector_outflow_rate,
                                  res.policy.sector_source, res.signals)

# %%
if res.has_staff and res.signals is not None and len(res.signals):
    md("**Signalen uit de praktijk** (de nummers staan in de figuur):\n\n"
       + report.signals_list(res.signals))

# %% [markdown] tags=["methode"]
# **Methode.** Vertrek wordt geteld per *dienstverband*: aaneengesloten contracten van één
# persoon bij één organisatie (een verlenging of een interne overplaatsing de volgende dag)
# tellen als één. De indicator `staff_outflow_rate` uit de catalogus telt een verlenging wel als
# vertrek; voor het model zou dat vertrek zonder bijbehorende instroom zijn. Het 95%-interval
# per jaar is quasi-Poisson: het exacte Poisson-interval, verbreed met de spreiding tussen de
# organisatiejaren (dispersie). De kans om te vertrekken wordt geschat per organisatie,
# kalenderjaar en diensttijdband in een log-lineair (quasi-Poisson) model met persoonjaren als
# blootstelling; wie vóór het begin van de export vertrok ontbreekt, dus telt alleen de tijd
# vanaf 1 januari van het eerste zichtbare jaar mee (linkse afkapping). Een trend over de jaren
# wordt eerst voor alle organisaties samen getoetst (t-toets met de dispersie), dan of de
# organisaties daarin verschillen (F-toets); een trend telt mee in de scenario's alleen als die
# aantoonbaar is (5%, Benjamini-Hochberg over de organisaties). Verblijfsduur: Kaplan-Meier met
# late instap en censurering op de peildatum. Tijd tot vervulling: van de laatste werkdag van
# een vertrekker tot de start van de eerstvolgende nieuwkomer in hetzelfde team (exponentieel
# model met censurering).

# %% tags=["methode"]
if res.has_staff and res.history.model is not None:
    m = res.history.model
    md(f"Dispersie (organisatiejaren): {report.num(m.dispersion, 2)}; beslissing: "
       f"{m.reason}; referentiejaar {m.ref_year}.")
    if len(m.tests):
        show(report.tests_display(m), caption="Toetsen op een trend in het vertrek")
    show(report.bands_display(m), caption="Vertrekkans naar diensttijd (model, 95%-interval)")

# %% [markdown]
# ## 2. Klopt "10 tot 20% van de medewerkers wisselt"?
#
# De evaluatie schrijft (advies 2.1): *"Binnen de volgende contractperiode van acht jaar is het
# niet ondenkbaar dat 10 tot 20% van de medewerkers ... zal wisselen"*. Dat kan op twee
# manieren gelezen worden: 10–20% over de hele periode, of 10–20% per jaar. Hieronder wat de
# gegevens over elke lezing zeggen.

# %%
if res.has_staff and res.run_organisations:
    md(text.readings_text(res))

# %% [markdown]
# **Wat gebeurde er met een groep van toen?** Hieronder de medewerkers die op 1 januari van het
# eerste volledige jaar in dienst waren: hoeveel werkten er op de peildatum nog? Daarnaast wat het
# model verwachtte, en wat één gemiddeld vertrekpercentage voor iedereen zou voorspellen. Als
# medewerkers die er al lang zijn minder vaak vertrekken, overschat dat gemiddelde het vertrek.

# %%
if res.has_staff and "workforce_retention" in res.tables:
    ret = res.tables["workforce_retention"]
    show(report.retention_display(ret, res.shown), caption="Een groep medewerkers gevolgd")
    ctx.save_table(report.round_numbers(ret.csv()), "workforce_retention")
    md(text.retention_text(res))

# %%
md(f"""## 3. Scenario's {first}–{last}

Het model rekent per organisatie maand voor maand, met {res.settings['runs']} runs per scenario:
elke medewerker kan elke maand vertrekken (kans naar diensttijd en, waar aangetoond, met de trend);
een open plek wordt na gemiddeld *maanden tot vervulling* weer bezet; een nieuwe medewerker is de
eerste maanden minder productief; het budget groeit met de indexatie en de kosten per fte met de
cao-lonen, dus groeien de lonen harder, dan krimpt de betaalde formatie (zonder ontslagen: via
vertrek). Van de capaciteit gaat eerst een vast deel naar overhead en coördinatie; de wettelijke
vraag gaat voor; wat overblijft is capaciteit voor preventie. Elke run trekt ook de gemeten
waarden opnieuw binnen hun onzekerheid, dus de banden tonen toeval én meetonzekerheid, niet de
onzekerheid in de aannames zelf: daarvoor zijn de scenario's en de gevoeligheid.""")

# %%
if res.main:
    md(f"**Gekozen scenario:** {res.label} — {res.description}")
    show(report.assumptions_display(res.settings, res.history.calibration,
                                    res.run_organisations),
         caption="Aannames per organisatie (‘historie’ = gemeten in de eigen gegevens)")
    cols = [o for o in res.shown if o in res.main]
    _ = plots.plot_small_multiples(res.main, plots.FAN_KEYS, cols, f"{res.label}: lijn = "
                                   "mediaan, band = 80% van de runs; grijs: verwachting "
                                   "evaluatie")

# %% [markdown]
# ### Vergelijking van de scenario's
#
# Stand aan het eind van de periode (preventief aandeel: gemiddelde over het laatste jaar),
# mediaan met tussen haakjes het bereik van 80% van de runs.

# %%
if res.summary is not None:
    show(report.summary_display(res.summary, [who]),
         caption=f"Scenario's voor {report.org_name(who)}, eind {last} (alle organisaties in het "
                 "CSV-bestand)")
    ctx.save_table(res.summary.round(4), "scenario_summary")
    md(text.summary_text(res))

# %% [markdown]
# ### Gevoeligheid
#
# Welke aanname bepaalt het preventieve aandeel aan het eind het meest? Elke aanname is apart op
# een lage en een hoge waarde gezet (de rest zoals in het gekozen scenario, met dezelfde
# toevalsgetallen). Een aanname die als parameter is aangepast, blijft op die waarde staan.

# %%
if res.sensitivity is not None and len(res.sensitivity):
    plots.plot_tornado(res.sensitivity, res.label)
    md(text.sensitivity_text(res))

# %% [markdown]
# ## 4. Financiering: structureel en incidenteel geld
#
# Advies 2.3 van de evaluatie vraagt om een stabielere financiering. Hieronder het structurele en
# incidentele geld per jaar (euro's zoals aangeleverd), de extra opdrachten en de uren die
# medewerkers erop schreven.

# %%
if res.funding_by_year is not None:
    plots.plot_funding(res.funding_by_year, who)
    show(report.funding_display(res.funding_by_year, who), percent=["Aandeel incidenteel"],
         decimals=0, caption=f"Geld per jaar (euro), {report.org_name(who)}")
    ctx.save_table(res.funding_by_year, "funding_by_year")
    if res.additional is not None and len(res.additional):
        show(report.additional_display(res.additional, who),
             percent=["Aandeel korter dan 12 maanden"], decimals=0,
             caption="Extra opdrachten per jaar: aantal, omvang, looptijd en uren")
        ctx.save_table(res.additional, "additional_assignments")

# %% [markdown]
# ### Voorstel: een jaarlijkse flexibele reservering
#
# Hoeveel ruimte moet er in het budget zijn om incidentele opdrachten op te vangen zonder telkens
# een nieuw kortlopend contract? Het voorstel is een bovengrens voor het incidentele geld van
# volgend jaar: de bedragen van de afgelopen jaren, omgerekend naar de loonkosten van nu (met de
# cao-stijgingen, als die zijn aangeleverd), met hun groei of daling, plus een marge zodat het
# geld van volgend jaar er in ongeveer vier van de vijf jaren onder blijft. Hoe vaak dat in
# nagebootste reeksen werkelijk lukte, staat ernaast.

# %%
if res.reservation is not None:
    show(report.reservation_display(res.reservation), percent=["Als deel van structureel"],
         decimals=0, caption="Voorgestelde flexibele reservering (euro)")
    ctx.save_table(res.reservation, "flexible_reservation")

# %% [markdown]
# ## 5. Hoe goed voorspelt het model?
#
# We doen alsof de gegevens eindigden op 31 december van een eerder jaar, rekenen het model
# daarop uit en voorspellen het aantal vertrekkers in het jaar erna. Dat herhalen we voor elk
# jaar waarvoor dat kan, en tellen hoe vaak het echte aantal binnen de band viel.

# %%
if res.backtest is not None:
    md(text.backtest_text(res))
    if len(res.backtest.yearly):
        orgs = [o for o in res.shown if o in set(res.run_organisations)]
        plots.plot_backtest(report.masked_backtest(res.backtest.yearly, res.tables), orgs)
        ctx.save_table(res.backtest.errors.round(4), "backtest_errors")

# %% tags=["methode"]
if res.backtest is not None and len(res.backtest.errors):
    show(report.backtest_display(res.backtest, [o for o in res.shown]),
         caption="Terugtoets per organisatie (de gemeente: de som van de organisaties)")
if res.recovery is not None and len(res.recovery):
    md("**Terugvinden van bekende waarden.** We maken personeelsgeschiedenissen met een ander "
       "proces dan het model aanneemt (vertrekkans die geleidelijk daalt met de diensttijd, "
       "schokken per jaar, vacatureduur met een gamma-verdeling), van dezelfde omvang als hier, "
       "rekenen die terug met dezelfde code en kijken of het 95%-interval de ware waarde bevat.")
    show(report.recovery_display(res.recovery), caption="Terugvinden van bekende waarden")

# %% [markdown]
# ## 6. Beperkingen
#
# - Een trend in het vertrek telt in het basisscenario mee tot het laatste volledige jaar en
#   blijft daarna gelijk; het scenario 'Trend zet door' laat zien wat er gebeurt als hij doorgaat.
# - De wettelijke vraag is benaderd als het huidige aandeel wettelijke uren, groeiend met
#   bevolking en trend. Een verschuiving van wettelijk naar preventief werk (het doel van het
#   beleid) zit er niet in: het model laat zien wat er gebeurt als er niets verandert.
# - Alle huidige medewerkers tellen als volledig ingewerkt; de formatie krimpt niet door ontslag,
#   alleen door niet vervangen.
# - Verband is geen oorzaak: het model rekent gevolgen van aannames door; het toont niet dat
#   bijvoorbeeld verloop de preventie *veroorzaakt*.
