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

from . import checks
from .errors import ScenarioError
from .parameters import PARAMETERS
from .scenario import Scenario
from .simulation import KPI_COLUMNS, simulate_batch
from .uncertainty import Range, check_ranges, default_ranges

__all__ = ["tornado", "break_even", "break_even_table", "METRICS"]

METRICS = tuple(KPI_COLUMNS) + ("roi", "delta_npv")


def _metric_values(scenario: Scenario, draws: Mapping[str, np.ndarray], metric: str,
                   baseline: Scenario | None) -> np.ndarray:
    """The metric for each draw; ``roi``/``delta_npv`` apply each draw to the baseline too."""
    if metric not in METRICS:
        raise ScenarioError(f"metric: got {metric!r}; allowed: {', '.join(METRICS)}")
    if metric in ("roi", "delta_npv"):
        if baseline is None:
            raise ScenarioError(f"metric {metric!r} needs a baseline scenario to compare against")
        if baseline.horizon_months != scenario.horizon_months:
            raise ScenarioError("the scenario and its baseline need the same horizon_months")
        n = len(next(iter(draws.values())))
        both = simulate_batch([scenario] * n + [baseline] * n,
                              draws={k: np.concatenate([v, v]) for k, v in draws.items()}, columns=())
        k = both.kpis
        gain = k["npv"].to_numpy()[:n] - k["npv"].to_numpy()[n:]
        if metric == "delta_npv":
            return gain
        extra = k["pv_spend"].to_numpy()[:n] - k["pv_spend"].to_numpy()[n:]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(extra > 1e-9, gain / extra, np.nan)
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
    checks.choice("metric", metric, METRICS)
    merged = default_ranges(scenario)
    if ranges:
        merged.update(ranges)
    check_ranges(merged)
    names = list(dict.fromkeys(fields)) if fields is not None else list(merged)
    if not names:
        raise ScenarioError("fields: give at least one input to move")
    unknown = [n for n in names if n not in merged]
    if unknown:
        raise ScenarioError([f"{n}: no range for this input; give one in ranges=" for n in unknown])
    # Draw 0 is the base; then (low, high) for each input, all in one batch.
    k = len(names)
    values = {n: np.full(1 + 2 * k, float(getattr(scenario, n))) for n in names}
    for i, n in enumerate(names):
        values[n][1 + 2 * i] = merged[n].low
        values[n][2 + 2 * i] = merged[n].high
    _keep_valid(values, scenario)
    result = _metric_values(scenario, values, metric, baseline)
    base = result[0]
    rows = []
    for i, n in enumerate(names):
        lo, hi = result[1 + 2 * i], result[2 + 2 * i]
        rows.append({"field": n, "label": PARAMETERS[n].label, "low": merged[n].low, "likely": merged[n].likely,
                     "high": merged[n].high, "metric_low": lo, "metric_high": hi,
                     "swing": abs(hi - lo) if np.isfinite(hi - lo) else np.nan, "base": base})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False, na_position="last").reset_index(drop=True)
    out.attrs["metric"] = metric
    return out


def _keep_valid(values: dict[str, np.ndarray], scenario: Scenario) -> None:
    """Moving one share to its high end can break a cross-field rule; cap the partner."""
    n = len(next(iter(values.values())))
    for prefix in ("fast", "slow", "bad"):
        pk, dk = f"{prefix}_promoter_share", f"{prefix}_detractor_share"
        if pk in values or dk in values:
            p = values.get(pk, np.full(n, getattr(scenario, pk)))
            d = values.get(dk, np.full(n, getattr(scenario, dk)))
            values[dk] = np.minimum(d, 1.0 - p)
    if "fcr_floor" in values or "fcr_ceiling" in values:
        lo = values.get("fcr_floor", np.full(n, scenario.fcr_floor))
        hi = values.get("fcr_ceiling", np.full(n, scenario.fcr_ceiling))
        values["fcr_floor"] = np.minimum(lo, hi)


def _top_drivers(scenario: Scenario, other: Scenario, metric: str, top: int,
                 ranges: Mapping[str, Range] | None) -> list[str]:
    """The ``top`` inputs whose range moves metric(scenario) - metric(other) the most
    (each input set to its low and high in both; one batch per scenario)."""
    merged = default_ranges(scenario)
    if ranges:
        merged.update(ranges)
    check_ranges(merged)
    names = list(merged)
    k = len(names)
    values = {n: np.full(2 * k, float(getattr(scenario, n))) for n in names}
    for i, n in enumerate(names):
        values[n][2 * i] = merged[n].low
        values[n][2 * i + 1] = merged[n].high
    _keep_valid(values, scenario)
    a = simulate_batch(scenario, draws=values, columns=()).kpis[metric].to_numpy()
    b = simulate_batch(other, draws=values, columns=()).kpis[metric].to_numpy()
    gap = (a - b).reshape(k, 2)
    swing = np.abs(gap[:, 1] - gap[:, 0])
    swing = np.where(np.isfinite(swing), swing, -1.0)
    order = sorted(range(k), key=lambda i: -swing[i])
    return [names[i] for i in order[:top]]


def _search_grid(name: str, likely: float, points: int) -> np.ndarray:
    spec = PARAMETERS[name]
    lo, hi = float(spec.minimum), float(spec.maximum)
    if lo > 0 and hi / lo > 100:
        grid = np.geomspace(lo, hi, points)
    else:
        grid = np.linspace(lo, hi, points)
    return np.unique(np.concatenate([grid, [likely]]))


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
    if metric not in KPI_COLUMNS:
        raise ScenarioError(f"metric: got {metric!r}; allowed: {', '.join(KPI_COLUMNS)}")
    if fields is None:
        if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
            raise ScenarioError(f"top: got {top!r}; allowed a whole number of 1 or more")
        fields = _top_drivers(scenario, other, metric, top, ranges)
    fields = list(fields)
    for f in fields:
        if f not in PARAMETERS or PARAMETERS[f].kind != "float":
            raise ScenarioError(f"{f}: not a numeric input that can be searched")
    grids = {f: _search_grid(f, float(getattr(scenario, f)), 33) for f in fields}

    def gaps(points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """metric(scenario) - metric(other) at each point, every field in one batch."""
        sizes = {f: len(v) for f, v in points.items()}
        total = sum(sizes.values())
        values = {f: np.full(total, float(getattr(scenario, f))) for f in fields}
        offset = 0
        for f, v in points.items():
            values[f][offset:offset + len(v)] = v
            offset += len(v)
        _keep_valid(values, scenario)
        a = simulate_batch(scenario, draws=values, columns=()).kpis[metric].to_numpy()
        b = simulate_batch(other, draws=values, columns=()).kpis[metric].to_numpy()
        out, offset = {}, 0
        for f, size in sizes.items():
            out[f] = (a - b)[offset:offset + size]
            offset += size
        return out

    grid_gaps = gaps(grids)
    rows, brackets = [], {}
    for f in fields:
        current = float(getattr(scenario, f))
        g, x = grid_gaps[f], grids[f]
        now = float(g[np.searchsorted(x, current)])
        crossings = [i for i in range(len(x) - 1)
                     if np.isfinite(g[i]) and np.isfinite(g[i + 1]) and g[i] != 0 and np.sign(g[i]) != np.sign(g[i + 1])]
        if crossings:
            i = min(crossings, key=lambda j: abs((x[j] + x[j + 1]) / 2 - current))
            brackets[f] = [x[i], x[i + 1], g[i], g[i + 1]]
        rows.append({"field": f, "label": PARAMETERS[f].label, "current": current, "gap_now": now})
    # Safeguarded secant on every bracket at once: each round evaluates, in one batch,
    # the secant point and the midpoint of every bracket and keeps the narrowest part
    # that still changes sign (at least a halving, usually far better).
    g_signs = {f: brackets[f][2] for f in brackets}  # the gap just below break-even
    done: dict[str, float] = {}

    def narrow(lo: float, hi: float) -> bool:
        # Relative to the value: online shares of 0.01 need as many digits as audiences of 1,000.
        return abs(hi - lo) <= tolerance * max(abs(lo), abs(hi), 1e-300)

    for _ in range(60):
        live = {f: b for f, b in brackets.items() if f not in done}
        if not live:
            break
        points = {}
        for f, (lo, hi, g_lo, g_hi) in live.items():
            secant = lo - g_lo * (hi - lo) / (g_hi - g_lo)
            secant = min(max(secant, lo + 1e-3 * (hi - lo)), hi - 1e-3 * (hi - lo))
            points[f] = np.array([secant, (lo + hi) / 2])
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
                lo, hi, g_lo, g_hi = brackets[f]
                done[f] = lo - g_lo * (hi - lo) / (g_hi - g_lo)
    for f, (lo, hi, g_lo, g_hi) in brackets.items():
        if f not in done:
            done[f] = lo - g_lo * (hi - lo) / (g_hi - g_lo)
    for row in rows:
        f = row["field"]
        if f in brackets:
            row["break_even"] = float(done[f])
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
