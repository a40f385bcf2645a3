"""The outputs table: every figure the model reports has one label, unit and format, used everywhere."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

import cx_roi
from cx_roi import outputs


@pytest.fixture(scope="module")
def table():
    return cx_roi.compare(["status-quo", "service-boost", "ad-boost"], baseline="status-quo", draws=20)


def test_every_monthly_column_and_kpi_a_run_gives_is_in_the_table():
    run = cx_roi.simulate(cx_roi.Scenario(horizon_months=12))
    assert list(run.monthly.columns) == list(outputs.MONTHLY)
    assert list(run.kpis) == list(outputs.KPIS)


def test_meanings_speak_of_empty_values_as_readers_see_them():
    # A meaning reaches the deck's notes, the workbook's header notes and the Method page,
    # where an undefined value shows as a dash or an empty cell, never as "NaN".
    for name, o in {**outputs.MONTHLY, **outputs.KPIS}.items():
        assert "nan" not in o.meaning.lower().split(), name
        assert "NaN" not in o.meaning, name


def test_every_column_compare_gives_has_facts_and_a_spreadsheet_format(table):
    for column in table.columns:
        o = outputs.output(column)
        assert o.label and o.meaning
        assert outputs.excel_format(column)
        assert outputs.header(column).startswith(o.label)
    with pytest.raises(KeyError):
        outputs.output("no_such_output")


def test_a_header_is_the_label_with_its_unit_said_once():
    assert outputs.header("npv") == "NPV ($)"
    assert outputs.header("contacts") == "Contacts"  # not "Contacts (contacts)"
    assert outputs.header("discount_factor") == "Discount factor"


def test_a_change_column_takes_its_facts_from_what_it_is_a_change_of():
    assert outputs.output("delta_npv").kind == "money" and outputs.output("delta_npv").unit == "$"
    assert outputs.output("delta_avg_monthly_churn").digits == outputs.KPIS["avg_monthly_churn"].digits
    assert outputs.excel_format("delta_npv").startswith("+")
    assert outputs.show("delta_npv", 1_234_567.0) == outputs.show_change("npv", 1_234_567.0) == "+$1.2M"


@given(st.floats(-1e9, 1e9, allow_nan=False))
def test_a_change_carries_its_sign(x):
    for name in ("npv", "final_customers", "avg_monthly_churn", "final_nps"):
        text = outputs.show_change(name, x)
        rounded_to_zero = text.strip("+-$0.,pp ") == ""
        assert rounded_to_zero or text.startswith("+" if x > 0 else "-"), (name, x, text)


def test_shown_digits_match_the_spreadsheets():
    """A share shown to two decimals on screen has two in the workbook too."""
    for name, o in {**outputs.KPIS, **outputs.MONTHLY}.items():
        if o.kind == "share":
            shown = outputs.show(name, 0.123456)
            decimals = len(shown.rstrip("%").split(".")[1]) if "." in shown else 0
            fmt = outputs.excel_format(name)
            assert fmt.rstrip("%").count("0") - 1 == decimals, (name, shown, fmt)


def test_undefined_values_read_as_words_not_nan():
    for name in list(outputs.KPIS) + ["roi", "delta_npv"]:
        assert "nan" not in outputs.show(name, math.nan).lower()


def test_one_label_and_figure_on_the_cards_the_comparison_table_and_the_html_report(table):
    """The same KPI reads the same on Explore's cards, Compare's table and the HTML report."""
    import re

    from ui import tables, views

    row, base = table.loc["service-boost"], table.loc["status-quo"]
    cards = {c.label: c for c in views.kpi_cards(row, base, same_as_baseline=False, baseline_label="status-quo",
                                                 horizon_months=60)}
    shown = tables.comparison_table(table)
    html = cx_roi.html_report(["status-quo", "service-boost"], baseline="status-quo")
    for name in ("npv", "final_customers", "avg_monthly_churn", "wom_share", "cac_paid"):
        label = outputs.KPIS[name].label
        value = outputs.show(name, row[name])
        assert cards[label].value == value
        assert shown.loc[label, "service-boost"].startswith(value)
        if name in outputs.HEADLINE:
            assert re.search(rf"<th>{re.escape(label)}</th>", html), label
            assert f"<td>{value}</td>" in html.replace("&#x27;", "'"), (label, value)
