"""Sentiment block: experiences -> promoters, passives, detractors, with memory.

Sentiment is held as customer counts in three NPS bands (9-10, 7-8, 0-6).
Shares are arrays with a trailing axis of 3 in that order.
"""

from __future__ import annotations

import numpy as np

__all__ = ["band_mix", "product_mix", "contact_mix", "update_counts", "memory_weights", "blend_counts", "share_contacting", "nps",
           "measured_mix", "surveyed_mix", "survey_shares", "settled_shares"]


def band_mix(promoters, detractors):
    """Band shares (promoters, passives, detractors), shape (..., 3), from the promoter and
    detractor shares of a group (shares of 1); passives are the rest."""
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    return np.stack([promoters, 1.0 - promoters - detractors, detractors], axis=-1)


def product_mix(product_value, promoters_weak, promoters_outstanding, detractors_weak,
                detractors_outstanding):
    """Band shares of customers whose view is set by the product alone.

    Linear in the product value v (0 weak, 1 outstanding) between the shares a
    weak and an outstanding product earn: promoters = p_weak + (p_out - p_weak) v,
    likewise detractors.
    """
    v = np.asarray(product_value, dtype=float)
    p = promoters_weak + (np.asarray(promoters_outstanding) - promoters_weak) * v
    d = detractors_weak + (np.asarray(detractors_outstanding) - detractors_weak) * v
    return band_mix(p, d)


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
    return blend_counts(counts, memory_weights(contacting_share, contact_memory, product_memory), contact, product)


def memory_weights(contacting_share, contact_memory, product_memory):
    """The shares of the way a customer moves in a month, ``(toward the contact, toward the
    product)``, each of shape (..., 1): the contacting share x ``contact_memory``, and the
    others' share x ``product_memory`` (all shares of 1, per month). Constant while those are,
    so a month loop works them out once."""
    c = np.asarray(contacting_share)[..., None]
    return c * np.asarray(contact_memory)[..., None], (1.0 - c) * np.asarray(product_memory)[..., None]


def blend_counts(counts, weights, contact, product):
    """:func:`update_counts` with its ``weights`` (:func:`memory_weights`) worked out already."""
    total = counts.sum(axis=-1, keepdims=True)
    toward_contact, toward_product = weights
    return counts + toward_contact * (total * contact - counts) + toward_product * (total * product - counts)


def nps(counts):
    """Net promoter score, -100..100, from band counts (0 with no customers; NaN where the counts
    are NaN: a survey nobody answered)."""
    total = counts.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 100.0 * (counts[..., 0] - counts[..., 2]) / total
    return np.where(total == 0, 0.0, score)


def measured_mix(counts, inflation):
    """Polite answers: a share ``inflation`` of each band answers one band higher."""
    s = np.asarray(inflation, dtype=float)
    p, pa, d = counts[..., 0], counts[..., 1], counts[..., 2]
    return np.stack([p + s * pa, pa * (1 - s) + s * d, d * (1 - s)], axis=-1)


def surveyed_mix(prior_shares, answered_outcomes, outcome_mixes, product, service_weight, contact_memory,
                 response_rates, inflation):
    """Band mix of the answers a post-contact survey collects (shares, or zeros when nobody answers).

    Only answered contacts are invited; abandoned callers never are. An invited
    customer's view is the contact-memory blend of their view before the contact
    (``prior_shares``) and the contact's mix (as in :func:`contact_mix`, over the
    answered outcomes only: ``answered_outcomes`` = (fast, slow, bad but answered)
    shares of contacts). Each band answers at its own ``response_rates`` (promoter,
    passive, detractor), and ``inflation`` moves polite answers one band up.
    """
    fast, slow, bad = answered_outcomes
    answered = fast + slow + bad
    with np.errstate(divide="ignore", invalid="ignore"):
        experienced = (fast[..., None] * outcome_mixes[0] + slow[..., None] * outcome_mixes[1]
                       + bad[..., None] * outcome_mixes[2]) / answered[..., None]
    experienced = np.where(answered[..., None] > 0, experienced, 0.0)
    w = np.asarray(service_weight, dtype=float)[..., None]
    lc = np.asarray(contact_memory, dtype=float)[..., None]
    after = (1.0 - lc) * prior_shares + lc * (w * experienced + (1.0 - w) * product)
    answers = after * np.asarray(response_rates) * (answered[..., None] > 0)
    return measured_mix(answers, inflation)


def survey_shares(counts_before, answered_outcomes, outcome_mixes, product, service_weight, contact_memory,
                  response_rates, inflation):
    """Band shares of a post-contact survey's answers (zeros when nobody answers), shape (..., 3).

    ``counts_before``: band counts (customers) before each contact, shape (..., 3); the other
    arguments as in :func:`surveyed_mix`, which this normalises to shares of the answers.
    Without customers nobody contacts the centre, so nobody is surveyed.
    """
    customers = counts_before.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(customers > 0, counts_before / customers, 0.0)
    mix = surveyed_mix(shares, answered_outcomes, outcome_mixes, product, service_weight, contact_memory,
                       response_rates, inflation)
    total = mix.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((total > 0) & (customers > 0), mix / total, 0.0)


def settled_shares(initial_shares, contacting_share, contact, product, contact_memory, product_memory,
                   churn_rates, months: int = 1024):
    """The band shares a company settles into with its customer count held steady.

    One month maps shares affinely: the memory step of :func:`update_counts`, then
    churn by band with the leavers replaced by newcomers at the product's mix. The
    map is applied ``months`` times (a power of two: by repeated squaring of its
    4 x 4 matrix, so 1,024 months cost ten matrix products). Where nothing moves
    sentiment (no memory, no churn) the shares stay as entered.
    """
    n = initial_shares.shape[:-1]
    c = np.asarray(contacting_share, dtype=float)[..., None]
    k = c * np.asarray(contact_memory)[..., None] + (1.0 - c) * np.asarray(product_memory)[..., None]
    pull = c * np.asarray(contact_memory)[..., None] * contact + (1.0 - c) * np.asarray(
        product_memory)[..., None] * product  # k x target, shape (..., 3)
    eye = np.broadcast_to(np.eye(3), n + (3, 3))
    memory = np.zeros(n + (4, 4))
    memory[..., :3, :3] = (1.0 - k)[..., None] * eye
    memory[..., :3, 3] = pull
    memory[..., 3, 3] = 1.0
    churn = np.zeros(n + (4, 4))
    churn[..., :3, :3] = eye * (1.0 - churn_rates)[..., None, :] + product[..., :, None] * churn_rates[..., None, :]
    churn[..., 3, 3] = 1.0
    step = churn @ memory
    power = 1
    while power < months:
        step = step @ step
        power *= 2
    state = np.concatenate([initial_shares, np.ones(n + (1,))], axis=-1)
    return np.einsum("...ij,...j->...i", step, state)[..., :3]
