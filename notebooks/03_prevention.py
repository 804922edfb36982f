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
organisation = "ALL"  # "ALL" means the whole municipality, or one organisation in the data
output_dir = ""  # folder for the CSV side tables; "" -> current folder
ondergrens = ""  # preventive-share floor as a fraction, e.g. 0.3; "" -> prevention.yaml
settings_file = ""  # own prevention.yaml; "" -> the packaged settings
ground_truth_file = ""  # synthetic ground_truth.json to compare the slope with; "" -> none
recent_quarters = 4  # quarters shown in the "latest" tables and figures

# %%
from zwt_analysis.present import md, nl_number, nl_percent, show
from zwt_analysis.present.page import kern, method_note
from zwt_analysis.reports import context
from zwt_analysis.reports.prevention import build, plots, tables
from zwt_analysis.reports.prevention import kern as kern_text

ctx = context.start(
    title="Preventie onder druk",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, ondergrens=ondergrens,
                settings_file=settings_file, ground_truth_file=ground_truth_file,
                recent_quarters=recent_quarters),
)

# %%
r = build(ctx)
s, org, step = r.settings, r.organisation, r.settings.effect_step
kern(kern_text.sentences(r))
for note in r.skipped:
    md(f"*Niet in dit rapport:* {note}")
method_note()

# %% [markdown]
# De zorg uit de evaluatie: als de wijkteams krap zitten, gaan wettelijke taken en termijnen
# voor en verliest het preventieve werk terrein, zonder dat een KPI het laat zien. Dit rapport
# laat zien of het preventieve werk achterblijft wanneer de caseload oploopt, waar het
# preventieve aandeel staat tegenover de ondergrens, hoe de wettelijke termijnen ervoor staan,
# hoe schaars de capaciteit is en waar de uren heen gaan.

# %% [markdown]
# ## 1. Caseload en preventief werk
#
# Per team en kwartaal zetten we het preventieve aandeel (preventieve uren gedeeld door
# preventieve plus wettelijke uren) af tegen de caseload per fte. Elk team wordt **met zichzelf**
# vergeleken: vaste verschillen tussen teams (wijk, werkwijze, registratiegewoonte) tellen zo
# niet mee, en wat voor alle teams tegelijk verandert ook niet.

# %%
m = r.model
for msg in tables.model_messages(m, s.min_teams):
    md(msg)
if m.fe is not None:
    md(tables.outcome(m.fe, step, org))
    md(tables.checks_plain(m.checks))
if m.sensitivity is not None:
    md(tables.sensitivity_sentence(m.sensitivity, step))

# %%
sc = r.scarcity
if sc.has_team_rows:
    plots.scarcity_trends(sc.quarterly, "caseload_per_fte", "Caseload per fte per team "
                          "(open casussen op de laatste dag van het kwartaal)", "casussen per fte",
                          sig=r.signals["caseload"], warmup=m.excluded)
else:
    md("*Geen caseload per fte voor deze selectie (casussen of personeelsbestand ontbreken).*")

# %%
md(tables.signal_list(r.signals["caseload"]) if sc.has_team_rows else "")

# %% [markdown] tags=["methode"]
# ### Het model (methode)
#
# Gewogen kleinste kwadraten met vaste team- en kwartaaleffecten (gewicht: de uren van het
# team-kwartaal), clusters per team. Naast het gewone cluster-robuuste interval (CR1, t met
# teams − 1 vrijheidsgraden) staat het interval van de wild cluster restricted bootstrap
# (WCR, Webb-gewichten): bij 10 clusters of minder is CR1 te smal, en de lezerstekst gebruikt
# daarom het WCR-interval. Controles: Mundlak (correlated random effects: hangen de
# teamgemiddelden van de caseload samen met het aandeel?), Wooldridge (autocorrelatie van de
# fouten binnen teams) en een placebo met de caseload van het volgende kwartaal. Het gemiddelde
# van de teamhellingen (mean group) is een controle bij hellingen die per team verschillen.
# De opstartkwartalen van de caseload (`methods.yaml`, `windows.warmup`) tellen niet mee.
# Gedrag van deze intervallen onder bekende waarheden: `docs/validation.md`.

# %% tags=["methode"]
md(tables.panel_summary(m.diagnostics, m.excluded))
for w in m.diagnostics["warnings"]:
    md(f"⚠️ {w}")
if m.fe is not None:
    ctx.save_table(m.fits, "model_preventie_caseload")
    show(tables.fits_display(m.fits, step), decimals=2)
    for note in m.fe.notes:
        md(f"⚠️ {note}")
    if m.checks:
        show(tables.checks_table(m.checks), decimals=4)
    for w in m.fit_warnings:
        md(f"⚠️ {w}")

# %% tags=["methode"]
if m.fe is not None:
    plots.panel_scatter(m.panel, slope=m.fe.estimate)

# %% tags=["methode"]
if m.fe is not None:
    plots.residual_plot(m.residuals)

# %% tags=["methode"]
if m.ground_truth is not None:
    md(tables.ground_truth_sentence(m.ground_truth, step))

# %% [markdown]
# ## 2. Preventief aandeel en de ondergrens

# %%
fl = r.floor
md(f"De ondergrens staat op **{nl_percent(s.floor, 0)}** preventief aandeel (instelbaar met de "
   "parameter `ondergrens`). De lijnen tonen per team het preventieve aandeel per kwartaal; "
   "PACT-teams met streepjes.")
if fl.team_shares["preventive_share"].notna().any():
    plots.share_with_floor(fl.team_shares, s.floor, sig=r.signals["preventive"])

# %%
md(tables.signal_list(r.signals["preventive"]))

# %%
if fl.below.frame.empty:
    md(f"Geen enkel team-kwartaal ligt onder de ondergrens van {nl_percent(s.floor, 0)}.")
else:
    ctx.save_table(fl.below.csv(), "onder_ondergrens")
    md(f"**{nl_number(len(fl.below.frame))} team-kwartalen** liggen onder de ondergrens, waarvan "
       f"{nl_number(fl.clearly_below)} met de hele onzekerheidsmarge eronder (volledige lijst in "
       "`onder_ondergrens.csv`).")
    if fl.recent_below.empty:
        md(f"In de laatste {s.recent_quarters} kwartalen lag geen enkel team onder de ondergrens.")
    else:
        md(f"De laatste {s.recent_quarters} kwartalen, grootste tekort eerst:")
        show(tables.below_floor_table(fl.recent_below))
        md(tables.suppression_note(r.published.suppressed_share, fl.below.hidden.any().any()))

# %%
if not fl.summary.empty:
    md("**Per team**: hoe vaak het preventieve aandeel onder de ondergrens lag.")
    show(tables.for_display(fl.summary.head(tables.MAX_ROWS)))

# %% [markdown]
# ## 3. Wettelijke termijnen
#
# Per wet het aandeel casussen waarin de termijn gehaald is, per kwartaal van de start (melding
# of aanvraag). Een casus telt mee zodra de termijn verstreken is of de stap gezet is. Een
# kwartaal is **voorlopig** zolang de termijn nog niet voor alle casussen verstreken is: het
# aandeel kan dan nog dalen, dus het telt niet mee in trends en modellen. Termijnen
# (kalenderdagen): Wmo-onderzoek 42, Wmo-beschikking 14, Jeugdwet- en Participatiewet-besluit
# 56, Wgs eerste gesprek 28.

# %%
dl = r.deadlines
if dl.figure.empty:
    md("*Er zijn geen casussen met een termijn in deze selectie; dit deel vervalt.*")
else:
    plots.deadline_trends(dl.figure, organisation=org, sig=r.signals["deadlines"])

# %%
if not dl.figure.empty:
    md(tables.signal_list(r.signals["deadlines"]))
    ctx.save_table(dl.published.csv(), "termijnen_per_kwartaal")
    md(f"**Laatste {s.recent_quarters} kwartalen, {tables.who(org)}**, aandeel op tijd "
       "(aantallen per kwartaal in `termijnen_per_kwartaal.csv`):")
    show(tables.recent_deadlines_table(dl.recent))
    md(tables.suppression_note(r.published.suppressed_share, dl.published.hidden.any().any()))

# %%
dm = r.deadline_models
if not dm.table.empty:
    md(f"**Tijdigheid en caseload.** Haalt een team de termijnen minder vaak in kwartalen waarin "
       f"het met een hogere caseload begon? Verschil in het aandeel op tijd bij {nl_number(step)} "
       "casussen per fte meer, binnen teams (alle teams van de gemeente):")
    plots.deadline_effects(dm.table)
    show(tables.deadline_effects_table(dm.table, step))
for ind, why in dm.skipped.items():
    md(f"*{tables.DEADLINE_LABELS.get(ind, ind)}: het verband met de caseload is niet geschat "
       f"({why}).*")

# %% tags=["methode"]
if not dm.table.empty:
    ctx.save_table(dm.table, "model_termijnen_caseload")
    md("Per termijn: aandeel op tijd van de casussen die in het kwartaal startten, op de caseload "
       "per fte op de laatste dag van het kwartaal ervoor (zo kan een casus die nog te laat "
       "openstaat de caseload niet zelf verhogen); vaste team- en kwartaaleffecten, gewicht = "
       "beoordeelbare casussen, clusters per team; voorlopige kwartalen en opstartkwartalen "
       "van de caseload weggelaten.")
    show(tables.deadline_models_display(dm.table, step), decimals=2)

# %% [markdown]
# ### Hoe lang duurt het werkelijk?
#
# Het aandeel *op tijd* zegt niet hoe ver casussen over de termijn gaan. Hieronder de
# cumulatieve verdeling van het aantal dagen tot de stap (afgeronde casussen); de
# streepjeslijn is de wettelijke termijn. Casussen die nog openstaan hebben nog geen
# doorlooptijd: zij staan in de tabel als *te laat, nog open* of *lopend*.

# %%
if not dl.days.empty:
    plots.deadline_ecdf(dl.days)
    show(tables.for_display(tables.in_deadline_order(dl.quantiles)), decimals=0)

# %% [markdown]
# ## 4. Schaarste
#
# - **Uren per fte**: alle geregistreerde uren in het kwartaal gedeeld door de fte op de
#   laatste dag van het kwartaal (dezelfde noemer als de caseload per fte; een registratiemaat).
# - **Vacatureruimte** (1 − fte in dienst op 1 juli / begrote fte) en **uitstroom**
#   (vertrokken medewerkers / medewerkers in dienst op 1 januari), per jaar.

# %%
if sc.has_team_rows:
    plots.scarcity_trends(sc.quarterly, "hours_per_fte",
                          "Geregistreerde uren per fte per team en kwartaal", "uren per fte")

# %%
if sc.yearly.empty:
    md("*Geen vacature- of uitstroomcijfers (formatie of personeelsbestand ontbreekt).*")
else:
    show(tables.yearly_table(sc.yearly, sc.partial_years))
    if sc.hidden_outflow:
        md("*`<5`: minder dan 5 vertrekkers in dat jaar; het percentage zou het aantal "
           "prijsgeven.*")

# %% [markdown]
# ## 5. Tijdsbesteding: waar gaan de uren heen?
#
# Aandeel van de geregistreerde uren per activiteit, per kwartaal. Groen is preventief werk
# (individueel en collectief), oranje is wettelijk individueel werk (onderzoek, beschikkingen,
# maatwerk). Coördinatie, aanvullende opdrachten en overhead tellen niet mee in het preventieve
# aandeel.

# %%
alloc = r.allocation
if alloc.allocation.empty:
    md("*Er zijn geen urenregistraties voor deze selectie; dit deel vervalt.*")
else:
    plots.allocation_over_time(alloc.figure, panels=alloc.panels)

# %%
if not alloc.allocation.empty:
    plots.allocation_latest(alloc.figure, alloc.recent)

# %%
if alloc.pact_comparable:
    md("**PACT-teams naast de andere teams** (laatste kwartalen; de marge houdt er rekening mee "
       "dat de uren van één medewerker samenhangen):")
    ctx.save_table(alloc.pact.csv(), "urenverdeling_pact")
    show(tables.pact_table(alloc.pact))
elif not alloc.allocation.empty:
    md("*Geen vergelijking tussen PACT-teams en overige teams: een van beide groepen ontbreekt.*")

# %%
if not alloc.team_rows.frame.empty:
    ctx.save_table(alloc.team_rows.csv(), "urenverdeling_team_kwartaal")
    md(f"De volledige urenverdeling per team en kwartaal staat in "
       f"`urenverdeling_team_kwartaal.csv` ({nl_number(len(alloc.team_rows.frame))} regels; "
       "team-kwartalen met minder dan 5 medewerkers zijn weggelaten).")

# %% [markdown] tags=["methode"]
# ## Methode en kanttekeningen
#
# - **Marges op urenaandelen.** Uren zijn geen onafhankelijke waarnemingen: de uren van één
#   medewerker hangen samen. De marge is het Korn-Graubard-interval met medewerkers als
#   clusters (een Clopper-Pearson-interval bij de effectieve steekproefomvang, gecorrigeerd
#   voor het kleine aantal vrijheidsgraden van een klein team); bij één medewerker is het
#   interval 0–100%. Er staan geen binomiale banden op urenaandelen.
# - **Termijnen** zijn kalenderdagen vanaf melding of aanvraag; een casus waarvan de termijn
#   nog loopt telt niet mee in het aandeel op tijd; een kwartaal is voorlopig tot de termijn
#   voor alle casussen verstreken is (`methods/windows.py`). Wilson-intervallen (casussen als
#   waarnemingen).
# - **De modellen** meten samenhang binnen teams door de tijd, geschat over alle teams van de
#   gemeente (ook in een organisatierapport: 3 à 4 teams dragen geen betrouwbaar interval).
#   Het wild-bootstrapinterval is het interval voor de lezer; de waarschuwing voor weinig
#   clusters staat bij 10 teams of minder.
# - **Registratie**: het preventieve aandeel meet geregistreerde uren; verschillen in
#   registratiegedrag tussen teams vallen weg in het model met vaste teameffecten, maar
#   veranderingen in registratiegedrag door de tijd niet.
# - **Onthulling**: tabellen van de gemeente en van elke organisatie zijn in één keer
#   beveiligd (`zwt_analysis/disclosure`): `<5` is een aantal onder de 5, `x` een cel die is
#   weggelaten zodat een andere niet terug te rekenen is. Figuren tonen niets wat een tabel
#   weglaat. Uitstroom van minder dan 5 vertrekkers per jaar staat er niet in.

# %% tags=["methode"]
md(f"Beveiligde cellen in de gekoppelde tabellen van dit rapport: "
   f"{nl_number(r.published.cells)}, waarvan {nl_number(r.published.primary)} primair en "
   f"{nl_number(r.published.secondary)} secundair weggelaten "
   f"({nl_percent(r.published.suppressed_share)}).")
