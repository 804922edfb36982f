"""Presentation: Dutch formats, figure axes, reader tables and page pieces.

Compute modules never import this package; report notebooks and the wings'
``tables``/``plots`` modules do. The names below are the notebook-facing API.
"""

from zwt_analysis.present.axes import dutch_axis, heatmap
from zwt_analysis.present.fmt import dutch_fit_note, nl_date, nl_number, nl_percent, nl_pvalue
from zwt_analysis.present.page import md
from zwt_analysis.present.tables import publishable, show

__all__ = ["dutch_axis", "dutch_fit_note", "heatmap", "md", "nl_date", "nl_number", "nl_percent", "nl_pvalue",
           "publishable", "show"]
