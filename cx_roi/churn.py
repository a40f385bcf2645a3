"""Churn block: monthly leaving probability by sentiment band plus an involuntary floor."""

from __future__ import annotations

import numpy as np

__all__ = ["churn_rates", "apply_churn"]


def churn_rates(promoter, passive, detractor, involuntary):
    """Monthly churn probability per band, shape (..., 3).

    Voluntary and involuntary causes are independent, so a customer stays
    with probability (1 - involuntary)(1 - voluntary).
    """
    voluntary = np.stack([np.asarray(promoter, float), np.asarray(passive, float),
                          np.asarray(detractor, float)], axis=-1)
    inv = np.asarray(involuntary, float)[..., None]
    return 1.0 - (1.0 - inv) * (1.0 - voluntary)


def apply_churn(counts, rates, stories_hazard=None):
    """Remove the month's leavers. Returns ``(stayers_by_band, churned_total)``.

    ``stories_hazard`` (per customer per month): net negative stories reaching customers
    on the books, a cause of leaving independent of the band's own, so a customer stays
    with probability (1 - rate) exp(-hazard).
    """
    if stories_hazard is not None:
        rates = 1.0 - (1.0 - rates) * np.exp(-np.asarray(stories_hazard, float))[..., None]
    leaving = counts * rates
    return counts - leaving, leaving.sum(axis=-1)
