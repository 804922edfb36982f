"""Two-way fixed-effects regression with inference that holds with few clusters.

The model is ``y_it = b x_it + a_i + g_t + e_it`` (unit and period fixed
effects, optional controls and weights), estimated by (weighted) least
squares. Inference on ``b``:

- CR1: cluster-robust standard error with the small-sample factor
  ``G/(G-1) (N-1)/(N-K)`` and a t reference with ``G - 1`` degrees of
  freedom. With few clusters it is too narrow (issue 15: 87% coverage with
  10 clusters).
- WCR: the wild cluster *restricted* bootstrap-t (Cameron, Gelbach & Miller
  2008, *Rev. Econ. Stat.* 90:414-427; MacKinnon & Webb 2017, *J. Appl.
  Econometrics* 32:233-254): the null is imposed on the residuals, each
  cluster's residuals are multiplied by one draw of Rademacher (+-1) or
  Webb six-point weights, and the bootstrap distribution of the CR1
  t-statistic gives the p-value; the interval inverts the test. All
  bootstrap statistics are linear in the null value and are computed in the
  G x G cluster space (Roodman, MacKinnon, Nielsen & Webb 2019, *Stata J.*
  19:4-60), so 9999 draws take milliseconds. With Rademacher weights and
  ``2^G <= draws`` all ``2^G`` sign patterns are enumerated.

:func:`mean_group` (the mean of team-specific slopes, t over teams) is a
robustness check when slopes differ between teams.

Checks beside the model: :func:`mundlak_check` (correlated random
effects: do unit means of ``x`` explain ``y``?), :func:`wooldridge_serial`
(Wooldridge 2002, sec. 10.4.1: AR(1) in the idiosyncratic errors) and
:func:`placebo_lead` (does next period's ``x`` "predict" this period's ``y``?).
``few_clusters`` is flagged whenever the clusters are at most
``panel.few_clusters_max`` (``methods.yaml``, 10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from zwt_analysis.methods._config import section

WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


@dataclass(frozen=True)
class FEInference:
    """Estimate of one coefficient with CR1 and wild-cluster-bootstrap inference.

    Attributes:
        term: the regressor.
        estimate: its coefficient (y units per x unit).
        se_cr1, ci_cr1_low, ci_cr1_high, p_cr1: CR1 standard error, interval
            and p-value (t with ``clusters - 1`` df).
        p_wcr, ci_wcr_low, ci_wcr_high: wild cluster restricted bootstrap-t
            p-value (null: coefficient 0) and test-inversion interval.
        n_obs, clusters: observations and clusters used.
        few_clusters: clusters <= the configured maximum (read the WCR interval).
        weights: ``"rademacher"`` or ``"webb"``; ``draws``: bootstrap draws
            (``2^G`` when enumerated).
        notes: Dutch remarks for the reader.
    """

    term: str
    estimate: float
    se_cr1: float
    ci_cr1_low: float
    ci_cr1_high: float
    p_cr1: float
    p_wcr: float
    ci_wcr_low: float
    ci_wcr_high: float
    n_obs: int
    clusters: int
    few_clusters: bool
    weights: str
    draws: int
    notes: list[str] = field(default_factory=list)

    def covers(self, value: float, method: str = "wcr") -> bool:
        """True when ``value`` lies in the WCR (``"wcr"``) or CR1 (``"cr1"``) interval."""
        lo, hi = ((self.ci_wcr_low, self.ci_wcr_high) if method == "wcr"
                  else (self.ci_cr1_low, self.ci_cr1_high))
        return bool(lo <= value <= hi)


@dataclass(frozen=True)
class PanelCheck:
    """A diagnostic test beside the panel model.

    Attributes:
        name: ``"mundlak"``, ``"wooldridge_serial"`` or ``"placebo_lead"``.
        estimate: the tested coefficient (for Wooldridge: the AR coefficient
            of first-differenced residuals; -0.5 under no serial correlation).
        p_value: two-sided p (CR1, t with clusters - 1 df).
        p_wcr: wild-bootstrap p where computed (NaN otherwise).
        flagged: p below alpha (with ``p_wcr`` where present).
        conclusion: one Dutch sentence.
    """

    name: str
    estimate: float
    p_value: float
    p_wcr: float
    flagged: bool
    conclusion: str


class _Partialled:
    """Weighted y and target x with every other regressor partialled out (FWL)."""

    def __init__(self, data: pd.DataFrame, y: str, target: str, others: Sequence[str],
                 cluster: str, time: str | None, weights: str | None,
                 unit_effects: bool = True) -> None:
        cols = [y, target, *others, cluster] + ([time] if time else [])
        cols += [weights] if weights else []
        d = data.dropna(subset=cols)
        if weights:
            d = d.loc[d[weights] > 0]
        sw = np.sqrt(d[weights].to_numpy(dtype="float64")) if weights else np.ones(len(d))
        parts = [np.ones((len(d), 1))]
        if unit_effects:
            parts.append(pd.get_dummies(d[cluster].astype(str), drop_first=True,
                                        dtype="float64").to_numpy())
        if time:
            parts.append(pd.get_dummies(d[time].astype(str), drop_first=True,
                                        dtype="float64").to_numpy())
        parts += [d[[c]].to_numpy(dtype="float64") for c in others]
        z = np.hstack(parts) * sw[:, None]
        zpinv = np.linalg.pinv(z)
        self.resid_maker = lambda v: v - z @ (zpinv @ v)
        self.y = self.resid_maker(d[y].to_numpy(dtype="float64") * sw)
        self.x = self.resid_maker(d[target].to_numpy(dtype="float64") * sw)
        self.groups, _ = pd.factorize(d[cluster])
        self.n = len(d)
        self.k = int(np.linalg.matrix_rank(z)) + 1
        self.g = int(self.groups.max()) + 1 if self.n else 0


def _cr1_factor(n: int, k: int, g: int) -> float:
    return g / (g - 1) * (n - 1) / max(n - k, 1)


def _cr1(p: _Partialled) -> tuple[float, float]:
    """Coefficient and CR1 standard error of the target."""
    sxx = float(p.x @ p.x)
    b = float(p.x @ p.y) / sxx
    scores = np.bincount(p.groups, weights=p.x * (p.y - b * p.x), minlength=p.g)
    return b, math.sqrt(_cr1_factor(p.n, p.k, p.g) * float(scores @ scores)) / sxx


def _weights_matrix(g: int, draws: int, kind: str, seed: int) -> tuple[np.ndarray, str]:
    """G x B cluster weights: all sign patterns (Rademacher, 2^G <= draws) or random draws."""
    if kind == "rademacher" and 2 ** g <= draws:
        codes = np.arange(2 ** g)[None, :] >> np.arange(g)[:, None] & 1
        return 2.0 * codes - 1.0, "rademacher"
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.choice([-1.0, 1.0], size=(g, draws)), "rademacher"
    if kind == "webb":
        return rng.choice(WEBB, size=(g, draws)), "webb"
    raise ValueError(f"bootstrap weights must be 'rademacher' or 'webb', got {kind!r}")


class _WildBootstrap:
    """Bootstrap-t statistics of the restricted wild cluster bootstrap, for any null value."""

    def __init__(self, p: _Partialled, w: np.ndarray) -> None:
        g = p.g
        member = np.zeros((p.n, g))
        member[np.arange(p.n), p.groups] = 1.0
        mh = p.resid_maker(member * p.x[:, None])          # M_Z H, n x G
        k_y = mh.T @ (member * p.y[:, None])                # G x G
        k_x = mh.T @ (member * p.x[:, None])
        self.sxx = float(p.x @ p.x)
        r = member.T @ (p.x * p.x)                          # sum of x^2 per cluster
        self.a1 = (member.T @ (p.x * p.y)) @ w              # B
        self.a2 = r @ w
        self.c = k_y @ w - np.outer(r, self.a1) / self.sxx  # G x B
        self.d = k_x @ w - np.outer(r, self.a2) / self.sxx
        self.factor = _cr1_factor(p.n, p.k, p.g)
        self.b, self.se = _cr1(p)

    def p_value(self, b0: float) -> float:
        """Share of bootstrap |t*| at least the sample |t| for the null ``b = b0``."""
        t = (self.b - b0) / self.se
        num = (self.a1 - b0 * self.a2) / self.sxx
        s = self.c - b0 * self.d
        se = np.sqrt(self.factor * np.sum(s * s, axis=0)) / self.sxx
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = np.where(se > 0, num / se, 0.0)
        return float(np.mean(np.abs(tstar) >= abs(t) - 1e-12))

    def bound(self, alpha: float, side: int) -> float:
        """End of the (1 - alpha) interval on one side (-1 low, +1 high), by bisection."""
        inner = self.b
        step = max(self.se, 1e-12)
        outer = self.b + side * step
        for _ in range(60):
            if self.p_value(outer) < alpha:
                break
            inner, outer = outer, outer + side * step
            step *= 2
        else:
            return side * math.inf
        for _ in range(50):
            mid = (inner + outer) / 2
            if self.p_value(mid) < alpha:
                outer = mid
            else:
                inner = mid
        return (inner + outer) / 2


def _settings(draws: int | None, weights: str | None, few_max: int | None
              ) -> tuple[int, str, int]:
    cfg = section("panel")
    return (int(cfg["bootstrap_draws"] if draws is None else draws),
            str(cfg["bootstrap_weights"] if weights is None else weights),
            int(cfg["few_clusters_max"] if few_max is None else few_max))


def _infer(p: _Partialled, term: str, alpha: float, draws: int, kind: str, seed: int,
           few_max: int) -> FEInference:
    if p.g < 2:
        raise ValueError(f"te weinig clusters voor het model: {p.g} (minimaal 2)")
    if float(p.x @ p.x) <= 1e-12 * max(1.0, p.n):
        raise ValueError(f"{term} varieert niet binnen de vaste effecten; niet te schatten")
    w, kind_used = _weights_matrix(p.g, draws, kind, seed)
    boot = _WildBootstrap(p, w)
    tq = float(stats.t.ppf(1 - alpha / 2, p.g - 1))
    p_cr1 = float(2 * stats.t.sf(abs(boot.b / boot.se), p.g - 1)) if boot.se > 0 else math.nan
    few = p.g <= few_max
    notes = []
    if few:
        notes.append(f"Het model rust op {p.g} clusters. Bij {few_max} of minder clusters is het "
                     "cluster-robuuste (CR1) interval te smal; lees het wild-bootstrapinterval.")
    return FEInference(term=term, estimate=boot.b, se_cr1=boot.se,
                       ci_cr1_low=boot.b - tq * boot.se, ci_cr1_high=boot.b + tq * boot.se,
                       p_cr1=p_cr1, p_wcr=boot.p_value(0.0), ci_wcr_low=boot.bound(alpha, -1),
                       ci_wcr_high=boot.bound(alpha, +1), n_obs=p.n, clusters=p.g,
                       few_clusters=few, weights=kind_used, draws=int(w.shape[1]), notes=notes)


def two_way_fe(data: pd.DataFrame, y: str, x: str, cluster: str, time: str | None,
               weights: str | None = None, controls: Sequence[str] = (),
               alpha: float = 0.05, draws: int | None = None,
               bootstrap_weights: str | None = None, seed: int = 0,
               few_clusters_max: int | None = None) -> FEInference:
    """Coefficient of ``x`` in a regression with cluster (unit) and period fixed effects.

    Args:
        data: one row per unit and period.
        y, x: outcome and regressor columns.
        cluster: the unit column; fixed effects and clusters (e.g. team).
        time: the period column (period fixed effects); None = unit effects only.
        weights: column of analytic weights (e.g. hours); rows with weight
            <= 0 or any missing value are dropped.
        controls: further regressors.
        alpha: 1 - confidence level.
        draws, bootstrap_weights, few_clusters_max: default ``methods.yaml``
            (9999, ``"webb"``, 10); ``"rademacher"`` enumerates ``2^G`` patterns
            when that is at most ``draws``.
        seed: seed of the bootstrap draws (results are reproducible).

    Returns:
        :class:`FEInference` with CR1 and WCR inference.

    Raises:
        ValueError: fewer than 2 clusters, or ``x`` without variation within
            the fixed effects.
    """
    draws, kind, few_max = _settings(draws, bootstrap_weights, few_clusters_max)
    p = _Partialled(data, y, x, list(controls), cluster, time, weights)
    return _infer(p, x, alpha, draws, kind, seed, few_max)


@dataclass(frozen=True)
class MeanGroup:
    """Mean of team-specific slopes (mean-group estimator) with a t interval over teams.

    Attributes:
        estimate: the unweighted mean of the per-cluster slopes.
        se, ci_low, ci_high, p_value: from the spread of the slopes (t with
            ``clusters - 1`` df).
        slopes: per-cluster slope (index: cluster label).
        clusters: clusters with a slope.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    slopes: pd.Series
    clusters: int

    def covers(self, value: float) -> bool:
        """True when ``value`` lies in the interval."""
        return bool(self.ci_low <= value <= self.ci_high)


def mean_group(data: pd.DataFrame, y: str, x: str, cluster: str, time: str | None,
               weights: str | None = None, alpha: float = 0.05) -> MeanGroup:
    """Slope of ``x`` per cluster (common period effects), averaged over clusters.

    Model ``y_it = a_i + g_t + b_i x_it + e_it`` fitted jointly (weighted
    when ``weights``); the estimate is the plain mean of the ``b_i`` with a t
    interval from their spread (Pesaran & Smith 1995, *J. Econometrics*
    68:79-113). It targets the average team's slope and stays valid when
    slopes differ between teams and one team's caseload varies far more than
    the others' (where the pooled slope, CR1 and the wild bootstrap lean on
    that one team). A robustness check beside :func:`two_way_fe`.

    Raises:
        ValueError: fewer than 3 clusters with variation in ``x``.
    """
    cols = [y, x, cluster] + ([time] if time else []) + ([weights] if weights else [])
    d = data.dropna(subset=cols)
    if weights:
        d = d.loc[d[weights] > 0]
    sw = np.sqrt(d[weights].to_numpy(dtype="float64")) if weights else np.ones(len(d))
    teams = pd.get_dummies(d[cluster].astype(str), dtype="float64")
    xv = d[x].to_numpy(dtype="float64")
    parts = [teams.to_numpy(), teams.to_numpy() * xv[:, None]]
    if time:
        parts.append(pd.get_dummies(d[time].astype(str), drop_first=True,
                                    dtype="float64").to_numpy())
    z = np.hstack(parts) * sw[:, None]
    coef, *_ = np.linalg.lstsq(z, d[y].to_numpy(dtype="float64") * sw, rcond=None)
    g = teams.shape[1]
    slopes = pd.Series(coef[g:2 * g], index=teams.columns)
    varies = d.groupby(d[cluster].astype(str))[x].std().reindex(teams.columns).fillna(0) > 1e-12
    slopes = slopes[varies.to_numpy()]
    k = len(slopes)
    if k < 3:
        raise ValueError(f"te weinig clusters met variatie in {x}: {k} (minimaal 3)")
    est = float(slopes.mean())
    se = float(slopes.std(ddof=1)) / math.sqrt(k)
    tq = float(stats.t.ppf(1 - alpha / 2, k - 1))
    p = float(2 * stats.t.sf(abs(est / se), k - 1)) if se > 0 else math.nan
    return MeanGroup(est, se, est - tq * se, est + tq * se, p, slopes, k)


def mundlak_check(data: pd.DataFrame, y: str, x: str, cluster: str, time: str | None,
                  weights: str | None = None, alpha: float = 0.05, draws: int | None = None,
                  seed: int = 0) -> PanelCheck:
    """Correlated-random-effects (Mundlak 1978) check: ``y ~ x + mean_i(x) [+ period]``.

    Without unit fixed effects, the coefficient on the unit mean of ``x``
    measures how much between-unit differences in ``x`` go with ``y`` beyond
    the within-unit slope. When it differs from 0, a random-effects model
    (or the mixed model) would be biased and only the fixed-effects slope
    is to be read. Clustered by unit; CR1 and WCR p-values.

    Returns:
        :class:`PanelCheck` ``"mundlak"`` with the coefficient on the unit mean.
    """
    draws, kind, few_max = _settings(draws, None, None)
    d = data.assign(_xbar=data.groupby(cluster)[x].transform("mean"))
    p = _Partialled(d, y, "_xbar", [x], cluster, time, weights, unit_effects=False)
    inf = _infer(p, "_xbar", alpha, draws, kind, seed, few_max)
    flagged = bool(inf.p_wcr < alpha)
    text = ("De teamgemiddelden van de verklarende variabele hangen samen met de uitkomst: "
            "alleen de schatting binnen teams (vaste effecten) is te lezen."
            if flagged else
            "Geen aanwijzing dat verschillen tussen teams de schatting vertekenen "
            "(vaste en willekeurige teameffecten komen overeen).")
    return PanelCheck("mundlak", inf.estimate, inf.p_cr1, inf.p_wcr, flagged, text)


def wooldridge_serial(data: pd.DataFrame, y: str, x: str, cluster: str, time: str,
                      alpha: float = 0.05) -> PanelCheck:
    """Wooldridge (2002) test for AR(1) errors in a fixed-effects panel.

    First differences within each unit (consecutive rows in ``time``
    order), ``dy`` on ``dx`` with period effects; the residuals ``u`` are
    regressed on their own lag within the unit. With serially uncorrelated
    errors the coefficient is -0.5; the test uses a CR1 standard error by
    unit and t with ``units - 1`` df.

    Returns:
        :class:`PanelCheck` ``"wooldridge_serial"`` (``estimate`` = the AR
        coefficient; flagged when it differs from -0.5).
    """
    d = data.dropna(subset=[y, x, cluster, time]).sort_values([cluster, time])
    grp = d.groupby(cluster, sort=False)
    fd = d.assign(_dy=grp[y].diff(), _dx=grp[x].diff()).dropna(subset=["_dy", "_dx"])
    p = _Partialled(fd, "_dy", "_dx", [], cluster, time, None, unit_effects=False)
    b, _ = _cr1(p)
    fd = fd.assign(_u=p.y - b * p.x)
    fd = fd.assign(_ulag=fd.groupby(cluster, sort=False)["_u"].shift()).dropna(subset=["_ulag"])
    u, ulag = fd["_u"].to_numpy(), fd["_ulag"].to_numpy()
    groups, _ = pd.factorize(fd[cluster])
    g = int(groups.max()) + 1 if len(fd) else 0
    if g < 2 or float(ulag @ ulag) <= 0:
        return PanelCheck("wooldridge_serial", math.nan, math.nan, math.nan, False,
                          "Te weinig gegevens voor de toets op autocorrelatie.")
    s = float(ulag @ ulag)
    rho = float(ulag @ u) / s
    scores = np.bincount(groups, weights=ulag * (u - rho * ulag), minlength=g)
    se = math.sqrt(_cr1_factor(len(u), 1, g) * float(scores @ scores)) / s
    pv = float(2 * stats.t.sf(abs((rho + 0.5) / se), g - 1)) if se > 0 else math.nan
    flagged = bool(pv < alpha)
    text = ("De fouten zijn over kwartalen binnen teams gecorreleerd; alleen intervallen die per "
            "team clusteren (zoals hier) zijn bruikbaar." if flagged else
            "Geen aanwijzing voor autocorrelatie van de fouten binnen teams.")
    return PanelCheck("wooldridge_serial", rho, pv, math.nan, flagged, text)


def placebo_lead(data: pd.DataFrame, y: str, x: str, cluster: str, time: str,
                 weights: str | None = None, alpha: float = 0.05, draws: int | None = None,
                 seed: int = 0) -> PanelCheck:
    """Placebo: next period's ``x`` added to the two-way FE model should have no effect.

    The lead is ``x`` of the unit's next row in ``time`` order (the unit's
    last row drops out). A clear lead coefficient suggests reverse causation
    or anticipation rather than an effect of ``x`` on ``y``.

    Returns:
        :class:`PanelCheck` ``"placebo_lead"`` with the lead's coefficient.
    """
    draws, kind, few_max = _settings(draws, None, None)
    d = data.sort_values([cluster, time])
    d = d.assign(_lead=d.groupby(cluster, sort=False)[x].shift(-1)).dropna(subset=["_lead"])
    p = _Partialled(d, y, "_lead", [x], cluster, time, weights)
    inf = _infer(p, "_lead", alpha, draws, kind, seed, few_max)
    flagged = bool(inf.p_wcr < alpha)
    text = ("De waarde van het volgende kwartaal 'voorspelt' de uitkomst: het verband is "
            "mogelijk omgekeerd of verstoord." if flagged else
            "De placebotoets (volgend kwartaal) vindt geen verband, zoals verwacht.")
    return PanelCheck("placebo_lead", inf.estimate, inf.p_cr1, inf.p_wcr, flagged, text)


def panel_checks(data: pd.DataFrame, y: str, x: str, cluster: str, time: str,
                 weights: str | None = None, alpha: float = 0.05, draws: int | None = None,
                 seed: int = 0) -> list[PanelCheck]:
    """:func:`mundlak_check`, :func:`wooldridge_serial` and :func:`placebo_lead` in one list."""
    return [mundlak_check(data, y, x, cluster, time, weights, alpha, draws, seed),
            wooldridge_serial(data, y, x, cluster, time, alpha),
            placebo_lead(data, y, x, cluster, time, weights, alpha, draws, seed)]
