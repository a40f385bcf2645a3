"""Sentiment block: experiences -> promoters, passives, detractors, with memory.

Sentiment is held as customer counts in three NPS bands (9-10, 7-8, 0-6).
Shares are arrays with a trailing axis of 3 in that order.
"""

from __future__ import annotations

import numpy as np

__all__ = ["product_mix", "contact_mix", "update_counts", "share_contacting", "nps",
           "measured_mix", "PRODUCT_PROMOTERS", "PRODUCT_DETRACTORS"]

# Promoter and detractor shares among customers who never contact service, at
# product value 0 (weak) and 1 (outstanding); linear in between. At the default
# product value 0.6 this gives 38% promoters and 21% detractors, NPS +17, about
# the middle of published NPS ranges for subscription businesses.
PRODUCT_PROMOTERS = (0.05, 0.60)
PRODUCT_DETRACTORS = (0.45, 0.05)


def _mix(promoters, detractors):
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    return np.stack([promoters, 1.0 - promoters - detractors, detractors], axis=-1)


def product_mix(product_value):
    """Band shares of customers whose view is set by the product alone."""
    v = np.asarray(product_value, dtype=float)
    p = PRODUCT_PROMOTERS[0] + (PRODUCT_PROMOTERS[1] - PRODUCT_PROMOTERS[0]) * v
    d = PRODUCT_DETRACTORS[0] + (PRODUCT_DETRACTORS[1] - PRODUCT_DETRACTORS[0]) * v
    return _mix(p, d)


def contact_mix(outcomes, outcome_mixes, product, service_weight):
    """Band shares of contacting customers.

    ``outcomes`` = (fast, slow, bad) shares of contacts; ``outcome_mixes`` =
    the three band mixes, one per outcome. The contact's own mix is blended
    with the product's: w x contact + (1 - w) x product, so even perfect
    service cannot lift a weak product above what w allows.
    """
    fast, slow, bad = outcomes
    experienced = (fast[..., None] * outcome_mixes[0] + slow[..., None] * outcome_mixes[1]
                   + bad[..., None] * outcome_mixes[2])
    w = np.asarray(service_weight, dtype=float)[..., None]
    return w * experienced + (1.0 - w) * product


def share_contacting(contacts_per_customer):
    """Share of customers with at least one contact in a month: 1 - exp(-rate) (Poisson)."""
    return 1.0 - np.exp(-np.asarray(contacts_per_customer, dtype=float))


def update_counts(counts, contacting_share, contact, product, contact_memory, product_memory):
    """One month of sentiment memory on band counts (customers).

    Contacting customers move a share ``contact_memory`` of the way to the
    contact mix; the others drift a share ``product_memory`` toward the product
    mix. Totals are preserved exactly; counts stay non-negative.
    """
    total = counts.sum(axis=-1, keepdims=True)
    c = np.asarray(contacting_share)[..., None]
    lc = np.asarray(contact_memory)[..., None]
    lp = np.asarray(product_memory)[..., None]
    return counts + c * lc * (total * contact - counts) + (1.0 - c) * lp * (total * product - counts)


def nps(counts):
    """Net promoter score, -100..100, from band counts (0 with no customers)."""
    total = counts.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 100.0 * (counts[..., 0] - counts[..., 2]) / total
    return np.where(total > 0, score, 0.0)


def measured_mix(counts, inflation):
    """What a survey reports: a share ``inflation`` of each band answers one band higher."""
    s = np.asarray(inflation, dtype=float)
    p, pa, d = counts[..., 0], counts[..., 1], counts[..., 2]
    return np.stack([p + s * pa, pa * (1 - s) + s * d, d * (1 - s)], axis=-1)
