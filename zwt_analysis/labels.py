"""Reader labels for the whole city and for organisations, in one place.

The indicator tables call the city ``ALL`` (organisation and team). Reports
name it in a few fixed forms; every report takes them from here so that the
same thing is called the same way everywhere.

Examples:
    >>> org_name("ALL"), org_name("Noord")
    ('Gemeente', 'Noord')
    >>> org_in_sentence("ALL")
    'de gemeente (alle organisaties)'
    >>> org_heading("ALL")
    'Gemeente (alle organisaties)'
"""

from __future__ import annotations

from zwt_analysis.contract import ALL

#: The city as a short name (table cells, legends).
CITY = "Gemeente"
#: The city as a heading of a panel or figure.
CITY_HEADING = "Gemeente (alle organisaties)"
#: The city inside a sentence.
CITY_IN_SENTENCE = "de gemeente (alle organisaties)"
#: The city in a report's header line ("Organisatie: ...").
CITY_IN_HEADER = "de hele gemeente (alle organisaties)"
#: The city in the run index.
CITY_IN_INDEX = "Hele gemeente"
#: The city as the sum of its organisations (scenario panels).
CITY_AS_SUM = "Gemeente (som organisaties)"


def org_name(org: str) -> str:
    """Short name: the city is :data:`CITY`."""
    return CITY if org == ALL else org


def org_heading(org: str) -> str:
    """Panel or figure heading: the city is :data:`CITY_HEADING`."""
    return CITY_HEADING if org == ALL else org


def org_in_sentence(org: str) -> str:
    """Inside a sentence: the city is :data:`CITY_IN_SENTENCE`."""
    return CITY_IN_SENTENCE if org == ALL else org
