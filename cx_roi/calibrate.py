"""Calibration: fit the model to what a company has seen.

Two tools:

* :func:`fit_bass` (from :mod:`cx_roi.bass`) fits the classic Bass diffusion
  model (market size ``m``, innovation ``p``, imitation ``q``) to new
  adopters per period.
* :func:`fit_history` fits cx_roi's own monthly engine to a company's
  history (:func:`cx_roi.read_history`): it runs the simulation on the
  history's actual monthly spends and finds the parameters that the history
  can identify, keeps the rest at their defaults, and says which is which and
  why. It returns a validated :class:`cx_roi.Scenario` to plan from, with
  diagnostics: fitted against actual by month, R² and MAPE, a holdout check
  on the last months, and the estimates as statsmodels gives them
  (``params``, ``bse``, ``cov_params()``, ``conf_int()``, ``summary()``).

Standard errors are the usual nonlinear least-squares ones, s² (JᵀJ)⁻¹ at the
optimum, on the scale fitted (log adopters for :func:`fit_bass`'s default
multiplicative errors; the logarithm of every :func:`fit_history` parameter
but the product value). In :func:`fit_history` each series (new customers,
churned customers, NPS, contacts) is weighted by the inverse of its own
residual spread, estimated from a first fit, so the standard errors assume
independent errors month to month within each series. They describe how
precisely the data pin a parameter down *given the model*; they do not
include the model's own misspecification.
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from . import checks
from .bass import BassFit, bass_adopters, bass_cumulative, fit_bass
from .errors import ScenarioError
from .estimates import Estimates, nls_covariance
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
RELIABLE_MONTHS = 36
"""Months from which a fit's standard errors hold: on the sample's first 18 months the 95% ranges
missed the market size by a factor of five (tests/test_calibrate.py)."""


# ===================================================================== history

# Share of service spend that buys agents; the rest goes to quality (training,
# tools). A history gives one service total; the split is the default company's.
_CAPACITY_SHARE = (PARAMETERS["service_capacity_spend_per_month"].default
                   / (PARAMETERS["service_capacity_spend_per_month"].default
                      + PARAMETERS["service_quality_spend_per_month"].default))
_BANDS = ("promoter", "passive", "detractor")

# Why a field keeps its default: by field, else by group (_GROUP_REASONS).
_KEEP_REASONS: dict[str, str] = {
    "product_value": "no NPS or promoter/detractor shares in the history",
    "contacts_per_customer_per_month": "no contacts column in the history",
    "aht_seconds": "no aht_minutes column in the history",
    "agent_cost_per_month": "no agents column in the history",
    "arpu_per_month": "no arpu column in the history",
    "initial_promoter_share": "no promoter/detractor shares in the history",
    "initial_detractor_share": "no promoter/detractor shares in the history",
    "horizon_months": "the replay covers the history's months; the planning scenario uses horizon_months",
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
    "market": "a planning input, not in the history",
    "money": "a planning input, not in the history",
}
_FIT_NOTES: dict[str, str] = {
    "market_size": "fitted: where growth slows as the market fills",
    "positive_conversion_per_impression": "fitted: word of mouth's pull (with reach and stories at defaults)",
    "ad_max_innovation_per_month": "fitted: advertising's response scale (Hill shape and carry-over at defaults)",
    "churn_promoter": "fitted from churn against the sentiment mix",
    "churn_detractor": "fitted from churn against the sentiment mix",
    "churn_passive": "between promoters' and detractors', in the defaults' proportion",
    "product_value": "fitted: the sentiment level NPS shows",
    "contacts_per_customer_per_month": "fitted to contacts handled (repeat contacts from the model)",
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
class HistoryFit(Estimates):
    """What :func:`fit_history` found.

    ``scenario``: a validated Scenario to plan from, starting where the history
    ends (today's customers and sentiment mix, last-12-month average spends,
    the carry-over of past advertising, the fitted parameters); ``replay``:
    the Scenario that re-runs the history month by month (its spends as
    schedules) with the fitted values, from which ``monthly`` comes.

    The estimates, by scenario field, as statsmodels gives them: ``params``
    (the fitted values, read from ``replay``), ``bse`` (standard errors),
    :meth:`cov_params` (their covariance; ``cov`` holds it), :meth:`conf_int`
    (on the log scale for every field but ``product_value``, so intervals are
    asymmetric and above zero; cut to the range the model accepts) and
    :meth:`summary` (every scenario field: value, standard error, interval,
    status and note). ``dof``: residuals less fitted coordinates.
    ``log_scale``: the fields fitted on their logarithm. ``sources``: by
    scenario field, ``status`` ("fitted", "from data" or "default") and
    ``note`` (how, or why not). ``parameters`` is :meth:`summary` without the
    interval; ``fitted``/``standard_errors`` are ``params``/``bse`` as dicts;
    ``not_fitted``: field -> why it kept its default.

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
    cov: pd.DataFrame = field(repr=False)
    dof: int
    log_scale: tuple[str, ...]
    sources: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame = field(repr=False)
    metrics: dict[str, float]
    holdout: Holdout | None
    warnings: tuple[str, ...] = ()

    @property
    def params(self) -> pd.Series:
        """The fitted values by scenario field, in the field's units."""
        return pd.Series([float(getattr(self.replay, f)) for f in self.cov.index], index=self.cov.index, name="value")

    @property
    def fitted(self) -> dict[str, float]:
        """:attr:`params` as a dict."""
        return self.params.to_dict()

    @property
    def not_fitted(self) -> dict[str, str]:
        """Field -> why it kept its default."""
        kept = self.sources[self.sources["status"] == "default"]
        return dict(zip(kept.index, kept["note"]))

    @property
    def limits(self) -> tuple[np.ndarray, np.ndarray]:
        """The range the model accepts for each fitted field."""
        specs = [PARAMETERS[f] for f in self.params.index]
        return np.array([s.minimum for s in specs], float), np.array([s.maximum for s in specs], float)

    @property
    def parameters(self) -> pd.DataFrame:
        """Every scenario field: ``value`` (a schedule's mean), ``standard_error`` (NaN unless
        fitted), ``status`` and ``note``."""
        table = pd.DataFrame({"value": [self.replay.mean_value(f) for f in self.sources.index],
                              "standard_error": self.bse.reindex(self.sources.index)}, index=self.sources.index)
        return table.join(self.sources)

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """:attr:`parameters` with the (1 - ``alpha``) interval of :meth:`conf_int` (NaN unless fitted)."""
        table = self.parameters
        return table.join(self.conf_int(alpha))[["value", "standard_error", "lower", "upper", "status", "note"]]


@dataclass
class _Problem:
    """The least-squares problem of one history: free coordinates (a field or its logarithm), data, weights."""

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

    def _loadings(self) -> tuple[list[str], np.ndarray]:
        """The fields the coordinates set, and A with fields = A x (x: the coordinates in natural units)."""
        unit = np.eye(len(self.names))
        rows: dict[str, np.ndarray] = {}
        for j, name in enumerate(self.names):
            if name == "churn_scale":
                rows.update({f"churn_{band}": unit[j] * getattr(self.base, f"churn_{band}") for band in _BANDS})
            else:
                rows[name] = unit[j]
        if self.churn_mode == "sentiment":
            p, d = rows["churn_promoter"], rows["churn_detractor"]
            rows["churn_passive"] = p + self.passive_weight * (d - p)
        return list(rows), np.array(list(rows.values()))

    def draws(self, us: np.ndarray) -> dict[str, np.ndarray]:
        """(n, k) coordinates -> per-draw scenario fields, within what the model accepts."""
        fields, loadings = self._loadings()
        values = self.natural(us) @ loadings.T
        return {f: np.clip(values[:, i], PARAMETERS[f].minimum, PARAMETERS[f].maximum) for i, f in enumerate(fields)}

    def field_covariance(self, u: np.ndarray, cov_u: np.ndarray) -> pd.DataFrame:
        """Covariance of the fields :meth:`draws` sets: G cov_u Gᵀ, G = d field / d u at ``u``."""
        fields, loadings = self._loadings()
        g = loadings * np.where(self.log, np.exp(u), 1.0)
        # A parameter the data do not inform (infinite variance, NaN covariances) leaves unknown only
        # the fields that depend on it: 0 x NaN would otherwise blank every field's error.
        loose = ~np.isfinite(np.diag(cov_u))
        known = np.where(loose[:, None] | loose[None, :], 0.0, cov_u)
        out = g @ known @ g.T
        uses = (g[:, loose] != 0).any(axis=1)
        out[uses, :] = np.nan
        out[:, uses] = np.nan
        out[np.flatnonzero(uses), np.flatnonzero(uses)] = np.inf
        return pd.DataFrame(out, index=pd.Index(fields, name="field"), columns=fields)

    def run(self, us: np.ndarray) -> dict[str, np.ndarray]:
        return simulate_batch(self.base, draws=self.draws(np.atleast_2d(us)), columns=_RUN_COLUMNS).monthly

    def residuals_from(self, monthly: Mapping[str, np.ndarray], i: int) -> np.ndarray:
        parts = []
        for key, y in self.series.items():
            ok = np.isfinite(y)
            r = (_model_series(monthly, key)[i][ok] - y[ok]) / self.sigma[key]
            if key == "nps":  # a month whose survey nobody answers in the model (no agents) has no score
                r = np.where(np.isfinite(r), r, 0.0)
            parts.append(r)
        return np.concatenate(parts)


# The history's columns compared with the model (all but customers fitted), when the history has them
# (the required ones always do).
_SERIES = ("customers", "new_customers", "churned_customers", "nps", "contacts")
_RUN_COLUMNS = ("new_from_ads", "new_from_wom", "churned", "nps_measured", "contacts", "customers",
                "promoters", "detractors", "adstock")


def _model_series(monthly: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    if key == "new_customers":
        return monthly["new_from_ads"] + monthly["new_from_wom"]
    return monthly[{"churned_customers": "churned", "nps": "nps_measured"}.get(key, key)]


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
    hist = read_history(history) if isinstance(history, (pd.DataFrame, str, os.PathLike, bytes, bytearray)) else history
    if not isinstance(hist, History):
        raise TypeError(f"fit_history() takes a History, a DataFrame, a path or bytes, got {type(history).__name__}")
    warnings: list[str] = []
    n = hist.months
    if n < MIN_MONTHS_TO_FIT:
        raise HistoryError([f"the history has {n} months; fitting needs at least {MIN_MONTHS_TO_FIT} "
                            f"({MIN_MONTHS_TO_FIT - DEFAULT_HOLDOUT_MONTHS} to fit on and "
                            f"{DEFAULT_HOLDOUT_MONTHS} to check the forecast against); {RELIABLE_MONTHS} or more "
                            "give usable standard errors"], source=hist.source)
    if n < RELIABLE_MONTHS:
        warnings.append(f"the history has {n} months; with fewer than {RELIABLE_MONTHS} the standard errors are "
                        "not reliable and the 95% ranges can miss the true values by far: treat this fit as a "
                        "first look")
    if n > MAX_SCHEDULE_MONTHS:
        warnings.append(f"the history has {n} months; the model runs at most {MAX_SCHEDULE_MONTHS}, so the "
                        f"last {MAX_SCHEDULE_MONTHS} are fitted")
        hist = dataclasses.replace(hist, frame=hist.frame.iloc[-MAX_SCHEDULE_MONTHS:].set_axis(
            pd.RangeIndex(1, MAX_SCHEDULE_MONTHS + 1, name="month")))
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
    checks.scenario(base, "fit_history", "base")
    frame = hist.frame
    if frame["customers"].iloc[0] <= 0 and hist.initial_customers <= 0:
        raise HistoryError(["the history starts with no customers; the model needs a customer base to start "
                            "from (begin the history at the first month with customers)"], source=hist.source)
    if frame["new_customers"].sum() <= 0:
        raise HistoryError(["the history has no new customers at all: nothing identifies acquisition"],
                           source=hist.source)

    replay, from_data = _replay_scenario(hist, base, warnings)
    full = _fit(hist, replay)
    problem = full.problem
    monthly_run = problem.run(full.u)
    monthly = _fitted_frame(hist, monthly_run)

    holdout = None
    if holdout_months:
        short = hist.slice(n - holdout_months)
        short_fit = _fit(short, _replay_scenario(short, base, [])[0])
        # Re-run all n months with the parameters fitted on the shorter history.
        long_problem = dataclasses.replace(short_fit.problem, base=replay, series={}, sigma={})
        ahead = _fitted_frame(hist, long_problem.run(short_fit.u)).iloc[-holdout_months:]
        holdout = Holdout(months=holdout_months, fitted_on=n - holdout_months, monthly=ahead,
                          parameters=short_fit.values,
                          **{f"mape_{k}": _mape(ahead[col], ahead[f"{col}_fit"]) for k, col in _PAIRS.items()})

    fitted_draws = {k: float(v[0]) for k, v in problem.draws(full.u[None, :]).items()}
    scenario = _planning_scenario(hist, replay, fitted_draws, monthly_run, horizon_months)

    x = problem.natural(full.u)
    se = np.sqrt(np.where(np.diag(full.cov) >= 0, np.diag(full.cov), math.nan)) * np.where(problem.log, x, 1.0)
    for j, name in enumerate(problem.names):
        if name == "market_size" and x[j] >= math.exp(problem.hi[j]) * 0.999:
            warnings.append("market_size reached the search's upper end (1,000 x the largest customer count): "
                            "the history shows no saturation, so the market size is not identified")
        elif np.isinf(se[j]):
            warnings.append(f"{name} is not identified: it has no measurable effect on the history's fit")
        elif np.isfinite(se[j]) and x[j] > 0 and se[j] / x[j] > 0.5:
            warnings.append(f"{name} is weakly identified (standard error {se[j] / x[j]:.0%} of the estimate)")

    cov = problem.field_covariance(full.u, full.cov)
    linear = {name for name, log in zip(problem.names, problem.log) if not log}
    return HistoryFit(scenario=scenario, replay=replay.replace(**fitted_draws), cov=cov, dof=full.dof,
                      log_scale=tuple(f for f in cov.index if f not in linear),
                      sources=_sources(cov.index, full.values, from_data, problem.churn_mode),
                      monthly=monthly, metrics=_metrics(monthly), holdout=holdout, warnings=tuple(warnings))


def _replay_scenario(hist: History, base: Scenario, warnings: list[str]) -> tuple[Scenario, dict[str, str]]:
    """The scenario that re-runs the history: its spends and starting point, base values elsewhere."""
    f = hist.frame
    service = f["service_spend"].to_numpy()
    changes: dict[str, Any] = {
        "horizon_months": max(hist.months, 12),
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
    steady = "assumed steady before it"
    from_data = {
        "initial_customers": "customers - new + churned of the first month",
        "ad_spend_per_month": "the history's monthly advertising spend",
        "service_capacity_spend_per_month": f"{_CAPACITY_SHARE:.0%} of the history's service spend (the "
                                            "default split between agents and quality)",
        "service_quality_spend_per_month": f"{1 - _CAPACITY_SHARE:.0%} of the history's service spend",
        "prior_ad_spend_per_month": f"the first month's advertising, {steady}",
        "prior_service_capacity_spend_per_month": f"the first month's service capacity spend, {steady}",
        "prior_service_quality_spend_per_month": f"the first month's service quality spend, {steady}",
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
            changes["initial_promoter_share"], changes["initial_detractor_share"] = _unbias_shares(
                p_meas, d_meas, base.survey_inflation)
            for band in ("promoter", "detractor"):
                from_data[f"initial_{band}_share"] = f"first survey's {band} share, survey inflation removed"
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
    """A fitted problem: coordinates ``u``, their covariance ``cov`` and its degrees of freedom."""

    problem: _Problem
    u: np.ndarray
    cov: np.ndarray
    dof: int

    @property
    def values(self) -> dict[str, float]:
        """The fitted coordinates in natural units, by name."""
        return dict(zip(self.problem.names, map(float, self.problem.natural(self.u))))


def _fit(hist: History, replay: Scenario) -> _FitResult:
    f = hist.frame
    series = {key: f[key].to_numpy(float) for key in _SERIES[1:] if hist.has(key)}
    sentiment = "nps" in series
    max_customers = float(f["customers"].max())
    # (name, lower end, upper end, start, searched on its logarithm)
    free = [("market_size", 1.02 * max_customers, min(1000.0 * max_customers, PARAMETERS["market_size"].maximum),
             replay.market_size, True),
            ("positive_conversion_per_impression", 1e-5, 1.0, max(replay.positive_conversion_per_impression, 1e-4),
             True),
            ("ad_max_innovation_per_month", 1e-6, 0.5, max(replay.ad_max_innovation_per_month, 1e-5), True)]
    if sentiment:
        free += [("churn_promoter", 1e-4, 0.5, max(replay.churn_promoter, 1e-3), True),
                 ("churn_detractor", 1e-4, 0.9, max(replay.churn_detractor, 2e-3), True),
                 ("product_value", 0.0, 1.0, replay.product_value, False)]
    else:
        top = max(replay.churn_promoter, replay.churn_passive, replay.churn_detractor, 1e-6)
        free.append(("churn_scale", 1e-3, 0.95 / top, 1.0, True))
    if "contacts" in series:
        free.append(("contacts_per_customer_per_month", 1e-3, 5.0, max(replay.contacts_per_customer_per_month, 1e-2),
                     True))
    names, log = [r[0] for r in free], [r[4] for r in free]
    lo, hi, start = (np.array([math.log(r[i]) if r[4] else r[i] for r in free]) for i in (1, 2, 3))
    spread = replay.churn_detractor - replay.churn_promoter
    weight = (replay.churn_passive - replay.churn_promoter) / spread if spread > 0 else 0.5

    # First weights: 5% of each series' mean (NPS: 3 points); refined after a first fit.
    sigma = {k: (3.0 if k == "nps" else max(0.05 * float(np.nanmean(np.abs(v))), 1.0)) for k, v in series.items()}
    problem = _Problem(replay, names, log, lo, hi, series, sigma, "sentiment" if sentiment else "overall", weight)
    u0 = np.clip(start, lo + 1e-9, hi - 1e-9)
    u = _least_squares(problem, np.clip(_grid_start(problem, u0), lo + 1e-9, hi - 1e-9))
    # Reweight each series by its own residual spread, then refit from there.
    monthly = problem.run(u)
    total = sum(int(np.isfinite(y).sum()) for y in series.values())
    dof_factor = total / max(total - len(names), 1)
    for key, y in series.items():
        ok = np.isfinite(y)
        r = _model_series(monthly, key)[0][ok] - y[ok]
        floor = 1e-3 * max(float(np.nanmean(np.abs(y))), 1.0)
        problem.sigma[key] = max(math.sqrt(float(np.mean(r ** 2)) * dof_factor), floor)
    u = _least_squares(problem, u)

    resid = problem.residuals_from(problem.run(u), 0)
    dof = max(len(resid) - len(names), 1)
    return _FitResult(problem, u, nls_covariance(_jacobian(problem, u), float(resid @ resid) / dof), dof)


def _grid_start(problem: _Problem, u0: np.ndarray) -> np.ndarray:
    """A coarse grid over market size x word-of-mouth conversion (one batch run), best first."""
    i_m, i_c = problem.names.index("market_size"), problem.names.index("positive_conversion_per_impression")
    m_grid = np.clip(problem.lo[i_m] + np.log([1.2, 2.0, 4.0, 10.0, 30.0]), problem.lo[i_m], problem.hi[i_m])
    c_grid = u0[i_c] + np.log([0.25, 0.5, 1.0, 2.0, 4.0])
    grid = np.repeat(u0[None, :], len(m_grid) * len(c_grid), axis=0)
    grid[:, i_m] = np.repeat(m_grid, len(c_grid))
    grid[:, i_c] = np.tile(np.clip(c_grid, problem.lo[i_c], problem.hi[i_c]), len(m_grid))
    grid = np.vstack([u0[None, :], grid])
    monthly = problem.run(grid)
    costs = [float(np.sum(problem.residuals_from(monthly, i) ** 2)) for i in range(len(grid))]
    return grid[int(np.argmin(costs))]


def _jacobian(problem: _Problem, u: np.ndarray) -> np.ndarray:
    """Forward differences for every coordinate in one batch run (a batch costs about one run)."""
    k = len(u)
    step = 1e-4 * np.maximum(1.0, np.abs(u))
    # Step inward at an upper bound so every probe stays in range.
    step = np.where(u + step > problem.hi, -step, step)
    pts = np.repeat(u[None, :], k + 1, axis=0)
    pts[1:] += np.diag(step)
    monthly = problem.run(pts)
    r0 = problem.residuals_from(monthly, 0)
    return np.column_stack([(problem.residuals_from(monthly, j + 1) - r0) / step[j] for j in range(k)])


def _least_squares(problem: _Problem, u0: np.ndarray) -> np.ndarray:
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        return least_squares(lambda u: problem.residuals_from(problem.run(u), 0), u0,
                             jac=lambda u: _jacobian(problem, u), bounds=(problem.lo, problem.hi), method="trf",
                             x_scale=1.0, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=200).x


def _fitted_frame(hist: History, monthly: Mapping[str, np.ndarray]) -> pd.DataFrame:
    f = hist.frame
    n = hist.months
    out = pd.DataFrame({"period": f["period"].to_numpy()}, index=f.index)
    for col in filter(hist.has, _SERIES):
        out[col] = f[col].to_numpy(float)
        out[f"{col}_fit"] = np.asarray(_model_series(monthly, col)[0][:n], float)
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


_PAIRS = {"customers": "customers", "new_customers": "new_customers", "churned": "churned_customers"}
"""The metrics' names for the series compared (``r2_churned`` is of ``churned_customers``)."""


def _metrics(monthly: pd.DataFrame) -> dict[str, float]:
    out = {f"r2_{k}": _r2(monthly[col], monthly[f"{col}_fit"]) for k, col in _PAIRS.items()}
    out.update({f"mape_{k}": _mape(monthly[col], monthly[f"{col}_fit"]) for k, col in _PAIRS.items()})
    out["rmse_new_customers"] = float(np.sqrt(np.nanmean((monthly["new_customers"] - monthly["new_customers_fit"])
                                                         ** 2)))
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


def _sources(fitted: Sequence[str], coordinates: Mapping[str, float], from_data: Mapping[str, str],
             churn_mode: str) -> pd.DataFrame:
    """Every scenario field's status (fitted, from data, default) and a note on how, or why not."""
    notes = dict(_FIT_NOTES)
    if churn_mode == "overall":
        for band in _BANDS:
            notes[f"churn_{band}"] = (f"fitted: all three by-sentiment churn rates scaled by "
                                      f"{coordinates['churn_scale']:.3g} (no NPS in the history to split them)")
    rows = {}
    for name, spec in PARAMETERS.items():
        if name in fitted:
            rows[name] = ("fitted", notes.get(name, "fitted"))
        elif name in from_data:
            rows[name] = ("from data", from_data[name])
        else:
            rows[name] = ("default", _KEEP_REASONS.get(name) or _GROUP_REASONS.get(spec.group, "kept at the default"))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["status", "note"]).rename_axis("field")
