"""The indicator registry: one :class:`IndicatorSpec` per indicator of the data contract.

Each spec holds what the catalogue page shows (titles, formula, period,
levels, source tables, unit, legal basis) and the function that computes the
indicator, so ``zwt indicators``, the notebooks, the tests and
``docs/indicators.md`` all rest on the same definition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from . import budgets, cases, deadlines, engine, hours, staff
from ._common import ALL_LEVELS, ORG_LEVELS

#: sql(limits, with_persons) -> the indicator's query (see :mod:`.engine`)
SqlFn = Callable[[Mapping[str, int], bool], str]


@dataclass(frozen=True)
class IndicatorSpec:
    """Definition of one indicator.

    Attributes:
        id: ``indicator_id`` as written in the long table.
        title_nl / title_en: reader-facing titles (Dutch for reports).
        numerator / denominator: the formula in words.
        period: ``quarter`` (``YYYY-Qn``) or ``year`` (``YYYY``).
        period_by: what the period is taken from.
        levels: subset of ("team", "organisation", "city").
        source_columns: processed table -> the columns ``compute`` reads
            (``zwt indicators`` reads only these; the observation start's
            columns, :data:`._common.OBSERVATION_COLUMNS`, come on top).
        person_columns: extra columns read only for ``with_persons``.
        unit: ``share`` (fraction 0..1), ``per_1000`` (clients per 1000
            inhabitants), ``cases_per_fte`` or ``rate`` (a fraction that may
            leave 0..1, e.g. a negative vacancy rate).
        legal_basis: the law behind the indicator, if any.
        numerator_counts_persons: the numerator is a count of distinct persons.
        persons: whose distinct count the internal ``persons`` column holds
            (``clients``, ``employees``, ``clients_and_employees`` or ``none``).
        additive: team numerators/denominators add up to the organisation's
            and organisations' to the city's.
        higher_is_better: direction for readers (``None`` = no direction).
        notes: choices where the contract is silent.
        sql: the definition: ``sql(limits, with_persons)`` gives the DuckDB
            query over the contract tables (:mod:`.engine` runs it on pandas
            frames or on Parquet files).
    """

    id: str
    title_nl: str
    title_en: str
    numerator: str
    denominator: str
    period: str
    period_by: str
    levels: tuple[str, ...]
    source_columns: Mapping[str, tuple[str, ...]] = field(hash=False)
    unit: str
    legal_basis: str | None
    numerator_counts_persons: bool
    persons: str
    additive: bool
    higher_is_better: bool | None
    sql: SqlFn = field(repr=False)
    notes: tuple[str, ...] = ()
    person_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def source_tables(self) -> tuple[str, ...]:
        """Processed tables read (the keys of :attr:`source_columns`)."""
        return tuple(self.source_columns)

    def compute(self, tables: Mapping[str, pd.DataFrame | None], as_of: date,
                limits: Mapping[str, int], with_persons: bool = False,
                since: date | None | str = "auto") -> pd.DataFrame:
        """Run :attr:`sql` on pandas frames (absent tables count as empty).

        ``since`` is the observation start (``"auto"``: from ``cases`` and
        ``time_registrations``); see :func:`.engine.set_dates`.
        """
        return engine.run(self.sql(limits, with_persons), tables, as_of, with_persons, since)

    @property
    def is_share(self) -> bool:
        """A fraction of a whole in 0..1, for which a Wilson interval is shown."""
        return self.unit == "share"


def _deadline_spec(
    indicator_id: str, title_nl: str, title_en: str, start: str, end: str, what: str
) -> IndicatorSpec:
    d = deadlines.DEADLINES[indicator_id]
    detail = deadlines.default_limit_details()[d.limit_key]
    days = int(detail["days"])
    return IndicatorSpec(
        id=indicator_id,
        title_nl=title_nl,
        title_en=title_en,
        numerator=(
            f"`{d.legal_framework}` cases with `{end} - {start} <= {days}` days "
            f"(limit `{d.limit_key}`, default {days} calendar days)"
        ),
        denominator=(
            f"evaluable `{d.legal_framework}` cases: {what} came (on time or late), or is still "
            f"missing on as-of while as-of > `{start}` + limit (late); missing and as-of <= "
            f"`{start}` + limit = pending, left out; `{start}` missing = outside"
        ),
        period="quarter",
        period_by=f"quarter of `{start}`",
        levels=ALL_LEVELS,
        source_columns=deadlines.source_columns(indicator_id),
        person_columns=deadlines.PERSON_COLUMNS,
        unit="share",
        legal_basis=str(detail["legal_basis"]),
        numerator_counts_persons=False,
        persons="clients",
        additive=True,
        higher_is_better=True,
        sql=lambda lim, wp, _id=indicator_id: deadlines.deadline_on_time_sql(_id, lim, wp),
        notes=(
            "On the limit day itself a missing end event is pending; from the day after it is late.",
            "An end event dated before its start event counts as on time (cleaning quarantines such rows).",
        ),
    )


INDICATOR_LIST: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        id="preventive_share",
        title_nl="Aandeel preventieve uren",
        title_en="Share of preventive hours",
        numerator="hours `preventive_individual` + `preventive_collective`",
        denominator="hours `preventive_individual` + `preventive_collective` + `statutory_individual`",
        period="quarter",
        period_by="quarter of `date`",
        levels=ALL_LEVELS,
        source_columns=hours.SOURCE_COLUMNS,
        person_columns=hours.PERSON_COLUMNS,
        unit="share",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="employees",
        additive=True,
        higher_is_better=None,
        sql=hours.preventive_share_sql,
        notes=(
            "Coordination, additional assignments and overhead are outside both numerator and denominator.",
            "The unit is an hour, not a person: a Wilson interval on hours is too narrow "
            "(hours of one employee are not independent); read it as a lower bound on the uncertainty.",
        ),
    ),
    IndicatorSpec(
        id="additional_assignment_share",
        title_nl="Aandeel uren aanvullende opdrachten",
        title_en="Share of hours on additional assignments",
        numerator="hours `additional_assignment`",
        denominator="all registered hours",
        period="quarter",
        period_by="quarter of `date`",
        levels=ALL_LEVELS,
        source_columns=hours.SOURCE_COLUMNS,
        person_columns=hours.PERSON_COLUMNS,
        unit="share",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="employees",
        additive=True,
        higher_is_better=None,
        sql=hours.additional_assignment_share_sql,
        notes=("The unit is an hour, not a person (see `preventive_share`).",),
    ),
    _deadline_spec(
        "wmo_assessment_on_time",
        "Wmo-onderzoek binnen de termijn",
        "Wmo assessment within the legal limit",
        "date_report",
        "date_assessment_done",
        "the assessment",
    ),
    _deadline_spec(
        "wmo_decision_on_time",
        "Wmo-beschikking binnen de termijn",
        "Wmo decision within the legal limit",
        "date_application",
        "date_decision",
        "the decision",
    ),
    _deadline_spec(
        "jeugdwet_decision_on_time",
        "Jeugdwet-beschikking binnen de termijn",
        "Jeugdwet decision within the limit",
        "date_application",
        "date_decision",
        "the decision",
    ),
    _deadline_spec(
        "participatiewet_decision_on_time",
        "Participatiewet-beschikking binnen de termijn",
        "Participatiewet decision within the limit",
        "date_application",
        "date_decision",
        "the decision",
    ),
    _deadline_spec(
        "wgs_first_contact_on_time",
        "Schuldhulp: eerste gesprek binnen de termijn",
        "Debt support: first conversation within the legal limit",
        "date_report",
        "date_first_contact",
        "the first conversation",
    ),
    IndicatorSpec(
        id="reregistration_12m",
        title_nl="Heraanmelding binnen 12 maanden",
        title_en="Re-registration within 12 months",
        numerator=(
            "closed cases whose client has another case with `date_report` in "
            "(`date_closed`, `date_closed` + 365 days]"
        ),
        denominator="closed cases with `date_closed` + 365 days <= as-of",
        period="quarter",
        period_by="quarter of `date_closed`",
        levels=ALL_LEVELS,
        source_columns=cases.REREGISTRATION_COLUMNS,
        unit="share",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="clients",
        additive=True,
        higher_is_better=False,
        sql=cases.reregistration_12m_sql,
        notes=(
            "A case reported on the very day of closure is not a re-registration (interval open on the left).",
            "The new case may be at any team or organisation; the closed case's team gets the count.",
            "Quarters closed less than 365 days before as-of are not yet evaluable and give no row.",
        ),
    ),
    IndicatorSpec(
        id="caseload_per_fte",
        title_nl="Caseload per fte",
        title_en="Caseload per FTE",
        numerator="cases open on the last day d of the quarter (`date_report` <= d, `date_closed` empty or > d)",
        denominator="FTE employed on d (`start_date` <= d <= `end_date`, empty end = employed)",
        period="quarter",
        period_by="last day of the quarter (only quarter ends <= as-of)",
        levels=ALL_LEVELS,
        source_columns=cases.CASELOAD_COLUMNS,
        person_columns=cases.CASELOAD_PERSON_COLUMNS,
        unit="cases_per_fte",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="clients_and_employees",
        additive=True,
        higher_is_better=None,
        sql=cases.caseload_per_fte_sql,
        notes=(
            "Cases count at the case's team, FTE at the spell's team.",
            "A team with open cases but no FTE gets no team row; its cases still count for "
            "its organisation and the city.",
            "Quarters from the observation start (earliest `date_report` or registration `date`); "
            "the current, unfinished quarter has no row.",
            "`persons` (for suppression) is the smaller of distinct clients and distinct employees.",
        ),
    ),
    IndicatorSpec(
        id="reach_per_1000",
        title_nl="Bereik per 1.000 inwoners",
        title_en="Reach per 1,000 inhabitants",
        numerator="distinct clients with a case reported in the year",
        denominator="population of the areas held (team/organisation via `areas`; city: all areas) / 1000",
        period="year",
        period_by="year of `date_report` (current year: year-to-date, up to as-of)",
        levels=ALL_LEVELS,
        source_columns=cases.REACH_COLUMNS,
        unit="per_1000",
        legal_basis=None,
        numerator_counts_persons=True,
        persons="clients",
        additive=False,
        higher_is_better=None,
        sql=cases.reach_per_1000_sql,
        notes=(
            "Each client counts once per team, once per organisation and once for the city: "
            "the city is not the sum of its teams.",
            "The current year is included up to as-of, so it is lower than a full year.",
            "A group in which any area lacks its population has no row (denominator unknown).",
            "A team or organisation without any client reported in a year has no row for that year.",
            "Today's area assignment is applied to every year.",
        ),
    ),
    IndicatorSpec(
        id="staff_outflow_rate",
        title_nl="Uitstroom medewerkers",
        title_en="Staff outflow rate",
        numerator=(
            "distinct persons with a spell ending in the year (`end_date` <= as-of) and "
            "`end_reason` not `transfer_internal` (city: not `transfer_other_wijkteam` either; "
            "empty `end_reason` counts)"
        ),
        denominator="distinct persons employed on 1 January of the year (at that organisation; city: anywhere)",
        period="year",
        period_by="year of `end_date` (years whose 1 January <= as-of; current year: year-to-date)",
        levels=ORG_LEVELS,
        source_columns=staff.SPELL_COLUMNS,
        unit="rate",
        legal_basis=None,
        numerator_counts_persons=True,
        persons="employees",
        additive=False,
        higher_is_better=False,
        sql=staff.staff_outflow_rate_sql,
        notes=(
            "As CBS AZW: outflow divided by the stock at the start of the year; leavers hired "
            "during the year count too, so the rate can exceed 1 in a tiny organisation.",
            "A planned `end_date` after as-of is no outflow (still employed).",
            "Years from the observation start (year of the earliest `date_report` or registration "
            "`date`): staff spells reach back before the export window, and earlier years would "
            "count only the survivors.",
            "A move to another wijkteam organisation is outflow for that organisation, not for the city.",
        ),
    ),
    IndicatorSpec(
        id="staff_inflow_rate",
        title_nl="Instroom medewerkers",
        title_en="Staff inflow rate",
        numerator=(
            "distinct persons with a spell starting in the year (<= as-of) who were not employed "
            "the day before (at that organisation; city: at any organisation)"
        ),
        denominator="distinct persons employed on 1 January of the year (same as outflow)",
        period="year",
        period_by="year of `start_date` (years whose 1 January <= as-of; current year: year-to-date)",
        levels=ORG_LEVELS,
        source_columns=staff.SPELL_COLUMNS,
        unit="rate",
        legal_basis=None,
        numerator_counts_persons=True,
        persons="employees",
        additive=False,
        higher_is_better=None,
        sql=staff.staff_inflow_rate_sql,
        notes=(
            "A team change within an organisation is no inflow; a move between organisations "
            "is inflow for the organisation joined, not for the city.",
            "Years from the observation start, as for the outflow rate.",
        ),
    ),
    IndicatorSpec(
        id="vacancy_rate",
        title_nl="Vacatureruimte (formatie min bezetting)",
        title_en="Vacancy rate (formation minus staffing)",
        numerator="`budgeted_fte` - FTE employed on 1 July",
        denominator="`budgeted_fte`",
        period="year",
        period_by="`year` of `formation`, measured on 1 July (only when 1 July <= as-of)",
        levels=ORG_LEVELS,
        source_columns=staff.VACANCY_COLUMNS,
        unit="rate",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="employees",
        additive=True,
        higher_is_better=False,
        sql=staff.vacancy_rate_sql,
        notes=(
            "value = 1 - employed / budgeted. Staffing above formation gives a negative numerator "
            "and value; it is kept, not clipped to 0.",
            "City = sum over organisations with a formation row that year.",
            "Formation years before the observation start give no row.",
        ),
    ),
    IndicatorSpec(
        id="incidental_funding_share",
        title_nl="Aandeel incidentele financiering",
        title_en="Share of incidental funding",
        numerator="`amount_eur` of lines with `funding_type` = `incidental`",
        denominator="all `amount_eur`",
        period="year",
        period_by="`year` of `budgets` (years whose 1 January <= as-of)",
        levels=ORG_LEVELS,
        source_columns=budgets.SOURCE_COLUMNS,
        unit="share",
        legal_basis=None,
        numerator_counts_persons=False,
        persons="none",
        additive=True,
        higher_is_better=None,
        sql=budgets.incidental_funding_share_sql,
        notes=(
            "Money, not persons: never suppressed, and no Wilson interval (euros are not trials).",
        ),
    ),
)

#: indicator_id -> spec, in catalogue order.
INDICATORS: dict[str, IndicatorSpec] = {s.id: s for s in INDICATOR_LIST}


def spec(indicator_id: str) -> IndicatorSpec:
    """The spec of ``indicator_id`` (KeyError naming the known ids otherwise)."""
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator {indicator_id!r}; known: {', '.join(INDICATORS)}") from None


def share_indicators() -> list[str]:
    """Ids of the indicators whose value is a share with a Wilson interval."""
    return [s.id for s in INDICATOR_LIST if s.is_share and s.persons != "none"]


def describe(indicator_id: str) -> dict[str, Any]:
    """A plain dict of the spec (without the function), e.g. for tables in notebooks."""
    s = spec(indicator_id)
    out = {k: getattr(s, k) for k in s.__dataclass_fields__ if k != "sql"}
    out["source_tables"] = s.source_tables
    return out
