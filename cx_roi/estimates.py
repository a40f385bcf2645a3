"""Fit results as statsmodels presents them: ``params``, ``bse``, ``cov_params()`` and
``conf_int()``, for the fits of :mod:`cx_roi.bass` and :mod:`cx_roi.calibrate`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from .errors import ScenarioError

__all__ = ["Estimates", "nls_covariance"]


def nls_covariance(jac: np.ndarray, sigma2: float) -> np.ndarray:
    """s² (JᵀJ)⁻¹, the usual nonlinear least-squares covariance (J: residuals by parameters).

    A direction the data do not inform (JᵀJ singular: a parameter with no effect on the residuals,
    such as a Bass q fitted to 1e-16, or two that act only through their product) has no finite
    variance: the parameters along it get an infinite variance and NaN covariances. A
    pseudo-inverse would give them zero, and zero-width intervals, claiming certainty where the
    data give none.
    """
    jac = np.asarray(jac, float)
    n = jac.shape[1]
    if not np.isfinite(jac).all():  # a residual that overflowed: nothing can be said of any parameter
        return np.full((n, n), np.nan)
    # The rank is judged on columns of equal length, so a parameter in tiny units is not taken
    # for one the data do not inform; a column of zeros is uninformed whatever the units.
    norms = np.sqrt((jac ** 2).sum(axis=0))
    scale = np.where(norms > 0, norms, 1.0)
    _, s, vt = np.linalg.svd(jac / scale, full_matrices=True)
    singular = np.zeros(n)
    singular[:len(s)] = s
    # numpy's rank rule (matrix_rank): a singular value below this is rounding, not information.
    keep = singular > singular.max(initial=0.0) * max(jac.shape) * np.finfo(float).eps
    v = vt[keep].T
    cov = (v / singular[keep] ** 2) @ v.T * sigma2 / np.outer(scale, scale)
    loose = (np.abs(vt[~keep]).max(axis=0) > 1e-6) if (~keep).any() else np.zeros(n, bool)
    cov[loose, :] = np.nan
    cov[:, loose] = np.nan
    cov[np.flatnonzero(loose), np.flatnonzero(loose)] = np.inf
    return cov


class Estimates:
    """What statsmodels' results offer, over a subclass's ``params`` (pd.Series), ``cov``
    (their covariance, a DataFrame), ``dof`` (residual degrees of freedom) and
    ``log_scale`` (the parameters fitted on their logarithm)."""

    params: pd.Series
    cov: pd.DataFrame
    dof: int
    log_scale: tuple[str, ...]

    @property
    def limits(self) -> tuple[np.ndarray | float, np.ndarray | float]:
        """Lowest and highest value each parameter can take; intervals are cut there."""
        return -math.inf, math.inf

    @property
    def bse(self) -> pd.Series:
        """Standard errors, in the parameters' units: the square roots of :meth:`cov_params`' diagonal."""
        var = np.diag(self.cov.to_numpy(float))
        return pd.Series(np.sqrt(np.where(var >= 0, var, math.nan)), index=self.params.index, name="standard_error")

    @property
    def standard_errors(self) -> dict[str, float]:
        """:attr:`bse` as a dict."""
        return {k: float(v) for k, v in self.bse.items()}

    def cov_params(self) -> pd.DataFrame:
        """The covariance matrix of :attr:`params`, labelled by parameter, in their units."""
        return self.cov.copy()

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """(1 - ``alpha``) confidence intervals: one row per parameter, columns lower, upper.

        Wald intervals with Student's t quantile on ``dof`` degrees of freedom,
        worked out on the scale the fit used: exp(log estimate ± t SE(log
        estimate)) for a parameter fitted on its logarithm (asymmetric, never
        below zero; SE(log estimate) = SE / estimate by the delta method),
        estimate ± t SE for one fitted as it is. NaN where there is no
        standard error.
        """
        if not 0.0 < alpha < 1.0:
            raise ScenarioError(f"alpha: got {alpha!r}; expected a number between 0 and 1")
        est, se = self.params.to_numpy(float), self.bse.to_numpy(float)
        half = float(stats.t.ppf(1.0 - alpha / 2.0, max(self.dof, 1))) * se
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log = self.params.index.isin(self.log_scale)
            lower = np.where(log, est * np.exp(-half / est), est - half)
            upper = np.where(log, est * np.exp(half / est), est + half)
        low, high = self.limits
        return pd.DataFrame({"lower": np.clip(lower, low, high), "upper": np.clip(upper, low, high)},
                            index=self.params.index)
