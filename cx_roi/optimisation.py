"""Budget optimisation that explains itself.

``optimize_budget`` splits a fixed monthly budget across spend levers
(service capacity, service quality, advertising), optionally differently in
the first year and after, to maximise NPV, expected NPV over an ensemble, or
the 10th percentile of NPV (risk-averse). It reports the marginal return of
the next $1,000 a month on each lever at the optimum: at an interior optimum
they are equal, which is why the split is the best one. ``min_budget_for``
answers the reverse question (the least monthly budget that reaches a
target), and ``efficient_frontier`` the best split across a range of budgets.

How the search works, and why it is quick on the batch engine (whose cost is
mostly a fixed overhead per month, so 200 candidates cost little more than one):

1. Global stage: every split on a grid over the budget simplex (41 points
   for two levers, 231 for three; for two phases, a common split and then
   each phase in turn) runs as one batch at the likely values.
2. Local stage: SLSQP (``scipy.optimize``) from the best grid point and the
   next best (the better finish wins: NPV over splits can have a shallow
   second hump a grid step away), with the levers' limits as ``Bounds`` and
   the budget of each phase as a ``LinearConstraint``. Gradients are central
   differences of +-$1,000 a month, all in one batch with the value; a step
   never leaves the bounds (one-sided at a bound), so no spend goes negative.
   The two runs go in step, each in a thread, and every round of their
   requests is one batch (``InStep``): two runs cost about what one does.
3. Ensemble objectives ("expected_npv", "p10_npv") draw the uncertain inputs
   once (``draws``, ``seed``) and keep those draws for every evaluation
   (common random numbers), so the objective is a smooth function of the
   split rather than a noisy one. The search starts from the deterministic
   optimum and from the best point of a grid evaluated on the ensemble (when
   that is another), in step, at a looser tolerance; the better finish wins.

The result is never worse than the best grid point: the polished point is
compared with its start and the better one kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize

from .comparison import LEVERS
from . import checks, outputs
from .errors import OutOfReach, ScenarioError, Stopped
from .formatting import money, number, quoted
from .in_step import InStep
from .parameters import PARAMETERS
from .scenario import Scenario
from .simulation import KPI_COLUMNS, simulate_batch
from .splits import Box
from .uncertainty import Range, draw_world

__all__ = ["optimize_budget", "min_budget_for", "efficient_frontier", "objective_of", "Allocation", "MinBudget",
           "Objective", "OBJECTIVES", "PHASES", "TARGET_METRICS"]



class Objective(NamedTuple):
    """What a split maximises: ``label`` as a choice reads, ``words`` inside a sentence, ``meaning``
    what it is."""

    label: str
    words: str
    meaning: str


OBJECTIVES: dict[str, Objective] = {
    "npv": Objective("NPV", "NPV", "NPV with every assumption at its likely value. Fast."),
    "expected_npv": Objective("Expected NPV", "expected NPV",
                              "Mean NPV over Monte Carlo draws of the uncertain assumptions (200 by default)."),
    "p10_npv": Objective("Cautious NPV (1-in-10 bad case)", "cautious NPV (the 1-in-10 bad case)",
                         "The NPV that 90% of the draws beat (the 10th percentile): for a board that fears the "
                         "downside more than it loves the upside."),
}
"""The objectives the optimiser can maximise, the one place their names are declared."""
PHASES = {"whole": "one split for the whole horizon", "first_year": "one split for months 1-12, another after"}
# KPIs that min_budget_for can target: "reaching" a target means at least it, so only
# KPIs where more is better and that are always defined.
TARGET_METRICS = {
    "final_customers": "customers at the end of the horizon",
    "npv": "net present value, $",
    "npv_operating": "net present value of the horizon's contribution only, $",
    "total_new_customers": "customers won over the horizon",
    "total_revenue": "revenue over the horizon, $",
    "final_nps": "true NPS in the last month",
    "avg_service_level": "service level averaged over months",
}
_STEP = 1_000.0  # $ per month: the finite-difference step and the "next $1,000" of the marginal table
_GRID_DIVISIONS = {2: 40, 3: 20}  # simplex grid: 41 points for two levers, 231 for three
# The grid an ensemble objective starts from: 66 splits for three levers (1 in 10 of the budget)
# for expected NPV, which is smooth; 231 (1 in 20) for the 10th percentile, whose value jumps from
# one draw to another and has humps of its own: on the 66-split grid the online megaphone's
# cautious search started in the wrong one and ended $1.2M (1.3%) short.
_COARSE_DIVISIONS = {"expected_npv": 10, "p10_npv": 20}
# ftol is relative to the objective's scale: 3e-10 is about $0.03 of a $100M NPV. Below that
# the error of the $1,000 central differences keeps SLSQP's line search going near the
# optimum without finding a better point (a quarter of the local stage's runs).
_DET_OPTIONS = {"maxiter": 100, "ftol": 3e-10}
_LOCAL_STARTS = 2  # the best grid point and the runner-up
_ENSEMBLE_OPTIONS = {"maxiter": 40, "ftol": 1e-6}


@dataclass
class Allocation:
    """An optimised split.

    ``allocation``: $ per month, index phase ("whole horizon", or "first year"
    and "after"), columns lever. ``objective``: what the split maximises (a key of
    ``OBJECTIVES``) or, from :func:`min_budget_for`, the KPI it targets (a key of
    ``TARGET_METRICS``). ``objective_value``: that objective at the split. ``kpis``: every KPI of
    the split at the likely values.
    ``marginal``: one row per phase and lever with ``spend_per_month``,
    ``marginal_per_1000`` (change in the objective per extra $1,000 a month on
    that lever: the slope at the optimum, by central differences of $1,000),
    ``at_bound`` ("lower", "upper" or ""). ``ensemble``: NPV mean and
    quantiles over the draws (ensemble objectives only). ``evaluations``:
    scenario runs simulated (candidates x draws).
    """

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
    draws: int = 1
    seed: int = 0
    ensemble: dict[str, float] = field(default_factory=dict)


@dataclass
class MinBudget:
    """The least monthly budget reaching ``target`` on ``metric``, with its split."""

    budget_per_month: float
    metric: str
    target: float
    reached: float
    allocation: Allocation


# ------------------------------------------------------------------ validation

def _check_totals(total_per_month, limits: Sequence[tuple[float, float]], phase_names: Sequence[str]
                  ) -> list[float]:
    """One finite amount of $0 or more per phase (one amount stands for every phase), each within
    what the levers' (min, max) ``limits`` allow together."""
    totals = checks.budgets("total_per_month", total_per_month, len(phase_names))
    low_sum = sum(lo for lo, _ in limits)
    problems = []
    for t, phase in zip(totals, phase_names):
        high_sum = sum(min(hi, t) for _, hi in limits)
        where = "" if len(totals) == 1 else f" ({phase})"
        if t < low_sum - 1e-6:
            problems.append(f"total_per_month{where}: ${number(t)} is below the levers' minimums, which add up "
                            f"to ${number(low_sum)} (what the limits keep on the levers); raise the budget to at least "
                            f"${number(low_sum)} or lower the minimums")
        elif t > high_sum + 1e-6:
            problems.append(f"total_per_month{where}: ${number(t)} is above what the levers' maximums allow "
                            f"(${number(high_sum)}); lower the budget or raise the maximums")
    if problems:
        raise ScenarioError(problems)
    return totals


# --------------------------------------------------------------- the problem

@dataclass
class _Problem:
    """One search's set-up, shared by every budget it is solved at: the levers and their
    (min, max) limits in $ per month, the phases, what is maximised (``objective`` over the
    draws of ``metric``) and an ensemble objective's draws in ``world``, sampled once and reused
    for every evaluation (common random numbers). Candidate splits are flat vectors of
    spends, phase-major, evaluated in batches."""

    scenario: Scenario
    levers: list[str]
    limits: list[tuple[float, float]]
    phases: str = "whole"
    objective: str = "npv"
    metric: str = "npv"
    draws: int = 1
    seed: int = 0
    world: dict[str, np.ndarray] = field(default_factory=dict)
    stop: Callable[[], bool] | None = None
    evaluations: int = 0  # scenario runs simulated (candidates x draws)

    @property
    def phase_names(self) -> list[str]:
        return ["whole horizon"] if self.phases == "whole" else ["first year", "after"]

    @property
    def n_levers(self) -> int:
        return len(self.levers)

    def box(self, totals: Sequence[float]) -> Box:
        """The feasible set for a budget per phase ($ per month)."""
        lb = np.tile([lo for lo, _ in self.limits], len(totals)).astype(float)
        ub = np.array([min(hi, t) for t in totals for _, hi in self.limits], dtype=float)
        return Box(list(totals), lb, ub)

    def kpi(self, x: np.ndarray, metric: str, ensemble: bool) -> np.ndarray:
        """``metric`` for every candidate (rows of x) x draw: shape (candidates, draws)."""
        # Every evaluation passes here: the one place a search can notice that nobody waits for it.
        if self.stop is not None and self.stop():
            raise Stopped(f"stopped after {self.evaluations:,} model runs: stop() said so")
        x = np.maximum(np.atleast_2d(x), 0.0)
        k, reps = len(x), self.draws if ensemble else 1
        month_phase = np.zeros(self.scenario.horizon_months, dtype=int)
        month_phase[12:] = self.phases == "first_year"
        x = x.reshape(k, len(self.phase_names), self.n_levers)
        draws = {lever: np.repeat(x[:, month_phase, j], reps, axis=0) for j, lever in enumerate(self.levers)}
        if ensemble:
            draws.update({name: np.tile(v, k) for name, v in self.world.items()})
        self.evaluations += k * reps
        return simulate_batch(self.scenario, draws=draws, columns=()).kpis[metric].to_numpy().reshape(k, reps)

    def values(self, x: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """The objective of each candidate (``deterministic``: at the likely values)."""
        ensemble = self.objective != "npv" and not deterministic
        m = self.kpi(x, self.metric, ensemble)
        return _over_draws(m, self.objective) if ensemble else m[:, 0]

    def scenario_for(self, x: np.ndarray) -> Scenario:
        """The scenario with the split applied (a schedule when the phases differ)."""
        grid = np.asarray(x, dtype=float).reshape(len(self.phase_names), self.n_levers)
        # Two amounts: months 1-12, then the second amount holds to the horizon.
        return self.scenario.replace(**{lever: float(a) if a == b else (float(a),) * 12 + (float(b),)
                                        for lever, a, b in zip(self.levers, grid[0], grid[-1])})

    def likely(self, x: np.ndarray) -> tuple[Scenario, pd.Series]:
        """The scenario with the split applied and its KPIs at the likely values."""
        scenario = self.scenario_for(x)
        return scenario, simulate_batch(scenario, draws=None, columns=()).kpis.iloc[0]


def _over_draws(values: np.ndarray, objective: str) -> np.ndarray:
    """An ensemble objective of each row of ``values`` (one column a draw): the mean, or the 10th percentile."""
    return np.percentile(values, 10, axis=-1) if objective == "p10_npv" else values.mean(axis=-1)


def objective_of(scenario: Scenario, objective: str = "npv", draws: int = 200, seed: int = 0,
                 ranges: Mapping[str, Range] | None = None) -> float:
    """``objective`` (:data:`OBJECTIVES`) of ``scenario`` with its own spends, $: what
    :func:`optimize_budget` with the same ``draws``, ``seed`` and ``ranges`` measures a split by,
    so its best split can be read against today's."""
    checks.scenario(scenario, "objective_of")
    checks.choice("objective", objective, OBJECTIVES)
    if objective == "npv":
        return float(simulate_batch(scenario, columns=()).kpis["npv"].iloc[0])
    world = draw_world(scenario, checks.draws(draws), checks.seed(seed), ranges)[1]
    return float(_over_draws(simulate_batch(scenario, draws=world, columns=()).kpis["npv"].to_numpy(), objective))


def _setup(fn: str, scenario: Scenario, levers: Sequence[str], bounds, *, phases: str = "whole",
           objective: str = "npv", draws: int = 1, seed: int = 0, ranges: Mapping[str, Range] | None = None,
           metric: str = "npv", stop: Callable[[], bool] | None = None) -> _Problem:
    """Check the arguments a public function ``fn`` shares with the others (once) and set up its problem."""
    checks.scenario(scenario, fn)
    levers = checks.levers(levers, LEVERS)
    objective = checks.choice("objective", objective, OBJECTIVES)
    phases = checks.choice("phases", phases, PHASES)
    draws, seed = checks.draws(draws), checks.seed(seed)
    if phases == "first_year" and scenario.horizon_months <= 12:
        raise ScenarioError(f"phases: 'first_year' needs a horizon longer than 12 months, got "
                            f"{scenario.horizon_months}; use phases='whole'")
    limits = checks.lever_limits(levers, bounds)
    checks.callback("stop", stop)
    if objective == "npv":
        draws, world = 1, {}
    else:
        world = draw_world(scenario, draws, seed, ranges)[1]
    return _Problem(scenario, levers, limits, phases, objective, metric, draws, seed, world, stop)


# ------------------------------------------------------------------- search

def _differences(values: Callable[[np.ndarray], np.ndarray], x: np.ndarray, up: np.ndarray, down: np.ndarray
                 ) -> tuple[float, np.ndarray]:
    """The objective at x and its changes from x - down to x + up on each spend (one batch)."""
    n = len(x)
    vals = values(np.vstack([x, x + np.diag(up), x - np.diag(down)]))
    return float(vals[0]), vals[1:n + 1] - vals[n + 1:]


def _grids(problem: _Problem, totals: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each one-phase budget's grid of splits and their values at the likely values, all budgets
    in one batch (a batch's cost grows far slower than its size)."""
    cands = [problem.box([t]).grid(_GRID_DIVISIONS.get(problem.n_levers, 10)) for t in totals]
    vals = problem.values(np.vstack(cands), deterministic=True).reshape(len(cands), -1)
    return list(zip(cands, vals))


def _grid_search(problem: _Problem, box: Box, grid: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, float, float, list[tuple[np.ndarray, float]]]:
    """At the likely values: the best grid point, its value, the spread of values seen (a scale
    for tolerances), and the next best grid points with their values (runner-up starts for the
    local stage). ``grid``: the box's grid and its values, if :func:`_grids` already ran them."""
    if grid is None:
        cands = box.grid(_GRID_DIVISIONS.get(problem.n_levers, 10))
        grid = cands, problem.values(cands, deterministic=True)
    cands, vals = grid
    order = np.argsort(np.where(np.isfinite(vals), -vals, np.inf), kind="stable")
    x, v = cands[order[0]], float(vals[order[0]])
    spread = float(np.nanmax(vals) - np.nanmin(vals))
    n_phases = len(box.totals)
    if n_phases > 1:
        # Then each phase on its own grid with the other phase held at the best common split.
        blocks = np.tile(x, (n_phases, len(cands), 1))  # (phase varied, grid point, spends)
        for p in range(n_phases):
            blocks[p][:, box.seg(p)] = cands[:, box.seg(p)]
        vals2 = problem.values(blocks.reshape(-1, len(x)), deterministic=True).reshape(n_phases, -1)
        combined = np.concatenate([blocks[p][int(np.nanargmax(vals2[p])), box.seg(p)] for p in range(n_phases)])
        cv = float(problem.values(combined[None, :], deterministic=True)[0])
        if cv > v:
            x, v = combined, cv
        spread = max(spread, float(np.nanmax(vals2) - np.nanmin(vals2)))
    return x, v, spread, [(cands[i], float(vals[i])) for i in order[1:_LOCAL_STARTS]]


def _local(values: Callable[[np.ndarray], np.ndarray], box: Box, x0: np.ndarray, v0: float, scale_hint: float,
           options: Mapping[str, float]) -> tuple[np.ndarray, float, bool, str]:
    """SLSQP from x0 in units of the budget (well conditioned), within the box's bounds and with
    the budget of each phase as a linear equality; ``values`` evaluates rows of splits. Returns
    (x, value, success, message)."""
    scale = max(sum(box.totals), 1.0)
    norm = max(abs(v0), scale_hint, 1e-12)
    lb, ub = box.lb, box.ub

    def value_and_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        x = np.clip(z * scale, lb, ub)
        # Central differences of $1,000 where there is room, one-sided at a bound:
        # every point stays inside the bounds (no negative spend).
        up, down = np.minimum(_STEP, ub - x), np.minimum(_STEP, x - lb)
        value, change = _differences(values, x, up, down)
        grad = np.divide(change, up + down, out=np.zeros(len(x)), where=up + down > 0)
        return -value / norm, -grad * scale / norm

    budgets = np.array(box.totals) / scale
    per_phase = np.kron(np.eye(len(box.totals)), np.ones(box.n_levers))  # sums each phase's spends
    with np.errstate(all="ignore"):
        res = optimize.minimize(value_and_grad, x0 / scale, jac=True, method="SLSQP",
                                bounds=optimize.Bounds(lb / scale, ub / scale), options=dict(options),
                                constraints=optimize.LinearConstraint(per_phase, budgets, budgets))
    x1 = box.project(res.x * scale)[0]
    v1 = float(values(x1[None, :])[0])
    if not np.isfinite(v1) or v1 < v0:
        return x0, v0, bool(res.success), str(res.message)
    return x1, v1, bool(res.success), str(res.message)


def _solve(problem: _Problem, box: Box, extra_starts: Sequence[np.ndarray] = (),
           warm: Sequence[np.ndarray] = (), enough: float | None = None,
           grid: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, float, bool, str]:
    """Best split for ``box``: grid, then SLSQP; for ensemble objectives a second, warm-started stage.

    ``extra_starts``: more candidates for the deterministic start. ``warm``: candidates for
    the ensemble stage's start that replace its coarse grid (the frontier passes the
    previous budget's optimum). ``enough``: a value that answers the caller's question once
    any candidate reaches it (the least-budget search asks only "does this budget reach the
    target?"), so the local stage is skipped. ``grid``: the box's grid and its values from
    :func:`_grids`, if already run. Returns (x, value, success, message)."""
    if np.all(box.ub - box.lb <= 1e-9):  # the limits leave nothing to choose
        x = box.lb.copy()
        return x, float(problem.values(x[None, :])[0]), True, "the limits leave nothing to choose"
    x0, v0, spread, runners_up = _grid_search(problem, box, grid)
    if len(extra_starts):
        starts = box.project(np.vstack(extra_starts))
        vals = problem.values(starts, deterministic=True)
        i = int(np.nanargmax(vals))
        if vals[i] > v0:
            x0, v0 = starts[i], float(vals[i])
    if enough is not None and v0 >= enough:
        return x0, v0, True, "a candidate split reaches the target"
    # NPV over splits can have a shallow second hump a grid step from the best point, so
    # SLSQP also starts from the grid's runner-up.
    best = _best_finish(problem, box, [(x0, v0), *runners_up], spread, True)
    if problem.objective == "npv":
        return best
    # Ensemble objective: SLSQP from the deterministic optimum and, if it is another, from the best
    # point of a grid on the ensemble itself: the 10th percentile has humps of its own, and either
    # start alone ended short on some presets (by up to 1.3%).
    others = box.project(np.vstack(warm)) if len(warm) else box.grid(_COARSE_DIVISIONS[problem.objective])
    cands = np.vstack([best[0][None, :], others])
    vals = problem.values(cands)
    spread = float(np.nanmax(vals) - np.nanmin(vals))
    starts = dict.fromkeys([int(np.nanargmax(vals)), 0])
    return _best_finish(problem, box, [(cands[i], float(vals[i])) for i in starts], spread, False)


def _best_finish(problem: _Problem, box: Box, starts: Sequence[tuple[np.ndarray, float]], spread: float,
                 deterministic: bool) -> tuple[np.ndarray, float, bool, str]:
    """SLSQP from each start, in step (:class:`InStep`: each round of their model runs one batch);
    the better finish wins, the first on a tie. Returns (x, value, success, message)."""
    options = _DET_OPTIONS if deterministic else _ENSEMBLE_OPTIONS
    finishes = InStep(lambda rows: problem.values(rows, deterministic), len(starts)).run(
        [lambda values, x=x, v=v: _local(values, box, x, v, spread, options)
         for x, v in starts])
    best = finishes[0]
    for other in finishes[1:]:
        if other[1] > best[1]:
            best = other
    return best


def _marginals(problem: _Problem, x: np.ndarray, box: Box) -> tuple[float, pd.DataFrame]:
    """Objective at x and its slope per $1,000 a month on each lever and phase (one batch).

    Central differences of $1,000 (one-sided where the spend is below $1,000): the
    slope at the optimum, so that at an interior optimum the levers' values are equal.
    The step may cross a lever's limit: this is what the next $1,000 *would* return;
    only the most a scenario allows on a lever is never crossed (one-sided below it).
    """
    tops = np.tile([PARAMETERS[lever].maximum for lever in problem.levers], len(problem.phase_names))
    up, down = np.clip(tops - x, 0.0, _STEP), np.minimum(_STEP, x)
    value, change = _differences(problem.values, x, up, down)
    slope = change / (up + down) * _STEP
    rows = []
    for p, phase in enumerate(problem.phase_names):
        for j, (lever, (lo, hi)) in enumerate(zip(problem.levers, problem.limits)):
            i = p * problem.n_levers + j
            at_bound = ("lower" if x[i] <= lo + 1.0 else
                        "upper" if x[i] >= min(hi, box.totals[p]) - 1.0 else "")
            rows.append({"phase": phase, "lever": lever, "label": LEVERS[lever], "spend_per_month": float(x[i]),
                         "marginal_per_1000": float(slope[i]), "at_bound": at_bound})
    return value, pd.DataFrame(rows)


def _allocation_result(problem: _Problem, x: np.ndarray, ok: bool, message: str, box: Box) -> Allocation:
    table = pd.DataFrame(x.reshape(len(problem.phase_names), problem.n_levers),
                         index=pd.Index(problem.phase_names, name="phase"), columns=problem.levers)
    value, marginal = _marginals(problem, x, box)
    scenario, single = problem.likely(x)
    ensemble = {}
    if problem.objective != "npv":
        npv = problem.kpi(x[None, :], "npv", ensemble=True)[0]
        ensemble = {"npv_mean": float(npv.mean()), "npv_p10": float(np.percentile(npv, 10)),
                    "npv_p50": float(np.percentile(npv, 50)), "npv_p90": float(np.percentile(npv, 90))}
    # What the value measures: the objective, or the KPI a least-budget search targets.
    measured = problem.objective if problem.metric == "npv" else problem.metric
    alloc = Allocation(scenario, table, measured, value, {k: float(single[k]) for k in KPI_COLUMNS},
                       marginal, ok, message, evaluations=problem.evaluations, totals=list(box.totals),
                       draws=problem.draws, seed=problem.seed, ensemble=ensemble)
    alloc.explanation = explain(alloc)
    return alloc


def explain(alloc: Allocation) -> str:
    """A plain-language why for an allocation, from its marginal returns."""
    if alloc.objective in OBJECTIVES:
        def amount(v: float) -> str:
            return f"{money(v)} of {OBJECTIVES[alloc.objective].words}"
    else:  # a least-budget search's target KPI, in its own unit: a slope is often a fraction of one
        words = TARGET_METRICS[alloc.objective].removesuffix(", $")
        kind = outputs.output(alloc.objective).kind

        def amount(v: float) -> str:
            if kind == "money":
                return f"{money(v)} of {words}"
            if kind == "share":
                return f"{v * 100:.3g} percentage points of {words}"
            return f"{v:.3g} points of {words}" if kind == "score" else f"{number(v)} {words}"
    parts = []
    for phase, group in alloc.marginal.groupby("phase", sort=False):
        interior = group.loc[group["at_bound"] == "", "marginal_per_1000"]
        m = float(interior.mean())  # nan when every lever is at a limit
        if group["spend_per_month"].sum() <= 1.0:
            text = f"{str(phase).capitalize()}: there is no budget to split."
        else:
            lead = group.sort_values("spend_per_month", ascending=False).iloc[0]
            share = lead["spend_per_month"] / group["spend_per_month"].sum()
            most = "most of the budget" if share > 0.5 else f"the largest share, {share:.0%}"
            text = (f"{str(phase).capitalize()}: {most}, {money(lead['spend_per_month'])} a month, goes "
                    f"to {lead['label'].lower()}.")
        if len(interior) >= 2:
            lo_m, hi_m = float(interior.min()), float(interior.max())
            if hi_m - lo_m <= 0.05 * max(abs(m), 1.0):
                text += (f" Here the next $1,000 a month returns about {amount(m)} on every lever that "
                         "is not at a limit, so moving money between them cannot do better.")
            else:
                text += (f" Here the next $1,000 a month returns between {amount(lo_m)} and {amount(hi_m)} "
                         "on the levers not at a limit: only roughly equal, because "
                         + ("the 10th percentile jumps from one draw to another as the split moves"
                            if alloc.objective == "p10_npv" else "the search stopped short of the exact optimum")
                         + ".")
        if m > 0:
            text += f" A bigger budget would pay: each extra $1,000 a month adds about {amount(m)}."
        elif m < 0:
            text += (f" This budget is past the point where spending pays: the next $1,000 a month loses about "
                     f"{amount(-m)}, so a smaller budget would do better.")
        for _, r in group[group["at_bound"] != ""].iterrows():
            if r["at_bound"] == "lower":
                verb = "gets nothing" if r["spend_per_month"] <= 1.0 else "stays at its minimum"
                compare_word = "less"
            else:
                total = alloc.allocation.loc[phase].sum()
                verb = "takes the whole budget" if r["spend_per_month"] >= total - 1.0 else "is at its maximum"
                compare_word = "more"
            text += f" {r['label']} {verb}: its next $1,000 would return {amount(r['marginal_per_1000'])}"
            text += f", {compare_word} than the others." if len(interior) else "."
        parts.append(text)
    return " ".join(parts)


# ------------------------------------------------------------------ public API

def optimize_budget(scenario: Scenario, total_per_month: float | Sequence[float],
                    levers: Sequence[str] = tuple(LEVERS), objective: str = "npv",
                    bounds: Mapping[str, tuple[float, float]] | None = None, phases: str = "whole",
                    draws: int = 200, seed: int = 0, ranges: Mapping[str, Range] | None = None,
                    stop: Callable[[], bool] | None = None) -> Allocation:
    """The best monthly split of ``total_per_month`` ($) across ``levers``.

    ``objective``: "npv" (at the likely values), "expected_npv" or "p10_npv"
    (over ``draws`` Monte Carlo draws with ``seed`` and ``ranges``; the same
    draws for every candidate, so the objective is smooth). ``bounds``: lever
    -> (min, max) $ per month (max may be ``math.inf`` or None). ``phases``:
    "whole" or "first_year" (one split for months 1-12, another after);
    ``total_per_month`` may then give one amount per phase. Levers left out
    keep the scenario's spend. Returns an :class:`Allocation` with the split,
    its KPIs, the marginal return of the next $1,000 a month on each lever and
    a plain-language explanation. Bad settings raise ScenarioError. ``stop``, if given, is asked
    before each batch of model runs; when it returns True the search raises :class:`Stopped`.
    """
    problem = _setup("optimize_budget", scenario, levers, bounds, phases=phases, objective=objective,
                     draws=draws, seed=seed, ranges=ranges, stop=stop)
    totals = _check_totals(total_per_month, problem.limits, problem.phase_names)
    box = problem.box(totals)
    x, _, ok, msg = _solve(problem, box)
    return _allocation_result(problem, x, ok, msg, box)


def min_budget_for(scenario: Scenario, target: float, metric: str = "final_customers",
                   levers: Sequence[str] = tuple(LEVERS),
                   bounds: Mapping[str, tuple[float, float]] | None = None,
                   max_budget_per_month: float | None = None, tolerance: float = 0.002,
                   stop: Callable[[], bool] | None = None) -> MinBudget:
    """The least constant monthly budget whose best split reaches ``target`` on ``metric``.

    ``metric``: one of ``TARGET_METRICS`` (e.g. "final_customers", "npv"), at
    the likely values; reaching means at least ``target``. A scan of 11
    budgets from the levers' minimums to ``max_budget_per_month`` (default: 5x
    the scenario's current spend on the levers, at least $1M) brackets the
    least budget, then bisection narrows it to ``tolerance`` (relative to the
    budget), each step asking whether the budget's best split reaches the target
    (a split that does ends the step; one that falls short is polished first). Raises
    :class:`cx_roi.errors.OutOfReach` (a ScenarioError), with the best value reachable, when no
    budget up to the maximum reaches the target. ``stop``: as in :func:`optimize_budget`.
    """
    checks.scenario(scenario, "min_budget_for")
    metric = checks.choice("metric", metric, TARGET_METRICS)
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise ScenarioError(f"target: got {target!r}; expected a number") from None
    if not np.isfinite(target):
        raise ScenarioError(f"target: got {target!r}; expected a finite number")
    if not (isinstance(tolerance, (int, float)) and 1e-6 <= tolerance <= 0.1):
        raise ScenarioError(f"tolerance: got {tolerance!r}; allowed 1e-6 to 0.1 (relative to the budget)")
    problem = _setup("min_budget_for", scenario, levers, bounds, metric=metric, stop=stop)
    low = sum(lo for lo, _ in problem.limits)
    current = sum(float(np.mean(scenario.schedule(lv))) for lv in problem.levers)
    high = max(5 * current, 1e6, 2 * low) if max_budget_per_month is None else max_budget_per_month
    try:
        high = float(high)
    except (TypeError, ValueError):
        raise ScenarioError(f"max_budget_per_month: got {high!r}; expected an amount in $ per month") from None
    if not np.isfinite(high) or high < low:
        raise ScenarioError(f"max_budget_per_month: got {high!r}; expected a finite amount of at least the "
                            f"levers' minimums (${low:,.0f})")
    high = min(high, sum(hi for _, hi in problem.limits))

    # Scan: the grid stage of 11 budgets in one batch (each a lower bound on the best).
    budgets = np.linspace(low, high, 11)
    scanned = _grids(problem, budgets)
    scan = np.array([np.nanmax(v) for _, v in scanned])
    scan_x = [c[int(np.nanargmax(v))] for c, v in scanned]
    grids = dict(zip(budgets, scanned))  # a budget the scan ran needs no grid again

    def best_at(total: float, *starts: np.ndarray, enough: float | None = None) -> tuple[np.ndarray, float, bool, str]:
        return _solve(problem, problem.box([total]), list(starts), enough=enough, grid=grids.get(total))

    reached_at = [i for i in range(len(budgets)) if scan[i] >= target]
    if not reached_at:
        # Polish the most promising budgets before declaring the target out of reach.
        best_v, best_b = -np.inf, high
        for i in sorted({int(np.nanargmax(scan)), len(budgets) - 1}):
            v = best_at(budgets[i], scan_x[i])[1]
            if v > best_v:
                best_v, best_b = v, budgets[i]
            if v >= target:
                reached_at = [i]
                break
        if not reached_at:
            raise OutOfReach(f"target: {metric} of {number(target)} is out of reach; the best split of any "
                             f"budget up to ${high:,.0f} a month reaches {number(best_v)} (at "
                             f"${best_b:,.0f} a month). Lower the target or raise max_budget_per_month",
                             best=float(best_v), at_budget=float(best_b), largest=float(high))
    k = reached_at[0]
    hi_x = scan_x[k]  # a split that reaches the target at the budget found so far
    # The polished best at the budget below may already reach the target: step down.
    while k > 0:
        x, v, *_ = best_at(budgets[k - 1], scan_x[k - 1], enough=target)
        if v < target:
            break
        k, hi_x = k - 1, x
    hi_b = budgets[k]
    if k > 0:  # bisect between the budget below (short of the target) and this one
        lo_b = budgets[k - 1]
        while hi_b - lo_b > tolerance * max(hi_b, 1.0):
            mid = (lo_b + hi_b) / 2
            x, v, *_ = best_at(mid, hi_x * mid / max(hi_b, 1.0), enough=target)
            if v >= target:
                hi_b, hi_x = mid, x
            else:
                lo_b = mid
    # The final polish also starts from the split known to reach the target, so the answer does.
    x, reached, ok, msg = best_at(hi_b, scan_x[k], hi_x)
    alloc = _allocation_result(problem, x, ok, msg, problem.box([hi_b]))
    return MinBudget(float(hi_b), metric, target, float(reached), alloc)


def efficient_frontier(scenario: Scenario, totals: Sequence[float], levers: Sequence[str] = tuple(LEVERS),
                       objective: str = "npv", bounds: Mapping[str, tuple[float, float]] | None = None,
                       draws: int = 200, seed: int = 0, ranges: Mapping[str, Range] | None = None,
                       progress: Callable[[int, int], None] | None = None,
                       stop: Callable[[], bool] | None = None) -> pd.DataFrame:
    """Best split and its objective at each monthly budget in ``totals`` (one phase).

    One row per budget, in ascending order: ``total_per_month``, one column per
    lever ($ per month), ``objective_value``, ``npv`` and ``final_customers``
    (at the likely values), ``marginal_per_1000`` (what the next $1,000 a month
    of budget would add to the objective, on the best lever with room) and
    ``converged``. Budgets are solved in ascending order, each also trying the
    previous budget's split with the extra money on any one lever, so the best
    value at a budget is never below that of the smaller budget plus the best
    single-lever use of the difference. ``progress``, if given, is called with
    (done, total) after each budget; ``stop`` as in :func:`optimize_budget`.
    """
    problem = _setup("efficient_frontier", scenario, levers, bounds, objective=objective, draws=draws, seed=seed,
                     ranges=ranges, stop=stop)
    try:
        if isinstance(totals, (str, bytes)):
            raise TypeError
        points = sorted({float(t) for t in totals})
    except (TypeError, ValueError):
        raise ScenarioError(f"totals: got {quoted(totals)}; expected a list of monthly budgets in $") from None
    if not points:
        raise ScenarioError("totals: give at least one monthly budget")
    _check_totals(points, problem.limits, ["whole horizon"] * len(points))
    highs = np.array([hi for _, hi in problem.limits])
    rows, previous = [], None
    for i, (t, grid) in enumerate(zip(points, _grids(problem, points))):
        box = problem.box([t])
        starts = []
        if previous is not None:  # the previous split with the extra money on any one lever
            bumped = previous + np.diag(np.full(problem.n_levers, t - previous.sum()))
            starts = [row for j, row in enumerate(bumped) if row[j] <= box.ub[j]]
        # For an ensemble objective these also warm-start the ensemble stage instead of its coarse grid.
        x, v, ok, msg = _solve(problem, box, starts, warm=starts if problem.objective != "npv" else (), grid=grid)
        _, marginal = _marginals(problem, x, box)
        room = marginal[marginal["spend_per_month"] < highs - 1.0]
        kp = problem.likely(x)[1]
        rows.append({"total_per_month": t, **{lv: float(x[j]) for j, lv in enumerate(problem.levers)},
                     "objective_value": v, "npv": float(kp["npv"]), "final_customers": float(kp["final_customers"]),
                     "marginal_per_1000": float(room["marginal_per_1000"].max()) if len(room) else float("nan"),
                     "converged": ok})
        previous = x
        if progress is not None:
            progress(i + 1, len(points))
    out = pd.DataFrame(rows)
    out.attrs["objective"] = objective
    return out
