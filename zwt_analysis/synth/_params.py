"""Fixed structure and true parameters of the synthetic model.

Everything a report is meant to find is set here, in one place, and copied
into ``ground_truth.json`` by the generator. Rates are per year unless said
otherwise; days are calendar days.
"""

from __future__ import annotations

from datetime import date

import numpy as np

#: First day of the data (start of the eight-year assignment).
START = date(2019, 1, 1)
EPOCH = np.datetime64("2019-01-01", "D")
#: Sentinel for a missing date (day offsets are int64 days since EPOCH).
NAD = np.int64(-(2**40))

ORGANISATIONS = ("DOCK", "Incluzio", "SMD")

#: organisation -> team -> CBS wijk codes held. One organisation per wijk.
#: ASSUMPTION: which organisation and team holds which wijk is invented for the
#: synthetic municipality (the real assignment is not in any source used here).
#: The two PACT wijken each form a team of their own, in two organisations.
LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "DOCK": {
        "DOCK-1": ("WK047911",),
        "DOCK-2": ("WK047912",),
        "DOCK-3": ("WK047914", "WK047915", "WK047916"),
    },
    "Incluzio": {
        "Incluzio-1": ("WK047921", "WK047922"),
        "Incluzio-2": ("WK047923",),
        "Incluzio-3": ("WK047931", "WK047932", "WK047941"),
    },
    "SMD": {
        "SMD-1": ("WK047942", "WK047951"),
        "SMD-2": ("WK047961", "WK047962"),
        "SMD-3": ("WK047971", "WK047972", "WK047981"),
        "SMD-4": ("WK047913",),
    },
}
#: The two PACT wijken of the evaluation: Poelenburg (WK047912) and Peldersveld,
#: CBS "Pelders- en Hoornseveld" (WK047913); names in resources/cbs_wijken2024_zaanstad_names.csv.
PACT_AREAS = ("WK047912", "WK047913")

# --- cases -----------------------------------------------------------------
#: New cases per resident per year in 2019 (city average, before growth).
CASE_RATE_2019 = 0.0335
#: Demand multiplier of a team holding a PACT wijk.
PACT_DEMAND = 1.6
#: Range of the yearly demand growth drawn per team.
DEMAND_GROWTH = (0.02, 0.06)
#: COVID dip in new reports.
COVID = {"start": date(2020, 3, 16), "end": date(2020, 6, 30), "factor": 0.7}
#: Demand surge in one team (the caseload peak bend).
SURGE = {"team": "SMD-2", "start": date(2021, 7, 1), "end": date(2022, 6, 30), "factor": 1.5}
#: Legal framework mix of new cases.
FRAMEWORK_MIX = {"wmo": 0.35, "jeugdwet": 0.20, "participatiewet": 0.12, "wgs": 0.13, "none": 0.20}
#: Mean days from report to closure (lognormal, sigma below).
CLOSE_MEAN_DAYS = {"wmo": 300, "jeugdwet": 400, "participatiewet": 250, "wgs": 450, "none": 45}
CLOSE_SIGMA = 0.8
#: Share of cases whose client had an earlier case in the same team.
REREGISTRATION_SHARE = 0.2
#: Caseload per FTE the 2019 formation is sized for.
FORMATION_CASELOAD = 20.0

#: Legal limits (days) per deadline, its start and end event.
DEADLINES = {
    "wmo_assessment": {"framework": "wmo", "start": "date_report", "end": "date_assessment_done", "limit": 42, "alpha": 1.6},
    "wmo_decision": {"framework": "wmo", "start": "date_application", "end": "date_decision", "limit": 14, "alpha": 2.0},
    "jeugdwet_decision": {"framework": "jeugdwet", "start": "date_application", "end": "date_decision", "limit": 56, "alpha": 1.3},
    "participatiewet_decision": {"framework": "participatiewet", "start": "date_application", "end": "date_decision", "limit": 56, "alpha": 1.6},
    "wgs_first_contact": {"framework": "wgs", "start": "date_report", "end": "date_first_contact", "limit": 28, "alpha": 1.8},
}
#: Logit slope of on-time probability per unit of caseload per FTE.
DEADLINE_BETA = -0.10
#: Caseload per FTE at which the logit equals alpha.
DEADLINE_CENTER = 22.0
#: Share of on-time events that land exactly on the limit day.
DEADLINE_EXACT_SHARE = 0.08
#: Mean days past the limit of a late event (1 + geometric).
DEADLINE_LATE_MEAN = 18.0
#: Share of cases that get a formal application, per framework.
APPLICATION_SHARE = {"wmo": 0.65, "jeugdwet": 0.6, "participatiewet": 0.75}

# --- staff -----------------------------------------------------------------
#: Planned annual outflow (org level: every end except transfer_internal),
#: first and last year, linear in between.
OUTFLOW = {"DOCK": (0.09, 0.13), "Incluzio": (0.10, 0.145), "SMD": (0.12, 0.16)}
#: Mix of end reasons among all spell ends.
END_REASON_MIX = {
    "voluntary": 0.50,
    "retirement": 0.10,
    "end_of_contract": 0.15,
    "transfer_internal": 0.10,
    "transfer_other_wijkteam": 0.08,
    "other": 0.07,
}
#: Mean months before a vacant slot is filled again.
REFILL_MONTHS = {"DOCK": 2.5, "Incluzio": 3.5, "SMD": 4.5}
#: Extra formation (slots opened vacant) per date, as a share of the 2019 slots.
FORMATION_GROWTH = ((date(2021, 1, 1), 0.06), (date(2024, 1, 1), 0.06))
#: The staff dip: extra cumulative hazard in one team over a window.
STAFF_DIP = {"team": "Incluzio-2", "start": date(2023, 3, 1), "end": date(2023, 5, 31),
             "extra_cumulative_hazard": 0.7, "refill_factor": 2.2}
FTE_VALUES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FTE_PROBS = (0.08, 0.12, 0.15, 0.25, 0.20, 0.20)
#: Share of open spells that started in the last 1.5 years with a fixed-term contract.
FIXED_TERM_SHARE = 0.3

# --- hours -----------------------------------------------------------------
HOURS_PER_FTE_WEEK = 36.0
ABSENT_WEEK_SHARE = 0.12
#: The planted prevention slope (preventive share per unit caseload per FTE).
PREVENTION_SLOPE = -0.008
PREVENTION_BASE = (0.26, 0.40)
PREVENTION_NOISE_SD = 0.01
#: Row-level noise around the team-quarter share (averages out).
PREVENTION_ROW_SD = 0.03
#: Shares of all hours.
COORDINATION_SHARE = 0.10
OVERHEAD_SHARE = 0.12
ADDITIONAL_SHARE = {"pact": 0.16, "other": 0.04}
#: Share of a PACT team's additional hours booked on PACT-commissioned lines.
PACT_COMMISSIONED_SHARE = 0.7

# --- funding ---------------------------------------------------------------
#: CAO wage growth (Sociaal Werk-like, synthetic) and municipal indexation, per year.
CAO_WAGE_GROWTH = {2019: 0.025, 2020: 0.028, 2021: 0.015, 2022: 0.035, 2023: 0.060,
                   2024: 0.070, 2025: 0.040, 2026: 0.035}
MUNICIPAL_INDEXATION = {2019: 0.024, 2020: 0.026, 2021: 0.016, 2022: 0.025, 2023: 0.042,
                        2024: 0.040, 2025: 0.031, 2026: 0.028}
#: Cost of one FTE in 2018 prices incl. overhead, EUR per year.
COST_PER_FTE_2018 = 82_000.0
#: Additional lines: tracks (parallel chains of short assignments) per year.
TRACKS = {"gemeente": 2, "PACT": 3}
#: Monthly amount range of one additional line, EUR at scale 1.
MONTHLY_AMOUNT = {"gemeente": (6_000.0, 22_000.0), "PACT": (20_000.0, 60_000.0)}
ADDITIONAL_STRUCTURAL_SHARE = 0.05

# --- signals ---------------------------------------------------------------
BACKGROUND_SIGNALS = 40
