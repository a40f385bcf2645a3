"""The Bass diffusion model and its fit to new adopters per period.

:func:`fit_bass` fits market size ``m``, innovation ``p`` and imitation ``q``
by nonlinear least squares, with standard errors, a covariance matrix,
confidence intervals, R², MAPE and RMSE. Its default form is Srinivasan and
Mason's (1986): adopters in period t are m [F(t) - F(t-1)] with the
continuous Bass F; ``form="hazard"`` is the form cx_roi's monthly engine
uses. By default it assumes multiplicative noise (least squares on log
adopters, standard errors on that scale); ``errors="additive"`` is the
classic least squares on adopters, which reproduces published fits; see
tests/test_calibrate.py for the data sets and figures.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from .estimates import Estimates, nls_covariance
from .errors import ScenarioError
from .history import MAX_MONTHS, HistoryError

__all__ = ["fit_bass", "BassFit", "bass_cumulative", "bass_adopters"]

BassForm = Literal["interval", "density", "discrete", "hazard"]
BassErrors = Literal["additive", "multiplicative"]
_BASS_FORMS, _BASS_ERRORS = get_args(BassForm), get_args(BassErrors)
_PARAMS = ("m", "p", "q")


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
            raise ScenarioError(f"the {form} form needs periods 1..T")
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
    raise ScenarioError(f"form: got {form!r}; expected 'interval', 'density', 'discrete' or 'hazard'")


@dataclass(frozen=True)
class BassFit(Estimates):
    """A fitted Bass model: ``params`` m (the data's units, adopters), p, q (per period).

    ``m``, ``p``, ``q`` read them one by one. ``cov`` (also :meth:`cov_params`):
    the 3 x 3 covariance matrix of (m, p, q) in natural units (NaN for the OLS
    method); for the multiplicative fit it is the delta-method image of the
    covariance of (log m, log p, log q), the scale that fit works on.
    ``bse`` / ``standard_errors``: the square roots of its diagonal.
    :meth:`conf_int` gives confidence intervals, :meth:`summary` all of it.
    ``errors``: the error model the fit assumed (see :func:`fit_bass`).
    ``residual_se``: sqrt(RSS / dof) on the scale fitted: adopters for the
    additive fit, log adopters (roughly the relative error) for the
    multiplicative one; ``dof``: periods fitted less 3. ``r2``, ``mape``
    (share, over periods with adopters), ``rmse`` (adopters) compare ``fitted``
    with ``actual`` in adopters whatever the error model.
    ``excluded_periods``: periods (1 = first) left out of the fit: periods
    with no adopters, which have no logarithm, in the multiplicative fit.
    """

    params: pd.Series
    cov: pd.DataFrame = field(repr=False)
    form: str
    method: str
    errors: str
    actual: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    r2: float
    mape: float
    rmse: float
    residual_se: float
    dof: int
    excluded_periods: tuple[int, ...] = ()

    @property
    def m(self) -> float:
        """Market size, adopters."""
        return float(self.params["m"])

    @property
    def p(self) -> float:
        """Innovation, per period."""
        return float(self.params["p"])

    @property
    def q(self) -> float:
        """Imitation, per period."""
        return float(self.params["q"])

    @property
    def log_scale(self) -> tuple[str, ...]:  # type: ignore[override]
        """All three for the multiplicative fit, which works on their logarithms; none otherwise."""
        return _PARAMS if self.errors == "multiplicative" else ()

    @property
    def peak_period(self) -> float:
        """Period of peak adoption, ln(q/p)/(p+q) (continuous model; may be negative when p > q)."""
        return math.log(self.q / self.p) / (self.p + self.q) if self.p > 0 and self.q > 0 else float("nan")

    def predict(self, periods: int | np.ndarray) -> np.ndarray:
        """Adopters in periods 1..``periods`` (or the given periods) with the fitted parameters."""
        return bass_adopters(periods, self.m, self.p, self.q, self.form)  # type: ignore[arg-type]

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per parameter: estimate, standard error, (1 - ``alpha``) interval, unit."""
        return pd.concat([self.params.rename("estimate"), self.bse, self.conf_int(alpha),
                          pd.Series(["adopters", "per period", "per period"], self.params.index, name="unit")],
                         axis=1)


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
    than 5 periods or more than 1,200, or 5 with adopters for the multiplicative fit; negative or
    non-finite values; no adopters; the same number in every period).
    """
    y = _adopter_series(new_adopters)
    t = np.arange(1, len(y) + 1, dtype=float)
    if method == "ols":
        theta = np.array(_bass_ols(y))
        if not (np.isfinite(theta).all() and theta[0] > 0):
            raise HistoryError(["Bass's regression finds no market size for these data (the quadratic in "
                                "cumulative adopters has no positive root); use method='nls'"])
        cum_prev = np.concatenate([[0.0], np.cumsum(y)[:-1]])
        m, p, q = theta
        fitted = (p + q * cum_prev / m) * (m - cum_prev)  # Bass's discrete form on the data's own N_{t-1}
        no_cov = pd.DataFrame(math.nan, index=list(_PARAMS), columns=list(_PARAMS))
        return _bass_result(y, fitted, theta, no_cov, "discrete", "ols", "additive", np.ones(len(y), bool))
    if method != "nls":
        raise ScenarioError(f"method: got {method!r}; expected 'nls' or 'ols'")
    if form not in _BASS_FORMS:
        raise ScenarioError(f"form: got {form!r}; expected 'interval', 'density', 'discrete' or 'hazard'")
    if errors not in _BASS_ERRORS:
        raise ScenarioError(f"errors: got {errors!r}; expected 'multiplicative' or 'additive'")

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
        starts.append(_start(start))
    m0, p0, q0 = _bass_ols(y)
    if np.isfinite([m0, p0, q0]).all() and m0 > total * 0.5 and 0 < p0 < 1 and 0 < q0 < 3:
        starts.append((m0, p0, q0))
    starts += [(1.5 * total, 0.01, 0.3), (3.0 * total, 0.003, 0.5), (1.2 * total, 0.05, 0.1)]
    best = None
    for guess in starts:
        if min(guess) <= 0:
            continue
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", RuntimeWarning)
            sol = least_squares(residuals, np.log(np.array(guess) / scale), method="lm",
                                xtol=1e-13, ftol=1e-13, gtol=1e-13, max_nfev=5000)
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    theta = np.exp(best.x) * scale
    # The fit works on u = log(theta / scale), so least_squares' Jacobian is d r / d log theta:
    # s² (JᵀJ)⁻¹ is the covariance of log theta, and D cov D with D = diag(theta) that of theta.
    # least_squares' cost is half the residual sum of squares.
    cov_log = nls_covariance(best.jac, 2.0 * float(best.cost) / max(int(used.sum()) - 3, 1))
    cov = pd.DataFrame(cov_log * np.outer(theta, theta), index=list(_PARAMS), columns=list(_PARAMS))
    return _bass_result(y, bass_adopters(t, *theta, form), theta, cov, form, "nls", errors, used)


_MAX_ADOPTERS = 1e12  # people won in one period: a hundred times the world's population is a typo


def _adopter_series(values: Any) -> np.ndarray:
    raw = np.asarray(values) if not isinstance(values, (str, bytes)) else np.asarray([values])
    if raw.ndim != 1 or raw.dtype.kind not in "iuf":  # not True, "12", a table or a lone number
        got = ("a table" if raw.ndim > 1 else f"one {type(values).__name__}" if raw.ndim == 0 else
               {"b": "true/false values", "U": "text", "S": "text", "M": "dates"}.get(raw.dtype.kind, "mixed values"))
        raise HistoryError([f"new adopters must be a list of numbers, one per period; got {got}"])
    y = raw.astype(float)
    problems = []
    if len(y) < 5:
        problems.append(f"fit_bass needs at least 5 periods of new adopters (3 parameters and room for error), "
                        f"got {len(y)}")
    if len(y) > MAX_MONTHS:
        problems.append(f"fit_bass takes at most {MAX_MONTHS:,} periods (a century of months, as a history "
                        f"file), got {len(y):,}")
    for bad, what in ((~np.isfinite(y), "are not finite numbers"),
                      (np.isfinite(y) & (y < 0), "are negative; adopters cannot be"),
                      (np.isfinite(y) & (y > _MAX_ADOPTERS), f"are above {_MAX_ADOPTERS:.0e} people in one period")):
        if bad.any():
            problems.append(f"period(s) {', '.join(str(i + 1) for i in np.flatnonzero(bad)[:10])} {what}")
    if not problems and y.sum() <= 0:
        problems.append("there are no adopters at all to fit")
    elif not problems and np.all(y == y[0]):
        # No rise and no fall: any small p with a matching large m fits exactly, so m, p and q are not
        # identified, and the fit would report them with standard errors of almost nothing.
        problems.append(f"every period has the same {y[0]:g} adopters: a series without growth or decline "
                        "cannot tell the market size, p and q apart")
    if problems:
        raise HistoryError(problems)
    return y


def _start(start: Any) -> tuple[float, float, float]:
    """A starting guess (m, p, q): three positive, finite numbers."""
    try:
        m, p, q = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ScenarioError(f"start: got {start!r}; expected (m, p, q), three positive numbers") from None
    if not all(math.isfinite(v) and v > 0 for v in (m, p, q)):
        raise ScenarioError(f"start: got {start!r}; m, p and q must be positive, finite numbers")
    return m, p, q


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


def _bass_result(y: np.ndarray, fitted: np.ndarray, theta: np.ndarray, cov: pd.DataFrame, form: str, method: str,
                 errors: str, used: np.ndarray) -> BassFit:
    resid = fitted - y
    rss = float(resid @ resid)
    tss = float(((y - y.mean()) ** 2).sum())
    pos = y > 0
    dof = max(int(used.sum()) - 3, 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # on the scale fitted: log adopters, or adopters
        scaled = np.log(fitted[used]) - np.log(y[used]) if errors == "multiplicative" else resid
    return BassFit(
        params=pd.Series(theta, index=pd.Index(_PARAMS, name="parameter"), name="estimate", dtype=float),
        cov=cov, form=form, method=method, errors=errors, actual=y.copy(), fitted=fitted,
        r2=1.0 - rss / tss if tss > 0 else math.nan,
        mape=float(np.mean(np.abs(resid[pos]) / y[pos])) if pos.any() else math.nan,
        rmse=math.sqrt(rss / len(y)), residual_se=math.sqrt(float(scaled @ scaled) / dof), dof=dof,
        excluded_periods=tuple(int(i) + 1 for i in np.flatnonzero(~used)))
