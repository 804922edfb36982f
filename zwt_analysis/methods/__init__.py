"""Statistical methods a reviewer can trust (issue 15), as pure functions.

- :mod:`~zwt_analysis.methods.trend`: trend tests for shares and other
  series that keep their size on short series, and one verdict per series
  for a whole run (Benjamini-Hochberg over the run's family);
- :mod:`~zwt_analysis.methods.windows`: warm-up, censored ("voorlopig") and
  partial periods, kept out of trends;
- :mod:`~zwt_analysis.methods.family`: the trend family of a long indicator
  table (windows + verdicts in one call);
- :mod:`~zwt_analysis.methods.panel`: two-way fixed-effects regression with
  CR1 and wild cluster restricted bootstrap inference, few-clusters flag,
  Mundlak, Wooldridge serial-correlation and placebo-lead checks;
- :mod:`~zwt_analysis.methods.intervals`: Korn-Graubard intervals for
  clustered hour shares, exact and quasi-Poisson intervals for rates;
- :mod:`~zwt_analysis.methods.reservation`: the flexible reservation as a
  prediction bound for next year.

Every setting lives in ``resources/methods.yaml``; the simulations that set
them are ``make validate`` (:mod:`zwt_analysis.validate`), with their tables
in ``docs/validation.md``.
"""
