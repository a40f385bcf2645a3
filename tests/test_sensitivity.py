"""Tornado and break-even, checked against independent single runs of simulate()."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import Range, ScenarioError, break_even, break_even_table, simulate, tornado
from cx_roi.uncertainty import UNCERTAIN_FIELDS

HYPO = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
H = 36


def _short(name: str, horizon: int = H) -> cx_roi.Scenario:
    return cx_roi.load_preset(name).replace(horizon_months=horizon)


def _npv(s: cx_roi.Scenario, **changes) -> float:
    return simulate(s.replace(**changes)).kpis["npv"]


# A hand-checkable case: three inputs without cross-field rules, with ranges chosen here.
HAND = {
    "online_audience": Range(100.0, 300.0, 3_000.0, log=True),
    "churn_detractor": Range(0.07, 0.085, 0.10),
    "aht_seconds": Range(330.0, 360.0, 390.0),
}


@pytest.fixture(scope="module")
def hand():
    s = _short("status-quo")
    return s, tornado(s, ranges=HAND, fields=list(HAND))


def test_tornado_values_are_single_runs_at_low_and_high(hand):
    s, table = hand
    assert set(table["field"]) == set(HAND)
    for _, row in table.iterrows():
        r = HAND[row["field"]]
        lo, hi = _npv(s, **{row["field"]: r.low}), _npv(s, **{row["field"]: r.high})
        assert (row["low"], row["likely"], row["high"]) == (r.low, r.likely, r.high)
        assert row["metric_low"] == pytest.approx(lo, rel=1e-9)
        assert row["metric_high"] == pytest.approx(hi, rel=1e-9)
        assert row["swing"] == pytest.approx(abs(hi - lo), rel=1e-9)
        assert row["base"] == pytest.approx(simulate(s).kpis["npv"], rel=1e-9)
        assert row["label"] == cx_roi.PARAMETERS[row["field"]].label


def test_tornado_is_sorted_by_swing_and_the_order_is_right(hand):
    s, table = hand
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    swings = {f: abs(_npv(s, **{f: r.high}) - _npv(s, **{f: r.low})) for f, r in HAND.items()}
    assert list(table["field"]) == sorted(swings, key=swings.get, reverse=True)
    assert table.attrs["metric"] == "npv"


def test_tornado_signs_make_sense(hand):
    _, table = hand
    row = table.set_index("field")
    # more people reached by stories: more word of mouth; more detractor churn: fewer customers
    assert row.loc["online_audience", "metric_high"] > row.loc["online_audience", "metric_low"]
    assert row.loc["churn_detractor", "metric_high"] < row.loc["churn_detractor", "metric_low"]


def test_default_tornado_covers_every_uncertain_input():
    table = tornado(_short("status-quo", 24))
    assert set(table["field"]) == set(UNCERTAIN_FIELDS)
    assert table["swing"].is_monotonic_decreasing
    # survey inflation changes only what a survey reports, never the money
    assert table.set_index("field").loc["survey_inflation", "swing"] == pytest.approx(0.0, abs=1e-3)


def test_tornado_on_another_kpi():
    s = _short("status-quo", 24)
    table = tornado(s, metric="final_customers", ranges=HAND, fields=["churn_detractor"])
    r = HAND["churn_detractor"]
    lo = simulate(s.replace(churn_detractor=r.low)).kpis["final_customers"]
    assert table["metric_low"].iloc[0] == pytest.approx(lo, rel=1e-9)


def test_roi_tornado_moves_the_input_in_both_scenarios():
    s, base = _short("service-boost"), _short("status-quo")
    table = tornado(s, metric="roi", baseline=base, ranges=HAND, fields=list(HAND))
    for _, row in table.iterrows():
        f, r = row["field"], HAND[row["field"]]
        for end, col in ((r.low, "metric_low"), (r.high, "metric_high")):
            a, b = simulate(s.replace(**{f: end})), simulate(base.replace(**{f: end}))
            roi = (a.kpis["npv"] - b.kpis["npv"]) / (a.kpis["pv_spend"] - b.kpis["pv_spend"])
            assert row[col] == pytest.approx(roi, rel=1e-9), (f, col)
    assert table["swing"].is_monotonic_decreasing
    delta = tornado(s, metric="delta_npv", baseline=base, ranges=HAND, fields=["online_audience"])
    a = _npv(s, online_audience=100.0) - _npv(base, online_audience=100.0)
    assert delta["metric_low"].iloc[0] == pytest.approx(a, rel=1e-9)


def test_roi_tornado_follows_the_same_rule_as_compare():
    s, base = _short("service-boost"), _short("status-quo")
    table = tornado(s, metric="roi", baseline=base, ranges=HAND, fields=["online_audience"])
    compared = cx_roi.compare({"base": base, "s": s}, baseline="base")
    assert table["base"].iloc[0] == pytest.approx(compared.loc["s", "roi"], rel=1e-12)
    # A spend gap of a few cents on millions is rounding, not money: no ROI, as in Compare.
    nudged = base.replace(ad_spend_per_month=base.ad_spend_per_month + 1e-6)
    table = tornado(nudged, metric="roi", baseline=base, ranges=HAND, fields=["online_audience"])
    assert np.isnan(table["base"].iloc[0])
    assert np.isnan(cx_roi.compare({"base": base, "n": nudged}, baseline="base").loc["n", "roi"])


@HYPO
@given(fields=st.lists(st.sampled_from(sorted(HAND)), min_size=1, max_size=3, unique=True),
       shrink=st.floats(0.1, 1.0))
def test_tornado_swing_is_the_gap_between_the_ends_for_any_ranges(fields, shrink):
    s = _short("status-quo", 12)
    ranges = {f: Range(r.likely - shrink * (r.likely - r.low), r.likely, r.likely + shrink * (r.high - r.likely),
                       r.log) for f, r in HAND.items()}
    table = tornado(s, ranges=ranges, fields=fields)
    assert list(table["field"]) != [] and set(table["field"]) == set(fields)
    np.testing.assert_allclose(table["swing"], (table["metric_high"] - table["metric_low"]).abs(), rtol=1e-12)
    assert table["swing"].is_monotonic_decreasing


@pytest.mark.parametrize("kwargs,words", [
    ({"metric": "happiness"}, ["metric", "happiness", "npv"]),
    ({"metric": "roi"}, ["roi", "needs a baseline"]),
    ({"fields": ["nope"]}, ["nope", "no range"]),
    ({"fields": []}, ["fields", "at least one"]),
    ({"ranges": {"aht_seconds": Range(400.0, 360.0, 300.0)}}, ["aht_seconds", "400", "300"]),
])
def test_tornado_bad_settings(kwargs, words):
    with pytest.raises(ScenarioError) as err:
        tornado(_short("status-quo", 12), **kwargs)
    for w in words:
        assert w in str(err.value)


# ------------------------------------------------------------------ break-even

@pytest.fixture(scope="module")
def pair():
    return _short("service-boost"), _short("ad-boost")


def _gap(a, b, field, value) -> float:
    return _npv(a, **{field: value}) - _npv(b, **{field: value})


@pytest.mark.parametrize("field", ["offline_audience", "detractor_stories_per_month", "ad_max_innovation_per_month",
                                   "agent_cost_per_month"])
def test_break_even_equalises_the_two_npvs_and_the_sign_flips(pair, field):
    a, b = pair
    v = break_even(a, b, field)
    assert v is not None
    scale = abs(_npv(a, **{field: v}))
    assert abs(_gap(a, b, field, v)) <= 1e-6 * scale
    below, above = _gap(a, b, field, v * (1 - 1e-3)), _gap(a, b, field, v * (1 + 1e-3))
    assert np.sign(below) == -np.sign(above) != 0


def test_break_even_table_of_top_drivers(pair):
    a, b = pair
    table = break_even_table(a, b, top=4)
    assert len(table) == 4
    assert list(table.columns) == ["field", "label", "current", "break_even", "direction", "change",
                                   "gap_now"]
    for _, row in table.iterrows():
        f = row["field"]
        assert row["current"] == float(getattr(a, f))
        assert row["gap_now"] == pytest.approx(_gap(a, b, f, row["current"]), rel=1e-9)
        if np.isnan(row["break_even"]):
            assert row["direction"] == ("always" if row["gap_now"] > 0 else "never")
            assert np.isnan(row["change"])
            continue
        v = row["break_even"]
        # the change is the move from today's value to the flip, as a share of today's value
        assert v == pytest.approx(row["current"] * (1 + row["change"]) if row["current"] > 0 else
                                  row["current"] * (1 - row["change"]), rel=1e-12)
        assert abs(_gap(a, b, f, v)) <= 1e-6 * abs(_npv(a, **{f: v}))
        # direction: the side of the break-even on which the first scenario wins
        side = v * (1 + 1e-2) if row["direction"] == "above" else v * (1 - 1e-2)
        assert _gap(a, b, f, side) > 0


def test_break_even_top_drivers_are_the_largest_gap_swings(pair):
    a, b = pair
    fields = list(break_even_table(a, b, top=3)["field"])
    swings = tornado(a, metric="delta_npv", baseline=b)
    assert fields == list(swings["field"].head(3))


def test_break_even_on_another_metric(pair):
    a, b = pair
    table = break_even_table(a, b, fields=["offline_audience"], metric="final_customers")
    v = table["break_even"].iloc[0]
    ka = simulate(a.replace(offline_audience=v)).kpis["final_customers"]
    kb = simulate(b.replace(offline_audience=v)).kpis["final_customers"]
    assert ka == pytest.approx(kb, rel=1e-6)


def test_no_break_even_when_the_input_cannot_flip_the_decision(pair):
    a, b = pair
    assert break_even(a, b, "survey_inflation") is None  # changes what surveys say, not money


def test_break_even_bad_settings(pair):
    a, b = pair
    with pytest.raises(ScenarioError, match="horizon_months"):
        break_even_table(a, b.replace(horizon_months=48))
    with pytest.raises(ScenarioError, match="metric"):
        break_even_table(a, b, fields=["aht_seconds"], metric="roi")
    with pytest.raises(ScenarioError, match="not a numeric input"):
        break_even_table(a, b, fields=["ad_spend_per_month"])
    with pytest.raises(ScenarioError, match="top"):
        break_even_table(a, b, top=0)
    with pytest.raises(ScenarioError, match="at least one input"):
        break_even_table(a, b, fields=[])


@pytest.mark.parametrize("run", [lambda s, o: cx_roi.tornado(s, metric="payback_month", baseline=o),
                                 lambda s, o: cx_roi.break_even(s, o, "shrinkage", metric="payback_month"),
                                 lambda s, o: cx_roi.break_even_table(s, o, metric="payback_month")])
def test_payback_is_refused_with_its_reason_not_answered_with_nothing(run):
    """A run on its own has no payback: a tornado of it was all NaN and a break-even said 'always ahead'."""
    base = cx_roi.load_preset("status-quo")
    with pytest.raises(cx_roi.ScenarioError, match="payback.*baseline"):
        run(base.replace(ad_spend_per_month=300_000), base)
