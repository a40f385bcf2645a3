"""Bad arguments at the package's public door: each is refused with the argument's name and what
is allowed (ScenarioError for a value, TypeError for the wrong kind of thing), never a Python
error from deep inside, and a string is never read as a list of its characters."""

from __future__ import annotations

import numpy as np
import pytest

import cx_roi
from cx_roi import ScenarioError

S = cx_roi.Scenario(horizon_months=24)
O = S.replace(ad_spend_per_month=300_000.0)

REFUSED = {
    "tornado baseline": (lambda: cx_roi.tornado(S, metric="roi", baseline="x"), TypeError, "baseline"),
    "simulate_many ranges": (lambda: cx_roi.simulate_many(S, draws=10, ranges=[1]), ScenarioError, "ranges"),
    "optimiser bounds": (lambda: cx_roi.optimize_budget(S, 200_000, bounds=[1]), ScenarioError, "bounds"),
    "optimiser stop": (lambda: cx_roi.optimize_budget(S, 200_000, stop=5), ScenarioError, "stop"),
    "break-even field": (lambda: cx_roi.break_even_table(S, O, fields=[["a"]]), ScenarioError, "fields"),
    "break-even tolerance text": (lambda: cx_roi.break_even_table(S, O, fields=["aht_seconds"], tolerance="x"),
                                  ScenarioError, "tolerance"),
    "break-even tolerance negative": (lambda: cx_roi.break_even_table(S, O, fields=["aht_seconds"], tolerance=-1),
                                      ScenarioError, "tolerance"),
    "frontier totals as text": (lambda: cx_roi.efficient_frontier(S, "123"), ScenarioError, "totals"),
    "compare one string": (lambda: cx_roi.compare("status-quo"), TypeError, "scenarios"),
    "bridge of nothing": (lambda: cx_roi.npv_bridge(None, None), TypeError, "baseline"),
    "lever odds step": (lambda: cx_roi.lever_odds(S, step=-1), ScenarioError, "step"),
    "lever odds step nan": (lambda: cx_roi.lever_odds(S, step=float("nan")), ScenarioError, "step"),
    "next dollar below a dollar": (lambda: cx_roi.next_dollar(S, 1e-300), ScenarioError, "extra_per_month"),
    "range of text": (lambda: cx_roi.simulate_many(S, draws=5, ranges={"shrinkage": cx_roi.Range(0.1, 0.2, "x")}),
                      ScenarioError, "shrinkage"),
    "range of true": (lambda: cx_roi.simulate_many(S, draws=5, ranges={"shrinkage": cx_roi.Range(True, 0.2, 0.3)}),
                      ScenarioError, "shrinkage"),
    "batch of nothing": (lambda: cx_roi.simulate_batch(None), TypeError, "simulate_batch"),
    "report title": (lambda: cx_roi.html_report({"a": S}, title=5), ScenarioError, "title"),
    "deck title": (lambda: cx_roi.pptx_report({"a": S}, title=None), ScenarioError, "title"),
    "bass series too long": (lambda: cx_roi.fit_bass(np.ones(1_201)), cx_roi.HistoryError, "Cannot use"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_argument_is_named(case):
    call, kind, name = REFUSED[case]
    with pytest.raises(kind) as err:
        call()
    assert str(err.value).startswith(name) or f"as {name}" in str(err.value) or f"{name} is" in str(err.value)


def test_one_name_given_as_a_string_is_one_name():
    assert cx_roi.tornado(S, fields="shrinkage")["field"].tolist() == ["shrinkage"]
    assert cx_roi.break_even_table(S, O, fields="aht_seconds")["field"].tolist() == ["aht_seconds"]


@pytest.mark.parametrize("field", ["product_promoters_weak", "product_detractors_outstanding",
                                   "initial_promoter_share", "fast_promoter_share", "market_size"])
def test_break_even_searches_an_input_that_shares_a_rule_with_another(field):
    # Moving a share to the end of its range caps its partner, as Risk's draws do; the search
    # used to stop at "a + b must be at most 1 in every draw".
    table = cx_roi.break_even_table(S, O, fields=[field])
    assert table["field"].tolist() == [field]
