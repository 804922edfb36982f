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
organisation = "ALL"   # "ALL": de hele gemeente; of één organisatie
output_dir = ""        # map voor de CSV-tabellen; "" -> de huidige map
rules_file = ""        # "" -> de meegeleverde zwt_analysis/resources/kpi_rules.yaml
max_panels = 12        # hoogstens zoveel KPI-panelen in de trendfiguur
first_year = 0         # figuren en signalen vanaf dit jaar; 0 = vanaf het eerste jaar met gegevens

# %%
from zwt_analysis.present import md, show
from zwt_analysis.present.page import kern, method_note
from zwt_analysis.reports import context
from zwt_analysis.reports.kpi import accountability_tables as acc
from zwt_analysis.reports.kpi import build, plots, tables, text

ctx = context.start(
    title="KPI's: van een lange lijst naar een paar die ertoe doen",
    params=dict(processed_dir=processed_dir, indicators_file=indicators_file,
                organisation=organisation, output_dir=output_dir, rules_file=rules_file,
                max_panels=max_panels, first_year=first_year),
)

# %%
res = build(ctx, ctx.params)
kern(text.kern_sentences(res))
for note in text.missing_notes(res):
    md(f"*Overgeslagen. {note}*")
method_note()
colours = plots.organisation_colours(res.organisations)
sig_cfg = res.rules.get("signals", {})

# %% [markdown]
# De evaluatie van de wijkteams vond te veel KPI's, van wisselende kwaliteit: niet alle
# meetbaar, weinig over waar het werk voor is, geen enkele over preventie. De
# verantwoording voelt als een afvinklijst en gesprekken blijven anekdotisch, omdat
# verhalen niet aan cijfers gekoppeld zijn. Het advies: minder KPI's, alle meetbaar en
# betekenisvol, verbonden met een verandertheorie en met de bouwstenen van het
# Kwaliteitskompas van het NJi.
#
# Dit rapport toetst elke KPI uit het register, stelt een kleinere set voor met een reden
# per KPI, laat zien wat ontbreekt, en zet de cijfers en de signalen uit de praktijk naast
# elkaar.

# %% [markdown]
# ## 1. Het voorstel: welke KPI's blijven
#
# Een KPI blijft als hij meetbaar is (er is een bron, of zwt berekent hem zelf), volledig
# genoeg wordt aangeleverd, organisaties en perioden van elkaar onderscheidt, niet vrijwel
# hetzelfde meet als een andere KPI, en een verandertheorie heeft: een beschrijving van
# waarom hij ertoe doet. Vaste regels bepalen het voorstel; de drempels staan in de
# instellingen en kunnen per gemeente worden aangepast.

# %%
if res.has_register:
    md(text.proposal_text(res.audit))
    show(tables.rule_summary(res.audit, res.rules, codes=False),
         caption="Waarom KPI's blijven, opgaan in een andere of afvallen")
    show(tables.kept_table_nl(res.audit, res.accountability, res.rules),
         caption="De KPI's die blijven, en waarom (Volledig en Norm gehaald: aandeel perioden)")
    note = text.organisation_note(res.organisation)
    if note:
        md(note)
    path = ctx.save_table(res.audit_csv, "kpi_audit")
    md(f"*De toets van alle {len(res.audit)} KPI's staat in `{path.name}`.*")
else:
    md("*Geen KPI's om te toetsen.*")

# %% [markdown]
# ### KPI's die vrijwel hetzelfde meten
#
# Binnen zo'n groep blijft de KPI die het best meetbaar, het meest volledig en het meest
# op uitkomsten gericht is; de andere gaan erin op. Samenhang is hier geen oorzaak: het
# betekent alleen dat de KPI's organisaties en perioden in vrijwel dezelfde volgorde zetten.

# %%
dups = tables.duplicate_groups_table(res.audit) if res.has_register else None
if dups is not None and len(dups):
    show(dups, max_rows=tables.MAX_ROWS)
else:
    md("Geen KPI's die vrijwel hetzelfde meten.")

# %% [markdown]
# ### Klopt wat wordt aangeleverd?
#
# Voor KPI's die zwt zelf ook berekent, is de aangeleverde waarde vergeleken met zwt's
# eigen uitkomst voor dezelfde organisatie en periode. Dit telt niet mee in het voorstel,
# maar laat zien of aanlevering en registratie hetzelfde meten.

# %%
if len(res.verification):
    show(tables.verification_table_nl(res.verification), decimals=3, max_rows=tables.MAX_ROWS)
else:
    md("Geen KPI's om met zwt's eigen indicatoren te vergelijken.")

# %% [markdown] tags=["methode"]
# ### Methode: de toets per KPI
#
# - **Meetbaar**: een databron, of een `indicator_id` die zwt berekent.
# - **Volledig**: aandeel van de verwachte cellen (organisatie × periode) met een waarde;
#   verwacht zijn alle organisaties in alle perioden waarin de KPI voorkomt.
# - **Onderscheidend**: variatiecoëfficiënt (standaardafwijking / |gemiddelde|) en aandeel
#   verschillende waarden.
# - **Norm**: aandeel cellen dat de streefwaarde haalt, met de richting (hoger of lager is beter).
# - **Overlap**: rangcorrelatie (Spearman) over de gedeelde cellen, ook binnen organisaties
#   door de tijd; groepen via ketens van paren (single linkage).
# - **Resultaatniveau en bouwsteen** (Kwaliteitskompas 2024) en **verandertheorie**.
#
# De eerste regel die past beslist (`kpi_rules.yaml`, `docs/kpi_audit.md`):

# %% tags=["methode"]
md(tables.rules_markdown(res.rules))
if res.has_register:
    show(tables.rule_summary(res.audit, res.rules), caption="Welke regel besliste")
    show(tables.audit_table_nl(res.audit, res.accountability, res.rules), max_rows=200,
         caption="Toets en voorstel per KPI")
    show(tables.duplicate_groups_table(res.audit, with_rho=True), caption="Groepen met |rho|")

# %% [markdown]
# ## 2. Wat ontbreekt: bouwstenen en thema's
#
# Aantal **behouden** KPI's per bouwsteen van het Kwaliteitskompas (NJi, 2024) en per
# resultaatniveau, naast het aantal in het hele register. Een thema telt als gedekt als een
# behouden KPI het noemt of erover gaat; de kandidaten berekent zwt al uit de eigen
# registraties, zonder extra aanlevering.

# %%
if res.has_register:
    show(tables.block_table_nl(res.blocks, res.rules))
    empty = text.empty_blocks_text(res.blocks, res.rules)
    if empty:
        md(empty)
    show(tables.gaps_table_nl(res.gaps))
else:
    md("*Overgeslagen: zonder KPI-register is er geen dekking te bepalen.*")

# %% [markdown]
# ## 3. Waarop kan elke opdracht worden aangesproken?
#
# Niet elke opdracht kan op uitkomsten worden afgerekend. Ebrahim (2019, *Measuring Social
# Change*) onderscheidt vier strategieën naar twee vragen: hoe zeker is het verband tussen
# de inzet en het effect, en hoeveel heeft de uitvoerder de uitkomst in de hand? Daaruit
# volgt tot welk resultaatniveau een opdracht zich kan verantwoorden. Een uitkomst die een
# opdracht niet in de hand heeft, hoort bij samen leren, niet bij afrekenen.
#
# De indeling is een voorstel in de instellingen: de hoofdopdracht van de wijkteams is
# *geïntegreerd* (output én outcome, zoals heraanmelding binnen 12 maanden), aanvullende
# opdrachten van de gemeente zijn *niche* (output), opdrachten met partners in de wijk zijn
# *ecosysteem* (outcomes gedeeld, impact alleen om samen van te leren).

# %%
if res.has_register:
    show(acc.strategy_table(res.rules))
    show(acc.accountability_summary(res.accountability, res.strategies, res.rules, res.audit),
         caption="Opdrachten per strategie; KPI's per niveau in het register (behouden)")
    md(acc.accountability_text(res.accountability, res.audit, res.rules))
    misfit = acc.misfit_table_nl(res.accountability, res.audit, res.rules)
    if len(misfit):
        show(misfit, max_rows=tables.MAX_ROWS,
             caption="KPI's boven het niveau waarop hun opdracht kan verantwoorden")
else:
    md("*Overgeslagen: zonder KPI-register zijn er geen KPI's per opdracht.*")

# %% [markdown]
# ## 4. De behouden KPI's door de tijd, met signalen uit de praktijk
#
# Per KPI één paneel, met een lijn per organisatie en de streefwaarde als rode stippellijn.
# Een stippellijn in de kleur van een organisatie is een signaal uit de praktijk dat deze
# KPI raakt; de recentste hebben een kort label (de hele tekst staat onder de figuur).
# Aangeleverde KPI-waarden hebben geen teller en noemer, dus er is geen band rond de lijn.
# Onder de titel staat de trend over alle bruikbare perioden.

# %%
panel_args = dict(colours=colours, city_label=res.city_label,
                  verdicts=text.panel_verdicts(res.trends, res.organisation, res.city_label),
                  max_labels=sig_cfg.get("max_labels_per_panel", 4),
                  label_chars=sig_cfg.get("label_chars", 26))
fig = plots.plot_small_multiples(res.kpi_series, res.signal_panels, **panel_args)
if fig is None:
    md("Geen behouden KPI's met aangeleverde waarden.")

# %%
labelled = tables.figure_signals_nl(res.signal_panels, res.kpi_series, panel_args["max_labels"])
if len(labelled):
    show(labelled, caption="Signalen met een label in de figuur")

# %% [markdown]
# ## 5. zwt's eigen indicatoren
#
# Dezelfde opzet voor indicatoren die zwt zelf uit de registraties berekent, met de
# gemeente als geheel als grijze streepjeslijn. Bij aandelen die op zaken berusten
# (termijnen, heraanmelding) is de band het 95%-interval. Gestippeld zijn perioden die
# niet meetellen in de trend: de opstart van de registratie (heraanmelding heeft het jaar
# ervoor nodig, de caseload de zaken die al liepen) en voorlopige kwartalen waarvan de
# termijn op de peildatum nog niet voor alle zaken verstreken is (open rondje). Waarden
# van te kleine groepen zijn weggelaten. Een ≈ op de as: de as begint niet bij nul.

# %%
fig = plots.plot_small_multiples(res.indicator_series, res.signal_panels, **panel_args)
if fig is None:
    md("Geen indicatoren beschikbaar.")

# %%
labelled = tables.figure_signals_nl(res.signal_panels, res.indicator_series,
                                    panel_args["max_labels"])
if len(labelled):
    show(labelled, caption="Signalen met een label in de figuur")

# %% [markdown]
# ### De trends in één oogopslag
#
# Per reeks: daalt of stijgt hij aantoonbaar? Zo ja, dan staat erbij hoeveel per jaar (pp:
# procentpunt) en het 95%-interval daarvan. "Te kort om te beoordelen" betekent dat er te weinig bruikbare perioden
# zijn, of dat opeenvolgende perioden zo sterk samenhangen dat een oordeel niet
# betrouwbaar is. Elke reeks is één keer getoetst voor alle rapporten samen, dus het rapport
# van de gemeente en dat van een organisatie zeggen over dezelfde reeks hetzelfde.

# %%
if len(res.trends):
    show(tables.trend_table_nl(res.trends, res.city_label))
    path = ctx.save_table(tables.trends_csv(res.trends), "kpi_trends")
    md(f"*Alle toetsen met hun details staan in `{path.name}`.*")
else:
    md("Geen reeksen om te toetsen.")

# %% [markdown] tags=["methode"]
# ### Methode: de trendtoets
#
# Aandelen uit tellingen (termijnen, heraanmelding, preventieve uren): quasi-binomiaal
# logit-model met het aandeel als uitkomst, de noemer als gewicht, Pearson-dispersie en een
# t-toets; de helling is het gemiddelde marginale effect. Andere reeksen (ook aangeleverde
# KPI-waarden): OLS met een t-toets. Beide corrigeren voor autocorrelatie via de effectieve
# steekproefomvang, met de autocorrelatie gepoold over de reeksen van dezelfde indicator.
# Benjamini-Hochberg over de hele familie van een run: alle reeksen van de indicatortabel
# (organisaties, teams en de gemeente) en, apart, alle aangeleverde waarden van de behouden
# KPI's. Minimale lengtes uit `methods.yaml`, vastgesteld met `make validate`
# (`docs/validation.md`). Opstart en voorlopige perioden: `zwt_analysis.methods.windows`.
# Een lineaire trend is een vereenvoudiging: een knik (reorganisatie, nieuwe werkwijze,
# andere registratie) kan een trend veroorzaken of verbergen.

# %% tags=["methode"]
show(tables.trends_csv(res.trends), max_rows=200, decimals=4)

# %% [markdown]
# ## 6. Signalen uit de praktijk per thema
#
# Signalen en verhalen uit de wijken, per thema: hoeveel, van wie, wanneer, en welke cijfers
# ze raken. Ze verklaren een knik niet, maar geven richting voor het gesprek: wat gebeurde er
# toen de lijn boog?

# %%
if len(res.signals):
    show(tables.signal_overview_nl(res.signal_overview), caption="Signalen per thema")
else:
    md("Geen signalen in deze periode.")

# %%
fig = plots.plot_signal_timeline(res.signals, res.timeline_start, res.timeline_end, colours)

# %% tags=["methode"]
if len(res.signals):
    show(tables.signals_list_nl(res.signals), max_rows=500, caption="Alle signalen")

# %% [markdown]
# ## Verantwoording
#
# Alle regels en drempels staan in `kpi_rules.yaml` en zijn beschreven in
# `docs/kpi_audit.md`. Het voorstel is een startpunt voor het gesprek tussen gemeente en
# organisaties, geen automatisch besluit: een KPI met een goede verandertheorie die nu
# onvolledig wordt aangeleverd, kan na een betere definitie de moeite waard zijn.
