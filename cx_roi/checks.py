"""The checks the package's public functions make of their arguments, in one place.

Only public functions check (``Scenario`` checks its own fields when it is
made); what they pass on is trusted. Each check raises with the argument's
name, what it got and what is allowed: a ``TypeError`` for an argument of the
wrong type altogether, a :class:`ScenarioError` for a value out of bounds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .errors import ScenarioError
from .formatting import quoted
from .parameters import PARAMETERS
from .scenario import Scenario

__all__ = ["MAX_DRAWS", "scenario", "draws", "seed", "choice", "amount", "fraction", "budgets", "levers",
           "lever_limits", "names", "mapping", "callback"]

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


def amount(name: str, value: Any, unit: str = "$ per month", least: float = 0.0) -> float:
    """A positive, finite amount (``unit`` names it in the message), and at least ``least`` when that
    is given (a step smaller than a dollar a month is lost in the rounding of the spends it is added to)."""
    try:  # a Python int past the float range is too large too, not a TypeError from isfinite
        finite = math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        finite = False
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number))
            or not finite or value <= 0):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected a positive amount in {unit}")
    if value < least:
        raise ScenarioError(f"{name}: got {quoted(value)}; expected at least {least:g} ({unit})")
    return float(value)


def fraction(name: str, value: Any) -> float:
    """A number strictly between 0 and 1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) or not 0 < value < 1:
        raise ScenarioError(f"{name}: got {quoted(value)}; expected a number between 0 and 1, such as 1e-6")
    return float(value)


def text(name: str, value: Any) -> str:
    """``value`` if it is text (a title, a name)."""
    if not isinstance(value, str):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected text")
    return value


# Characters no report file can carry: control characters (XML, and so Excel and PowerPoint,
# refuses them) but a tab and line breaks, the two non-characters U+FFFE and U+FFFF, and lone
# surrogates (no UTF-8 file can hold them). A title or a sentence may break its lines or hold a
# tab; a name may not (it is one line in a table, a chart's legend, a sheet's name).
_NOT_IN_TEXT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff"
_UNWRITABLE_IN_TEXT = re.compile(f"[{_NOT_IN_TEXT}]")
UNWRITABLE = re.compile(f"[\t\n\r{_NOT_IN_TEXT}]")
UNWRITABLE_WORDS = ("holds a control or unprintable character, which no report file can hold; use letters, "
                    "digits and punctuation")


def report_text(name: str, value: Any) -> str:
    """``value`` if it is text a report file can hold (a title, a sentence): no :data:`UNWRITABLE`
    character but a tab or a line break."""
    text(name, value)
    if _UNWRITABLE_IN_TEXT.search(value):
        raise ScenarioError(f"{name}: {quoted(value)} {UNWRITABLE_WORDS}")
    return value


def names(name: str, value: Any) -> list[str]:
    """Names of inputs as a list (one name alone counts as a list of one)."""
    chosen = [value] if isinstance(value, str) else value
    if isinstance(chosen, Mapping) or not isinstance(chosen, Iterable):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected a list of input names, such as ['aht_seconds']")
    chosen = list(chosen)
    bad = [v for v in chosen if not isinstance(v, str)]
    if bad:
        raise ScenarioError(f"{name}: {quoted(bad[0])} is not an input's name; expected names such as 'aht_seconds'")
    return chosen


def mapping(name: str, value: Any, of: str) -> dict:
    """``value`` as a dict (None: empty); ``of`` says what it maps, for the message."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected a mapping of {of}")
    return dict(value)


def callback(name: str, value: Any) -> Any:
    """None, or something to call with no arguments."""
    if value is not None and not callable(value):
        raise ScenarioError(f"{name}: got {quoted(value)}; expected None or a function of no arguments")
    return value


def budgets(name: str, value: Any, phases: int) -> list[float]:
    """One finite amount of $0 or more a month per phase (one amount stands for every phase)."""
    if isinstance(value, bool):
        raise ScenarioError(f"{name}: got {value!r}; expected an amount in $ per month")
    one = isinstance(value, (int, float, np.integer, np.floating))
    if not one and (isinstance(value, str) or not isinstance(value, Sequence)):
        raise ScenarioError(f"{name}: got {value!r}; expected an amount in $ per month, or one per phase")
    raw = [value] * phases if one else list(value)
    if len(raw) != phases:
        raise ScenarioError(f"{name}: give one amount, or one per phase ({phases} "
                            f"{'phase' if phases == 1 else 'phases'}), got {len(raw)}")
    out = []
    for t in raw:
        try:
            v = float(t)
        except (TypeError, ValueError):
            raise ScenarioError(f"{name}: got {t!r}; expected an amount in $ per month") from None
        if not np.isfinite(v) or v < 0:
            raise ScenarioError(f"{name}: got {t!r}; expected a finite amount of $0 or more per month")
        out.append(v)
    return out


def levers(value: Any, allowed: Iterable[str]) -> list[str]:
    """Two or more distinct spend levers of ``allowed`` (one name alone counts as a list of one)."""
    allowed = list(allowed)
    chosen = [value] if isinstance(value, str) else list(value)
    bad = [lv for lv in chosen if lv not in allowed]
    if bad:
        raise ScenarioError(f"levers: {', '.join(map(repr, bad))} is not a spend lever; "
                            f"allowed: {', '.join(allowed)}")
    if len(chosen) < 2 or len(set(chosen)) != len(chosen):
        raise ScenarioError(f"levers: got {chosen}; choose two or more distinct of {', '.join(allowed)}")
    return chosen


def lever_limits(levers: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None
                 ) -> list[tuple[float, float]]:
    """(min, max) $ per month for each of ``levers`` from ``bounds`` (lever -> pair; None or a lever
    left out: no limit). The max may be inf, but is never above what a scenario allows."""
    bounds = mapping("bounds", bounds, "levers to (minimum, maximum) $ per month")
    unknown = [k for k in bounds if k not in levers]
    if unknown:
        raise ScenarioError([f"bounds: {k} is not one of the levers being split ({', '.join(levers)})"
                             for k in unknown])
    out = []
    for lever in levers:
        pair = bounds.get(lever, (0.0, math.inf))
        try:
            lo, hi = (float(v) if v is not None else d for v, d in zip(pair, (0.0, math.inf), strict=True))
        except (TypeError, ValueError):
            raise ScenarioError(f"bounds: {lever} needs a pair (minimum, maximum) in $ per month, "
                                f"got {pair!r}") from None
        if not (np.isfinite(lo) and lo >= 0 and not np.isnan(hi) and hi >= lo):
            raise ScenarioError(f"bounds: {lever} needs 0 <= minimum <= maximum, got ({lo:g}, {hi:g})")
        top = PARAMETERS[lever].maximum
        if lo > top:
            raise ScenarioError(f"bounds: {lever}'s minimum ${lo:,.0f} is above the most a scenario allows "
                                f"(${top:,.0f} a month)")
        out.append((lo, min(hi, top)))
    return out
