# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.0
#   kernelspec:
#     display_name: Python (zwt)
#     language: python
#     name: zwt
# ---

# %% tags=["parameters"]
processed_dir = ""     # "" -> de map data/processed/current van het project
indicators_file = ""   # "" -> <processed_dir>/indicators.csv als die er is, anders berekend
organisation = "ALL"   # "ALL": heel Zaanstad; of één organisatie (DOCK, Incluzio, SMD)
output_dir = ""        # map voor de CSV-tabellen; "" -> de huidige map
rules_file = ""        # "" -> de meegeleverde zwt_analysis/resources/kpi_rules.yaml
max_panels = 12        # hoogstens zoveel KPI-panelen in de trendfiguur
first_year = 2019      # trends en signalen vanaf dit jaar

# %%
from zwt_analysis.present import md, show
from zwt_analysis.reports import context
from zwt_analysis.reports.kpi import build, plots, tables

ctx = context.start(
    title="KPI's: van een lange lijst naar een paar die ertoe doen",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, rules_file=rules_file,
                max_panels=max_panels, first_year=first_year),
)

# %%
res = build(ctx, ctx.params)
colours = plots.organisation_colours(res.organisations)

# %% [markdown]
# De evaluatie van de wijkteams vond te veel KPI's, van wisselende kwaliteit: niet alle
# meetbaar, weinig over waar het werk voor is, geen enkele over preventie. De
# verantwoording voelt als een afvinklijst en gesprekken blijven anekdotisch, omdat
# verhalen niet aan cijfers gekoppeld zijn. Het advies: minder KPI's, alle meetbaar en
# betekenisvol, verbonden met een verandertheorie en met de bouwstenen van het NJi
# Kwaliteitskompas.
#
# Dit rapport toetst elke KPI uit het register, stelt een kleinere set voor met een reden
# per KPI, laat zien wat ontbreekt, en zet de cijfers en de signalen uit de praktijk op
# één tijdas.

# %% [markdown]
# ## 1. De toets per KPI
#
# Elke KPI wordt op zeven punten bekeken:
#
# - **Meetbaar**: er is een databron, of een indicator die zwt zelf berekent.
# - **Volledig**: het aandeel van de verwachte cellen (organisatie × periode) waarvoor een
#   waarde is aangeleverd. Verwacht zijn alle organisaties in alle perioden waarin de KPI
#   voorkomt.
# - **Onderscheidend**: varieert de KPI tussen organisaties en perioden
#   (variatiecoëfficiënt, aandeel verschillende waarden)? Een constante KPI zegt niets.
# - **Norm**: is er een streefwaarde, en in welk aandeel van de cellen is die gehaald
#   (rekening houdend met de richting: hoger of lager is beter)?
# - **Overlap**: rangcorrelatie (Spearman) met de andere KPI's over de gedeelde
#   organisatie × periode-cellen; KPI's die vrijwel hetzelfde meten vormen een groep.
# - **Resultaatniveau en bouwsteen**: input, activiteit, output, outcome of impact; en welke
#   van de zeven bouwstenen van het NJi Kwaliteitskompas.
# - **Verandertheorie**: staat beschreven waarom de KPI ertoe doet?
#
# Het voorstel volgt uit vaste regels, in deze volgorde; de eerste regel die past beslist.
# De drempels staan in `kpi_rules.yaml` en kunnen per gemeente worden aangepast.

# %%
md(tables.rules_markdown(res.rules))
note = tables.organisation_note(res.organisation)
if note:
    md(note)

# %% [markdown]
# ## 2. Het voorstel

# %%
md(tables.proposal_text(res.audit))
show(tables.decision_summary(res.audit))
show(tables.rule_summary(res.audit, res.rules), caption="Welke regel besliste")

# %%
show(tables.audit_table_nl(res.audit, res.accountability), max_rows=200,
     caption="Toets en voorstel per KPI (Volledig/Norm gehaald: aandeel cellen)")
path = ctx.save_table(res.audit_csv, "kpi_audit")
md(f"*De volledige toets staat in `{path.name}`.*")

# %% [markdown]
# ### KPI's die vrijwel hetzelfde meten
#
# Binnen een groep blijft de KPI die het best meetbaar, het meest volledig en het meest
# op uitkomsten gericht is; de andere gaan erin op. Een groep ontstaat via ketens van
# paren met een hoge rangcorrelatie: twee KPI's in één groep hoeven dus niet zelf sterk
# samen te hangen. Samenhang is hier geen oorzaak: het betekent alleen dat de KPI's
# organisaties en perioden in vrijwel dezelfde volgorde zetten.

# %%
dups = tables.duplicate_groups_table(res.audit)
if len(dups):
    show(dups)
else:
    md("Geen bijna-duplicaten gevonden.")

# %% [markdown]
# ### Klopt wat wordt aangeleverd?
#
# Voor KPI's die zwt zelf ook berekent, is de aangeleverde waarde vergeleken met zwt's
# eigen uitkomst voor dezelfde organisatie en periode (marge in `kpi_rules.yaml`). Dit
# telt niet mee in het voorstel, maar laat zien of aanlevering en registratie hetzelfde
# meten.

# %%
if len(res.verification):
    show(tables.verification_table_nl(res.verification), decimals=3)
else:
    md("Geen KPI's om met zwt's eigen indicatoren te vergelijken.")

# %% [markdown]
# ## 3. Wat ontbreekt: bouwstenen, resultaatniveaus en thema's
#
# Aantal **behouden** KPI's per bouwsteen van het NJi Kwaliteitskompas en per
# resultaatniveau, naast het aantal in het hele register.

# %%
show(tables.block_table_nl(res.blocks))
empty = tables.empty_blocks_text(res.blocks)
if empty:
    md(empty)

# %%
show(tables.gaps_table_nl(res.gaps))
md("Een thema telt als gedekt als een behouden KPI het in naam, omschrijving of "
   "verandertheorie noemt (trefwoorden in `kpi_rules.yaml`), of als zijn indicator of "
   "resultaatniveau erbij hoort. De kandidaten berekent zwt al uit de eigen registraties; "
   "ze vragen geen extra aanlevering.")

# %% [markdown]
# ## 4. Waarop kan elke opdracht worden aangesproken?
#
# Niet elke opdracht kan op uitkomsten worden afgerekend. Ebrahim (2019, *Measuring Social
# Change*) onderscheidt vier strategieën naar twee vragen: hoe zeker is het verband tussen
# de inzet en het effect, en hoeveel controle heeft de uitvoerder over de uitkomst?
# Daaruit volgt tot welk resultaatniveau een opdracht zich kan verantwoorden. Een outcome
# die een opdracht niet in de hand heeft, hoort bij samen leren, niet bij afrekenen.
#
# De indeling van de opdrachten is een voorstel (in `kpi_rules.yaml`): de hoofdopdracht
# van de wijkteams is *geïntegreerd* (toegang, onderzoek en ondersteuning liggen in eigen
# hand; het verband tussen tijdige, passende hulp en minder terugval is redelijk bekend),
# dus output én outcome, zoals heraanmelding binnen 12 maanden. Aanvullende opdrachten van
# de gemeente zijn *niche*: verantwoorden op output. PACT-opdrachten zijn *ecosysteem*:
# samen met partners in de wijk, outcomes gedeeld, impact alleen om samen van te leren.
# "Zonder KPI" telt opdrachten waarvoor het register geen enkele KPI noemt.

# %%
show(tables.strategy_table(res.rules))
show(tables.accountability_summary(res.accountability, res.strategies, res.rules, res.audit),
     caption="Opdrachten per strategie; KPI's per niveau in het register (behouden)")

# %%
md(tables.accountability_text(res.accountability, res.audit, res.rules))
misfit = tables.misfit_table_nl(res.accountability, res.audit, res.rules)
if len(misfit):
    show(misfit, caption="KPI's boven het niveau waarop hun opdracht kan verantwoorden")

# %% [markdown]
# ## 5. Trends van de behouden KPI's
#
# Per KPI één paneel, met een lijn per organisatie en de streefwaarde als rode stippellijn.
# Alleen afgeronde perioden: een jaar of kwartaal dat op de peildatum nog loopt, telt niet mee.
# Aangeleverde KPI-waarden hebben geen teller en noemer, dus er is geen
# betrouwbaarheidsinterval. Een stippellijn met een nummer in de kleur van een organisatie
# is een signaal uit de praktijk over die KPI (zie de tijdlijn en de tabel in paragraaf 7);
# signalen zonder KPI staan alleen op de tijdlijn.

# %%
fig = plots.plot_small_multiples(res.kpi_series, res.signal_panels, ncols=3, colours=colours)
if fig is None:
    md("Geen behouden KPI's met aangeleverde waarden.")

# %% [markdown]
# ## 6. Trends van zwt's eigen indicatoren
#
# Dezelfde opzet voor indicatoren die zwt zelf uit de registraties berekent (zie de
# indicatorencatalogus), met Zaanstad als geheel als zwarte stippellijn en de streefwaarde
# van de KPI die de indicator noemt als rode stippellijn. Signalen over zo'n KPI staan ook
# op het paneel van de indicator. Bij aandelen die op dossiers berusten (termijnen,
# heraanmelding) toont de band het 95%-interval (Wilson). Bij het preventieve aandeel zijn
# uren de eenheid; uren van één medewerker zijn geen onafhankelijke waarnemingen, dus hier
# geen interval (zie het preventierapport).

# %%
fig = plots.plot_small_multiples(res.indicator_series, res.signal_panels, ncols=3,
                                 colours=colours)
if fig is None:
    md("Geen indicatoren beschikbaar.")

# %% [markdown]
# ### Trendtoets
#
# Per reeks en organisatie: is er een lineaire trend in de tijd? Voor aandelen die op
# dossiers berusten (teller en noemer) een binomiaal model (logit) met geschatte
# overdispersie; voor andere reeksen een lineaire regressie op de tijd met
# Newey-West-standaardfouten, die rekening houden met samenhang tussen opeenvolgende
# perioden. De helling staat per jaar, bij aandelen in procentpunten (pp). Omdat er veel
# reeksen tegelijk worden getoetst, zijn de p-waarden gecorrigeerd (Benjamini-Hochberg).

# %%
show(tables.trend_table_nl(res.trends), max_rows=150)
_ = ctx.save_table(res.trends, "kpi_trends")

# %% [markdown]
# **Kanttekeningen bij de trendtoets.** Een lineaire trend is een vereenvoudiging: een knik
# (een reorganisatie, een nieuwe werkwijze, een andere registratie) kan een trend
# veroorzaken of verbergen; kijk daarom altijd naar de figuur en de signalen. Met weinig
# perioden zijn Newey-West-standaardfouten onbetrouwbaar en is de toets zwak; reeksen
# met minder perioden dan de drempel worden niet getoetst. Een trend zegt niet waardoor
# iets verandert: samenhang in de tijd is geen oorzaak. Veranderingen in definitie of
# aanlevering van een KPI kunnen als trend verschijnen. Bij aangeleverde KPI-waarden is de
# onzekerheid per periode onbekend (geen teller en noemer), dus telt elke periode even
# zwaar. De reeks voor Zaanstad bevat de organisaties en is dus geen onafhankelijke,
# extra toets.

# %% [markdown]
# ## 7. Signalen uit de praktijk
#
# Signalen en verhalen uit de wijken, op dezelfde tijdas als de cijfers. Ze verklaren een
# knik niet, maar geven richting voor het gesprek: wat gebeurde er toen de lijn boog?

# %%
if len(res.signals):
    fig = plots.plot_signal_timeline(res.signals, res.timeline_start, res.timeline_end, colours)
    show(tables.signals_table_nl(res.signals), max_rows=200)
else:
    md("Geen signalen in deze periode.")

# %% [markdown]
# ## Verantwoording
#
# Alle regels en drempels staan in `kpi_rules.yaml` en zijn beschreven in
# `docs/kpi_audit.md`. Het voorstel is een startpunt voor het gesprek tussen gemeente en
# organisaties, geen automatisch besluit: een KPI met een goede verandertheorie die nu
# onvolledig wordt aangeleverd, kan na een betere definitie de moeite waard zijn.
