"""How numbers and text are written for people: money, counts, chances, units, table cells.

Pure functions of ``cx_roi.formatting`` and ``ui.tables``, tested without Streamlit.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cx_roi import PARAMETERS
from cx_roi import formatting as fmt
from ui import tables


@pytest.mark.parametrize("value, text", [
    (0, "$0"), (950, "$950"), (12_345, "$12.3k"), (1_234_567, "$1.2M"), (-3.4e9, "-$3.4B"),
    (999_960, "$1.0M"), (999.6, "$1.0k"), (951_416, "$951.4k"), (960, "$960"), (949_999, "$950.0k"),
    (float("nan"), fmt.MISSING), (None, fmt.MISSING)])
def test_money(value, text):
    assert fmt.money(value) == text


@pytest.mark.parametrize("value, text", [
    (50_000, "$50k"), (7_500, "$7.5k"), (12_500, "$12.5k"), (1_250_000, "$1.25M"), (12_345, "$12,345"),
    (600, "$600"), (1e9, "$1B"), (-5_000, "-$5k"), (float("inf"), fmt.MISSING)])
def test_a_chosen_amount_reads_exactly(value, text):
    assert fmt.amount(value) == text


@given(st.floats(0, 1e12))
def test_money_never_rounds_into_the_next_unit_too_early(x):
    text = fmt.money(x)
    number = float(text.lstrip("$").rstrip("kMB").replace(",", ""))
    assert number < 1000 or text.endswith("B"), text  # never "$1,000.0k"
    unit = {"k": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1.0)
    assert abs(number * unit - x) <= 0.05 * unit + 0.5, (x, text)  # and never far from the value


@pytest.mark.parametrize("at_least, first", [(1, [1, 2, 2.5, 5, 10]), (0.3, [0.5, 1, 2]), (2.01, [2.5, 5]),
                                              (1000, [1000, 2000]), (7e-4, [1e-3, 2e-3]), (26, [50, 100, 200])])
def test_round_numbers_step_through_1_2_2_5_and_5_times_a_power_of_ten(at_least, first):
    got = list(itertools.islice(fmt.round_numbers(at_least), len(first)))
    np.testing.assert_allclose(got, first, rtol=1e-12)


@given(st.floats(1e-9, 1e12))
def test_the_first_round_number_is_the_smallest_at_or_above(x):
    first, second = itertools.islice(fmt.round_numbers(x), 2)
    assert x * (1 - 1e-9) <= first < second and first <= 2 * x  # the next round number, none skipped
    mantissa = first / 10 ** math.floor(math.log10(first) + 1e-12)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_round_numbers_name_what_they_need(bad):
    with pytest.raises(ValueError, match="finite number above 0"):
        next(fmt.round_numbers(bad))


@pytest.mark.parametrize("p, text", [(1.0, ">99%"), (0.996, ">99%"), (0.995, ">99%"), (0.994, "99%"), (0.37, "37%"),
                                     (0.005, "<1%"), (0.004, "<1%"), (0.0, "<1%"), (float("nan"), fmt.MISSING)])
def test_a_chance_from_draws_is_never_shown_as_certain(p, text):
    assert fmt.chance(p) == text


@pytest.mark.parametrize("field, value, text", [
    ("online_audience", 300.0, "300 people per online story"), ("aht_seconds", 420.0, "420 s"),
    ("agent_cost_per_month", 6_000.0, "$6,000 per agent-month"),
    ("service_capacity_spend_per_month", 1.0, "$1 per month"),
])
def test_a_value_says_its_unit_once(field, value, text):
    p = PARAMETERS[field]
    assert fmt.with_unit(p.fmt, value, p.unit) == text


def test_format_helpers():
    assert fmt.signed_money(6.2e6) == "+$6.2M" and fmt.signed_money(-350_000) == "-$350.0k"
    assert fmt.count(93_874.6) == "93,875" and fmt.signed_count(-1020.2) == "-1,020"
    assert fmt.percent(0.0479, 2) == "4.79%" and fmt.percent(-1e-9) == "0.0%"
    assert fmt.signed_points(-0.00104, 2) == "-0.10 pp" and fmt.signed_points(0.0) == "0.0 pp"
    assert fmt.horizon(60) == "5 years" and fmt.horizon(18) == "18 months" and fmt.horizon(12) == "1 year"
    assert fmt.money(90.84, cents=True) == "$90.84"
    assert fmt.param_value("${:,.0f}", (1.0, 2.0)) == "$1 in month 1, then $2 from month 2"
    assert fmt.param_value("${:,.0f}", (155e3,) * 12 + (0.0,)) == "$155,000 in months 1-12, then $0 from month 13"
    assert fmt.param_value("${:,.0f}", (1.0, 2.0, 3.0, 4.0, 5.0)) == "$1, $2, $3, $4, ... (5 monthly values)"
    assert fmt.param_value("${:,.0f}", (7.0, 7.0)) == "$7 every month"
    assert fmt.param_value("${:,.0f}", ()) == " (0 monthly values)"


def test_table_cells_keep_markdown_characters_as_text():
    assert tables.plain("a*b*c_d [x] $5k-$8k `e` <b>") == r"a\*b\*c\_d \[x\] \$5k-\$8k \`e\` \<b\>"
    assert tables.plain("Purdue call-centre benchmark: 25-32%.") == "Purdue call-centre benchmark: 25-32%."


@given(st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=9, unique=True), st.integers(8, 60))
def test_short_names_fit_and_stay_distinct(names, limit):
    shown = fmt.short_names(names, limit)
    assert list(shown) == names
    assert all(len(s) <= limit for s in shown.values())
    assert len(set(shown.values())) == len(names)
    assert all(shown[n] == n for n in names if len(n) <= limit and list(shown.values()).count(n) == 1)


def test_short_names_keep_start_and_end():
    long = "Service boost: +$30k agents and training from January, as proposed in Q3"
    shown = fmt.short_names([long, "Status quo"])
    assert shown["Status quo"] == "Status quo"
    assert len(shown[long]) == 40 and "…" in shown[long]
    assert shown[long].startswith("Service boost: +$30k") and shown[long].endswith("in Q3")


@pytest.mark.parametrize("x", [1e300, -2e18, 1e15])
def test_huge_numbers_read_in_powers_of_ten_not_hundreds_of_digits(x):
    for text in (fmt.number(x), fmt.money(x), fmt.amount(x)):
        assert "e+" in text and len(text) < 12, text


def test_numbers_below_a_thousand_trillion_keep_their_digits():
    assert fmt.number(12_345.6) == "12,346" and fmt.number(0.123456) == "0.1235" and fmt.number(7.0) == "7"
    assert fmt.money(3e12) == "$3,000.0B" and fmt.amount(1.25e6) == "$1.25M"


def test_a_long_list_names_the_first_few_and_counts_the_rest():
    assert fmt.and_list(["a", "b", "c"], most=5) == "a, b and c"
    assert fmt.and_list(list("abcdefgh"), most=6) == "a, b, c, d, e, f and 2 more"
    assert fmt.and_list(["a", "a", "b"], most=1) == "a and 1 more"  # repeats dropped before counting
