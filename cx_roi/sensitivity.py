"""Sensitivity: which assumption matters most, and which could flip the decision.

``tornado`` moves one uncertain input at a time to the low and high ends of
its range, all others at their likely values, and sorts the inputs by how far
the metric swings. ``break_even`` finds the value of an input at which one
scenario stops beating another. Everything runs on the batch engine: all the
one-at-a-time runs of a tornado are one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import checks, economics
from .errors import ScenarioError
from .parameters import PARAMETERS
from .scenario import Scenario, fix_cross_rules
from .simulation import KPI_COLUMNS, simulate_batch
from .uncertainty import Range, ranges_for

__all__ = ["tornado", "break_even", "break_even_table", "METRICS"]

# A run on its own has no payback (it is measured against a baseline): its KPI is always NaN.
_OWN_METRICS = tuple(k for k in KPI_COLUMNS if k != "payback_month")
METRICS = _OWN_METRICS + ("roi", "delta_npv")


def _metric(metric: str, allowed: Sequence[str]) -> str:
    """``metric`` if it is one of ``allowed``; payback is refused with its reason."""
    if metric == "payback_month":
        raise ScenarioError("metric: got 'payback_month', which a run on its own does not have (payback is "
                            "measured against a baseline); use 'delta_npv' or 'roi' with a baseline, or 'npv'")
    return checks.choice("metric", metric, allowed)


def _paired(scenario: Scenario, other: Scenario, draws: Mapping[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The KPIs of ``scenario`` and of ``other`` at each draw, from one batch.

    One batch, not one per scenario: a draw that needs fine steps costs a fixed amount per
    step whatever the size of its group, so the two scenarios' fine draws stepping together
    halve that cost (break-even's grid reaches the ends of the allowed ranges, where most
    fine draws are)."""
    n = len(next(iter(draws.values())))
    kpis = simulate_batch([scenario] * n + [other] * n,
                          draws={k: np.concatenate([v, v]) for k, v in draws.items()}, columns=()).kpis
    return kpis.iloc[:n].reset_index(drop=True), kpis.iloc[n:].reset_index(drop=True)


def _metric_values(scenario: Scenario, draws: Mapping[str, np.ndarray], metric: str,
                   baseline: Scenario | None) -> np.ndarray:
    """The metric for each draw; ``roi``/``delta_npv`` apply each draw to the baseline too."""
    if metric in ("roi", "delta_npv"):
        if baseline is None:
            raise ScenarioError(f"metric {metric!r} needs a baseline scenario to compare against")
        if baseline.horizon_months != scenario.horizon_months:
            raise ScenarioError("the scenario and its baseline need the same horizon_months")
        a, b = _paired(scenario, baseline, draws)
        npv, base_npv = a["npv"].to_numpy(), b["npv"].to_numpy()
        if metric == "delta_npv":
            return npv - base_npv
        spend, base_spend = a["pv_spend"].to_numpy(), b["pv_spend"].to_numpy()
        return economics.roi(npv, base_npv, spend - base_spend, base_spend)
    return simulate_batch(scenario, draws=draws, columns=()).kpis[metric].to_numpy()


def tornado(scenario: Scenario, metric: str = "npv", baseline: Scenario | None = None,
            ranges: Mapping[str, Range] | None = None, fields: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per input: its low and high values, the metric at each, and the swing.

    ``metric``: any KPI (``cx_roi.KPI_COLUMNS``), or ``"roi"`` / ``"delta_npv"``
    of ``scenario`` against ``baseline`` (each input moved in both, since an
    assumption about the world is shared). ``ranges`` overrides the default
    ranges; ``fields`` limits the inputs (default: every uncertain input).
    Sorted by swing, largest first. ``base`` is the metric at likely values.
    """
    checks.scenario(scenario, "tornado")
    _metric(metric, METRICS)
    if baseline is not None:
        checks.scenario(baseline, "tornado", "baseline")
    merged = ranges_for(scenario, ranges)
    names = list(dict.fromkeys(checks.names("fields", fields))) if fields is not None else list(merged)
    if not names:
        raise ScenarioError("fields: give at least one input to move")
    unknown = [n for n in names if n not in merged]
    if unknown:
        raise ScenarioError([f"{n}: no range for this input; give one in ranges=" for n in unknown])
    result = _metric_values(scenario, _one_at_a_time(scenario, names, merged), metric, baseline)
    lo, hi, spans = result[1::2], result[2::2], [merged[n] for n in names]
    out = pd.DataFrame({"field": names, "label": [PARAMETERS[n].label for n in names],
                        "low": [r.low for r in spans], "likely": [r.likely for r in spans],
                        "high": [r.high for r in spans], "metric_low": lo, "metric_high": hi,
                        "swing": np.where(np.isfinite(hi - lo), np.abs(hi - lo), np.nan), "base": result[0]})
    out = out.sort_values("swing", ascending=False, na_position="last").reset_index(drop=True)
    out.attrs["metric"] = metric
    return out


def _one_at_a_time(scenario: Scenario, names: Sequence[str], ranges: Mapping[str, Range]) -> dict[str, np.ndarray]:
    """Draws for one batch: draw 0 at the scenario's values, then each input in turn at the low
    (draw 2i + 1) and high (2i + 2) end of its range, the others as in the scenario; a share moved
    to its high end caps its partner (:func:`cx_roi.scenario.fix_cross_rules`)."""
    values = {n: np.full(1 + 2 * len(names), float(getattr(scenario, n))) for n in names}
    for i, n in enumerate(names):
        values[n][1 + 2 * i:3 + 2 * i] = ranges[n].low, ranges[n].high
    fix_cross_rules(values, scenario)
    return values


def _top_drivers(scenario: Scenario, other: Scenario, metric: str, top: int,
                 ranges: Mapping[str, Range] | None) -> list[str]:
    """The ``top`` inputs whose range moves metric(scenario) - metric(other) the most
    (each input set to its low and high in both)."""
    merged = ranges_for(scenario, ranges)
    names = list(merged)
    values = _one_at_a_time(scenario, names, merged)
    a, b = _paired(scenario, other, values)
    gap = (a[metric] - b[metric]).to_numpy()[1:].reshape(len(names), 2)
    swing = np.abs(gap[:, 1] - gap[:, 0])
    order = np.argsort(-np.where(np.isfinite(swing), swing, -1.0), kind="stable")
    return [names[i] for i in order[:top]]


def break_even(scenario: Scenario, other: Scenario, field: str, metric: str = "npv",
               tolerance: float = 1e-6) -> float | None:
    """The value of ``field`` at which ``metric`` of ``scenario`` equals that of ``other``.

    The input is set to the same value in both (an assumption about the
    world). Searches the field's whole allowed range and returns the crossing
    nearest the scenario's current value, or None when ``scenario`` stays
    ahead (or behind) across the range.
    """
    table = break_even_table(scenario, other, fields=[field], metric=metric, tolerance=tolerance)
    value = table["break_even"].iloc[0]
    return None if np.isnan(value) else float(value)


def break_even_table(scenario: Scenario, other: Scenario, fields: Sequence[str] | None = None,
                     top: int = 5, metric: str = "npv", tolerance: float = 1e-6,
                     ranges: Mapping[str, Range] | None = None) -> pd.DataFrame:
    """Break-even values for several inputs at once (default: the ``top`` drivers of the
    difference in ``metric`` between ``scenario`` and ``other``, by tornado swing).

    Columns: field, label, current, break_even (NaN: no crossing in the allowed
    range), direction ("above"/"below": on which side of break-even ``scenario``
    wins; "always"/"never" when nothing crosses), change ((break_even - current) /
    |current|, the signed share of today's value the input must move to flip the
    lead; NaN with no crossing or a current value of 0), and gap_now (metric
    difference at the current values).
    """
    checks.scenario(scenario, "break_even_table", "scenario")
    checks.scenario(other, "break_even_table", "other")
    if scenario.horizon_months != other.horizon_months:
        raise ScenarioError("the two scenarios need the same horizon_months")
    _metric(metric, _OWN_METRICS)
    checks.fraction("tolerance", tolerance)
    if fields is None:
        if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
            raise ScenarioError(f"top: got {top!r}; allowed a whole number of 1 or more")
        fields = _top_drivers(scenario, other, metric, top, ranges)
    fields = checks.names("fields", fields)
    if not fields:
        raise ScenarioError("fields: give at least one input to search, or leave fields out for the top drivers")
    grids = {}  # 33 points over the whole allowed range (log-spaced over a wide one), and the current value
    for f in fields:
        if f not in PARAMETERS or PARAMETERS[f].kind != "float":
            raise ScenarioError(f"{f}: not a numeric input that can be searched")
        lo, hi = float(PARAMETERS[f].minimum), float(PARAMETERS[f].maximum)
        grid = np.geomspace(lo, hi, 33) if lo > 0 and hi / lo > 100 else np.linspace(lo, hi, 33)
        grids[f] = np.unique(np.concatenate([grid, [float(getattr(scenario, f))]]))

    def gaps(points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """metric(scenario) - metric(other) at each point, every field in one batch."""
        bounds = np.cumsum([0, *(len(v) for v in points.values())])
        values = {f: np.full(bounds[-1], float(getattr(scenario, f))) for f in fields}
        for (f, v), start, stop in zip(points.items(), bounds, bounds[1:]):
            values[f][start:stop] = v
        fix_cross_rules(values, scenario)
        a, b = _paired(scenario, other, values)
        return dict(zip(points, np.split((a[metric] - b[metric]).to_numpy(), bounds[1:-1])))

    grid_gaps = gaps(grids)
    rows, brackets = [], {}
    for f in fields:
        current = float(getattr(scenario, f))
        g, x = grid_gaps[f], grids[f]
        now = float(g[np.searchsorted(x, current)])
        crossings = np.flatnonzero(np.isfinite(g[:-1]) & np.isfinite(g[1:]) & (g[:-1] != 0)
                                   & (np.sign(g[:-1]) != np.sign(g[1:])))
        if len(crossings):
            i = min(crossings, key=lambda j: abs((x[j] + x[j + 1]) / 2 - current))
            brackets[f] = [x[i], x[i + 1], g[i], g[i + 1]]
        rows.append({"field": f, "label": PARAMETERS[f].label, "current": current, "gap_now": now})
    # Safeguarded secant on every bracket at once: each round evaluates, in one batch,
    # the secant point and the midpoint of every bracket and keeps the narrowest part
    # that still changes sign (at least a halving, usually far better).
    g_signs = {f: brackets[f][2] for f in brackets}  # the gap just below break-even
    done: dict[str, float] = {}

    def secant(lo: float, hi: float, g_lo: float, g_hi: float) -> float:
        return lo - g_lo * (hi - lo) / (g_hi - g_lo)

    def narrow(lo: float, hi: float) -> bool:
        # Relative to the value: online shares of 0.01 need as many digits as audiences of 1,000.
        return abs(hi - lo) <= tolerance * max(abs(lo), abs(hi), 1e-300)

    for _ in range(60):
        live = {f: b for f, b in brackets.items() if f not in done}
        if not live:
            break
        points = {}
        for f, (lo, hi, g_lo, g_hi) in live.items():
            step = min(max(secant(lo, hi, g_lo, g_hi), lo + 1e-3 * (hi - lo)), hi - 1e-3 * (hi - lo))
            points[f] = np.array([step, (lo + hi) / 2])
        new_gaps = gaps(points)
        for f, (lo, hi, g_lo, g_hi) in live.items():
            xs = [lo, *points[f], hi]
            gs = [g_lo, *new_gaps[f], g_hi]
            order = np.argsort(xs)
            xs, gs = [xs[i] for i in order], [gs[i] for i in order]
            for j in range(3):
                if gs[j] == 0:
                    done[f] = xs[j]
                    break
                if np.sign(gs[j]) != np.sign(gs[j + 1]):
                    brackets[f] = [xs[j], xs[j + 1], gs[j], gs[j + 1]]
                    break
            if f not in done and narrow(brackets[f][0], brackets[f][1]):
                done[f] = secant(*brackets[f])
    for row in rows:
        f = row["field"]
        if f in brackets:  # a bracket still open after the last round ends at its secant point
            row["break_even"] = float(done[f] if f in done else secant(*brackets[f]))
            # The gap just below break-even: positive means scenario wins below it.
            row["direction"] = "below" if g_signs[f] > 0 else "above"
        else:
            row["break_even"] = np.nan
            row["direction"] = "always" if row["gap_now"] > 0 else "never"
        current = row["current"]
        row["change"] = (row["break_even"] - current) / abs(current) if current else np.nan
    out = pd.DataFrame(rows, columns=["field", "label", "current", "break_even", "direction", "change", "gap_now"])
    out.attrs["metric"] = metric
    return out
