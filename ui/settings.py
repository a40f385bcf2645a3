"""The Risk and Optimise pages' settings, which travel in the URL, and what the pages do with them.

Each setting is a :class:`ui.fields.Field` row of :data:`SETTINGS` (part of the URL's one
field table, ``ui.url.FIELDS``); a widget's value goes through the same reader as a link's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cx_roi
from cx_roi import PARAMETERS, Scenario, ScenarioError
from cx_roi.formatting import param_value
from cx_roi.uncertainty import UNCERTAIN_FIELDS, Range, check_ranges

from . import store, tables
from .fields import Field, amount, choice, entries, int_in, money_or_auto, number, quoted_list, url_number
from .notices import add_notice, bullet, drop_notices, listed, show
from .view import current_scenario, store_scenario

__all__ = ["SETTINGS", "setting", "set_setting", "reset_setting", "todays_spend", "budgets", "HEAVY", "heavy_started",
           "start_heavy", "range_problem", "risk_ranges", "ranges_editor_key", "on_ranges_edit", "apply_split",
           "rounded_split", "round_spend", "SPEND_STEP", "limit", "set_limit", "choose", "OBJECTIVES", "PHASES",
           "TARGET_METRICS", "MAX_BUDGET", "MAX_DRAWS_UI", "DEFAULT_DRAWS"]

OBJECTIVES = tuple(cx_roi.optimisation.OBJECTIVES)
PHASES = tuple(cx_roi.optimisation.PHASES)
TARGET_METRICS = tuple(cx_roi.optimisation.TARGET_METRICS)
MAX_BUDGET = 20_000_000.0  # $ per month on the levers: ten times the largest preset, plenty for any what-if
MAX_DRAWS_UI = 10_000  # the Risk page's ceiling: about a second of model time per scenario
DEFAULT_DRAWS = 2_000


def range_problem(name: str, low: Any, high: Any) -> str | None:
    """Why ``low``..``high`` cannot be the range of input ``name`` (None when it can): an input the
    Risk page lists, and a range ``cx_roi.uncertainty.check_ranges`` accepts."""
    if name not in UNCERTAIN_FIELDS:
        return f"`{show(name)}` is not an uncertain input" if str(name).strip() else "an entry names no input"
    label = PARAMETERS[name].label
    try:
        lo, hi = number(low), number(high)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError
    except (TypeError, ValueError):
        return f"{label}: low and high must be numbers within the allowed {PARAMETERS[name].describe_range()}"
    try:  # the likely value is the scenario's own (risk_ranges): any point of the range stands for it here
        check_ranges({name: Range(lo, lo, hi)})
    except ScenarioError as err:
        spec = PARAMETERS[name]
        # The page shows a share as 45%; the range's cells hold it as 0.45.
        hint = (" (a share is written as a fraction here: 0.45 for 45%)"
                if "%" in spec.fmt and spec.maximum <= 1 < max(lo, hi) else "")
        return f"{label}: {err.problems[0].removeprefix(f'{name}: ')}{hint}"
    return None


def _range_entry(name: str, low_text: str, high_text: str) -> tuple[str, tuple[float, float]]:
    problem = range_problem(name, low_text, high_text)
    if problem:
        raise ValueError(problem)
    return name, (number(low_text), number(high_text))


def _bounds_entry(lever: str, lo_text: str, hi_text: str) -> tuple[str, tuple[float, float]]:
    if lever not in cx_roi.LEVERS:
        raise ValueError(f"`{show(lever)}` is not a spend lever" if lever.strip() else "an entry names no lever")
    try:
        lo = number(lo_text) if lo_text.strip() else 0.0
        hi = number(hi_text) if hi_text.strip() else math.inf
    except ValueError:
        raise ValueError(f"the limits of {lever} are not numbers") from None
    if math.isnan(lo) or math.isnan(hi) or math.isinf(lo):
        raise ValueError(f"the limits of {lever} must be numbers of dollars (the maximum may be blank)")
    if lo < 0 or hi < 0:
        raise ValueError(f"the limits of {lever} cannot be negative")
    if lo > hi:
        raise ValueError(f"the limits of {lever} need 0 <= minimum <= maximum")
    if lo > MAX_BUDGET:
        raise ValueError(f"the minimum of {lever}, ${amount(lo)} a month, is above the largest budget "
                         f"(${MAX_BUDGET:,.0f})")
    return lever, (lo, hi)


def _parse_bounds(text: str) -> dict[str, tuple[float, float]]:
    """``lever:min:max~...``: the Optimise page's per-lever limits, $ per month (max blank: none).
    Minimums that add up to more than the largest budget could never be met: refused whole."""
    bounds = entries(text, _bounds_entry)
    floor = sum(lo for lo, _ in bounds.values())
    if floor > MAX_BUDGET:
        raise ValueError(f"the minimums add up to ${floor:,.0f} a month, more than the largest budget "
                         f"(${MAX_BUDGET:,.0f})")
    return bounds


def _encode_pairs(value: dict[str, tuple[float, float]]) -> str:
    """``name:low:high~...`` (Risk's ranges, Optimise's limits; a limit's missing maximum: blank)."""
    return "~".join(f"{k}:{url_number(lo)}:{'' if math.isinf(hi) else url_number(hi)}"
                    for k, (lo, hi) in sorted(value.items()))


def _lever_list(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(t.strip() for t in str(text).split(",") if t.strip()))
    unknown = [t for t in items if t not in cx_roi.LEVERS]
    if unknown:
        raise ValueError(f"{quoted_list(unknown)} is not a spend lever")
    if len(items) < 2:
        raise ValueError("an optimisation needs at least two levers to split the budget between")
    return items


def _money_text(v: float | None) -> str:
    return "the scenario's current spend" if v is None else f"${v:,.0f} a month"


def _setting(key: str, default: Any, parse, encode, allowed: str, describe=str) -> Field:
    return Field(key, default, parse, encode, allowed, describe=describe, item=f"set:{key}")


_BUDGET = f"a monthly budget from $0 to ${MAX_BUDGET:,.0f}"

SETTINGS: dict[str, Field] = {f.key: f for f in (
    # Risk page
    _setting("draws", DEFAULT_DRAWS, int_in(100, MAX_DRAWS_UI), str,
             f"a whole number of Monte Carlo draws from 100 to {MAX_DRAWS_UI:,}", lambda v: f"{v:,}"),
    _setting("seed", 0, int_in(0, 999_999), str, "a whole number from 0 to 999,999"),
    _setting("ranges", {}, lambda t: entries(t, _range_entry), _encode_pairs,
             "entries input:low:high separated by ~, for inputs listed on the Risk page, "
             "each within the input's allowed range", lambda v: "the evidence's ranges"),
    _setting("tornado", "npv", choice(("npv", "roi")), str, "npv or roi"),
    # Optimise page
    _setting("budget", None, money_or_auto(0.0, MAX_BUDGET), url_number, _BUDGET, _money_text),
    _setting("budget_after", None, money_or_auto(0.0, MAX_BUDGET), url_number, _BUDGET,
             lambda v: "the first year's budget" if v is None else _money_text(v)),
    _setting("bounds", {}, _parse_bounds, _encode_pairs,
             "entries lever:minimum:maximum ($ per month, maximum may be blank) separated by ~",
             lambda v: "no limits"),
    _setting("phases", "whole", choice(PHASES), str, " or ".join(PHASES)),
    _setting("objective", "npv", choice(OBJECTIVES), str, ", ".join(OBJECTIVES)),
    _setting("levers", tuple(cx_roi.LEVERS), _lever_list, ",".join,
             f"two or three of {', '.join(cx_roi.LEVERS)}, separated by commas", lambda v: "all three levers"),
    _setting("target_metric", "final_customers", choice(TARGET_METRICS), str, " or ".join(TARGET_METRICS)),
    _setting("frontier", False, lambda t: choice(("0", "1"))(t) == "1", lambda v: "1" if v else "0", "1 or 0",
             lambda v: "on" if v else "off"),
    _setting("target", None, money_or_auto(0.0, 1e12), url_number, "a number from 0 to 1,000,000,000,000",
             lambda v: "10% above today's plan" if v is None else f"{v:,.0f}"),
)}


def setting(name: str) -> Any:
    """A Risk or Optimise setting's current value (see :data:`SETTINGS`)."""
    return store.get(f"set:{name}", SETTINGS[name].default)


def set_setting(name: str, value: Any) -> bool:
    """Store a setting from a widget, read as a link's value is; False (and a notice) when it is not allowed."""
    spec = SETTINGS[name]
    if value is None and spec.default is not None:
        # Only a setting whose default is "none" (an automatic budget) takes None. Clicking a
        # segmented control's chosen option again reports None: that is no choice, so the
        # current one stays, silently.
        return False
    try:
        if value is not None:
            value = spec.parse(value if isinstance(value, str) else spec.encode(value))
    except ValueError as exc:
        add_notice("warning", f"**{name}**: {exc}; allowed: {spec.allowed}. The previous value was kept.")
        return False
    store.put(f"set:{name}", value)
    return True


def reset_setting(name: str) -> None:
    """Back to the default (e.g. "use the scenario's current spend" for a budget)."""
    store.put(f"set:{name}", SETTINGS[name].default)


def todays_spend() -> float:
    """What the current scenario spends on the optimised levers, $ per month (mean over the horizon)."""
    scenario = current_scenario()
    return sum(float(sum(scenario.schedule(lv)) / scenario.horizon_months) for lv in setting("levers"))


def budgets() -> tuple[float, ...]:
    """The Optimise page's monthly budget(s): one, or first year and after. Unset: today's spend."""
    first = setting("budget")
    first = todays_spend() if first is None else first
    if setting("phases") != "first_year":
        return (first,)
    after = setting("budget_after")
    return (first, first if after is None else after)


# Work on the Optimise page that takes seconds to minutes of the server's CPU: the cautious
# objective (200 draws for every split tried), the frontier (an optimisation per budget) and the
# target search (a dozen optimisations). A link can ask for it, but only a click in the session
# starts it: a link alone never costs the server more than an ordinary page.
HEAVY = ("cautious", "frontier", "target")


def heavy_started(kind: str) -> bool:
    """Whether someone in this session clicked to start heavy work ``kind`` (see :data:`HEAVY`)."""
    return kind in store.get("heavy", ())


def start_heavy(kind: str) -> None:
    """A click asked for heavy work ``kind``: from now on this session computes it when shown."""
    if kind not in HEAVY:
        raise KeyError(kind)
    store.put("heavy", {*store.get("heavy", ()), kind})


# ------------------------------------------------------------------ Risk's ranges

def risk_ranges(scenario: Scenario) -> dict[str, Range]:
    """The ranges the Risk page runs with: the evidence's, with the user's edits.

    The likely value is always the scenario's own (set on the Explore page); a
    range that does not contain it is widened to, so the ensemble stays centred
    on the plan being judged.
    """
    ranges = cx_roi.default_ranges(scenario)
    for name, (lo, hi) in setting("ranges").items():
        if name not in ranges:
            continue
        likely = float(getattr(scenario, name))
        lo, hi = min(lo, likely), max(hi, likely)
        ranges[name] = Range(lo, likely, hi, log=lo > 0 and hi / lo >= 10)
    return ranges


def ranges_editor_key() -> str:
    """Key of the ranges table editor; it changes after each edit so the table starts clean."""
    return f"w:ranges:{store.get('ranges_round', 0)}"


_RANGES_TOPIC = "ranges table"


def on_ranges_edit(rows: Sequence[str]) -> None:
    """Ranges-table callback: apply edited low/high values (or explain why not).

    ``rows``: the input names in the table's row order (the editor reports rows by position).
    """
    edited = (store.widget_value(ranges_editor_key()) or {}).get("edited_rows", {})
    current = dict(setting("ranges"))
    scenario = current_scenario()
    defaults = cx_roi.default_ranges(scenario)
    problems, widened = [], []
    for index, change in edited.items():
        name = rows[int(index)]
        lo, hi = current.get(name, (defaults[name].low, defaults[name].high))
        lo, hi = change.get("Low", lo), change.get("High", hi)
        problem = range_problem(name, lo, hi)
        if problem:
            problems.append(problem)
            continue
        lo, hi = float(lo), float(hi)
        if (lo, hi) == (defaults[name].low, defaults[name].high):
            current.pop(name, None)  # back to the evidence's range: nothing to carry in the link
        else:
            current[name] = (lo, hi)
        likely = float(getattr(scenario, name))
        if not lo <= likely <= hi:  # risk_ranges widens it: say so rather than show another number
            p = PARAMETERS[name]
            widened.append(f"{p.label}: {param_value(p.fmt, lo)} to {param_value(p.fmt, hi)} leaves out the "
                           f"scenario's own value, {param_value(p.fmt, likely)} (set on Explore), so the range "
                           f"runs from {param_value(p.fmt, min(lo, likely))} to {param_value(p.fmt, max(hi, likely))}")
    store.put("set:ranges", current)
    # One notice for the table's edit, replaced by the next edit's: a corrected range retires its
    # complaint. Its rows are inputs the table lists, each a label and numbers, shown as written (two
    # "$" of a money input's unit would set what lies between as mathematics).
    drop_notices(_RANGES_TOPIC)
    parts = []
    if problems:
        parts.append("Some ranges were not changed:\n" + listed([tables.inert(p) for p in problems]))
    if widened:
        parts.append("A range holds the scenario's likely value:\n" + listed([tables.inert(w) for w in widened]))
    if parts:
        add_notice("warning" if problems else "info", "\n\n".join(parts), _RANGES_TOPIC)
    store.put("ranges_round", store.get("ranges_round", 0) + 1)


# ------------------------------------------------------------------ Optimise -> Explore

SPEND_STEP = 1_000.0  # $ a month: an applied split is in round thousands, as a plan is written


def round_spend(value: float, low: float = 0.0, high: float = math.inf) -> float:
    """A monthly spend to the nearest :data:`SPEND_STEP`, $ per month, when that stays within the lever's
    limits ``low``..``high``; otherwise as it is, to the cent (a lever held at a limit keeps it)."""
    rounded = round(float(value) / SPEND_STEP) * SPEND_STEP
    return rounded if low <= rounded <= high else round(float(value), 2)


def rounded_split(alloc: cx_roi.Allocation, bounds: dict[str, tuple[float, float]] | None = None
                  ) -> dict[str, float | tuple[float, ...]]:
    """The spends of ``alloc.scenario`` on its levers, each month's rounded by :func:`round_spend` within
    the lever's ``bounds`` ({lever: (min, max)}, $ per month): a number, or a monthly schedule when the
    first year's budget differs from the rest's. Each is within $500 of the optimiser's; together they
    may differ from the budget by up to $500 a lever."""
    out: dict[str, float | tuple[float, ...]] = {}
    for lever in alloc.allocation.columns:
        low, high = (bounds or {}).get(lever, (0.0, math.inf))
        value = getattr(alloc.scenario, lever)
        out[lever] = (tuple(round_spend(v, low, high) for v in value) if isinstance(value, tuple)
                      else round_spend(value, low, high))
    return out


def _spend_words(value: float | tuple[float, ...]) -> str:
    """"$259,000", or "$259,000 in the first year, then $198,000" for a two-budget schedule."""
    if not isinstance(value, tuple):
        return f"${value:,.0f}"
    return f"${value[0]:,.0f} in the first year, then ${value[-1]:,.0f}"


def _totals_words(changes: dict[str, float | tuple[float, ...]], budgets_: list[float]) -> str:
    """What the rounded spends add up to against the budget(s), when rounding moved the total."""
    first = [v[0] if isinstance(v, tuple) else v for v in changes.values()]
    last = [v[-1] if isinstance(v, tuple) else v for v in changes.values()]
    totals = [sum(first)] if len(budgets_) == 1 else [sum(first), sum(last)]
    if all(abs(t - b) < 0.5 for t, b in zip(totals, budgets_)):
        return " They add up to the budget."
    phases = [""] if len(totals) == 1 else [" in the first year", " after it"]
    said = "; ".join(f"${t:,.0f}{where} against a budget of ${b:,.0f}"
                     for t, b, where in zip(totals, budgets_, phases))
    return f" Rounding moves the total a little: {said} a month."


def apply_split(alloc: cx_roi.Allocation) -> None:
    """Carry an optimised split into the current scenario (Optimise -> Explore): the spends of
    ``alloc.scenario``, a monthly schedule where the first year's budget differs from the rest's,
    each rounded to the nearest :data:`SPEND_STEP` within the page's limits (:func:`rounded_split`).

    Rounded, not adjusted to the budget to the dollar: each spend stays within $500 of the
    optimum, where the returns of the levers are level, so the total moves by less than $500 a
    lever, and the notice says by how much; putting the remainder on one lever would move that
    lever by up to $1,500 and still leave a budget that is not in round thousands unmatched.
    """
    changes = rounded_split(alloc, setting("bounds"))
    try:
        store_scenario(current_scenario().replace(**changes))
    except ScenarioError as err:
        add_notice("error", "The split could not be applied:\n" + listed([bullet(p) for p in err.problems]))
        return
    budgets_ = list(alloc.totals) or [float(alloc.allocation.iloc[0].sum())]
    add_notice("info", f"Applied the optimised split to the current scenario, each spend rounded to the nearest "
               f"${SPEND_STEP:,.0f} a month: "
               + "; ".join(f"{cx_roi.LEVERS[k]} {_spend_words(v)}" for k, v in changes.items()) + "."
               + _totals_words(changes, budgets_))


# ------------------------------------------------------------------ the Optimise page's widgets

def limit(lever: str, end: str) -> float | None:
    """A lever's limit on the Optimise page: ``end`` "min" (0 when none) or "max" (None when none), $ per month."""
    lo, hi = setting("bounds").get(lever, (0.0, math.inf))
    return lo if end == "min" else (None if math.isinf(hi) else hi)


def set_limit(lever: str, end: str, value: float | None) -> bool:
    """Set one end of a lever's limits (None or 0: no limit); False (and a notice) when not allowed."""
    bounds = dict(setting("bounds"))
    lo, hi = bounds.get(lever, (0.0, math.inf))
    if end == "min":
        lo = float(value or 0.0)
    else:
        hi = math.inf if value is None else float(value)
    if lo > hi:
        add_notice("warning", f"**{cx_roi.LEVERS[lever]}**: the minimum (${lo:,.0f}) cannot be above the "
                   f"maximum (${hi:,.0f}); the previous limits were kept.")
        return False
    if (lo, hi) == (0.0, math.inf):
        bounds.pop(lever, None)
    else:
        bounds[lever] = (lo, hi)
    return set_setting("bounds", bounds)


def choose(name: str, value: Any) -> bool:
    """A setting chosen in its widget: stored as :func:`set_setting` does. Choosing heavy work
    in its widget (the frontier, the cautious goal) is the click that starts it."""
    ok = set_setting(name, value)
    if ok and name == "frontier" and value:
        start_heavy("frontier")
    if ok and name == "objective" and value == "p10_npv":
        start_heavy("cautious")
    return ok
