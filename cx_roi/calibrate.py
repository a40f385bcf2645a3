"""Calibration: fit the model to what a company has seen.

Two tools:

* :func:`fit_bass` fits the classic Bass diffusion model (market size ``m``,
  innovation ``p``, imitation ``q``) to new adopters per period by nonlinear
  least squares, with standard errors, a covariance matrix, confidence
  intervals, R², MAPE and RMSE. Its default form is Srinivasan and Mason's
  (1986): adopters in period t are m [F(t) - F(t-1)] with the continuous Bass
  F; ``form="hazard"`` is the form cx_roi's monthly engine uses. By default
  it assumes multiplicative noise (least squares on log adopters);
  ``errors="additive"`` is the classic least squares on adopters, which
  reproduces published fits; see tests/test_calibrate.py for the data sets
  and figures.
* :func:`fit_history` fits cx_roi's own monthly engine to a company's
  history (:func:`cx_roi.read_history`): it runs the simulation on the
  history's actual monthly spends and finds the parameters that the history
  can identify, keeps the rest at their defaults, and says which is which and
  why. It returns a validated :class:`cx_roi.Scenario` to plan from, with
  diagnostics: fitted against actual by month, R² and MAPE, a holdout check
  on the last months, and standard errors.

Standard errors are the usual nonlinear least-squares ones, s² (JᵀJ)⁻¹ at the
optimum, on the scale fitted (log adopters for :func:`fit_bass`'s default
multiplicative errors). In :func:`fit_history` each series (new customers, churned
customers, NPS, contacts) is weighted by the inverse of its own residual
spread, estimated from a first fit, so the standard errors assume independent
errors month to month within each series. They describe how precisely the
data pin a parameter down *given the model*; they do not include the model's
own misspecification.
"""

from __future__ import annotations

import math
import os
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import least_squares

from .errors import ScenarioError
from .history import MIN_MONTHS_TO_FIT, History, HistoryError, read_history
from .parameters import PARAMETERS
from .scenario import MAX_SCHEDULE_MONTHS, Scenario
from .simulation import simulate_batch

__all__ = [
    "fit_bass", "BassFit", "bass_cumulative", "bass_adopters", "fit_history", "HistoryFit", "Holdout",
    "MIN_MONTHS_TO_FIT", "DEFAULT_HOLDOUT_MONTHS",
]

DEFAULT_HOLDOUT_MONTHS = 6
"""Months kept back for the holdout check (12 when the history has 48 months or more)."""

BassForm = Literal["interval", "density", "discrete", "hazard"]
BassErrors = Literal["additive", "multiplicative"]
_BASS_FORMS = ("interval", "density", "discrete", "hazard")
_BASS_ERRORS = ("additive", "multiplicative")
_PARAMS = ("m", "p", "q")


# ===================================================================== Bass

def bass_cumulative(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Continuous Bass F(t) = (1 - e^-(p+q)t) / (1 + (q/p) e^-(p+q)t), share of the market adopted by t."""
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_adopters(periods: int | np.ndarray, m: float, p: float, q: float, form: BassForm = "interval") -> np.ndarray:
    """New adopters in periods 1..T (or the given periods) under the Bass model.

    ``form``:

    * ``"interval"``: m [F(t) - F(t-1)], adopters during period t with the
      continuous Bass F (Srinivasan and Mason 1986);
    * ``"density"``: m f(t), the adoption rate at the instant t (a common
      approximation);
    * ``"discrete"``: the difference equation
      n_t = (p + q N_{t-1}/m)(m - N_{t-1}), run from N_0 = 0 (Bass's own
      discrete form, the one his 1969 regression estimates);
    * ``"hazard"``: n_t = (1 - exp(-(p + q N_{t-1}/m))) (m - N_{t-1}), run
      from N_0 = 0: each of the m - N_{t-1} who have not adopted adopts during
      the period with probability 1 - e^-h, h = p + q N_{t-1}/m the
      period's cumulative hazard (the form cx_roi's monthly engine uses, where
      adoption competes with the other ways out of the pool). It never
      overshoots the market, and for small h it is the discrete form.

    ``m`` in adopters; ``p`` (innovation) and ``q`` (imitation) are rates per
    period in every form (per month for monthly data). The two recursive forms
    need the periods 1..T.
    """
    t = np.arange(1, int(periods) + 1, dtype=float) if np.isscalar(periods) else np.asarray(periods, float)
    if form == "interval":
        return m * (bass_cumulative(t, p, q) - bass_cumulative(t - 1.0, p, q))
    if form == "density":
        e = np.exp(-(p + q) * t)
        return m * ((p + q) ** 2 / p) * e / (1.0 + (q / p) * e) ** 2
    if form in ("discrete", "hazard"):
        steps = np.rint(t).astype(int)
        if np.any(steps != np.arange(1, len(t) + 1)):
            raise ValueError(f"the {form} form needs periods 1..T")
        # Python floats: for a few dozen periods the loop is faster than numpy's scalars.
        m_, p_, q_ = float(m), float(p), float(q)
        out = [0.0] * len(t)
        n_cum = 0.0
        hazard = form == "hazard"
        for i in range(len(t)):
            h = p_ + q_ * n_cum / m_
            # -expm1(-h) = 1 - e^-h without losing digits when h is small.
            out[i] = (-math.expm1(-h) if hazard else h) * (m_ - n_cum)
            n_cum += out[i]
        return np.array(out, dtype=float)
    raise ValueError(f"form: got {form!r}; expected 'interval', 'density', 'discrete' or 'hazard'")


def _nan_cov() -> pd.DataFrame:
    return pd.DataFrame(np.full((3, 3), math.nan), index=list(_PARAMS), columns=list(_PARAMS))


@dataclass(frozen=True)
class BassFit:
    """A fitted Bass model. ``m`` in the data's units (adopters); ``p``, ``q`` per period.

    ``errors``: the error model the fit assumed (see :func:`fit_bass`).
    ``cov``: the 3 x 3 covariance matrix of (m, p, q) in natural units
    (a DataFrame labelled m, p, q; NaN for the OLS method); for the
    multiplicative fit it is the delta-method image of the covariance of
    (log m, log p, log q), the scale that fit works on.
    ``standard_errors``: the square roots of its diagonal, as a dict.
    :meth:`conf_int` gives confidence intervals.
    ``residual_se``: sqrt(RSS / dof) on the scale fitted: adopters for the
    additive fit, log adopters (roughly the relative error) for the
    multiplicative one; ``dof``: periods fitted less 3. ``r2``, ``mape``
    (share, over periods with adopters), ``rmse`` (adopters) compare ``fitted``
    with ``actual`` in adopters whatever the error model.
    ``excluded_periods``: periods (1 = first) left out of the fit: periods
    with no adopters, which have no logarithm, in the multiplicative fit.
    """

    m: float
    p: float
    q: float
    standard_errors: dict[str, float]
    form: str
    method: str
    actual: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    r2: float
    mape: float
    rmse: float
    residual_se: float
    errors: str = "additive"
    cov: pd.DataFrame = field(default_factory=_nan_cov, repr=False)
    dof: int = 0
    excluded_periods: tuple[int, ...] = ()

    @property
    def peak_period(self) -> float:
        """Period of peak adoption, ln(q/p)/(p+q) (continuous model; may be negative when p > q)."""
        return math.log(self.q / self.p) / (self.p + self.q) if self.p > 0 and self.q > 0 else float("nan")

    def predict(self, periods: int | np.ndarray) -> np.ndarray:
        """Adopters in periods 1..``periods`` (or the given periods) with the fitted parameters."""
        return bass_adopters(periods, self.m, self.p, self.q, self.form)  # type: ignore[arg-type]

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """(1 - ``alpha``) confidence intervals: one row per parameter (m, p, q), columns lower, upper.

        Wald intervals with Student's t quantile on ``dof`` degrees of freedom.
        The additive fit's are symmetric, estimate ± t SE. The multiplicative
        fit's are worked out on the log scale it fits, exp(log estimate ± t
        SE(log estimate)), and so are never negative. NaN for the OLS method.
        """
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha: got {alpha!r}; expected a number between 0 and 1")
        est = np.array([self.m, self.p, self.q])
        se = np.sqrt(np.clip(np.diag(self.cov.to_numpy(float)), 0.0, None))
        t = float(stats.t.ppf(1.0 - alpha / 2.0, max(self.dof, 1)))
        if self.errors == "multiplicative":
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                half = t * se / est  # SE of log estimate (delta method: SE / estimate)
                lower, upper = est * np.exp(-half), est * np.exp(half)
        else:
            lower, upper = est - t * se, est + t * se
        return pd.DataFrame({"lower": lower, "upper": upper}, index=pd.Index(list(_PARAMS), name="parameter"))

    def summary(self) -> pd.DataFrame:
        """One row per parameter: estimate, standard error, unit."""
        return pd.DataFrame({
            "estimate": [self.m, self.p, self.q],
            "standard_error": [self.standard_errors[k] for k in _PARAMS],
            "unit": ["adopters", "per period", "per period"],
        }, index=pd.Index(list(_PARAMS), name="parameter"))


def fit_bass(new_adopters: Sequence[float] | np.ndarray | pd.Series, *, form: BassForm = "interval",
             method: Literal["nls", "ols"] = "nls", start: tuple[float, float, float] | None = None,
             errors: BassErrors = "multiplicative") -> BassFit:
    """Fit m, p, q of the Bass model to new adopters per period (period 1 first).

    ``method="nls"`` (default) fits adopters per period under ``form`` (see
    :func:`bass_adopters`: ``"interval"`` is Srinivasan and Mason's 1986
    estimator, ``"hazard"`` the form cx_roi's monthly engine uses; p and q
    are per period) with scipy's least_squares, from ``start`` = (m, p, q) or
    from Bass's own regression when it gives a usable start, trying a few
    fallbacks otherwise and keeping the best.

    ``errors`` is the error model, which decides what is minimised and what
    the standard errors mean:

    * ``"multiplicative"`` (default): adopters = model x e^ε, ε independent
      with a constant spread, i.e. the noise is a share of the level, as it
      usually is for counts that rise and fall over orders of magnitude.
      Minimises the squared log residuals log(fitted) - log(actual).
      Periods with no adopters have no logarithm: they are left out of the
      fit and listed in ``excluded_periods`` (so zeros at the start or end of
      a series neither break nor drive the fit; at least 5 periods with
      adopters are needed). Standard errors and intervals are computed on
      the log scale, so intervals stay positive.
    * ``"additive"``: adopters = model + ε with a constant spread; the
      classic nonlinear least squares on adopters of the published fits
      (R's nls, Srinivasan and Mason). Its standard errors, s² (JᵀJ)⁻¹,
      assume that constant spread; when the noise grows with the level they
      are too small (with 5% multiplicative noise on 30-40 periods, its 95%
      intervals cover the true m, p and q about 81% of the time; the
      default's about 95%, as tests/test_calibrate.py checks).

    ``method="ols"`` is Bass's (1969) original estimator: the linear
    regression n_t = a + b N_{t-1} + c N_{t-1}² on the data's cumulative
    adopters, solved for m, p, q (no standard errors; ``errors`` and ``form``
    do not apply).

    Raises :class:`cx_roi.HistoryError` when the data cannot be fitted (fewer
    than 5 periods, or 5 with adopters for the multiplicative fit; negative or
    non-finite values; no adopters).
    """
    y = _adopter_series(new_adopters)
    t = np.arange(1, len(y) + 1, dtype=float)
    if method == "ols":
        m, p, q = _bass_ols(y)
        if not (np.isfinite([m, p, q]).all() and m > 0):
            raise HistoryError(["Bass's regression finds no market size for these data (the quadratic in "
                                "cumulative adopters has no positive root); use method='nls'"])
        fitted = _discrete_on_data(y, m, p, q)
        return _bass_result(y, fitted, m, p, q, _nan_cov(), "discrete", "ols", "additive", np.ones(len(y), bool))
    if method != "nls":
        raise ValueError(f"method: got {method!r}; expected 'nls' or 'ols'")
    if form not in _BASS_FORMS:
        raise ValueError(f"form: got {form!r}; expected 'interval', 'density', 'discrete' or 'hazard'")
    if errors not in _BASS_ERRORS:
        raise ValueError(f"errors: got {errors!r}; expected 'multiplicative' or 'additive'")

    multiplicative = errors == "multiplicative"
    used = y > 0 if multiplicative else np.ones(len(y), bool)
    if int(used.sum()) < 5:
        raise HistoryError([f"the multiplicative fit needs at least 5 periods with adopters (periods with none "
                            f"have no logarithm), got {int(used.sum())}; use errors='additive'"])
    log_y = np.log(y[used]) if multiplicative else y

    total = float(y.sum())
    scale = np.array([max(total, 1.0), 1.0, 1.0])

    def residuals(u: np.ndarray) -> np.ndarray:
        m, p, q = np.exp(u) * scale
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            f = bass_adopters(t, m, p, q, form)
            r = np.log(f[used]) - log_y if multiplicative else f - y
        return np.where(np.isfinite(r), r, 1e30)

    starts: list[tuple[float, float, float]] = []
    if start is not None:
        starts.append(tuple(float(v) for v in start))  # type: ignore[arg-type]
    m0, p0, q0 = _bass_ols(y)
    if np.isfinite([m0, p0, q0]).all() and m0 > total * 0.5 and 0 < p0 < 1 and 0 < q0 < 3:
        starts.append((m0, p0, q0))
    starts += [(1.5 * total, 0.01, 0.3), (3.0 * total, 0.003, 0.5), (1.2 * total, 0.05, 0.1)]
    best = None
    for m_s, p_s, q_s in starts:
        if not (m_s > 0 and p_s > 0 and q_s > 0):
            continue
        u0 = np.log(np.array([m_s, p_s, q_s]) / scale)
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", RuntimeWarning)
            sol = least_squares(residuals, u0, method="lm", xtol=1e-13, ftol=1e-13, gtol=1e-13, max_nfev=5000)
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    theta = np.exp(best.x) * scale
    m, p, q = theta
    fitted = bass_adopters(t, m, p, q, form)
    # The fit works on u = log(theta / scale), so least_squares' Jacobian is d r / d log theta:
    # s² (JᵀJ)⁻¹ is the covariance of log theta, and D cov D with D = diag(theta) that of theta.
    dof = max(int(used.sum()) - 3, 1)
    r = residuals(best.x)
    sigma2 = float(r @ r) / dof
    cov_log = _nls_covariance(best.jac, sigma2)
    cov = pd.DataFrame(cov_log * np.outer(theta, theta), index=list(_PARAMS), columns=list(_PARAMS))
    return _bass_result(y, fitted, m, p, q, cov, form, "nls", errors, used)


def _adopter_series(values: Any) -> np.ndarray:
    try:
        y = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise HistoryError(["new adopters must be numbers, one per period"]) from None
    problems = []
    if len(y) < 5:
        problems.append(f"fit_bass needs at least 5 periods of new adopters (3 parameters and room for error), "
                        f"got {len(y)}")
    bad = np.flatnonzero(~np.isfinite(y))
    if len(bad):
        problems.append(f"period(s) {', '.join(str(i + 1) for i in bad[:10])} are not finite numbers")
    neg = np.flatnonzero(np.isfinite(y) & (y < 0))
    if len(neg):
        problems.append(f"period(s) {', '.join(str(i + 1) for i in neg[:10])} are negative; adopters cannot be")
    if not problems and y.sum() <= 0:
        problems.append("there are no adopters at all to fit")
    if problems:
        raise HistoryError(problems)
    return y


def _bass_ols(y: np.ndarray) -> tuple[float, float, float]:
    """Bass (1969): n_t = a + b N_{t-1} + c N_{t-1}^2; m is the positive root of a + b N + c N^2 = 0."""
    cum_prev = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    x = np.column_stack([np.ones_like(cum_prev), cum_prev, cum_prev ** 2])
    (a, b, c), *_ = np.linalg.lstsq(x, y, rcond=None)
    if c >= 0 or b * b - 4 * a * c < 0:
        return math.nan, math.nan, math.nan
    m = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * c)
    if m <= 0:
        return math.nan, math.nan, math.nan
    return m, a / m, -c * m


def _discrete_on_data(y: np.ndarray, m: float, p: float, q: float) -> np.ndarray:
    cum_prev = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    return (p + q * cum_prev / m) * (m - cum_prev)


def _nls_covariance(jac: np.ndarray, sigma2: float) -> np.ndarray:
    """s² (JᵀJ)⁻¹, the usual nonlinear least-squares covariance (pseudo-inverse when JᵀJ is singular)."""
    jtj = jac.T @ jac
    try:
        return np.linalg.inv(jtj) * sigma2
    except np.linalg.LinAlgError:
        return np.linalg.pinv(jtj) * sigma2


def _standard_errors(jac: np.ndarray, sigma2: float) -> np.ndarray:
    diag = np.diag(_nls_covariance(jac, sigma2))
    return np.sqrt(np.where(diag >= 0, diag, np.nan))


def _bass_result(y, fitted, m, p, q, cov, form, method, errors, used) -> BassFit:
    fitted = np.asarray(fitted, float)
    resid = fitted - y
    rss = float(resid @ resid)
    tss = float(((y - y.mean()) ** 2).sum())
    pos = y > 0
    dof = max(int(used.sum()) - 3, 1)
    if errors == "multiplicative":
        with np.errstate(divide="ignore", invalid="ignore"):
            log_resid = np.log(fitted[used]) - np.log(y[used])
        residual_se = math.sqrt(float(log_resid @ log_resid) / dof)
    else:
        residual_se = math.sqrt(rss / dof)
    diag = np.diag(cov.to_numpy(float))
    se = {k: float(math.sqrt(v)) if v >= 0 else math.nan for k, v in zip(_PARAMS, diag)}
    return BassFit(float(m), float(p), float(q), se, form, method, y.copy(), fitted,
                   1.0 - rss / tss if tss > 0 else math.nan,
                   float(np.mean(np.abs(resid[pos]) / y[pos])) if pos.any() else math.nan,
                   math.sqrt(rss / len(y)), residual_se, errors, cov, dof,
                   tuple(int(i) + 1 for i in np.flatnonzero(~used)))


# ===================================================================== history

# Share of service spend that buys agents; the rest goes to quality (training,
# tools). A history gives one service total; the split is the default company's.
_CAPACITY_SHARE = (PARAMETERS["service_capacity_spend_per_month"].default
                   / (PARAMETERS["service_capacity_spend_per_month"].default
                      + PARAMETERS["service_quality_spend_per_month"].default))

_KEEP_REASONS: dict[str, str] = {
    "ad_half_saturation_per_month": "the shape of the ad response needs spend varied far more widely than "
                                    "histories do; only its scale (maximum ad-driven adoption) is fitted",
    "ad_hill_shape": "as above: the curve's shape is not identified by a few years of spend",
    "adstock_decay": "carry-over and response scale trade off in monthly totals; kept at the default",
    "churn_involuntary": "involuntary churn cannot be told apart from voluntary churn in monthly totals",
    "offline_audience": "reach, stories and conversion enter only as a product; fitted as "
                        "positive_conversion_per_impression",
    "online_share": "as above (word of mouth is fitted through positive_conversion_per_impression)",
    "online_audience": "as above (word of mouth is fitted through positive_conversion_per_impression)",
    "promoter_stories_per_month": "as above (word of mouth is fitted through positive_conversion_per_impression)",
    "detractor_stories_per_month": "negative word of mouth and deterrence are not separately visible in "
                                   "monthly totals",
    "stories_per_churned_customer": "as above",
    "negative_deterrence_per_impression": "as above",
    "deterred_recovery_per_month": "as above",
    "survey_inflation": "survey bias cannot be told apart from true sentiment with survey data alone",
}
_GROUP_REASONS: dict[str, str] = {
    "service": "queue settings are not in a monthly history",
    "quality": "first-contact resolution is not in a monthly history",
    "sentiment": "contact-level experience is not in a monthly history",
    "churn": "kept at the default",
    "wom": "kept at the default",
    "ads": "kept at the default",
    "market": "a planning input, not in the history",
    "money": "a planning input, not in the history",
}


@dataclass(frozen=True)
class Holdout:
    """The forecast check: parameters fitted on the first ``fitted_on`` months, then the
    model run on the actual spends of all months, compared on the last ``months``.

    ``mape_*`` are mean absolute percentage errors (shares) over those months;
    ``monthly`` has actual and forecast columns for them; ``parameters`` the
    values fitted on the shorter history.
    """

    months: int
    fitted_on: int
    mape_customers: float
    mape_new_customers: float
    mape_churned: float
    monthly: pd.DataFrame
    parameters: dict[str, float]


@dataclass(frozen=True)
class HistoryFit:
    """What :func:`fit_history` found.

    ``scenario``: a validated Scenario to plan from, starting where the history
    ends (today's customers and sentiment mix, last-12-month average spends,
    the carry-over of past advertising, the fitted parameters); ``replay``:
    the Scenario that re-runs the history month by month (its spends as
    schedules), from which ``monthly`` comes.

    ``parameters``: one row per scenario field the fit touched, with
    ``value``, ``standard_error`` (NaN unless fitted), ``status`` ("fitted",
    "from data" or "default") and ``note`` (how, or why not);
    ``fitted``/``standard_errors``: the fitted values and their standard
    errors by field; ``not_fitted``: field -> why it kept its default.

    ``monthly``: by month, ``period`` and actual vs model for customers,
    new_customers, churned_customers (and nps, contacts when given), as
    ``<column>`` and ``<column>_fit``. ``metrics``: ``r2_customers``,
    ``r2_new_customers``, ``r2_churned``, ``mape_customers``,
    ``mape_new_customers``, ``mape_churned`` (shares), ``rmse_new_customers``,
    and ``mae_nps`` (points) / ``mape_contacts`` when given.
    ``holdout``: see :class:`Holdout`. ``warnings``: weakly identified
    parameters and assumptions a user should know.
    """

    scenario: Scenario
    replay: Scenario
    parameters: pd.DataFrame
    fitted: dict[str, float]
    standard_errors: dict[str, float]
    not_fitted: dict[str, str]
    monthly: pd.DataFrame
    metrics: dict[str, float]
    holdout: Holdout | None
    warnings: tuple[str, ...] = ()


@dataclass
class _Problem:
    """The least-squares problem of one history: free parameters, data, weights."""

    base: Scenario
    names: list[str]
    log: list[bool]
    lo: np.ndarray
    hi: np.ndarray
    series: dict[str, np.ndarray]
    sigma: dict[str, float]
    churn_mode: str
    passive_weight: float

    def natural(self, u: np.ndarray) -> np.ndarray:
        return np.where(self.log, np.exp(u), u)

    def draws(self, us: np.ndarray) -> dict[str, np.ndarray]:
        """(n, k) coordinates -> per-draw scenario fields."""
        x = np.where(self.log, np.exp(us), us)
        out: dict[str, np.ndarray] = {}
        for j, name in enumerate(self.names):
            if name == "churn_scale":
                for band in ("promoter", "passive", "detractor"):
                    out[f"churn_{band}"] = x[:, j] * getattr(self.base, f"churn_{band}")
            else:
                out[name] = x[:, j]
        if self.churn_mode == "sentiment":
            p, d = out["churn_promoter"], out["churn_detractor"]
            out["churn_passive"] = p + self.passive_weight * (d - p)
        for k, v in out.items():
            spec = PARAMETERS[k]
            out[k] = np.clip(v, spec.minimum, spec.maximum)
        return out

    def run(self, us: np.ndarray, columns: Sequence[str]) -> dict[str, np.ndarray]:
        batch = simulate_batch(self.base, draws=self.draws(np.atleast_2d(us)), columns=columns)
        return batch.monthly

    def residuals_from(self, monthly: Mapping[str, np.ndarray], i: int) -> np.ndarray:
        parts = []
        for key, y in self.series.items():
            model = _model_series(monthly, key)[i]
            ok = np.isfinite(y)
            parts.append((model[ok] - y[ok]) / self.sigma[key])
        return np.concatenate(parts)


_RUN_COLUMNS = ("new_from_ads", "new_from_wom", "churned", "nps_measured", "contacts", "customers",
                "promoters", "detractors", "adstock")


def _model_series(monthly: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    if key == "new_customers":
        return monthly["new_from_ads"] + monthly["new_from_wom"]
    if key == "churned_customers":
        return monthly["churned"]
    if key == "nps":
        return monthly["nps_measured"]
    return monthly[key]


def _whole(value: Any) -> bool:
    """A whole number of months: an int, or a float with no fraction (not a bool, text or NaN)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer()


def fit_history(history: History | pd.DataFrame | str | os.PathLike | bytes, *,
                holdout_months: int | None = None, horizon_months: int = 60,
                base: Scenario | None = None) -> HistoryFit:
    """Fit cx_roi's monthly model to a company's history.

    ``history``: a :class:`cx_roi.History` (from :func:`cx_roi.read_history`),
    a path or bytes of a history file, or a DataFrame with the history
    columns. ``base``: the scenario whose values are kept for what the
    history cannot identify (default: ``Scenario()``).

    Fitted (nonlinear least squares on new customers, churned customers, and
    NPS and contacts when given, the simulation run on the history's own
    monthly spends):

    * ``market_size`` and the word-of-mouth conversion
      (``positive_conversion_per_impression``): word of mouth and how much
      of the market is left;
    * advertising's response scale (``ad_max_innovation_per_month``);
    * churn: with NPS (or promoter/detractor shares), the promoters' and
      detractors' monthly churn (passives' kept between them as in the
      defaults) and the product value that sets the sentiment level;
      without, one factor scaling all three by-sentiment churn rates;
    * with contacts, contacts per customer per month.

    Set from the data directly: customers at the start, spends (the service
    total split into capacity and quality like the defaults), average handle
    time, cost per agent (service capacity spend / agents) and ARPU when those
    columns exist, and the sentiment mix at the start when shares are given.

    ``holdout_months`` (default 6, or 12 for 48 months or more; 0 to skip):
    months kept back to check the forecast. ``horizon_months``: horizon of the
    returned planning scenario. Raises :class:`cx_roi.HistoryError` when the
    history has fewer than :data:`MIN_MONTHS_TO_FIT` months or cannot be fitted.
    """
    hist = _as_history(history)
    warnings: list[str] = []
    n = hist.months
    if n < MIN_MONTHS_TO_FIT:
        raise HistoryError([f"the history has {n} months; fitting needs at least {MIN_MONTHS_TO_FIT} "
                            f"({MIN_MONTHS_TO_FIT - DEFAULT_HOLDOUT_MONTHS} to fit on and "
                            f"{DEFAULT_HOLDOUT_MONTHS} to check the forecast against); 36 or more give "
                            "usable standard errors"], source=hist.source)
    if n > MAX_SCHEDULE_MONTHS:
        warnings.append(f"the history has {n} months; the model runs at most {MAX_SCHEDULE_MONTHS}, so the "
                        f"last {MAX_SCHEDULE_MONTHS} are fitted")
        hist = History(hist.frame.iloc[-MAX_SCHEDULE_MONTHS:].reset_index(drop=True).set_axis(
            pd.RangeIndex(1, MAX_SCHEDULE_MONTHS + 1, name="month")), hist.warnings, hist.source, hist.sheet,
            hist.dated)
        n = hist.months
    if (not _whole(horizon_months)) or not 12 <= horizon_months <= 120:
        raise ScenarioError(f"horizon_months: got {horizon_months!r}; allowed 12 to 120 (months)")
    if holdout_months is None:
        holdout_months = 12 if n >= 48 else DEFAULT_HOLDOUT_MONTHS
    if not _whole(holdout_months) or not 0 <= holdout_months <= n - 12:
        raise HistoryError([f"holdout_months: got {holdout_months!r}; with {n} months it is a whole number "
                            f"from 0 to {n - 12} "
                            "(at least 12 months are needed to fit on)"], source=hist.source)
    base = Scenario() if base is None else base
    if not isinstance(base, Scenario):
        raise TypeError(f"base: expected a cx_roi.Scenario, got {type(base).__name__}")
    frame = hist.frame
    if frame["customers"].iloc[0] <= 0 and hist.initial_customers <= 0:
        raise HistoryError(["the history starts with no customers; the model needs a customer base to start "
                            "from (begin the history at the first month with customers)"], source=hist.source)
    if frame["new_customers"].sum() <= 0:
        raise HistoryError(["the history has no new customers at all: nothing identifies acquisition"],
                           source=hist.source)

    replay, from_data = _replay_scenario(hist, base, warnings)
    full = _fit(hist, replay, warnings)
    monthly_run = full.problem.run(full.u, _RUN_COLUMNS)
    monthly = _fitted_frame(hist, monthly_run)
    metrics = _metrics(monthly, hist)

    holdout = None
    if holdout_months:
        short = hist.slice(n - holdout_months)
        short_replay, _ = _replay_scenario(short, base, [])
        short_fit = _fit(short, short_replay, [])
        # Re-run all n months with the parameters fitted on the shorter history.
        long_problem = _Problem(replay, short_fit.problem.names, short_fit.problem.log, short_fit.problem.lo,
                                short_fit.problem.hi, {}, {}, short_fit.problem.churn_mode,
                                short_fit.problem.passive_weight)
        ahead = _fitted_frame(hist, long_problem.run(short_fit.u, _RUN_COLUMNS)).iloc[-holdout_months:]
        holdout = Holdout(
            months=holdout_months, fitted_on=n - holdout_months,
            mape_customers=_mape(ahead["customers"], ahead["customers_fit"]),
            mape_new_customers=_mape(ahead["new_customers"], ahead["new_customers_fit"]),
            mape_churned=_mape(ahead["churned_customers"], ahead["churned_customers_fit"]),
            monthly=ahead, parameters=short_fit.values)

    fitted_draws = {k: float(v[0]) for k, v in full.problem.draws(full.u[None, :]).items()}
    scenario = _planning_scenario(hist, replay, fitted_draws, monthly_run, horizon_months)
    final_replay = replay.replace(**fitted_draws)

    for name, value in full.values.items():
        se = full.se.get(name, math.nan)
        if name in ("market_size",) and value >= full.problem_hi_natural.get(name, math.inf) * 0.999:
            warnings.append("market_size reached the search's upper end (1,000 x the largest customer count): "
                            "the history shows no saturation, so the market size is not identified")
        elif np.isfinite(se) and value > 0 and se / value > 0.5:
            warnings.append(f"{name} is weakly identified (standard error {se / value:.0%} of the estimate)")

    table = _parameter_table(full, from_data, final_replay, base)
    not_fitted = {r.Index: r.note for r in table.itertuples() if r.status == "default"}
    return HistoryFit(scenario=scenario, replay=final_replay, parameters=table, fitted=dict(full.fitted_fields),
                      standard_errors=dict(full.field_se), not_fitted=not_fitted, monthly=monthly,
                      metrics=metrics, holdout=holdout, warnings=tuple(warnings))


def _as_history(history: Any) -> History:
    if isinstance(history, History):
        return history
    if isinstance(history, (pd.DataFrame, str, os.PathLike, bytes, bytearray)):
        return read_history(history)
    raise TypeError(f"fit_history() takes a History, a DataFrame, a path or bytes, got {type(history).__name__}")


def _replay_scenario(hist: History, base: Scenario, warnings: list[str]) -> tuple[Scenario, dict[str, str]]:
    """The scenario that re-runs the history: its spends and starting point, base values elsewhere."""
    f = hist.frame
    n = hist.months
    service = f["service_spend"].to_numpy()
    changes: dict[str, Any] = {
        "horizon_months": max(n, 12),
        "initial_customers": hist.initial_customers,
        "ad_spend_per_month": tuple(f["ad_spend"].to_numpy()),
        "service_capacity_spend_per_month": tuple(service * _CAPACITY_SHARE),
        "service_quality_spend_per_month": tuple(service * (1 - _CAPACITY_SHARE)),
        # Assume the first month's advertising had been running steadily before.
        "prior_ad_spend_per_month": float(f["ad_spend"].iloc[0]),
        "prior_service_capacity_spend_per_month": float(service[0] * _CAPACITY_SHARE),
        "prior_service_quality_spend_per_month": float(service[0] * (1 - _CAPACITY_SHARE)),
        "market_size": max(base.market_size, 3.0 * float(f["customers"].max())),
    }
    from_data = {
        "initial_customers": "customers - new + churned of the first month",
        "ad_spend_per_month": "the history's monthly advertising spend",
        "service_capacity_spend_per_month": f"{_CAPACITY_SHARE:.0%} of the history's service spend (the "
                                            "default split between agents and quality)",
        "service_quality_spend_per_month": f"{1 - _CAPACITY_SHARE:.0%} of the history's service spend",
        "prior_ad_spend_per_month": "the first month's advertising, assumed steady before it",
        "prior_service_capacity_spend_per_month": "the first month's service capacity spend, assumed steady "
                                                  "before it",
        "prior_service_quality_spend_per_month": "the first month's service quality spend, assumed steady "
                                                 "before it",
    }
    if hist.has("aht_minutes"):
        aht = float(np.nanmedian(f["aht_minutes"])) * 60.0
        spec = PARAMETERS["aht_seconds"]
        if spec.minimum <= aht <= spec.maximum:
            changes["aht_seconds"] = aht
            from_data["aht_seconds"] = "median of aht_minutes x 60"
        else:
            warnings.append(f"aht_minutes median {aht / 60:.3g} is outside what the model accepts; default kept")
    if hist.has("agents"):
        agents = f["agents"].to_numpy()
        ok = np.isfinite(agents) & (agents > 0)
        if ok.any():
            cost = float(np.median(service[ok] * _CAPACITY_SHARE / agents[ok]))
            spec = PARAMETERS["agent_cost_per_month"]
            if spec.minimum <= cost <= spec.maximum:
                changes["agent_cost_per_month"] = cost
                from_data["agent_cost_per_month"] = "median of service capacity spend / agents"
            else:
                warnings.append(f"service spend per agent works out at ${cost:,.0f} a month, outside "
                                f"{spec.describe_range()}; agent cost kept at the default")
    if hist.has("arpu"):
        arpu = float(np.nanmean(f["arpu"].to_numpy()[-12:]))
        if np.isfinite(arpu) and arpu >= 0:
            changes["arpu_per_month"] = arpu
            from_data["arpu_per_month"] = "mean ARPU of the last 12 months"
    if hist.has("promoter_share") and hist.has("detractor_share"):
        first = f[["promoter_share", "detractor_share"]].dropna()
        if len(first):
            p_meas, d_meas = (float(v) for v in first.iloc[0])
            p, d = _unbias_shares(p_meas, d_meas, base.survey_inflation)
            changes["initial_promoter_share"], changes["initial_detractor_share"] = p, d
            from_data["initial_promoter_share"] = "first survey's promoter share, survey inflation removed"
            from_data["initial_detractor_share"] = "first survey's detractor share, survey inflation removed"
    try:
        return base.replace(**changes), from_data
    except ScenarioError as exc:
        raise HistoryError([f"the history gives a starting point the model cannot use: {p}"
                            for p in exc.problems], source=hist.source) from None


def _unbias_shares(p_meas: float, d_meas: float, inflation: float) -> tuple[float, float]:
    """Invert the survey model (a share ``inflation`` of each band answers one band higher)."""
    keep = max(1.0 - inflation, 1e-9)
    d = min(max(d_meas / keep, 0.0), 1.0)
    passive = min(max((1.0 - p_meas - d_meas - inflation * d) / keep, 0.0), 1.0 - d)
    p = max(1.0 - d - passive, 0.0)
    return p, d


@dataclass
class _FitResult:
    problem: _Problem
    u: np.ndarray
    values: dict[str, float]
    se: dict[str, float]
    fitted_fields: dict[str, float]
    field_se: dict[str, float]
    problem_hi_natural: dict[str, float]
    cost: float


def _fit(hist: History, replay: Scenario, warnings: list[str]) -> _FitResult:
    f = hist.frame
    series: dict[str, np.ndarray] = {
        "new_customers": f["new_customers"].to_numpy(float),
        "churned_customers": f["churned_customers"].to_numpy(float),
    }
    sentiment = hist.has("nps")
    if sentiment:
        series["nps"] = f["nps"].to_numpy(float)
    if hist.has("contacts"):
        series["contacts"] = f["contacts"].to_numpy(float)

    max_customers = float(f["customers"].max())
    names = ["market_size", "positive_conversion_per_impression", "ad_max_innovation_per_month"]
    lo = [math.log(1.02 * max_customers), math.log(1e-5), math.log(1e-6)]
    hi = [math.log(min(1000.0 * max_customers, PARAMETERS["market_size"].maximum)), math.log(1.0),
          math.log(0.5)]
    log = [True, True, True]
    start = [math.log(replay.market_size), math.log(max(replay.positive_conversion_per_impression, 1e-4)),
             math.log(max(replay.ad_max_innovation_per_month, 1e-5))]
    if sentiment:
        churn_mode = "sentiment"
        names += ["churn_promoter", "churn_detractor", "product_value"]
        lo += [math.log(1e-4), math.log(1e-4), 0.0]
        hi += [math.log(0.5), math.log(0.9), 1.0]
        log += [True, True, False]
        start += [math.log(max(replay.churn_promoter, 1e-3)), math.log(max(replay.churn_detractor, 2e-3)),
                  replay.product_value]
    else:
        churn_mode = "overall"
        names += ["churn_scale"]
        top = max(replay.churn_promoter, replay.churn_passive, replay.churn_detractor, 1e-6)
        lo += [math.log(1e-3)]
        hi += [math.log(0.95 / top)]
        log += [True]
        start += [0.0]
    if "contacts" in series:
        names.append("contacts_per_customer_per_month")
        lo.append(math.log(1e-3))
        hi.append(math.log(5.0))
        log.append(True)
        start.append(math.log(max(replay.contacts_per_customer_per_month, 1e-2)))
    spread = replay.churn_detractor - replay.churn_promoter
    weight = (replay.churn_passive - replay.churn_promoter) / spread if spread > 0 else 0.5

    # First weights: 5% of each series' mean (NPS: 3 points); refined after a first fit.
    sigma = {k: (3.0 if k == "nps" else max(0.05 * float(np.nanmean(np.abs(v))), 1.0)) for k, v in series.items()}
    problem = _Problem(replay, names, log, np.array(lo), np.array(hi), series, sigma, churn_mode, weight)
    u0 = np.clip(np.array(start), problem.lo + 1e-9, problem.hi - 1e-9)
    u0 = np.clip(_grid_start(problem, u0), problem.lo + 1e-9, problem.hi - 1e-9)

    u, cost = _least_squares(problem, u0)
    # Reweight each series by its own residual spread, then refit from there.
    monthly = problem.run(u, _RUN_COLUMNS)
    total = sum(int(np.isfinite(y).sum()) for y in series.values())
    dof_factor = total / max(total - len(names), 1)
    for key, y in series.items():
        ok = np.isfinite(y)
        r = _model_series(monthly, key)[0][ok] - y[ok]
        floor = 1e-3 * max(float(np.nanmean(np.abs(y))), 1.0)
        problem.sigma[key] = max(math.sqrt(float(np.mean(r ** 2)) * dof_factor), floor)
    u, cost = _least_squares(problem, u)

    jac = _jacobian(problem, u)
    resid = problem.residuals_from(problem.run(u, _RUN_COLUMNS), 0)
    s2 = float(resid @ resid) / max(len(resid) - len(names), 1)
    se_u = _standard_errors(jac, s2)
    x = problem.natural(u)
    values = dict(zip(names, map(float, x)))
    se = {name: float(se_u[j] * (x[j] if log[j] else 1.0)) for j, name in enumerate(names)}
    fields = {k: float(v[0]) for k, v in problem.draws(u[None, :]).items()}
    field_se: dict[str, float] = {}
    for name in names:
        if name == "churn_scale":
            for band in ("promoter", "passive", "detractor"):
                field_se[f"churn_{band}"] = se[name] * getattr(replay, f"churn_{band}")
        else:
            field_se[name] = se[name]
    if churn_mode == "sentiment":
        # churn_passive = p + w (d - p): its variance from p's and d's, covariance ignored (stated in the note).
        field_se["churn_passive"] = math.hypot((1 - weight) * se["churn_promoter"], weight * se["churn_detractor"])
    hi_nat = {name: float(np.exp(problem.hi[j]) if log[j] else problem.hi[j]) for j, name in enumerate(names)}
    return _FitResult(problem, u, values, se, fields, field_se, hi_nat, cost)


def _grid_start(problem: _Problem, u0: np.ndarray) -> np.ndarray:
    """A coarse grid over market size x word-of-mouth conversion (one batch run), best first."""
    i_m, i_c = problem.names.index("market_size"), problem.names.index("positive_conversion_per_impression")
    m_grid = np.clip(problem.lo[i_m] + np.log([1.2, 2.0, 4.0, 10.0, 30.0]), problem.lo[i_m], problem.hi[i_m])
    c_grid = u0[i_c] + np.log([0.25, 0.5, 1.0, 2.0, 4.0])
    grid = np.repeat(u0[None, :], len(m_grid) * len(c_grid), axis=0)
    grid[:, i_m] = np.repeat(m_grid, len(c_grid))
    grid[:, i_c] = np.tile(np.clip(c_grid, problem.lo[i_c], problem.hi[i_c]), len(m_grid))
    grid = np.vstack([u0[None, :], grid])
    monthly = problem.run(grid, _RUN_COLUMNS)
    costs = [float(np.sum(problem.residuals_from(monthly, i) ** 2)) for i in range(len(grid))]
    return grid[int(np.argmin(costs))]


def _jacobian(problem: _Problem, u: np.ndarray, base_monthly: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Forward differences for every coordinate in one batch run (a batch costs about one run)."""
    k = len(u)
    step = 1e-4 * np.maximum(1.0, np.abs(u))
    # Step inward at an upper bound so every probe stays in range.
    step = np.where(u + step > problem.hi, -step, step)
    pts = np.repeat(u[None, :], k + 1, axis=0)
    pts[1:] += np.diag(step)
    monthly = problem.run(pts, _RUN_COLUMNS)
    r0 = problem.residuals_from(monthly, 0)
    return np.column_stack([(problem.residuals_from(monthly, j + 1) - r0) / step[j] for j in range(k)])


def _least_squares(problem: _Problem, u0: np.ndarray) -> tuple[np.ndarray, float]:
    def fun(u: np.ndarray) -> np.ndarray:
        return problem.residuals_from(problem.run(u, _RUN_COLUMNS), 0)

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        sol = least_squares(fun, u0, jac=lambda u: _jacobian(problem, u), bounds=(problem.lo, problem.hi),
                            method="trf", x_scale=1.0, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=200)
    return sol.x, float(sol.cost)


def _fitted_frame(hist: History, monthly: Mapping[str, np.ndarray]) -> pd.DataFrame:
    f = hist.frame
    n = hist.months
    out = pd.DataFrame({"period": f["period"].to_numpy()}, index=f.index)
    pairs = [("customers", monthly["customers"][0][:n]),
             ("new_customers", _model_series(monthly, "new_customers")[0][:n]),
             ("churned_customers", monthly["churned"][0][:n])]
    if hist.has("nps"):
        pairs.append(("nps", monthly["nps_measured"][0][:n]))
    if hist.has("contacts"):
        pairs.append(("contacts", monthly["contacts"][0][:n]))
    for col, model in pairs:
        out[col] = f[col].to_numpy(float)
        out[f"{col}_fit"] = np.asarray(model, float)
    return out


def _mape(actual: pd.Series, model: pd.Series) -> float:
    a, m = actual.to_numpy(float), model.to_numpy(float)
    ok = np.isfinite(a) & np.isfinite(m) & (a != 0)
    return float(np.mean(np.abs(m[ok] - a[ok]) / np.abs(a[ok]))) if ok.any() else math.nan


def _r2(actual: pd.Series, model: pd.Series) -> float:
    a, m = actual.to_numpy(float), model.to_numpy(float)
    ok = np.isfinite(a) & np.isfinite(m)
    tss = float(((a[ok] - a[ok].mean()) ** 2).sum())
    return 1.0 - float(((a[ok] - m[ok]) ** 2).sum()) / tss if tss > 0 else math.nan


def _metrics(monthly: pd.DataFrame, hist: History) -> dict[str, float]:
    out = {
        "r2_customers": _r2(monthly["customers"], monthly["customers_fit"]),
        "r2_new_customers": _r2(monthly["new_customers"], monthly["new_customers_fit"]),
        "r2_churned": _r2(monthly["churned_customers"], monthly["churned_customers_fit"]),
        "mape_customers": _mape(monthly["customers"], monthly["customers_fit"]),
        "mape_new_customers": _mape(monthly["new_customers"], monthly["new_customers_fit"]),
        "mape_churned": _mape(monthly["churned_customers"], monthly["churned_customers_fit"]),
        "rmse_new_customers": float(np.sqrt(np.nanmean((monthly["new_customers"] - monthly["new_customers_fit"])
                                                       ** 2))),
    }
    if "nps" in monthly:
        out["mae_nps"] = float(np.nanmean(np.abs(monthly["nps"] - monthly["nps_fit"])))
    if "contacts" in monthly:
        out["mape_contacts"] = _mape(monthly["contacts"], monthly["contacts_fit"])
    return out


def _planning_scenario(hist: History, replay: Scenario, fitted: Mapping[str, float],
                       monthly: Mapping[str, np.ndarray], horizon: int) -> Scenario:
    """Start where the history ends: its last customers and (model) sentiment mix, its recent spends."""
    f = hist.frame
    n = hist.months
    last = slice(max(n - 12, 0), n)
    customers = float(f["customers"].iloc[-1])
    promoters, detractors = monthly["promoters"][0][n - 1], monthly["detractors"][0][n - 1]
    total = float(monthly["customers"][0][n - 1])
    p_share = float(promoters / total) if total > 0 else replay.initial_promoter_share
    d_share = float(detractors / total) if total > 0 else replay.initial_detractor_share
    adstock = float(monthly["adstock"][0][n - 1])
    service = float(f["service_spend"].to_numpy()[last].mean())
    changes = dict(fitted)
    changes.update(
        horizon_months=int(horizon),
        initial_customers=customers,
        market_size=max(float(fitted.get("market_size", replay.market_size)), customers),
        initial_promoter_share=min(max(p_share, 0.0), 1.0),
        initial_detractor_share=min(max(d_share, 0.0), 1.0 - min(max(p_share, 0.0), 1.0)),
        ad_spend_per_month=float(f["ad_spend"].to_numpy()[last].mean()),
        service_capacity_spend_per_month=service * _CAPACITY_SHARE,
        service_quality_spend_per_month=service * (1 - _CAPACITY_SHARE),
        # The carry-over the plan inherits: the adstock at the end of the history
        # expressed as the steady spend that would have built it.
        prior_ad_spend_per_month=max(adstock * (1.0 - replay.adstock_decay), 0.0),
        # The plan starts from the sentiment the history ended with, not from one settled
        # afresh, and from the service the company was last buying.
        settle_initial_sentiment=False,
        prior_service_capacity_spend_per_month=float(f["service_spend"].iloc[-1]) * _CAPACITY_SHARE,
        prior_service_quality_spend_per_month=float(f["service_spend"].iloc[-1]) * (1 - _CAPACITY_SHARE),
    )
    return replay.replace(**changes)


def _parameter_table(fit: _FitResult, from_data: Mapping[str, str], replay: Scenario, base: Scenario) -> pd.DataFrame:
    rows = []
    notes = {
        "market_size": "fitted: where growth slows as the market fills",
        "positive_conversion_per_impression": "fitted: word of mouth's pull (with reach and stories at defaults)",
        "ad_max_innovation_per_month": "fitted: advertising's response scale (Hill shape and carry-over at "
                                       "defaults)",
        "churn_promoter": "fitted from churn against the sentiment mix",
        "churn_detractor": "fitted from churn against the sentiment mix",
        "churn_passive": "between promoters' and detractors', in the defaults' proportion (its standard error "
                         "ignores their covariance)",
        "product_value": "fitted: the sentiment level NPS shows",
        "contacts_per_customer_per_month": "fitted to contacts handled (repeat contacts from the model)",
    }
    if fit.problem.churn_mode == "overall":
        for band in ("promoter", "passive", "detractor"):
            notes[f"churn_{band}"] = (f"fitted: all three by-sentiment churn rates scaled by "
                                      f"{fit.values['churn_scale']:.3g} (no NPS in the history to split them)")
    for name, spec in PARAMETERS.items():
        value = getattr(replay, name)
        if name in fit.fitted_fields:
            status, note, se = "fitted", notes.get(name, "fitted"), fit.field_se.get(name, math.nan)
        elif name in from_data:
            status, note, se = "from data", from_data[name], math.nan
        else:
            if name == "product_value":
                why = "no NPS or promoter/detractor shares in the history"
            elif name == "contacts_per_customer_per_month":
                why = "no contacts column in the history"
            elif name in ("aht_seconds",):
                why = "no aht_minutes column in the history"
            elif name == "agent_cost_per_month":
                why = "no agents column in the history"
            elif name == "arpu_per_month":
                why = "no arpu column in the history"
            elif name in ("initial_promoter_share", "initial_detractor_share"):
                why = "no promoter/detractor shares in the history"
            elif name == "horizon_months":
                why = "the replay covers the history's months; the planning scenario uses horizon_months"
            else:
                why = _KEEP_REASONS.get(name) or _GROUP_REASONS.get(spec.group, "kept at the default")
            status, note, se = "default", why, math.nan
            value = getattr(base, name) if name != "horizon_months" else value
        if isinstance(value, tuple):
            value = float(np.mean(value))
        rows.append({"field": name, "label": spec.label, "unit": spec.unit, "value": value, "standard_error": se,
                     "status": status, "note": note})
    return pd.DataFrame(rows).set_index("field")
