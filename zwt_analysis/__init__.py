"""zwt_analysis: read, clean and analyse the exports of a municipality and its wijkteam organisations.

Data flows one way: raw exports (``data/raw``) -> ``clean`` -> processed
Parquet (``data/processed``) -> ``indicators`` -> notebooks -> HTML reports.
"""

__version__ = "0.1.0"
