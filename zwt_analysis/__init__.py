"""zwt_analysis: read, clean and analyse Zaanstad wijkteam exports.

Data flows one way: raw exports (``data/raw``) -> ``clean`` -> processed
Parquet (``data/processed``) -> ``indicators`` -> notebooks -> HTML reports.
"""

__version__ = "0.1.0"
