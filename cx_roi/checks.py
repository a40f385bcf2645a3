"""The checks the package's public functions make of their arguments, in one place.

Only public functions check (``Scenario`` checks its own fields when it is
made); what they pass on is trusted. Each check raises with the argument's
name, what it got and what is allowed: a ``TypeError`` for an argument of the
wrong type altogether, a :class:`ScenarioError` for a value out of bounds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import ScenarioError
from .formatting import quoted
from .scenario import Scenario

__all__ = ["MAX_DRAWS", "scenario", "draws", "seed", "choice", "amount"]

MAX_DRAWS = 100_000
"""The most draws a call may ask for: 100,000 draws x 120 months stays within a couple of GB."""


def scenario(value: Any, fn: str, what: str = "") -> Scenario:
    """``value`` if it is a Scenario; else TypeError naming the function (``what``: which argument,
    when it has more than one)."""
    if not isinstance(value, Scenario):
        raise TypeError(f"{fn}() takes a cx_roi.Scenario{f' as {what}' if what else ''}, "
                        f"got {type(value).__name__}")
    return value


def draws(value: Any) -> int:
    """A whole number of Monte Carlo draws, 1 to :data:`MAX_DRAWS`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_DRAWS:
        raise ScenarioError(f"draws: got {value!r}; allowed a whole number from 1 to {MAX_DRAWS:,}")
    return int(value)


def seed(value: Any) -> int:
    """A whole-number random seed."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ScenarioError(f"seed: got {value!r}; allowed a whole number (the same seed gives the same draws)")
    return int(value)


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed`` (names; a mapping's keys)."""
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ScenarioError(f"{name}: got {value!r}; allowed: {', '.join(allowed)}")
    return value


def amount(name: str, value: Any, unit: str = "$ per month") -> float:
    """A positive, finite amount (``unit`` names it in the message)."""
    try:  # a Python int past the float range is too large too, not a TypeError from isfinite
        finite = math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        finite = False
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number))
            or not finite or value <= 0):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected a positive amount in {unit}")
    return float(value)
