"""Service block: spend -> agents -> queue, quality spend -> first-contact resolution.

All functions are vectorised (numpy broadcasting) so one call serves a single
scenario or a batch of draws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# The unchecked form: these values come from a validated Scenario, checked once, not every month.
from .queueing import erlang_a_and_late

__all__ = ["agents_answering", "first_contact_resolution", "contact_outcomes", "ContactOutcomes"]


def agents_answering(capacity_spend, agent_cost_per_month, shrinkage, paid_hours_per_month,
                     open_hours_per_month):
    """Agents on payroll (FTE) and agents answering at any open hour (seats).

    FTE = spend ($/month) / fully loaded cost ($/agent-month). An FTE gives
    paid hours x (1 - shrinkage) productive hours, spread over the opening
    hours, so seats = FTE (1 - shrinkage) paid_hours / open_hours. Returns
    ``(fte, seats)``; both are continuous, which keeps sliders and optimisers
    smooth.
    """
    fte = np.asarray(capacity_spend, dtype=float) / agent_cost_per_month
    seats = fte * (1.0 - np.asarray(shrinkage)) * paid_hours_per_month / open_hours_per_month
    return fte, seats


def first_contact_resolution(quality_spend, first_contacts, floor, ceiling, half_effect_per_contact):
    """Share of contacts resolved first time.

    FCR = floor + (ceiling - floor) (1 - 2^(-q / h)), q = quality spend per first
    contact ($), h = the spend per contact that closes half the gap. Concave:
    each extra dollar buys less. With no contacts the spend per contact is
    unbounded and FCR sits at the ceiling (it does not matter then).
    """
    # A vanishing number of contacts gives an unbounded spend per contact:
    # inf is the right answer there (FCR at the ceiling), not a warning.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_contact = np.where(first_contacts > 0, quality_spend / np.maximum(first_contacts, 1e-300),
                               np.inf)
        # A huge finite spend per contact may overflow once divided by h: inf again.
        gain = 1.0 - np.exp2(-per_contact / half_effect_per_contact)
    return floor + (ceiling - floor) * gain


class ContactOutcomes(NamedTuple):
    """What happened to a month's contacts; shares of contacts, ``fast + slow + bad == 1``."""

    fast: np.ndarray  # answered within the caller's tolerance and resolved first time
    slow: np.ndarray  # answered after waiting past the tolerance, or resolved only on a repeat contact
    bad: np.ndarray  # abandoned in the queue, or never resolved
    bad_answered: np.ndarray  # the part of ``bad`` that was answered (never resolved): surveyed
    contacts: np.ndarray  # all contacts incl. repeats, per month
    load_erlangs: np.ndarray
    p_wait: np.ndarray
    service_level: np.ndarray  # answered within the reported target: a reporting figure only
    abandon_rate: np.ndarray
    mean_wait_seconds: np.ndarray
    occupancy: np.ndarray
    waited_too_long: np.ndarray  # answered, after waiting longer than the caller tolerates


def contact_outcomes(first_contacts, fcr, repeats_per_unresolved, eventual_resolution, seats,
                     aht_seconds, patience_seconds, target_seconds, tolerance_seconds,
                     open_hours_per_month) -> ContactOutcomes:
    """Queue the month's contacts and classify each outcome.

    Contacts = first contacts x (1 + (1 - FCR) x repeats): unresolved issues
    come back and load the queue again. The queue is Erlang A, so an
    understaffed centre gives long waits and hang-ups, never NaN. How a contact
    feels depends on its wait against the caller's ``tolerance_seconds`` (the
    queue's wait distribution gives the share answered after it); the reported
    ``target_seconds`` only sets ``service_level``.
    """
    unresolved = 1.0 - fcr
    contacts = first_contacts * (1.0 + unresolved * repeats_per_unresolved)
    load = contacts * aht_seconds / (open_hours_per_month * 3600.0)
    q, late = erlang_a_and_late(seats, load, aht_seconds, patience_seconds, target_seconds, tolerance_seconds)
    answered = 1.0 - q.p_abandon
    fast = (answered - late) * fcr
    answered_unresolved = answered * unresolved
    slow = late * fcr + answered_unresolved * eventual_resolution
    bad_answered = answered_unresolved * (1.0 - eventual_resolution)
    # Clipped to [0, 1] by two ufuncs: np.clip's own wrapper costs more than the arithmetic
    # for a single scenario's month (1 - fast - slow is never -0.0, where the two ways differ).
    bad = np.minimum(np.maximum(1.0 - fast - slow, 0.0), 1.0)
    return ContactOutcomes(fast, slow, bad, bad_answered, contacts, load, q.p_wait, q.service_level,
                           q.p_abandon, q.mean_wait_seconds, q.occupancy, late)
