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
organisation = "ALL"   # "ALL" means the whole city, or one organisation: DOCK, Incluzio, SMD
output_dir = ""        # folder for the CSV side tables; "" -> current folder
scenario = "baseline"  # baseline, high_turnover, indexation_gap, stable (resources/scenarios.yaml)
runs = 500             # Monte Carlo runs per scenario
seed = 2026            # random seed (same seed, same result)
outflow_rate = None            # None -> scenario value; e.g. 0.15 (leavers per person-year)
months_to_fill = None          # None -> scenario value; mean vacant months
ramp_up_months = None          # None -> scenario value
new_hire_productivity = None   # None -> scenario value (0..1 in the first month)
wage_growth = None             # None -> scenario value; CAO wage growth per year
indexation = None              # None -> scenario value; municipal indexation per year
population_growth = None       # None -> scenario value
demand_trend = None            # None -> scenario value
overhead_share = None          # None -> scenario value; calibrated = own hours
sensitivity_runs = 100         # runs per setting in the tornado chart (same seed everywhere)
backtest_until = 2024          # calibrate up to this year, project the years after it
reservation_quantile = 0.8     # percentile of yearly incidental money for the reservation

# %%
from zwt_analysis.labels import org_name
from zwt_analysis.present import md, show
from zwt_analysis.reports import context
from zwt_analysis.reports.workforce import build, plots
from zwt_analysis.reports.workforce import tables as report

ctx = context.start(
    title="Personeel, capaciteit en financiering 2027–2034",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, scenario=scenario, runs=runs,
                seed=seed, outflow_rate=outflow_rate, months_to_fill=months_to_fill,
                ramp_up_months=ramp_up_months, new_hire_productivity=new_hire_productivity,
                wage_growth=wage_growth, indexation=indexation,
                population_growth=population_growth, demand_trend=demand_trend,
                overhead_share=overhead_share, sensitivity_runs=sensitivity_runs,
                backtest_until=backtest_until, reservation_quantile=reservation_quantile),
)

# %%
res = build(ctx, ctx.params)
shown, policy = res.shown, res.policy

# %% [markdown]
# De nieuwe opdracht voor de wijkteams loopt acht jaar (2027–2034). De evaluatie verwacht dat
# in die periode 10–20% van het personeel wisselt, dat de cao-lonen harder stijgen dan de
# gemeentelijke indexatie (waardoor het integrale budget minder fte kan betalen) en dat korte
# extra opdrachten met incidenteel geld het werk blijven versnipperen.
#
# Dit rapport rekent dat door. Eerst meten we in de eigen historie hoe snel medewerkers
# vertrekken, hoe lang een vacature openstaat en hoe lang mensen blijven. Daarna simuleren we
# per organisatie, maand voor maand, hoeveel capaciteit er tot eind 2034 overblijft voor
# preventie, onder vier scenario's. Tot slot kijken we naar de financiering (advies 2.3 van de
# evaluatie) en toetsen we het model zelf.
#
# **Lees dit als verkenning, niet als voorspelling.** De uitkomsten hangen af van aannames die
# hieronder zichtbaar zijn en als parameter kunnen worden aangepast.

# %% [markdown]
# ## 1. Wat zegt de historie?
#
# **Uitstroom** en **instroom** volgen de indicatorcatalogus (*uitstroom* en *instroom
# medewerkers*): vertrekkers in een jaar gedeeld door het aantal medewerkers op
# 1 januari, zoals CBS (Arbeidsmarkt Zorg en Welzijn, AZW) dat ook doet. Een interne
# overplaatsing telt niet als vertrek; een overstap naar een ander wijkteam telt voor de
# organisatie wel, voor de gemeente niet. We tellen de volledige jaren sinds het eerste
# zichtbare vertrek in de export bij elkaar op; het 95%-interval is het exacte
# Poisson-interval (aantal vertrekkers op het aantal persoonjaren).
#
# **Tijd tot vervulling** is gemeten van de laatste werkdag van een vertrekker tot de start van
# de eerstvolgende nieuwe medewerker in hetzelfde team (wie het eerst vertrekt, wordt het eerst
# vervangen). Vacatures die op de peildatum nog openstaan tellen mee met hun tot nu toe
# open tijd (exponentieel model met censurering). *Kanttekening:* de export zegt niet wie
# wie vervangt. Een aanname voor groei telt als vervulling en een plek die bewust niet
# wordt ingevuld blijft ‘open’; de maat is dus ‘open tijd van een plek’, niet de duur van
# een wervingsprocedure.
#
# **Verblijfsduur** is de mediane duur van een dienstverband bij een organisatie
# (Kaplan-Meier). Wie nog in dienst is, telt mee tot de peildatum (gecensureerd); wie vóór het
# begin van de export vertrok, ontbreekt (linkse afkapping, verwerkt met late instap).

# %%
show(res.calibration_display, caption="Historie per organisatie (95%-intervallen tussen "
     "haakjes; <5: minder dan 5, niet getoond zodat niemand herkenbaar is)")
ctx.save_table(report.round_numbers(res.calibration_csv), "workforce_calibration")  # counts: <5
note = report.small_numbers_text(res.rates, shown, policy.few_leavers_warning)
if note:
    md(note)

# %% [markdown]
# De uitstroom per jaar laat zien of het verloop stabiel is of oploopt. Jaren met minder dan
# vijf vertrekkers zijn weggelaten (kleine aantallen).

# %%
_ = plots.plot_yearly_outflow(res.history.yearly, shown, res.first_year,
                              policy.sector_outflow_rate, policy.sector_source)

# %% [markdown]
# **Vergelijking met de sector.** CBS rapporteert in de StatLine-tabellen van Arbeidsmarkt
# Zorg en Welzijn (AZW, ‘Uitstroom werknemers zorg en welzijn’) een uitstroom van ruwweg
# **11% per jaar** voor zorg en welzijn als geheel. *Controleer dat getal tegen de actuele
# StatLine-tabel (branche, jaar en definitie) voordat het in een besluit wordt gebruikt.*
# Let op: de sectorcijfers tellen vertrek uit de hele branche; onze organisatiecijfers tellen
# ook een overstap naar een ander wijkteam mee.

# %%
md(report.sector_comparison_text(res.rates, shown, policy.sector_outflow_rate, res.hidden))

# %% [markdown]
# ## 2. Klopt ‘10–20% personeelswisseling in acht jaar’?
#
# Als elk jaar een vast deel *r* van de medewerkers vertrekt, is na acht jaar nog
# (1 − *r*)⁸ van het huidige personeel in dienst. Voor 10–20% wisseling in acht jaar
# mag de jaarlijkse uitstroom dus maar **1,3% tot 2,8%** zijn.

# %%
show(report.eight_year_display(res.eight_year, policy.sector_outflow_rate, res.hidden,
                               source=policy.sector_source),
     percent=["Uitstroom per jaar", "Nog in dienst na 8 jaar", "Wisseling in 8 jaar"],
     caption="Wat de gemeten uitstroom betekent voor acht jaar")

# %% [markdown]
# De simulatie hieronder geeft dezelfde vraag als verdeling: in hoeveel van de runs is na
# 96 maanden nog 80–90% van het huidige personeel in dienst?

# %%
md(report.eight_year_text(res.eight_year, res.main, shown, res.label, res.hidden))

# %% [markdown]
# ## 3. Scenario's 2027–2034
#
# Het model rekent per organisatie maand voor maand (2027-01 t/m 2034-12), met het aantal runs
# uit de parameter `runs` (standaard 500) per scenario:
#
# - elke medewerker kan elke maand vertrekken (kans volgens de uitstroom per jaar);
# - een open plek wordt na gemiddeld *maanden tot vervulling* weer bezet;
# - een nieuwe medewerker is de eerste maanden minder productief (inwerktijd);
# - het budget groeit met de gemeentelijke indexatie, de kosten per fte met de cao-lonen;
#   het aantal betaalde fte = budget / kosten per fte. Groeien de lonen harder, dan krimpt de
#   betaalde formatie (zonder ontslagen: via natuurlijk verloop);
# - van de capaciteit gaat eerst een vast deel naar overhead, coördinatie en extra
#   opdrachten; de wettelijke vraag (groeit met bevolking en trend) gaat voor; wat overblijft
#   is capaciteit voor preventie.
#
# Startpunt is de bezetting op de peildatum (aangenomen gelijk op 1 januari 2027). Hieronder
# de aannames van het gekozen scenario.

# %%
md(f"**Gekozen scenario:** {res.label} — {res.description}")
show(report.assumptions_display(res.settings, res.history.calibration, res.run_organisations),
     caption="Aannames per organisatie (‘historie’ = gemeten in de eigen data)")

# %% [markdown]
# ### Waaiergrafieken
#
# De lijn is de mediaan van de runs, de band loopt van de 10% laagste tot de 10%
# hoogste uitkomst. Bij de hele gemeente volgt na de gemeentegrafiek een grafiek met de drie
# organisaties naast elkaar (elk een eigen kleur). De grijze strook bij ‘nog in dienst’ is
# de verwachting van de evaluatie (80–90%). De band toont het toeval in vertrek en werving
# (en, bij een gemeten uitstroom, de onzekerheid in die meting); niet de onzekerheid in de
# aannames zelf — daarvoor zijn de scenario's en de gevoeligheidsanalyse.

# %%
plots.plot_fan_panels(res.main, plots.FAN_KEYS, [shown[0]], f"{org_name(shown[0])} — {res.label}")
if res.is_city:
    plots.plot_fan_panels(res.main, plots.FAN_KEYS, res.organisations,
                          f"Per organisatie — {res.label}")

# %% [markdown]
# ### Vergelijking van de scenario's
#
# Stand eind 2034 (preventief aandeel: gemiddelde over 2034), mediaan met tussen haakjes het
# 10–90%-bereik van de runs.

# %%
show(report.summary_display(res.summary, shown), caption="Scenario's eind 2034")
ctx.save_table(res.summary.round(4), "scenario_summary")
md(report.summary_text(res.summary, shown[0]))

# %% [markdown]
# ### Gevoeligheid
#
# Welke aanname bepaalt het preventieve aandeel in 2034 het meest? Elke aanname is apart op een
# lage en een hoge waarde gezet (de rest zoals in het gekozen scenario, met dezelfde
# toevalsgetallen). Een aanname die als parameter is aangepast, blijft op die waarde staan.

# %%
md(report.sensitivity_intro(shown[0], res.sensitivity_runs))
plots.plot_tornado(res.sensitivity, res.label)
md(report.sensitivity_text(res.sensitivity))

# %% [markdown]
# ## 4. Financiering: structureel en incidenteel geld
#
# Advies 2.3 van de evaluatie vraagt om een stabielere financiering. Hieronder het structurele
# en incidentele geld per jaar (nominale euro's, zoals aangeleverd), de extra opdrachten (aantal,
# omvang, looptijd) en de uren die medewerkers erop schreven.

# %%
if res.funding_by_year.empty:
    md("*Er zijn geen budgetregels aangeleverd; dit deel blijft leeg.*")
else:
    plots.plot_funding(res.funding_by_year, shown[0])
    show(report.funding_display(res.funding_by_year, shown), percent=["Aandeel incidenteel"],
         decimals=0, caption="Geld per jaar (euro)")
    ctx.save_table(res.funding_by_year, "funding_by_year")

# %%
if res.additional.empty:
    md("*Geen extra opdrachten in de budgetregels.*")
else:
    show(report.additional_display(res.additional, shown),
         percent=["Aandeel korter dan 12 maanden"], decimals=0,
         caption="Extra opdrachten per jaar: aantal, omvang, looptijd en uren")
    ctx.save_table(res.additional, "additional_assignments")
    md(report.additional_text(res.additional, shown[0]))

# %% [markdown]
# ### Voorstel: een jaarlijkse flexibele reservering
#
# Hoeveel ruimte moet er in het budget zijn om incidentele opdrachten op te vangen zonder telkens
# een nieuw kortlopend contract? Een eenvoudige regel uit de historie: reserveer per jaar het
# bedrag dat in vier van de vijf afgelopen jaren genoeg was: het 80e percentiel van het
# incidentele geld per jaar (parameter `reservation_quantile`). De
# onzekerheid is geschat door de jaren opnieuw te trekken (bootstrap). Met zo weinig jaren is
# dat interval eerder te smal dan te breed, en het kan nooit boven het hoogste jaar uitkomen.

# %%
if res.reservation is not None:
    show(report.reservation_display(res.reservation), percent=["Als deel van structureel"],
         decimals=0, caption="Voorgestelde flexibele reservering per jaar (euro, nominaal)")
    ctx.save_table(res.reservation, "flexible_reservation")

# %% [markdown]
# ## 5. Toetsing van het model
#
# **Terugvinden van bekende parameters.** We maken personeelshistories met bekende uitstroom,
# vacatureduur en verblijfsduur (zelfde omvang als hier), rekenen die terug met exact dezelfde
# code en kijken of het 95%-interval de ware waarde bevat.

# %%
show(report.recovery_display(res.recovery), caption="Terugvinden van bekende parameters")
md(report.recovery_text(res.recovery))

# %% [markdown]
# **Terugtoets.** We kalibreren alleen op de jaren tot en met `backtest_until` (standaard 2024),
# projecteren de jaren daarna tot de peildatum (met de werkelijke formatie van die jaren) en
# vergelijken met wat er echt gebeurde.

# %%
plots.plot_backtest(res.backtest.monthly, shown)
show(report.backtest_display(res.backtest, shown),
     percent=["Gem. afwijking bezetting", "Maanden binnen band"],
     caption="Terugtoets: hoe goed voorspelde het model de jaren na de kalibratie?")
ctx.save_table(res.backtest.errors, "backtest_errors")
md(report.backtest_text(res.backtest, shown[0], res.backtest_until))

# %% [markdown]
# ## 6. Beperkingen
#
# - De uitstroom is een gemiddelde over de gemeten jaren. Stijgt die uitstroom (zie de
#   terugtoets), dan onderschat het basisscenario het verloop; het scenario ‘hoog verloop’ laat
#   zien wat dat betekent.
# - Loon- en indexatiepercentages zijn aannames per scenario, geen prognoses: controleer ze
#   tegen de actuele cao Sociaal Werk en de gemeentebegroting.
# - De wettelijke vraag is benaderd als het huidige aandeel wettelijke uren, groeiend met
#   bevolking en trend. Een verschuiving van wettelijk naar preventief werk (het doel van het
#   beleid) zit er niet in; het model laat zien wat er gebeurt als er niets verandert.
# - Alle huidige medewerkers tellen als volledig ingewerkt; de formatie wordt niet ingekrompen
#   door ontslag, alleen door niet vervangen.
# - Verband is geen oorzaak: het model rekent gevolgen van aannames door, het toont niet dat
#   bijvoorbeeld verloop de preventie *veroorzaakt*.
