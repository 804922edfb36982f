"""The cao/indexation gap of the places report: the shared :mod:`zwt_analysis.costindex`."""

from zwt_analysis.costindex import fte_effect, mean_gap, yearly_gap

__all__ = ["fte_effect", "mean_gap", "yearly_gap"]
