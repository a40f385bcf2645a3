"""The budget optimiser, the reverse solver and the frontier, checked against brute force.

Brute force here means evaluating every split on a dense grid of the budget
simplex with the engine directly (``simulate_batch`` / ``simulate_many``),
independently of the optimiser's own search.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import Scenario, ScenarioError, efficient_frontier, min_budget_for, optimize_budget, simulate, simulate_many

CAP, QUAL, ADS = "service_capacity_spend_per_month", "service_quality_spend_per_month", "ad_spend_per_month"
LEVERS = (CAP, QUAL, ADS)
HYPO = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _short(name: str, horizon: int) -> cx_roi.Scenario:
    return cx_roi.load_preset(name).replace(horizon_months=horizon)


def _kpi_of_splits(s: cx_roi.Scenario, levers, splits: np.ndarray, kpi: str = "npv") -> np.ndarray:
    """``kpi`` for each row of ``splits`` ($ per month on ``levers``), one batch."""
    draws = {lv: splits[:, j] for j, lv in enumerate(levers)}
    return cx_roi.simulate_batch(s, draws=draws, columns=()).kpis[kpi].to_numpy()


def _simplex_grid(total: float, n: int, divisions: int) -> np.ndarray:
    if n == 2:
        w = np.linspace(0, 1, divisions + 1)
        return np.column_stack([w, 1 - w]) * total
    rows = [(i, j, divisions - i - j) for i in range(divisions + 1) for j in range(divisions + 1 - i)]
    return np.array(rows, dtype=float) / divisions * total


# ---------------------------------------------------------------- against brute force

@pytest.mark.parametrize("name,total", [("status-quo", 300_000), ("revolving-door", 400_000),
                                        ("young-product", 250_000), ("online-megaphone", 350_000)])
def test_two_levers_match_a_dense_grid(name, total):
    s = _short(name, 24)
    levers = (CAP, ADS)
    grid = _simplex_grid(total, 2, 200)
    brute = _kpi_of_splits(s, levers, grid).max()
    a = optimize_budget(s, total, levers=levers)
    assert a.objective_value >= brute - 0.01 * abs(brute)  # the requirement: within 1%
    assert a.objective_value >= brute - 1e-5 * abs(brute)  # in practice: at least as good as the grid
    # the reported value is the NPV of the reported split, recomputed independently
    assert a.objective_value == pytest.approx(simulate(a.scenario).kpis["npv"], rel=1e-9)
    assert a.kpis["npv"] == pytest.approx(a.objective_value, rel=1e-9)


@pytest.mark.parametrize("name,total", [("status-quo", 300_000), ("great-service-weak-product", 350_000)])
def test_three_levers_match_a_grid(name, total):
    s = _short(name, 36)
    grid = _simplex_grid(total, 3, 40)  # 861 splits, $7,500 apart
    brute = _kpi_of_splits(s, LEVERS, grid).max()
    a = optimize_budget(s, total)
    assert a.objective_value >= brute - 0.01 * abs(brute)
    assert a.objective_value >= brute - 1e-6 * abs(brute)


def test_the_split_adds_up_and_is_applied_to_the_scenario():
    s = _short("status-quo", 24)
    a = optimize_budget(s, 321_000)
    assert list(a.allocation.columns) == list(LEVERS)
    assert list(a.allocation.index) == ["whole horizon"] and a.allocation.index.name == "phase"
    assert abs(a.allocation.iloc[0].sum() - 321_000) <= 1.0
    for lv in LEVERS:
        assert getattr(a.scenario, lv) == pytest.approx(a.allocation[lv].iloc[0], abs=1e-9)
    assert a.scenario.horizon_months == 24 and a.scenario.arpu_per_month == s.arpu_per_month
    assert a.converged and a.evaluations > 0 and a.totals == [321_000.0]
    assert "next $1,000" in a.explanation


def test_levers_left_out_keep_their_spend():
    s = _short("status-quo", 24).replace(service_quality_spend_per_month=45_000.0)
    a = optimize_budget(s, 300_000, levers=[CAP, ADS])
    assert a.scenario.service_quality_spend_per_month == 45_000.0
    assert list(a.allocation.columns) == [CAP, ADS]


# --------------------------------------------------------------- marginal returns

def test_equal_marginal_returns_at_an_interior_optimum():
    s = _short("status-quo", 36)
    a = optimize_budget(s, 300_000)
    m = a.marginal
    assert list(m.columns) == ["phase", "lever", "label", "spend_per_month", "marginal_per_1000", "at_bound"]
    assert (m["at_bound"] == "").all(), m  # this case is interior: every lever gets money
    values = m["marginal_per_1000"].to_numpy()
    # Central differences of +-$1,000 have negligible truncation error here, and SLSQP
    # stops when the scaled NPV moves by < 1e-10; so the slopes agree to far better than
    # 0.5%. The economic meaning, checked directly: no transfer of $1,000 or $10,000
    # between two levers raises NPV by more than 1e-7 of it.
    assert values.max() - values.min() <= 0.005 * abs(values.mean())
    x = a.allocation.iloc[0].to_numpy()
    moves = []
    for i in range(3):
        for j in range(3):
            if i != j:
                for d in (1_000.0, 10_000.0):
                    y = x.copy()
                    y[i] -= d
                    y[j] += d
                    moves.append(y)
    moved = _kpi_of_splits(s, LEVERS, np.array(moves))
    assert moved.max() <= a.objective_value + 1e-7 * abs(a.objective_value)


def test_marginals_are_slopes_of_npv():
    s = _short("status-quo", 24)
    a = optimize_budget(s, 300_000, levers=[CAP, ADS])
    x = a.allocation.iloc[0].to_numpy()
    up, down = x + [1_000.0, 0.0], x - [1_000.0, 0.0]
    slope = (_kpi_of_splits(s, (CAP, ADS), np.array([up, down])) @ [1, -1]) / 2
    assert a.marginal["marginal_per_1000"].iloc[0] == pytest.approx(slope, rel=1e-9)


def test_a_lever_held_at_a_limit_earns_less_or_more_than_the_others():
    s = _short("status-quo", 36)
    a = optimize_budget(s, 300_000, bounds={ADS: (0.0, 40_000.0), QUAL: (80_000.0, math.inf)})
    m = a.marginal.set_index("lever")
    assert a.allocation[ADS].iloc[0] == pytest.approx(40_000.0, abs=1.0)
    assert a.allocation[QUAL].iloc[0] == pytest.approx(80_000.0, abs=1.0)
    assert m.loc[ADS, "at_bound"] == "upper" and m.loc[QUAL, "at_bound"] == "lower"
    free = m.loc[CAP, "marginal_per_1000"]
    # at a limit, the lever would take more money (upper) or give some up (lower) if it could
    assert m.loc[ADS, "marginal_per_1000"] >= free - 1.0
    assert m.loc[QUAL, "marginal_per_1000"] <= free + 1.0
    assert "at its maximum" in a.explanation and "stays at its minimum" in a.explanation


@HYPO
@given(lows=st.lists(st.floats(0, 120_000), min_size=3, max_size=3),
       widths=st.lists(st.one_of(st.just(math.inf), st.floats(0, 300_000)), min_size=3, max_size=3),
       share=st.floats(0, 1))
def test_bounds_and_total_are_respected(lows, widths, share):
    s = _short("status-quo", 12)
    bounds = {lv: (lo, lo + w) for lv, lo, w in zip(LEVERS, lows, widths)}
    low_sum = sum(lows)
    high_sum = sum(min(lo + w, low_sum + 600_000) for lo, w in zip(lows, widths))
    total = low_sum + share * (high_sum - low_sum)
    a = optimize_budget(s, total, bounds=bounds)
    x = a.allocation.iloc[0]
    assert abs(x.sum() - total) <= 1.0
    for lv, (lo, hi) in bounds.items():
        assert lo - 1e-6 <= x[lv] <= hi + 1e-6, (lv, x[lv], lo, hi)
    assert np.isfinite(a.objective_value)
    assert a.objective_value == pytest.approx(simulate(a.scenario).kpis["npv"], rel=1e-9)


def test_zero_and_tiny_budgets_stay_inside_the_bounds():
    s = _short("status-quo", 24)
    for total in (0.0, 500.0, 1_500.0):
        a = optimize_budget(s, total)
        x = a.allocation.iloc[0]
        assert (x >= 0).all() and abs(x.sum() - total) <= 1e-6
    assert "no budget to split" in optimize_budget(s, 0.0).explanation


# --------------------------------------------------------------------- phases

def test_first_year_phases_give_two_rows_each_on_its_own_total():
    s = _short("status-quo", 24)
    a = optimize_budget(s, [400_000, 250_000], phases="first_year")
    assert list(a.allocation.index) == ["first year", "after"]
    assert abs(a.allocation.loc["first year"].sum() - 400_000) <= 1.0
    assert abs(a.allocation.loc["after"].sum() - 250_000) <= 1.0
    for lv in LEVERS:
        sched = a.scenario.schedule(lv)
        assert np.allclose(sched[:12], a.allocation.loc["first year", lv])
        assert np.allclose(sched[12:], a.allocation.loc["after", lv])
    assert a.kpis["npv"] == pytest.approx(simulate(a.scenario).kpis["npv"], rel=1e-9)
    assert set(a.marginal["phase"]) == {"first year", "after"} and len(a.marginal) == 6
    assert a.explanation.startswith("First year:") and "After:" in a.explanation


def test_two_phases_never_do_worse_than_one_split():
    s = _short("revolving-door", 24)
    whole = optimize_budget(s, 300_000)
    phased = optimize_budget(s, 300_000, phases="first_year")
    assert phased.objective_value >= whole.objective_value - 1e-9 * abs(whole.objective_value)


# -------------------------------------------------------------- ensemble objectives

@pytest.mark.parametrize("objective", ["p10_npv", "expected_npv"])
def test_ensemble_objectives_match_brute_force_on_the_same_draws(objective):
    s = _short("status-quo", 24)
    levers, total, draws, seed = (CAP, ADS), 300_000, 40, 3
    a = optimize_budget(s, total, levers=levers, objective=objective, draws=draws, seed=seed)

    def objective_of(scenario):
        npv = simulate_many(scenario, draws=draws, seed=seed, columns=()).kpis["npv"].to_numpy()
        return float(np.percentile(npv, 10)) if objective == "p10_npv" else float(npv.mean())

    # the reported value is the objective of the reported split, recomputed with simulate_many
    assert a.objective_value == pytest.approx(objective_of(a.scenario), rel=1e-9)
    brute = max(objective_of(s.replace(**{CAP: float(c), ADS: float(d)})) for c, d in _simplex_grid(total, 2, 40))
    assert a.objective_value >= brute - 0.01 * abs(brute)
    assert a.draws == draws and a.seed == seed
    assert set(a.ensemble) == {"npv_mean", "npv_p10", "npv_p50", "npv_p90"}
    assert a.ensemble["npv_p10"] <= a.ensemble["npv_p50"] <= a.ensemble["npv_p90"]


def test_ensemble_optimisation_is_reproducible_for_a_seed():
    s = _short("status-quo", 18)
    a = optimize_budget(s, 250_000, levers=(CAP, ADS), objective="p10_npv", draws=30, seed=1)
    b = optimize_budget(s, 250_000, levers=(CAP, ADS), objective="p10_npv", draws=30, seed=1)
    np.testing.assert_array_equal(a.allocation.to_numpy(), b.allocation.to_numpy())


# ------------------------------------------------------------------ min_budget_for

def _best_kpi_at(s, levers, total, kpi, divisions=200):
    return _kpi_of_splits(s, levers, _simplex_grid(total, len(levers), divisions), kpi).max()


def test_min_budget_reaches_the_target_and_one_percent_less_does_not():
    s = _short("status-quo", 24)
    levers = (CAP, ADS)
    target = simulate(s).kpis["final_customers"] * 1.03
    found = min_budget_for(s, target, metric="final_customers", levers=levers)
    assert found.metric == "final_customers" and found.target == target
    assert found.reached >= target
    assert found.reached == pytest.approx(simulate(found.allocation.scenario).kpis["final_customers"], rel=1e-9)
    assert abs(found.allocation.allocation.iloc[0].sum() - found.budget_per_month) <= 1.0
    assert _best_kpi_at(s, levers, 0.99 * found.budget_per_month, "final_customers") < target
    # The split says what it measured: customers, in customers (it read "$44 of NPV").
    alloc = found.allocation
    assert alloc.objective == "final_customers" and alloc.objective_value == found.reached
    slope = alloc.marginal["marginal_per_1000"].mean()
    assert f"{cx_roi.formatting.number(slope)} customers at the end" in alloc.explanation
    assert "NPV" not in alloc.explanation


def test_min_budget_for_an_npv_target():
    s = _short("status-quo", 24)
    levers = (CAP, ADS)
    target = simulate(s).kpis["npv"]
    found = min_budget_for(s, target, metric="npv", levers=levers)
    assert found.reached >= target
    assert _best_kpi_at(s, levers, 0.99 * found.budget_per_month, "npv") < target


@pytest.mark.parametrize("name, metric", [("status-quo", "final_customers"), ("revolving-door", "npv")])
def test_min_budget_is_the_same_when_each_step_polishes_every_budget(name, metric, monkeypatch):
    # The search stops polishing a budget once any candidate split reaches the target (the
    # answer to "does it reach?" is already yes); the least budget must not depend on that.
    s = _short(name, 36)
    target = simulate(s).kpis[metric] * 1.05
    quick = min_budget_for(s, target, metric=metric)
    full_solve = cx_roi.optimisation._solve
    monkeypatch.setattr(cx_roi.optimisation, "_solve",
                        lambda *a, enough=None, **k: full_solve(*a, **k))
    full = min_budget_for(s, target, metric=metric)
    assert quick.budget_per_month == pytest.approx(full.budget_per_month, rel=1e-9)
    assert quick.reached == pytest.approx(full.reached, rel=1e-9)
    assert quick.reached >= target


def test_min_budget_near_zero_steps_stay_inside_the_bounds():
    # the answer lies below the first scan budget, so the search works right at spend 0
    s = _short("status-quo", 24)
    zero = s.replace(**{lv: 0.0 for lv in LEVERS})
    at_zero = simulate(zero).kpis["final_customers"]
    found = min_budget_for(s, at_zero)
    assert found.budget_per_month == 0.0 and found.reached >= at_zero
    found = min_budget_for(s, at_zero * 1.02, levers=(CAP, ADS))
    assert 0 < found.budget_per_month < 50_000 and found.reached >= at_zero * 1.02
    assert _best_kpi_at(zero, (CAP, ADS), 0.99 * found.budget_per_month, "final_customers") < at_zero * 1.02


def test_min_budget_respects_minimums():
    s = _short("status-quo", 24)
    found = min_budget_for(s, 0.0, metric="final_customers", bounds={CAP: (100_000.0, math.inf)})
    assert found.budget_per_month == pytest.approx(100_000.0)
    assert found.allocation.allocation[CAP].iloc[0] == pytest.approx(100_000.0)


def test_an_unreachable_target_says_what_can_be_reached():
    s = _short("status-quo", 24)
    with pytest.raises(ScenarioError) as err:
        min_budget_for(s, 1e9, max_budget_per_month=500_000)
    text = str(err.value)
    assert "out of reach" in text and "reaches" in text and "$500,000" in text and "final_customers" in text
    best = _best_kpi_at(s, LEVERS, 500_000, "final_customers", divisions=20)
    # the reachable value quoted is at least what a simple grid finds
    quoted = float(text.split("reaches ")[1].split(" ")[0].replace(",", ""))
    assert quoted >= best * (1 - 1e-6)
    # The same figures as fields, for a caller's own words, and whole across a process pool.
    import pickle

    assert isinstance(err.value, cx_roi.OutOfReach) and err.value.largest == 500_000
    assert err.value.best == pytest.approx(quoted, rel=1e-3) and err.value.at_budget <= 500_000
    again = pickle.loads(pickle.dumps(err.value))
    assert (str(again), again.best, again.at_budget, again.largest) == (
        text, err.value.best, err.value.at_budget, err.value.largest)


# ------------------------------------------------------------------- frontier

@pytest.fixture(scope="module")
def frontier():
    s = _short("status-quo", 24)
    totals = [100_000, 200_000, 300_000, 400_000, 500_000, 650_000]
    return s, efficient_frontier(s, totals[::-1], levers=(CAP, ADS))


def test_frontier_rows_add_up_in_ascending_order(frontier):
    _, table = frontier
    assert list(table["total_per_month"]) == sorted(table["total_per_month"])
    assert np.allclose(table[[CAP, ADS]].sum(axis=1), table["total_per_month"], atol=1.0)
    assert {"objective_value", "npv", "final_customers", "marginal_per_1000", "converged"} <= set(table.columns)
    assert np.allclose(table["objective_value"], table["npv"], rtol=1e-9)


def test_frontier_dominates_the_previous_split_plus_the_extra_money(frontier):
    # The invariant that always holds: at a bigger budget, the best split is at least as good
    # as the smaller budget's best split with the extra money on any one lever.
    s, table = frontier
    for k in range(1, len(table)):
        prev = table.iloc[k - 1][[CAP, ADS]].to_numpy(float)
        extra = table["total_per_month"].iloc[k] - table["total_per_month"].iloc[k - 1]
        tries = np.array([prev + [extra, 0.0], prev + [0.0, extra]])
        best_try = _kpi_of_splits(s, (CAP, ADS), tries).max()
        v = table["objective_value"].iloc[k]
        assert v >= best_try - 1e-9 * abs(v)


def test_frontier_rises_while_the_next_dollar_pays(frontier):
    # So where the next $1,000 returns more than it costs (marginal > 0 on some lever),
    # more budget never lowers the best NPV.
    _, table = frontier
    for k in range(1, len(table)):
        if table["marginal_per_1000"].iloc[k - 1] > 0:
            assert table["objective_value"].iloc[k] >= table["objective_value"].iloc[k - 1]


def test_frontier_matches_single_optimisations(frontier):
    s, table = frontier
    a = optimize_budget(s, 300_000, levers=(CAP, ADS))
    row = table.set_index("total_per_month").loc[300_000]
    assert row["objective_value"] == pytest.approx(a.objective_value, rel=1e-6)


def test_frontier_progress_callback():
    calls = []
    efficient_frontier(_short("status-quo", 12), [100_000, 200_000], levers=(CAP, ADS),
                       progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


# --------------------------------------------------------------- bad settings

@pytest.mark.parametrize("kwargs,words", [
    ({"draws": 0, "objective": "p10_npv"}, ["draws", "got 0", "from 1"]),
    ({"draws": -5}, ["draws", "got -5"]),
    ({"seed": "x", "objective": "expected_npv"}, ["seed"]),
    ({"levers": ["tv", ADS]}, ["levers", "'tv' is not a spend lever", ADS]),
    ({"levers": [ADS]}, ["levers", "two or more"]),
    ({"levers": [ADS, ADS]}, ["levers", "distinct"]),
    ({"objective": "profit"}, ["objective", "profit", "npv, expected_npv, p10_npv"]),
    ({"phases": "quarterly"}, ["phases", "quarterly", "whole, first_year"]),
    ({"bounds": {CAP: (200_000, math.inf), ADS: (150_000, math.inf)}},
     ["below the levers' minimums", "$350,000", "what the limits keep on the levers"]),
    ({"bounds": {ADS: (9, 1)}}, ["bounds", ADS, "minimum <= maximum"]),
    ({"bounds": {ADS: (-1, 10)}}, ["bounds", ADS]),
    ({"bounds": {"tv": (0, 1)}}, ["bounds", "tv", "not one of the levers"]),
    ({"bounds": {CAP: (0, 1), QUAL: (0, 1), ADS: (0, 1)}}, ["above what the levers' maximums allow"]),
    ({"total_per_month": -1.0}, ["total_per_month", "-1"]),
    ({"total_per_month": float("nan")}, ["total_per_month", "nan"]),
    ({"total_per_month": [1e5, 2e5]}, ["total_per_month", "one per phase"]),
    ({"total_per_month": "lots"}, ["total_per_month", "lots"]),
])
def test_bad_optimiser_settings_are_named(kwargs, words):
    s = _short("status-quo", 24)
    args = {"total_per_month": 300_000.0, **kwargs}
    with pytest.raises(ScenarioError) as err:
        optimize_budget(s, **args)
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    assert isinstance(err.value, ValueError)


def test_first_year_needs_a_longer_horizon():
    with pytest.raises(ScenarioError, match="longer than 12 months"):
        optimize_budget(_short("status-quo", 12), 300_000, phases="first_year")


def test_bad_min_budget_settings_are_named():
    s = _short("status-quo", 12)
    with pytest.raises(ScenarioError, match="metric.*avg_monthly_churn.*allowed"):
        min_budget_for(s, 0.01, metric="avg_monthly_churn")
    with pytest.raises(ScenarioError, match="target"):
        min_budget_for(s, float("inf"))
    with pytest.raises(ScenarioError, match="max_budget_per_month"):
        min_budget_for(s, 1.0, max_budget_per_month=-5)
    with pytest.raises(ScenarioError, match="levers"):
        min_budget_for(s, 1.0, levers=["tv", ADS])


def test_bad_frontier_settings_are_named():
    s = _short("status-quo", 12)
    with pytest.raises(ScenarioError, match="at least one"):
        efficient_frontier(s, [])
    with pytest.raises(ScenarioError, match="below the levers' minimums"):
        efficient_frontier(s, [50_000, 300_000], bounds={CAP: (100_000, math.inf)})
    with pytest.raises(ScenarioError, match="draws"):
        efficient_frontier(s, [100_000], objective="p10_npv", draws=0)


def test_not_a_scenario():
    with pytest.raises(TypeError, match="Scenario"):
        optimize_budget("status-quo", 100_000)


def test_a_budget_beyond_every_lever_maximum_names_the_budget():
    with pytest.raises(ScenarioError) as info:
        optimize_budget(Scenario(), 5e9)
    assert info.value.problems == ["total_per_month: $5,000,000,000 is above what the levers' maximums allow "
                                   "($3,000,000,000); lower the budget or raise the maximums"]


def test_a_budget_at_every_lever_maximum_is_split_and_priced():
    """The marginal step never crosses the most a scenario allows; there it is one-sided."""
    alloc = optimize_budget(Scenario(), 3e9)
    assert np.allclose(alloc.allocation.to_numpy(), 1e9)
    assert np.isfinite(alloc.marginal["marginal_per_1000"]).all()


# ---------------------------------------------------------------- searches in step

def test_searches_in_step_share_batches_and_each_gets_its_own_answers():
    from cx_roi.in_step import InStep
    batches = []

    def evaluate(rows: np.ndarray) -> np.ndarray:
        batches.append(len(rows))
        return rows[:, 0] * 10.0

    def search(first: float, asks: int):
        def run(values):
            return [float(values(np.array([[first + k], [first + k + 0.5]]))[1]) for k in range(asks)]
        return run

    got = InStep(evaluate, 3).run([search(0.0, 2), search(100.0, 4), search(200.0, 1)])
    assert got == [[5.0, 15.0], [1005.0, 1015.0, 1025.0, 1035.0], [2005.0]]
    # Each round answers every search still running in one batch: 3, 2, then 1 at a time.
    assert batches == [6, 4, 2, 2]


def test_a_failure_in_a_shared_batch_reaches_every_search_without_a_hang():
    import threading
    from cx_roi.in_step import InStep

    def evaluate(rows: np.ndarray) -> np.ndarray:
        raise cx_roi.Stopped("asked to stop")

    outcome = []
    runner = threading.Thread(target=lambda: outcome.append(
        pytest.raises(cx_roi.Stopped, InStep(evaluate, 2).run, [lambda v: v(np.ones((1, 1)))] * 2)))
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive() and outcome


def test_an_npv_search_stops_during_its_local_stage():
    asked = []
    with pytest.raises(cx_roi.Stopped):
        optimize_budget(cx_roi.load_preset("status-quo"), 300_000, stop=lambda: asked.append(1) or len(asked) > 3)
    assert len(asked) == 4


def test_the_explanation_says_most_of_the_budget_only_when_it_is():
    alloc = optimize_budget(cx_roi.load_preset("status-quo"), 420_000)
    lead = alloc.allocation.iloc[0].max() / alloc.allocation.iloc[0].sum()
    assert ("most of the budget" in alloc.explanation) == (lead > 0.5)
    assert f"{lead:.0%}" in alloc.explanation or lead > 0.5


def test_the_cautious_search_leaves_the_hump_its_first_start_is_in():
    """The online megaphone's 10th percentile has two humps: from the deterministic optimum alone the
    search ended $1.2M short of a split a review found by hand; it now beats that split."""
    s = cx_roi.load_preset("online-megaphone")
    total = sum(float(np.mean(s.schedule(lever))) for lever in LEVERS)
    found = optimize_budget(s, total, objective="p10_npv")
    by_hand = s.replace(**dict(zip(LEVERS, (198_500.0, 64_300.0, total - 198_500.0 - 64_300.0))))
    p10_by_hand = float(np.percentile(simulate_many(by_hand, draws=200, seed=0).kpis["npv"], 10))
    assert found.objective_value >= p10_by_hand * (1 - 1e-5)  # within the search's tolerance (1e-6 of a step)


@pytest.mark.parametrize("objective", ["expected_npv", "p10_npv"])
def test_todays_objective_is_measured_as_the_optimiser_measures_a_split(objective):
    """Fixed by its limits to today's spends, the optimiser's split scores what objective_of says."""
    s = _short("status-quo", 24)
    today = {lever: float(getattr(s, lever)) for lever in LEVERS}
    pinned = optimize_budget(s, sum(today.values()), objective=objective, draws=50,
                             bounds={lever: (v, v) for lever, v in today.items()})
    assert cx_roi.optimisation.objective_of(s, objective, draws=50) == pytest.approx(pinned.objective_value, rel=1e-12)
    assert cx_roi.optimisation.objective_of(s) == pytest.approx(simulate(s).kpis["npv"], rel=1e-12)


def test_a_searchs_own_failure_is_not_hidden_behind_the_batchs():
    from cx_roi.in_step import InStep

    def evaluate(rows: np.ndarray) -> np.ndarray:
        raise cx_roi.Stopped("asked to stop")

    def broken(values):
        raise ZeroDivisionError("a bug in the search")

    with pytest.raises(ZeroDivisionError):
        InStep(evaluate, 2).run([lambda v: v(np.ones((1, 1))), broken])


def test_a_least_budget_for_a_share_gives_its_slope_in_points():
    """A slope of service level is a fraction of a point: 'return 0.1% service level' read as a level."""
    found = min_budget_for(_short("status-quo", 24), 0.85, metric="avg_service_level")
    slopes = found.allocation.marginal["marginal_per_1000"]
    assert any(f"{v * 100:.3g} percentage points of service level" in found.allocation.explanation for v in slopes)
