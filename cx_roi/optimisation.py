"""Budget optimisation that explains itself.

``optimize_budget`` splits a fixed monthly budget across spend levers
(service capacity, service quality, advertising), optionally differently in
the first year and after, to maximise NPV, expected NPV over an ensemble, or
the 10th percentile of NPV (risk-averse). It reports the marginal return of
the next $1,000 a month on each lever at the optimum: at an interior optimum
they are equal, which is why the split is the best one.

``min_budget_for`` answers the reverse question (the least monthly budget
that reaches a target), and ``efficient_frontier`` the best split across a
range of budgets. Every objective evaluation and its finite-difference
gradient run as one batch on the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from .comparison import LEVERS
from .errors import ScenarioError
from .scenario import Scenario
from .simulation import KPI_COLUMNS, simulate_batch
from .uncertainty import Range, default_ranges, sample, _fix_cross_rules

__all__ = ["optimize_budget", "min_budget_for", "efficient_frontier", "Allocation", "MinBudget",
           "OBJECTIVES", "PHASES"]

OBJECTIVES = {
    "npv": "NPV at the likely values",
    "expected_npv": "mean NPV over the Monte Carlo draws",
    "p10_npv": "10th percentile of NPV over the draws (risk-averse)",
}
PHASES = {"whole": "one split for the whole horizon", "first_year": "one split for months 1-12, another after"}
_STEP = 1_000.0  # $ per month: the finite-difference step and the "next $1,000" of the marginal table


@dataclass
class Allocation:
    """An optimised split. ``allocation``: $ per month, index phase, columns lever."""

    scenario: Scenario
    allocation: pd.DataFrame
    objective: str
    objective_value: float
    kpis: dict[str, float]
    marginal: pd.DataFrame
    converged: bool
    message: str
    explanation: str = ""
    evaluations: int = 0
    totals: list[float] = field(default_factory=list)


@dataclass
class MinBudget:
    """The least monthly budget reaching ``target`` on ``metric``, with its split."""

    budget_per_month: float
    metric: str
    target: float
    reached: float
    allocation: Allocation


class _Problem:
    """Maps a flat vector of spends (phase-major) to schedules and objective values."""

    def __init__(self, scenario: Scenario, levers: Sequence[str], phases: str, objective: str,
                 draws: int, seed: int, ranges: Mapping[str, Range] | None):
        self.scenario = scenario
        self.levers = list(levers)
        self.horizon = scenario.horizon_months
        if phases not in PHASES:
            raise ScenarioError(f"phases: got {phases!r}; allowed: {', '.join(PHASES)}")
        self.phase_names = ["whole horizon"] if phases == "whole" else ["first year", "after"]
        if phases == "first_year" and self.horizon <= 12:
            raise ScenarioError("phases='first_year' needs a horizon longer than 12 months")
        self.phase_of_month = np.zeros(self.horizon, dtype=int)
        if phases == "first_year":
            self.phase_of_month[12:] = 1
        if objective not in OBJECTIVES:
            raise ScenarioError(f"objective: got {objective!r}; allowed: {', '.join(OBJECTIVES)}")
        self.objective = objective
        self.draws = 1 if objective == "npv" else int(draws)
        if self.draws < 1:
            raise ScenarioError(f"draws: got {draws!r}; an ensemble objective needs at least 1 draw")
        self.world: dict[str, np.ndarray] = {}
        if objective != "npv":
            merged = default_ranges(scenario)
            if ranges:
                merged.update(ranges)
            self.world = sample(merged, self.draws, seed)
            _fix_cross_rules(self.world, scenario, self.draws)
        self.evaluations = 0

    @property
    def size(self) -> int:
        return len(self.phase_names) * len(self.levers)

    def schedules(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """(candidates, size) spends -> lever -> (candidates, months) schedules."""
        x = np.atleast_2d(x).reshape(len(x) if np.ndim(x) > 1 else 1, len(self.phase_names), len(self.levers))
        return {lever: x[:, self.phase_of_month, j] for j, lever in enumerate(self.levers)}

    def kpis(self, x: np.ndarray) -> pd.DataFrame:
        """KPIs of every candidate x draw, one batch. Rows: candidate-major."""
        x = np.atleast_2d(x)
        k = len(x)
        draws = {lever: np.repeat(s, self.draws, axis=0) for lever, s in self.schedules(x).items()}
        for name, v in self.world.items():
            draws[name] = np.tile(v, k)
        self.evaluations += k * self.draws
        return simulate_batch(self.scenario, draws=draws, columns=()).kpis

    def values(self, x: np.ndarray, metric: str = "npv") -> np.ndarray:
        """The objective (or any KPI, aggregated per objective) of each candidate."""
        x = np.atleast_2d(x)
        m = self.kpis(x)[metric].to_numpy().reshape(len(x), self.draws)
        if self.objective == "p10_npv":
            return np.percentile(m, 10, axis=1)
        return m.mean(axis=1)


def _bounds_for(levers: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None,
                totals: Sequence[float]) -> list[tuple[float, float]]:
    bounds = dict(bounds or {})
    unknown = [k for k in bounds if k not in levers]
    if unknown:
        raise ScenarioError([f"bounds: {k} is not one of the levers ({', '.join(levers)})" for k in unknown])
    out = []
    for lever in levers:
        lo, hi = bounds.get(lever, (0.0, np.inf))
        if not (np.isfinite(lo) and lo >= 0 and hi >= lo):
            raise ScenarioError(f"bounds: {lever} needs 0 <= lower <= upper, got ({lo}, {hi})")
        out.append((float(lo), float(hi)))
    for t in totals:
        low_sum = sum(lo for lo, _ in out)
        high_sum = sum(min(hi, t) for _, hi in out)
        if t < low_sum - 1e-6:
            raise ScenarioError(f"total_per_month: ${t:,.0f} is below the levers' minimums, which add up to "
                                f"${low_sum:,.0f}; raise the budget or lower the minimums")
        if t > high_sum + 1e-6:
            raise ScenarioError(f"total_per_month: ${t:,.0f} is above what the levers' maximums allow "
                                f"(${high_sum:,.0f}); lower the budget or raise the maximums")
    return out


def _check_levers(levers: Sequence[str]) -> list[str]:
    levers = list(levers)
    bad = [lv for lv in levers if lv not in LEVERS]
    if bad or len(levers) < 2 or len(set(levers)) != len(levers):
        raise ScenarioError(f"levers: got {levers}; choose two or more distinct of {', '.join(LEVERS)}")
    return levers


def _totals(total_per_month, phases: int) -> list[float]:
    if isinstance(total_per_month, (int, float, np.integer, np.floating)) and not isinstance(total_per_month, bool):
        totals = [float(total_per_month)] * phases
    else:
        totals = [float(t) for t in total_per_month]
    if len(totals) != phases:
        raise ScenarioError(f"total_per_month: give one amount, or one per phase ({phases}), got {len(totals)}")
    for t in totals:
        if not np.isfinite(t) or t < 0:
            raise ScenarioError(f"total_per_month: got {t!r}; expected a non-negative amount in $ per month")
    return totals


def _solve(problem: _Problem, totals: list[float], bounds: list[tuple[float, float]],
           metric: str = "npv", starts: Sequence[np.ndarray] | None = None):
    """Maximise the objective on the budget simplex of each phase with SLSQP."""
    n_levers = len(problem.levers)
    n_phases = len(problem.phase_names)
    lb = np.tile([lo for lo, _ in bounds], n_phases)
    ub = np.array([min(hi, totals[p]) for p in range(n_phases) for _, hi in bounds])
    scale = max(sum(totals), 1.0)  # optimise in units of the budget: well-conditioned

    cache: dict[bytes, tuple[float, np.ndarray]] = {}
    norm: list[float] = []  # fixed at the first evaluation: the objective's scale

    def value_and_grad(z: np.ndarray):
        key = z.tobytes()
        if key not in cache:
            x = z * scale
            # Forward differences inward from the upper bound, so every point is feasible.
            steps = np.where(x + _STEP <= ub + 1e-9, _STEP, -_STEP)
            pts = np.vstack([x, x + np.diag(steps)])
            vals = problem.values(pts, metric)
            grad = (vals[1:] - vals[0]) / steps * scale
            if not norm:
                norm.append(max(abs(vals[0]), 1.0))
            cache[key] = (-vals[0] / norm[0], -grad / norm[0])
        return cache[key]

    constraints = [{"type": "eq",
                    "fun": (lambda z, p=p: z[p * n_levers:(p + 1) * n_levers].sum() - totals[p] / scale),
                    "jac": (lambda z, p=p: np.eye(n_phases * n_levers)[p * n_levers:(p + 1) * n_levers].sum(0))}
                   for p in range(n_phases)]
    if starts is None:
        starts = [_even_start(totals, lb, ub, n_levers)]
    best = None
    for x0 in starts:
        res = optimize.minimize(lambda z: value_and_grad(z)[0], x0 / scale, jac=lambda z: value_and_grad(z)[1],
                                method="SLSQP", bounds=list(zip(lb / scale, ub / scale)),
                                constraints=constraints, options={"maxiter": 200, "ftol": 1e-10})
        if best is None or res.fun < best.fun:
            best = res
    x = np.clip(best.x * scale, lb, ub)
    # Put rounding back on the budget: each phase sums exactly to its total.
    for p in range(n_phases):
        seg = slice(p * n_levers, (p + 1) * n_levers)
        gap = totals[p] - x[seg].sum()
        room = (ub[seg] - x[seg]) if gap > 0 else (x[seg] - lb[seg])
        if room.sum() > 0:
            x[seg] += gap * room / room.sum()
    return x, best


def _even_start(totals, lb, ub, n_levers) -> np.ndarray:
    x = []
    for p, t in enumerate(totals):
        seg_lb, seg_ub = lb[p * n_levers:(p + 1) * n_levers], ub[p * n_levers:(p + 1) * n_levers]
        free = t - seg_lb.sum()
        share = np.minimum(seg_ub - seg_lb, free / n_levers)
        seg = seg_lb + share
        # Spread what the caps left over onto levers with room.
        rest = t - seg.sum()
        room = seg_ub - seg
        if rest > 0 and room.sum() > 0:
            seg = seg + rest * room / room.sum()
        x.append(seg)
    return np.concatenate(x)


def _starts(problem: _Problem, totals, bounds) -> list[np.ndarray]:
    """Even split, the scenario's own split (scaled to the budget) and each lever-heavy corner."""
    n_levers = len(problem.levers)
    lb = np.tile([lo for lo, _ in bounds], len(totals))
    ub = np.array([min(hi, t) for t in totals for _, hi in bounds])
    starts = [_even_start(totals, lb, ub, n_levers)]
    current = np.array([float(np.mean(problem.scenario.schedule(lv))) for lv in problem.levers])
    for j in range(n_levers):
        tilt = np.full(n_levers, 0.15)
        tilt[j] = 0.7
        starts.append(np.concatenate([_project(tilt * t, lb[p * n_levers:(p + 1) * n_levers],
                                                ub[p * n_levers:(p + 1) * n_levers], t)
                                       for p, t in enumerate(totals)]))
    if current.sum() > 0:
        starts.append(np.concatenate([_project(current / current.sum() * t, lb[p * n_levers:(p + 1) * n_levers],
                                               ub[p * n_levers:(p + 1) * n_levers], t)
                                      for p, t in enumerate(totals)]))
    return starts


def _project(x, lb, ub, total) -> np.ndarray:
    """Nearest point to x within bounds that sums to total (by bisection on a shift)."""
    lo, hi = -total - ub.max(initial=0) - 1, total + 1
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.clip(x + mid, lb, ub).sum() > total:
            hi = mid
        else:
            lo = mid
    return np.clip(x + (lo + hi) / 2, lb, ub)


def _allocation_result(problem: _Problem, x: np.ndarray, res, totals, bounds) -> Allocation:
    n_levers = len(problem.levers)
    grid = x.reshape(len(problem.phase_names), n_levers)
    table = pd.DataFrame(grid, index=pd.Index(problem.phase_names, name="phase"), columns=problem.levers)
    schedules = problem.schedules(x)
    scenario = problem.scenario.replace(**{lv: tuple(float(v) for v in s[0]) for lv, s in schedules.items()})
    # Marginal return of the next $1,000 a month on each lever, phase by phase: one batch.
    pts = [x]
    for i in range(len(x)):
        bumped = x.copy()
        bumped[i] += _STEP
        pts.append(bumped)
    vals = problem.values(np.vstack(pts))
    base_value = float(vals[0])
    rows = []
    for p, phase in enumerate(problem.phase_names):
        for j, lever in enumerate(problem.levers):
            i = p * n_levers + j
            lo, hi = bounds[j]
            at_bound = "lower" if x[i] <= lo + 1.0 else ("upper" if x[i] >= min(hi, totals[p]) - 1.0 else "")
            rows.append({"phase": phase, "lever": lever, "label": LEVERS[lever], "spend_per_month": x[i],
                         "marginal_per_1000": float(vals[1 + i] - base_value), "at_bound": at_bound})
    marginal = pd.DataFrame(rows)
    single = simulate_batch(scenario, draws=None, columns=()).kpis.iloc[0]
    kpis = {k: float(single[k]) for k in KPI_COLUMNS}
    alloc = Allocation(scenario, table, problem.objective, base_value, kpis, marginal,
                       bool(res.success), str(res.message), evaluations=problem.evaluations, totals=list(totals))
    alloc.explanation = explain(alloc)
    return alloc


def explain(alloc: Allocation) -> str:
    """A plain-language why for an allocation, from its marginal returns."""
    parts = []
    for phase, group in alloc.marginal.groupby("phase", sort=False):
        interior = group[group["at_bound"] == ""]
        lead = group.sort_values("spend_per_month", ascending=False).iloc[0]
        text = (f"{phase.capitalize()}: most of the budget goes to {lead['label'].lower()} "
                f"(${lead['spend_per_month']:,.0f} a month).")
        if len(interior) >= 2:
            m = interior["marginal_per_1000"]
            text += (f" Here the next $1,000 a month returns about ${m.mean():,.0f} of NPV on every lever that "
                     "is not at a limit, so moving money between them cannot do better.")
        capped = group[group["at_bound"] != ""]
        for _, r in capped.iterrows():
            verb = "gets nothing" if r["at_bound"] == "lower" else "is at its maximum"
            text += (f" {r['label']} {verb}: its next $1,000 would return ${r['marginal_per_1000']:,.0f}, "
                     f"{'less' if r['at_bound'] == 'lower' else 'more'} than the others.")
        parts.append(text)
    return " ".join(parts)


def optimize_budget(scenario: Scenario, total_per_month: float | Sequence[float],
                    levers: Sequence[str] = tuple(LEVERS), objective: str = "npv",
                    bounds: Mapping[str, tuple[float, float]] | None = None, phases: str = "whole",
                    draws: int = 200, seed: int = 0, ranges: Mapping[str, Range] | None = None) -> Allocation:
    """The best monthly split of ``total_per_month`` ($) across ``levers``.

    ``objective``: "npv", "expected_npv" or "p10_npv" (the last two over
    ``draws`` Monte Carlo draws with ``seed``; common random numbers make the
    optimisation smooth). ``bounds``: lever -> (min, max) $ per month.
    ``phases``: "whole" or "first_year" (one split for months 1-12, another
    after); ``total_per_month`` may then give one amount per phase. Returns an
    :class:`Allocation` with the split, its KPIs, the marginal return of the
    next $1,000 a month on each lever, and a plain-language explanation.
    """
    levers = _check_levers(levers)
    problem = _Problem(scenario, levers, phases, objective, draws, seed, ranges)
    totals = _totals(total_per_month, len(problem.phase_names))
    lever_bounds = _bounds_for(levers, bounds, totals)
    x, res = _solve(problem, totals, lever_bounds, starts=_starts(problem, totals, lever_bounds))
    return _allocation_result(problem, x, res, totals, lever_bounds)


def min_budget_for(scenario: Scenario, target: float, metric: str = "final_customers",
                   levers: Sequence[str] = tuple(LEVERS),
                   bounds: Mapping[str, tuple[float, float]] | None = None,
                   max_budget_per_month: float | None = None, tolerance: float = 0.002) -> MinBudget:
    """The least constant monthly budget whose best split reaches ``target`` on ``metric``.

    ``metric``: a KPI such as "final_customers" or "npv". Bisection on the
    budget, each step solving "the most ``metric`` this budget can buy";
    ``tolerance`` is relative to the budget. Raises ScenarioError when even
    ``max_budget_per_month`` (default: 5x the scenario's current spend on
    the levers, at least $1M) cannot reach the target.
    """
    levers = _check_levers(levers)
    if metric not in KPI_COLUMNS:
        raise ScenarioError(f"metric: got {metric!r}; allowed: {', '.join(KPI_COLUMNS)}")
    if not np.isfinite(target):
        raise ScenarioError(f"target: got {target!r}; expected a finite number")
    problem = _Problem(scenario, levers, "whole", "npv", 1, 0, None)
    current = sum(float(np.mean(scenario.schedule(lv))) for lv in levers)
    high = max_budget_per_month if max_budget_per_month is not None else max(5 * current, 1e6)
    low = sum((dict(bounds or {}).get(lv, (0.0, np.inf))[0]) for lv in levers)

    def best_at(total: float) -> tuple[float, np.ndarray, object]:
        b = _bounds_for(levers, bounds, [total])
        x, res = _solve(problem, [total], b, metric=metric, starts=_starts(problem, [total], b))
        return float(problem.values(x[None, :], metric)[0]), x, res

    reached_high, _, _ = best_at(high)
    if reached_high < target:
        raise ScenarioError(f"target: {metric} {target:,.4g} is out of reach; the best split of "
                            f"${high:,.0f} a month reaches {reached_high:,.4g}. Lower the target or raise "
                            "max_budget_per_month")
    reached_low, _, _ = best_at(low)
    if reached_low >= target:
        high = low
    while high - low > tolerance * max(high, 1.0):
        mid = (low + high) / 2
        if best_at(mid)[0] >= target:
            high = mid
        else:
            low = mid
    reached, x, res = best_at(high)
    b = _bounds_for(levers, bounds, [high])
    alloc = _allocation_result(problem, x, res, [high], b)
    return MinBudget(high, metric, float(target), reached, alloc)


def efficient_frontier(scenario: Scenario, totals: Sequence[float], levers: Sequence[str] = tuple(LEVERS),
                       objective: str = "npv", bounds: Mapping[str, tuple[float, float]] | None = None,
                       draws: int = 200, seed: int = 0, progress=None) -> pd.DataFrame:
    """Best split and its objective at each monthly budget in ``totals``.

    One row per budget: ``total_per_month``, one column per lever ($ per
    month), ``objective_value``, ``npv``, ``final_customers``. ``progress``,
    if given, is called with (done, total) after each budget.
    """
    rows = []
    totals = [float(t) for t in totals]
    if not totals:
        raise ScenarioError("totals: give at least one monthly budget")
    for i, t in enumerate(totals):
        a = optimize_budget(scenario, t, levers=levers, objective=objective, bounds=bounds, draws=draws, seed=seed)
        row = {"total_per_month": t, **{lv: float(a.allocation[lv].iloc[0]) for lv in a.allocation.columns},
               "objective_value": a.objective_value, "npv": a.kpis["npv"],
               "final_customers": a.kpis["final_customers"]}
        rows.append(row)
        if progress is not None:
            progress(i + 1, len(totals))
    return pd.DataFrame(rows)
