"""The pages' building blocks without Streamlit: KPI cards, the comparison table and the phone's
stacked tables.

How the cards are laid out on a screen is checked in a real browser (tests/test_browser.py).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import cx_roi
from cx_roi import Scenario
from cx_roi import formatting as fmt
from ui import tables, views

AD = "ad_spend_per_month"


def test_a_stacked_table_labels_every_cell_after_the_first_on_a_phone():
    css = views.stacked_table_css("fitted", ["Parameter", "Value", 'Note "a"'])
    assert ".st-key-fitted " in css and "(max-width: 640px)" in css
    assert "(max-width: 900px)" in views.stacked_table_css("wide", ["a", "b"], below=900)  # the room it needs
    assert 'td:nth-child(2)::before { content: "Value"; }' in css
    assert 'td:nth-child(3)::before { content: "Note \\"a\\""; }' in css
    assert "nth-child(1)::before" not in css


@pytest.mark.parametrize("changes, words", [
    ({AD: 0.0}, ["no extra spend", "no ad spend"]),
    ({AD: 0.0, "prior_ad_spend_per_month": 0.0}, [tables.NOT_ONLY_SPEND, "no ad spend"]),
])
def test_kpi_cards_never_show_nan(changes, words):
    table = cx_roi.compare({"baseline": Scenario(), "scenario": Scenario().replace(**changes)}, baseline="baseline")
    cards = views.kpi_cards(table.loc["scenario"], table.loc["baseline"], same_as_baseline=False,
                            baseline_label="Status quo", horizon_months=60)
    text = " ".join(f"{c.value} {c.delta}" for c in cards).lower()
    assert "nan" not in text and all(w in text for w in words), text
    cac = next(c for c in cards if c.label == "Paid CAC")
    assert cac.delta is None, "no CAC, so no change in it (a $0 CAC read as a green improvement)"


def test_a_change_that_rounds_to_nothing_says_so_in_words_without_colour_or_arrow():
    """$10k more advertising moves churn by less than a hundredth of a point: the card showed a bare 0."""
    table = cx_roi.compare({"baseline": Scenario(), "scenario": Scenario().replace(**{AD: 160_000.0})},
                           baseline="baseline")
    cards = {c.label: c for c in views.kpi_cards(table.loc["scenario"], table.loc["baseline"],
                                                 same_as_baseline=False, baseline_label="Status quo",
                                                 horizon_months=60)}
    churn = cards[cx_roi.outputs.KPIS["avg_monthly_churn"].label]
    assert cx_roi.outputs.show_change("avg_monthly_churn", table.loc["scenario", "delta_avg_monthly_churn"]) == "0.00 pp"
    assert (churn.delta, churn.delta_color, churn.delta_arrow) == (views.NO_CHANGE, "off", "off")
    customers = cards[cx_roi.outputs.KPIS["final_customers"].label]
    assert customers.delta.startswith("+") and customers.delta_arrow == "auto"


def test_a_missing_paid_cac_says_why():
    assert cx_roi.comparison.why_undefined(pd.Series({"cac_paid": math.nan, "cac_blended": 0.0}), "cac_paid") == "no ad spend"
    assert cx_roi.comparison.why_undefined(pd.Series({"cac_paid": math.nan, "cac_blended": math.nan}), "cac_paid") == "no ad wins"
    assert math.isnan(cx_roi.simulate(Scenario().replace(**{AD: 0.0})).kpis["cac_paid"])


def test_comparison_table_says_a_copy_of_the_baseline_is_the_same():
    shown = tables.comparison_table(cx_roi.compare({"base": Scenario(), "copy": Scenario()}, baseline="base"))
    assert (shown.loc[["ROI vs baseline", "Payback vs baseline"], "copy"] == "same as baseline").all()


def test_comparison_table_reads_value_and_change():
    table = cx_roi.compare(["status-quo", "ad-boost"], baseline="status-quo")
    shown = tables.comparison_table(table)
    assert shown.loc["NPV", "ad-boost"] == (f"{fmt.money(table.loc['ad-boost', 'npv'])} "
                                            f"({fmt.signed_money(table.loc['ad-boost', 'delta_npv'])})")
    assert shown.loc["ROI vs baseline", "status-quo (baseline)"] == "baseline"
    assert not shown.apply(lambda col: col.str.contains("nan")).any().any()
    # Every KPI that can change shows its change, the ones compare() has no delta column for too.
    ad, sq = table.loc["ad-boost"], table.loc["status-quo"]
    cac_change = fmt.signed_money(ad["cac_paid"] - sq["cac_paid"], cents=True)
    assert shown.loc["Paid CAC", "ad-boost"].endswith(f"({cac_change})")
    points = fmt.signed_points(ad['avg_service_level'] - sq['avg_service_level'])
    # The change stays on one line with its unit when a narrow column wraps (a no-break space).
    assert shown.loc["Service level (average)", "ad-boost"].endswith(f"({points.replace(' ', tables.NBSP)})")
    assert " pp" not in " ".join(shown["ad-boost"])
    assert shown.loc[cx_roi.outputs.output("final_nps_measured").label, "ad-boost"].endswith(")")
    assert "(" not in shown.loc["Paid CAC", "status-quo (baseline)"]


@pytest.mark.parametrize("delta, colour, arrow, word", [
    ("+$10.7M", "normal", "auto", "better"), ("-5.7 pp", "normal", "auto", "worse"),
    ("+0.03 pp", "inverse", "auto", "worse"), ("-$31.48", "inverse", "auto", "better"),
    (views.NO_CHANGE, "off", "off", None), ("+$1.0M", "off", "auto", None),  # grey: neither good nor bad
    ("advertising: +$3.06", "off", "off", None), (None, "normal", "auto", None),
])
def test_a_coloured_change_says_in_words_whether_it_is_better(delta, colour, arrow, word):
    assert views.Card("NPV", "$1", delta, colour, "", arrow).judgement == word
