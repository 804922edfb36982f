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
from zwt_analysis import present
from zwt_analysis.contract import ALL
from zwt_analysis.present import md, nl_number, nl_percent, show
from zwt_analysis.reports import context

ctx = context.start(
    title="Preventie onder druk",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, ondergrens=ondergrens,
                settings_file=settings_file, ground_truth_file=ground_truth_file,
                recent_quarters=recent_quarters),
)

# %%
from zwt_analysis.reports.prevention import compute as prevention
from zwt_analysis.reports.prevention import panel, plots

settings = prevention.load_settings(settings_file or None)
floor = float(ondergrens) if ondergrens not in ("", None) else settings["ondergrens"]
alpha = float(settings["alpha"])
model_settings = settings["model"]
org = ctx.organisation
who = "de gemeente" if org == ALL else org

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

# %%
tr = prevention.filter_organisation(ctx.table("time_registrations"), org)
cases = prevention.filter_organisation(ctx.table("cases"), org)
areas = ctx.table("areas")
ind = ctx.indicators()
cluster = settings["allocation_cluster"]

alloc = ctx.filter_org(prevention.time_allocation(tr, areas, cluster=cluster, alpha=alpha))
shares = ctx.filter_org(prevention.preventive_share_table(ind, tr, areas, cluster=cluster, alpha=alpha))
recent = prevention.last_quarters(alloc["period"], recent_quarters)

# %% [markdown]
# ## 1. Tijdsbesteding: waar gaan de uren heen?
#
# Aandeel van de geregistreerde uren per activiteit, per kwartaal. Groen is preventief
# werk (individueel en collectief), rood is wettelijk individueel werk (onderzoek,
# beschikkingen, maatwerk). Het **preventieve aandeel** in de rest van dit rapport is
# de indicator uit de catalogus: preventieve uren gedeeld door preventieve plus
# wettelijke uren (coördinatie, aanvullende opdrachten en overhead tellen daarin niet mee).

# %%
if alloc.empty:
    md("**Er zijn geen urenregistraties voor deze selectie; paragraaf 1 vervalt.**")
else:
    # city report: one panel per organisation; organisation report: one per team
    plots.allocation_over_time(alloc, panels="organisation" if org == ALL else "team")

# %%
if not alloc.empty:
    plots.allocation_latest(alloc, recent)

# %% [markdown]
# ### PACT-teams naast de andere teams
#
# Teams met een PACT-wijk voeren meer aanvullende opdrachten uit. De tabel zet de
# urenverdeling van PACT-teams naast die van de overige teams over de laatste kwartalen.
# De intervallen zijn 95%-intervallen die rekening houden met het feit dat uren van één
# medewerker samenhangen (zie *Methode* onderaan).

# %%
pact = prevention.pact_comparison(tr, areas, recent, cluster=cluster, alpha=alpha)
if pact.empty or pact["group"].nunique() < 2:
    md("Er is in deze selectie geen vergelijking tussen PACT-teams en overige teams mogelijk "
       "(een van beide groepen ontbreekt).")
else:
    ctx.save_table(pact, "urenverdeling_pact", person_count_columns=("persons",))
    from zwt_analysis.present.publish import suppress_counts

    show(prevention.for_display(suppress_counts(pact, ["persons"]))
         .drop(columns=["Uren", "Uren totaal"]))

# %%
alloc_team = alloc.loc[alloc["team"] != ALL]
if not alloc_team.empty:
    ctx.save_table(alloc_team.drop(columns=["n_eff"]), "urenverdeling_team_kwartaal",
                   person_count_columns=("persons",))
    md(f"De volledige urenverdeling per team en kwartaal staat in "
       f"`urenverdeling_team_kwartaal.csv` ({nl_number(len(alloc_team))} regels; "
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
status = prevention.deadline_cases(cases, ctx.as_of)
dl = prevention.deadline_summary(status, alpha=alpha)
days = prevention.deadline_days(status)
if dl.empty:
    md("**Er zijn geen zaken met een termijn in deze selectie; paragraaf 2 vervalt.**")
else:
    plots.deadline_trends(dl, organisation=org)

# %%
if not dl.empty:
    dl_org = dl.loc[(dl["organisation"] == org) & (dl["team"] == ALL)]
    dl_recent = dl_org.loc[dl_org["period"].isin(prevention.last_quarters(dl_org["period"],
                                                                         recent_quarters))]
    published = prevention.publish_deadlines(ctx.filter_org(dl.loc[dl["team"] == ALL]))
    ctx.save_table(published, "termijnen_per_kwartaal")
    md(f"**Laatste {recent_quarters} kwartalen, {who}** (aantallen onder de 5 onderdrukt, met de "
       "aandelen die ze zouden verraden):")
    show(prevention.for_display(prevention.publish_deadlines(dl_recent))
         .drop(columns=["Organisatie", "Team"]))

# %% [markdown]
# ### Hoe lang duurt het werkelijk?
#
# Het aandeel *op tijd* zegt niet hoe ver zaken over de termijn gaan. Hieronder de
# cumulatieve verdeling van het aantal dagen tot de stap (afgeronde zaken); de
# stippellijn is de wettelijke termijn. Zaken die nog open staan hebben nog geen
# doorlooptijd: zij staan in de tabel hierboven als *te laat, nog open* of *lopend*.

# %%
if not days.empty:
    plots.deadline_ecdf(days)
    show(prevention.for_display(prevention.days_quantiles(days)), decimals=0)

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
first_period = min(alloc["period"]) if not alloc.empty else None
scarce = ctx.filter_org(prevention.scarcity_quarterly(ind, tr, from_period=first_period))
if scarce.loc[scarce["team"] != ALL].empty:
    md("**Geen caseload per fte voor deze selectie.**")
else:
    plots.scarcity_trends(scarce, "caseload_per_fte", "Caseload per fte per team (kwartaaleinde)",
                          "casussen per fte")
    plots.scarcity_trends(scarce, "hours_per_fte", "Geregistreerde uren per fte per team en kwartaal",
                          "uren per fte")

# %%
first_year = int(first_period[:4]) if first_period else None
yearly = ctx.filter_org(prevention.scarcity_yearly(ind, from_year=first_year))
if yearly.empty:
    md("Geen vacature- of uitstroomcijfers (formatie of personeelsbestand ontbreekt).")
else:
    md("**Vacatureruimte** (1 − fte in dienst op 1 juli / begrote fte) en **uitstroom** "
       "(vertrokken personen / personen in dienst op 1 januari), per jaar:")
    wide = prevention.scarcity_yearly_wide(yearly)
    show(prevention.for_display(wide, percent=[c for c in wide.columns if c != "Jaar"]))

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
pdata = ctx.filter_org(panel.build_panel(ind, prevention.pact_teams(areas)))
diag = panel.diagnostics(pdata, warn_teams=int(model_settings["warn_teams"]))
md(f"""
Het panel telt **{nl_number(diag['n_obs'])} team-kwartalen** van **{diag['n_teams']} teams**
over {diag['n_periods']} kwartalen (per team {diag['obs_per_team_min']} tot
{diag['obs_per_team_max']} kwartalen). De caseload per fte varieert binnen teams met een
standaardafwijking van {nl_number(diag['sd_within'], 1)} (totaal {nl_number(diag['sd_total'], 1)});
alleen die variatie binnen teams bepaalt de schatting.
""")
for w in diag["warnings"]:
    md(f"⚠️ {w}")

# %%
fe = mixed = None
step = float(model_settings["effect_step"])
min_teams = int(model_settings["min_teams"])
if diag["n_teams"] < min_teams:
    md(f"**Het model is niet geschat:** er zijn {diag['n_teams']} teams met gegevens, en bij "
       f"minder dan {min_teams} teams valt een verband binnen teams niet betrouwbaar te schatten. "
       "Bekijk het rapport voor de hele gemeente voor deze analyse.")
else:
    try:
        fe = panel.fit_fixed_effects(pdata, period_effects=bool(model_settings["period_effects"]),
                                     weighted=bool(model_settings["weighted"]), alpha=alpha,
                                     min_teams=min_teams)
    except ValueError as err:
        md(f"**Het model is niet geschat:** {err}.")
    if fe is not None:
        try:
            mixed = panel.fit_mixed(pdata, period_effects=bool(model_settings["period_effects"]),
                                    alpha=alpha, min_teams=min_teams)
        except Exception as err:  # the check model may fail to converge; the main result stands
            md(f"Het controlemodel (gemengd model) kon niet geschat worden: {err}.")

# %%
if fe is not None:
    md(f"### Uitkomst\n\n**{panel.describe_effect(fe, step=step)}**\n\n"
       f"Dit is een samenhang binnen teams door de tijd, geen oorzaak-gevolgrelatie.")
    fits = panel.fits_table([f for f in (fe, mixed) if f is not None], step=step)
    ctx.save_table(fits, "model_preventie_caseload")
    shown = fits.rename(columns={"model": "Model", "effect_pp": f"Effect per {step:g} casussen/fte (procentpunt)",
                                 "ci_low_pp": "95%-BI onder", "ci_high_pp": "95%-BI boven",
                                 "p_value": "p-waarde", "team_quarters": "Team-kwartalen",
                                 "teams": "Teams"})
    show(shown.assign(**{"p-waarde": fits["p_value"].map(present.nl_pvalue),
                         "Model": shown["Model"].replace(
                             {"Mixed model (random team-intercept)":
                              "Controle: gemengd model (willekeurig team-intercept)"})}),
         decimals=2)
    if mixed is not None and (mixed.slope * fe.slope < 0):
        md("⚠️ Het gemengde controlemodel geeft een andere richting dan het model met vaste teameffecten. "
           "Dat wijst erop dat verschillen *tussen* teams iets anders laten zien dan veranderingen "
           "*binnen* teams; het hoofdmodel kijkt alleen binnen teams.")
    for w in panel.fit_warnings(fe):
        md(f"⚠️ {w}")
    for note in fe.notes + (mixed.notes if mixed is not None else []):
        md(f"<small>{present.dutch_fit_note(note)}</small>")

# %%
if fe is not None:
    loto = panel.leave_one_team_out(pdata, period_effects=bool(model_settings["period_effects"]),
                                    weighted=bool(model_settings["weighted"]), alpha=alpha)
    if not loto.empty:
        lo, hi = loto["slope"].min() * step * 100, loto["slope"].max() * step * 100
        same = "steeds dezelfde richting" if (loto["slope"] * fe.slope > 0).all() else \
            "**niet steeds dezelfde richting**"
        md(f"**Gevoeligheid:** laat je steeds één team weg, dan ligt het effect per {step:g} "
           f"casussen per fte tussen {nl_number(lo, 1)} en {nl_number(hi, 1)} procentpunt "
           f"({same}). Zo is te zien of één team de uitkomst bepaalt.")

# %%
if fe is not None:
    plots.panel_scatter(pdata, slope=fe.slope)

# %% [markdown]
# ### Diagnostiek
#
# Links de residuen tegen de voorspelde waarden: een patroon (een boog, een trechter)
# zou betekenen dat een rechte lijn of gelijke spreiding niet past. Rechts hun verdeling.

# %%
if fe is not None:
    plots.residual_plot(fe.residuals)

# %%
truth = panel.load_ground_truth(ground_truth_file or None)
if truth is not None and fe is not None:
    verdict = "valt binnen" if fe.covers(truth) else "valt **buiten**"
    md(f"**Controle op synthetische data:** de ingebouwde helling is "
       f"{nl_number(truth * step * 100, 2)} procentpunt per {step:g} casussen per fte; de schatting "
       f"is {nl_number(fe.slope * step * 100, 2)} (95%-BI {nl_number(fe.ci_low * step * 100, 2)} "
       f"tot {nl_number(fe.ci_high * step * 100, 2)}). De ware waarde {verdict} het interval.")

# %% [markdown]
# ## 5. Ondergrens voor het preventieve aandeel

# %%
team_shares = shares.loc[shares["team"] != ALL]
md(f"De ondergrens staat op **{nl_percent(floor, 0)}** preventief aandeel (instelbaar met de "
   "parameter `ondergrens`). De lijnen tonen per team het preventieve aandeel per kwartaal; "
   "PACT-teams met streepjes.")
if not team_shares.empty:
    plots.share_with_floor(team_shares, floor)

# %%
below = prevention.below_floor(shares, floor)
cols = ["organisation", "team", "period", "preventive_share", "ci_low", "ci_high", "gap",
        "clearly_below", "persons", "pact"]
if below.empty:
    md(f"Geen enkel team-kwartaal ligt onder de ondergrens van {nl_percent(floor, 0)}.")
else:
    ctx.save_table(below[cols], "onder_ondergrens", person_count_columns=("persons",))
    from zwt_analysis.present.publish import suppress_counts

    recent_below = below.loc[below["period"].isin(recent)]
    md(f"**{nl_number(len(below))} team-kwartalen** liggen onder de ondergrens, waarvan "
       f"{nl_number(int(below['clearly_below'].sum()))} met het hele 95%-interval eronder "
       "(volledige lijst in `onder_ondergrens.csv`, aantallen medewerkers onder de 5 onderdrukt).")
    if recent_below.empty:
        md(f"In de laatste {recent_quarters} kwartalen lag geen enkel team onder de ondergrens.")
    else:
        md(f"De laatste {recent_quarters} kwartalen ({len(recent_below)} team-kwartalen):")
        show(prevention.for_display(suppress_counts(recent_below[cols], ["persons"])))

# %%
summary = prevention.floor_summary(shares, floor)
if not summary.empty:
    md("**Per team**: hoe vaak het preventieve aandeel onder de ondergrens lag.")
    show(prevention.for_display(summary))

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
