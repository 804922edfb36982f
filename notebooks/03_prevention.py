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
processed_dir = ""  # "" -> the project's data/processed/current
indicators_file = ""  # "" -> <processed_dir>/indicators.csv if present, else computed
organisation = "ALL"  # "ALL" means the whole city, or one organisation: DOCK, Incluzio, SMD
output_dir = ""  # folder for the CSV side tables; "" -> current folder
ondergrens = ""  # preventive-share floor as a fraction, e.g. 0.3; "" -> prevention.yaml
settings_file = ""  # own prevention.yaml; "" -> the packaged settings
ground_truth_file = ""  # synthetic ground_truth.json to compare the slope with; "" -> none
recent_quarters = 4  # quarters shown in the "latest" tables and figures

# %%
from zwt_analysis.present import dutch_fit_note, md, nl_number, nl_percent, show
from zwt_analysis.reports import context
from zwt_analysis.reports.prevention import build, plots, tables

ctx = context.start(
    title="Preventie onder druk",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, ondergrens=ondergrens,
                settings_file=settings_file, ground_truth_file=ground_truth_file,
                recent_quarters=recent_quarters),
)
r = build(ctx)
s, org = r.settings, r.organisation

# %% [markdown]
# De centrale zorg uit de evaluatie: als de wijkteams krap zitten, gaan wettelijke
# taken en wettelijke termijnen voor, en verliest het preventieve werk terrein —
# onzichtbaar, omdat geen KPI het laat zien. Dit rapport maakt dat zichtbaar:
#
# 1. hoe de geregistreerde uren over de activiteiten verdeeld zijn (PACT-teams naast de andere teams);
# 2. of de wettelijke termijnen gehaald worden, en hoe lang zaken werkelijk duren;
# 3. hoe schaars de capaciteit is (caseload per fte, uren per fte, vacatures, uitstroom);
# 4. of het preventieve aandeel lager ligt wanneer de caseload hoger is (een panelmodel);
# 5. welke teams en kwartalen onder de ondergrens voor het preventieve aandeel zakken.

# %% [markdown]
# ## 1. Tijdsbesteding: waar gaan de uren heen?
#
# Aandeel van de geregistreerde uren per activiteit, per kwartaal. Groen is preventief
# werk (individueel en collectief), rood is wettelijk individueel werk (onderzoek,
# beschikkingen, maatwerk). Het **preventieve aandeel** in de rest van dit rapport is
# de indicator uit de catalogus: preventieve uren gedeeld door preventieve plus
# wettelijke uren (coördinatie, aanvullende opdrachten en overhead tellen daarin niet mee).

# %%
alloc = r.allocation
if alloc.allocation.empty:
    md("**Er zijn geen urenregistraties voor deze selectie; paragraaf 1 vervalt.**")
else:
    plots.allocation_over_time(alloc.allocation, panels=alloc.panels)

# %%
if not alloc.allocation.empty:
    plots.allocation_latest(alloc.allocation, alloc.recent)

# %% [markdown]
# ### PACT-teams naast de andere teams
#
# Teams met een PACT-wijk voeren meer aanvullende opdrachten uit. De tabel zet de
# urenverdeling van PACT-teams naast die van de overige teams over de laatste kwartalen.
# De intervallen zijn 95%-intervallen die rekening houden met het feit dat uren van één
# medewerker samenhangen (zie *Methode* onderaan).

# %%
if not alloc.pact_comparable:
    md("Er is in deze selectie geen vergelijking tussen PACT-teams en overige teams mogelijk "
       "(een van beide groepen ontbreekt).")
else:
    ctx.save_table(alloc.pact, "urenverdeling_pact", person_count_columns=("persons",))
    show(tables.pact_table(alloc.pact))

# %%
if not alloc.team_rows.empty:
    ctx.save_table(alloc.team_rows, "urenverdeling_team_kwartaal", person_count_columns=("persons",))
    md(f"De volledige urenverdeling per team en kwartaal staat in "
       f"`urenverdeling_team_kwartaal.csv` ({nl_number(len(alloc.team_rows))} regels; "
       "aantallen medewerkers onder de 5 zijn onderdrukt).")

# %% [markdown]
# ## 2. Wettelijke termijnen
#
# Per wet het aandeel zaken waarin de termijn gehaald is, per kwartaal van de start
# (melding of aanvraag), met 95%-intervallen. Een zaak telt mee zodra de termijn
# verstreken is of de zaak de stap gezet heeft; zaken waarvan de termijn nog loopt
# staan apart als *lopend*. Termijnen (kalenderdagen): Wmo-onderzoek 42, Wmo-beschikking
# 14, Jeugdwet- en Participatiewet-besluit 56 (Awb), Wgs eerste gesprek 28.

# %%
dl = r.deadlines
if dl.summary.empty:
    md("**Er zijn geen zaken met een termijn in deze selectie; paragraaf 2 vervalt.**")
else:
    plots.deadline_trends(dl.summary, organisation=org)

# %%
if not dl.summary.empty:
    ctx.save_table(tables.publish_deadlines(dl.to_publish), "termijnen_per_kwartaal")
    md(f"**Laatste {s.recent_quarters} kwartalen, {tables.who(org)}** (aantallen onder de 5 "
       "onderdrukt, met de aandelen die ze zouden verraden):")
    show(tables.recent_deadlines_table(dl.recent))

# %% [markdown]
# ### Hoe lang duurt het werkelijk?
#
# Het aandeel *op tijd* zegt niet hoe ver zaken over de termijn gaan. Hieronder de
# cumulatieve verdeling van het aantal dagen tot de stap (afgeronde zaken); de
# stippellijn is de wettelijke termijn. Zaken die nog open staan hebben nog geen
# doorlooptijd: zij staan in de tabel hierboven als *te laat, nog open* of *lopend*.

# %%
if not dl.days.empty:
    plots.deadline_ecdf(dl.days)
    show(tables.for_display(dl.quantiles), decimals=0)

# %% [markdown]
# ## 3. Schaarste
#
# - **Caseload per fte**: open casussen op de laatste dag van het kwartaal gedeeld door de
#   fte die dag in dienst (de indicator *caseload per fte* uit de indicatorcatalogus).
# - **Uren per fte**: alle geregistreerde uren in het kwartaal gedeeld door dezelfde fte
#   op de laatste dag van het kwartaal (een registratiemaat, geen indicator uit het contract).
# - **Vacatureruimte** en **uitstroom** per organisatie en jaar (de indicatoren *vacatureruimte*
#   en *uitstroom medewerkers* uit de indicatorcatalogus).

# %%
scarce = r.scarcity
if not scarce.has_team_rows:
    md("**Geen caseload per fte voor deze selectie.**")
else:
    plots.scarcity_trends(scarce.quarterly, "caseload_per_fte",
                          "Caseload per fte per team (kwartaaleinde)", "casussen per fte")
    plots.scarcity_trends(scarce.quarterly, "hours_per_fte",
                          "Geregistreerde uren per fte per team en kwartaal", "uren per fte")

# %%
if scarce.yearly.empty:
    md("Geen vacature- of uitstroomcijfers (formatie of personeelsbestand ontbreekt).")
else:
    md("**Vacatureruimte** (1 − fte in dienst op 1 juli / begrote fte) en **uitstroom** "
       "(vertrokken personen / personen in dienst op 1 januari), per jaar:")
    show(tables.yearly_table(scarce.yearly))

# %% [markdown]
# ## 4. Schaarste en preventief aandeel: het verband
#
# Per team en kwartaal zetten we het preventieve aandeel af tegen de caseload per fte,
# beide precies zoals de indicatoren ze definiëren. Het hoofdmodel vergelijkt elk team
# **met zichzelf** (vaste teameffecten): vaste verschillen tussen teams (wijk,
# werkwijze, registratiegewoonte) vallen zo weg. Kwartaaleffecten vangen wat voor alle
# teams tegelijk verandert. Team-kwartalen wegen mee naar hun aantal uren; de
# standaardfouten zijn cluster-robuust per team (uitkomsten van hetzelfde team hangen
# samen). Een gemengd model (*mixed model*) met een willekeurig team-intercept dient als
# controle.
#
# **Let op:** dit is een *samenhang*, geen bewezen oorzaak. Een team met een hoge
# caseload kan ook om andere redenen minder preventief werken (bijvoorbeeld een
# zwaardere wijk of een andere registratiepraktijk in dezelfde periode).

# %%
m, step = r.model, s.effect_step
md(tables.panel_summary(m.diagnostics))
for w in m.diagnostics["warnings"]:
    md(f"⚠️ {w}")
for msg in tables.model_messages(m, s.min_teams):
    md(msg)

# %%
if m.fe is not None:
    md(tables.outcome(m.fe, step))
    ctx.save_table(m.fits, "model_preventie_caseload")
    show(tables.fits_display(m.fits, step), decimals=2)
    if m.directions_differ:
        md(tables.DIRECTIONS_DIFFER)
    for w in m.fit_warnings:
        md(f"⚠️ {w}")
    for note in m.notes:
        md(f"<small>{dutch_fit_note(note)}</small>")

# %%
if m.sensitivity is not None:
    md(tables.sensitivity_sentence(m.sensitivity, step))

# %%
if m.fe is not None:
    plots.panel_scatter(m.panel, slope=m.fe.slope)

# %% [markdown]
# ### Diagnostiek
#
# Links de residuen tegen de voorspelde waarden: een patroon (een boog, een trechter)
# zou betekenen dat een rechte lijn of gelijke spreiding niet past. Rechts hun verdeling.

# %%
if m.fe is not None:
    plots.residual_plot(m.fe.residuals)

# %%
if m.ground_truth is not None:
    md(tables.ground_truth_sentence(m.ground_truth, step))

# %% [markdown]
# ## 5. Ondergrens voor het preventieve aandeel

# %%
fl = r.floor
md(f"De ondergrens staat op **{nl_percent(s.floor, 0)}** preventief aandeel (instelbaar met de "
   "parameter `ondergrens`). De lijnen tonen per team het preventieve aandeel per kwartaal; "
   "PACT-teams met streepjes.")
if not fl.team_shares.empty:
    plots.share_with_floor(fl.team_shares, s.floor)

# %%
if fl.below.empty:
    md(f"Geen enkel team-kwartaal ligt onder de ondergrens van {nl_percent(s.floor, 0)}.")
else:
    ctx.save_table(fl.below, "onder_ondergrens", person_count_columns=("persons",))
    md(f"**{nl_number(len(fl.below))} team-kwartalen** liggen onder de ondergrens, waarvan "
       f"{nl_number(fl.clearly_below)} met het hele 95%-interval eronder "
       "(volledige lijst in `onder_ondergrens.csv`, aantallen medewerkers onder de 5 onderdrukt).")
    if fl.recent_below.empty:
        md(f"In de laatste {s.recent_quarters} kwartalen lag geen enkel team onder de ondergrens.")
    else:
        md(f"De laatste {s.recent_quarters} kwartalen ({len(fl.recent_below)} team-kwartalen):")
        show(tables.below_floor_table(fl.recent_below))

# %%
if not fl.summary.empty:
    md("**Per team**: hoe vaak het preventieve aandeel onder de ondergrens lag.")
    show(tables.for_display(fl.summary))

# %% [markdown]
# ## Methode en kanttekeningen
#
# - **Intervallen op urenaandelen.** Uren zijn geen onafhankelijke waarnemingen: de uren
#   van één medewerker hangen samen. We berekenen daarom de onzekerheid van het aandeel
#   met medewerkers als clusters en zetten die om in een *effectieve steekproefomvang*,
#   waarmee het Wilson-interval wordt berekend. Bij één medewerker is het interval zeer
#   breed. Ook zo blijven de intervallen indicatief: ze gaan uit van medewerkers als
#   onafhankelijke eenheden.
# - **Termijnen** zijn kalenderdagen vanaf melding of aanvraag; een zaak waarvan de
#   termijn nog loopt telt niet mee in het aandeel op tijd.
# - **Het panelmodel** meet samenhang binnen teams door de tijd. Het is geen bewijs van
#   oorzaak: andere veranderingen die met de caseload samenvallen kunnen het verband
#   verklaren. Met weinig teams (clusters) zijn cluster-robuuste intervallen te smal;
#   het rapport waarschuwt dan.
# - **Registratie**: het preventieve aandeel meet geregistreerde uren; verschillen in
#   registratiegedrag tussen teams vallen weg in het model met vaste teameffecten, maar
#   veranderingen in registratiegedrag door de tijd niet.
# - Gepubliceerde aantallen onder de 5 personen zijn onderdrukt (`<5`).
