"""Advertising block: geometric adstock and Hill saturation.

Adstock carries part of each month's advertising into later months; the Hill
curve gives diminishing returns. Both are the forms used by Meta Robyn, Google
Meridian, LightweightMMM and PyMC-Marketing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["initial_adstock", "adstock_step", "hill", "hill_marginal", "ad_innovation"]


def initial_adstock(prior_spend_per_month, decay):
    """Adstock carried into month 1 from a steady prior spend: x / (1 - theta) ($)."""
    return np.asarray(prior_spend_per_month, float) / (1.0 - np.asarray(decay, float))


def adstock_step(previous, spend, decay):
    """A(t) = x(t) + theta A(t-1), dollars."""
    return spend + decay * previous


def hill(x, half_saturation, shape):
    """Hill saturation x^s / (x^s + K^s) in [0, 1); 0 at x = 0, 1/2 at x = K."""
    x = np.maximum(np.asarray(x, float), 0.0)
    # Written as 1 / (1 + (K/x)^s) so huge spends do not overflow; a vanishing
    # adstock makes (K/x)^s overflow to inf, which correctly gives 0.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = 1.0 / (1.0 + (half_saturation / x) ** shape)
    return np.where(x > 0, r, 0.0)


def hill_marginal(x, half_saturation, shape):
    """d hill / dx = s K^s x^(s-1) / (x^s + K^s)^2, per dollar."""
    x = np.maximum(np.asarray(x, float), 1e-300)
    # With u = (K/x)^s: hill = 1/(1+u), 1 - hill = u/(1+u). Using u directly
    # keeps precision where hill is close to 1 (deep saturation).
    with np.errstate(over="ignore", invalid="ignore"):
        u = (half_saturation / x) ** shape
        out = shape * u / ((1.0 + u) ** 2 * x)
    return np.where(np.isfinite(out), out, 0.0)


def ad_innovation(adstock, decay, half_saturation, shape, max_innovation):
    """Bass innovation p(t) from advertising, share of available prospects per month.

    Adstock is scaled by (1 - theta) so the Hill half-saturation K reads as a
    sustained monthly spend: spending K every month gives half of ``max_innovation``.
    """
    sustained = np.asarray(adstock, float) * (1.0 - np.asarray(decay, float))
    return max_innovation * hill(sustained, half_saturation, shape)
