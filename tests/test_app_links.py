"""Share links through AppTest: a link reopens the view it was made from, and a bad or odd value
is named in a notice, kept as text, and never costs the rest of the link."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import PARAMETERS, Scenario
from ui import state, tables, url
from apptest import AD, APP, card, expected_cards, lever, messages, run_app


def test_url_scenario_is_restored_into_widgets_and_kpis():
    query = {"preset": "service-boost", AD: "200000", "shrinkage": "0.35", "extra": "100000"}
    at = run_app(query, open_sections=(0,))
    expected = cx_roi.load_preset("service-boost").replace(**{AD: 200_000.0, "shrinkage": 0.35})
    assert lever(at, AD).value == 200_000.0
    assert lever(at, "shrinkage").value == 0.35
    assert at.selectbox(key="w:preset").value == "service-boost"
    assert at.slider(key="w:extra").value == 100_000.0
    want = expected_cards(expected, Scenario())
    for label in ("NPV", "Customers at the end", "Paid CAC"):
        assert card(at, label).value == want[label]
    assert not at.warning, "a clean link gives no notice"
    assert at.query_params == query, "the URL is stable: opening it writes the same URL back"


def test_a_widget_redrawn_without_its_state_shows_the_value_not_its_own_default():
    # The browser redraws a widget from the default in its message when it has dropped the
    # widget's state (a fragment's run can end while the page redraws); those sliders then sent
    # their minimum, and a required choice None, with the next press. The default is the value.
    at = run_app({"preset": "service-boost", "extra": "100000", "present": "false"}, open_sections=(0,))
    at = lever(at, AD).set_value(210_000.0).run()
    at = at.slider(key="w:extra").set_value(150_000.0).run()
    assert not at.exception
    sliders = [w for w in at.slider if w.key and w.key.startswith("w:")]
    assert len(sliders) > 3
    for w in sliders:
        assert list(w.proto.default) == pytest.approx(list(w.value) if isinstance(w.value, tuple) else [w.value]), w.key
    for w in at.toggle:
        if w.key and w.key.startswith("w:"):
            assert w.proto.default == w.value, w.key
    preset = at.selectbox(key="w:preset")
    assert preset.proto.default == preset.index and preset.value == "service-boost"

    risk = run_app({"draws": "200", "tornado": "roi"}, page="pages/risk.py")
    measure = risk.segmented_control(key="w:set:tornado")
    assert list(measure.proto.default) == [1] and measure.value == "roi"  # options: npv, roi


def test_garbage_and_out_of_range_url_values_get_defaults_and_a_notice():
    query = {AD: "abc", "shrinkage": "5", "horizon_months": "7.5", "include_terminal_value": "maybe",
             "preset": "nope", "extra": "-3", "foo": "1", "aht_seconds": "420"}
    at = run_app(query, open_sections=(0,))
    notice = messages(at)
    for name in (AD, "shrinkage", "horizon_months", "include_terminal_value", "preset", "extra", "foo"):
        assert f"`{name}" in notice, f"{name} is not named in the notice"
    assert PARAMETERS["shrinkage"].describe_range() in notice
    assert PARAMETERS["horizon_months"].describe_range() in notice
    assert "status-quo" in notice, "the notice lists the valid presets"
    assert lever(at, AD).value == Scenario().ad_spend_per_month
    assert lever(at, "shrinkage").value == Scenario().shrinkage
    assert lever(at, "aht_seconds").value == 420.0, "good values in the same link are applied"
    assert at.query_params == {"aht_seconds": "420"}, "bad values leave the URL"
    at.button(key="dismiss_notices").click().run()
    assert not at.warning


@pytest.mark.parametrize("query", [
    {"present": "sometimes"}, {"baseline": "<script>"}, {"compare": "x,,ad-boost,ad-boost"},
    {"saved": "~~~"}, {AD: "1,2,abc"}, {AD: "nan"}, {AD: "1e400"}, {"horizon_months": "1e9"},
    {"initial_customers": "2000000"}, {"fcr_floor": "0.9"}, {"bridge": "nothing"},
])
def test_odd_url_values_never_raise(query):
    at = run_app(query)
    assert at.warning, f"{query} should be explained"


def test_monthly_schedule_from_a_link_is_shown_and_can_be_flattened():
    at = run_app({AD: "100000,200000,300000"})
    assert all(s.key != f"w:lever:{AD}" for s in at.slider), "a schedule has no slider form"
    assert any("monthly schedule" in m.value for m in at.markdown)
    # Flattened to the average over the horizon, the same total spend: the last month holds to month 60
    # (the average of the three values typed, $200,000, would cut the spend by a third).
    at.button(key=f"flatten:{AD}").click().run()
    spent = (100_000 + 200_000 + 300_000 * 58) / 60
    assert lever(at, AD).value == pytest.approx(spent)
    assert float(at.query_params[AD]) == pytest.approx(spent)


def test_compare_selection_and_saved_scenarios_travel_in_the_link():
    query = {"saved": "Plan B~shrinkage:0.25~ad_spend_per_month:220000", "compare": "Plan B,current",
             "baseline": "ad-boost", "bridge": "current"}
    at = run_app(query, page="pages/compare.py")
    notices = [w.value for w in at.warning]
    # No notice about the link; one warning that Plan B is another business (its shrinkage).
    assert len(notices) == 1 and notices[0].startswith("Not a change of spend alone: **Saved: Plan B** differs "
                                                       "from the baseline in shrinkage"), notices
    assert at.multiselect(key="w:compare").value == ["Plan B", "current"]
    assert at.selectbox(key="w:baseline").value == "ad-boost"
    columns = list(at.table[0].value.columns)
    assert columns[0].endswith("(baseline)") and "Saved: Plan B" in columns
    assert tables.inert(state.label_for("ad-boost")) in columns[0]  # headers read as Markdown
    assert at.query_params == query


def test_a_link_with_jointly_valid_values_reopens_without_a_notice():
    query = {"market_size": "50000", "initial_customers": "20000", "fcr_floor": "0.9", "fcr_ceiling": "0.95",
             "saved": "small~market_size:50000~initial_customers:20000"}
    at = run_app(query)
    assert not at.warning, [w.value for w in at.warning]
    assert dict(at.query_params) == query


@pytest.mark.parametrize("page,extra", [
    ("pages/your_data.py", {}),                              # waits for a history file
    ("pages/compare.py", {"compare": "nope"}),               # nothing to compare with
    ("pages/optimise.py", {"budget": "1", "bounds": "ad_spend_per_month:100000:"}),  # below the minimums
])
def test_a_page_that_stops_early_keeps_the_link(page, extra):
    query = {"service_capacity_spend_per_month": "270000", "present": "1"}
    at = run_app({**query, **extra})
    at.query_params.clear()  # as the browser does when the navigation moves to another page
    at.switch_page(page).run()
    assert not at.exception
    assert {k: at.query_params.get(k) for k in query} == query, dict(at.query_params)


def test_a_key_given_twice_in_a_link_is_named():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["shrinkage"] = ["0.2", "0.35"]
    at.run()
    assert not at.exception
    notice = " ".join(w.value for w in at.warning)
    assert "`shrinkage` is in the link 2 times; the last one (`0.35`) was used." in notice
    assert at.query_params["shrinkage"] == "0.35"


def test_a_refused_link_value_says_what_is_allowed_once_and_names_fields_as_spelt():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ad_spend_per_month"] = "-5"
    at.query_params["fcr_floor"] = "0.9"
    at.run()
    notice = " ".join(w.value for w in at.warning)
    allowed = PARAMETERS["ad_spend_per_month"].describe_range().replace("$", "\\$")
    assert notice.count(allowed) == 1, notice
    assert "fcr_floor (0.9) must not exceed fcr_ceiling" in notice
    assert notice.count("$") == notice.count("\\$"), notice  # no bare "$" to pair into maths


def test_a_refused_value_of_a_saved_scenario_named_with_a_dollar_keeps_one_escape():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["saved"] = "Plan $5~shrinkage:7"
    at.run()
    notice = " ".join(w.value for w in at.warning)
    assert "Plan \\$5" in notice and "\\\\$" not in notice, notice


@pytest.mark.parametrize("query", [
    {"compare": "[x](https://evil.example)"},
    {"levers": "[y](https://evil.example),ad_spend_per_month", "page": "optimise"},
    {"saved": "[Pay here](www.evil.example)~shrinkage:0.2"},
    {"fitted": "[x](www.evil.example) *now*~shrinkage:0.2", "baseline": "your-data"},
])
def test_values_from_a_link_are_shown_as_written_never_as_live_markdown(query):
    """A link's values quoted in a notice or a label stay text: no link, emphasis or code of their own."""
    query = dict(query)
    page = {"optimise": "pages/optimise.py"}.get(query.pop("page", ""), None)
    at = run_app(query, page=page)
    shown = [e.value for e in [*at.warning, *at.error, *at.info, *at.caption, *at.markdown]]
    for text in shown:
        outside_code = re.sub(r"``.*?``|`[^`]*`", "", text)  # code spans show their text as written
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", outside_code), text
        assert "://" not in outside_code and "www." not in outside_code and not re.search(r"(?<!\\)\*now", text), text


def test_a_saved_name_no_report_can_hold_is_named_and_skipped():
    """A control character in a saved name would break the PowerPoint file: the link's entry is refused."""
    at = run_app({"saved": "\x01Plan~shrinkage:0.2", "compare": "\x01Plan"}, page="pages/compare.py")
    assert "control characters" in messages(at) and "this saved scenario was skipped" in messages(at)
    assert "saved" not in at.query_params


def test_a_compare_list_with_nothing_usable_gives_the_default_comparison():
    at = run_app({"compare": "<b>x</b>,nope"}, page="pages/compare.py")
    assert not at.exception
    assert at.multiselect(key="w:compare").value == list(url.DEFAULT_COMPARE)
    assert "compare" in messages(at) and "nope" in messages(at)  # the field and the value named
    partly = run_app({"compare": "nope,ad-boost"}, page="pages/compare.py")  # one usable: kept, the other named
    assert partly.multiselect(key="w:compare").value == ["ad-boost"]


@pytest.mark.parametrize("query, kept", [
    ({"compare": "status-quo"}, list(url.DEFAULT_COMPARE)),                  # only the baseline: the default pair
    ({"baseline": "ad-boost", "compare": "ad-boost"}, ["service-boost"]),     # ... less the baseline itself
    ({"compare": "status-quo,ad-boost"}, ["ad-boost"]),                       # the baseline dropped, the rest kept
])
def test_a_compare_list_naming_the_baseline_says_so(query, kept):
    at = run_app(query, page="pages/compare.py")
    assert at.multiselect(key="w:compare").value == kept
    notice = messages(at)
    baseline = query.get("baseline", "status-quo")
    assert "`compare" in notice and f"`{baseline}` is the baseline" in notice
    assert "['" not in notice, "the default in words, not a Python list"
    if kept == list(url.DEFAULT_COMPARE):  # the default named as the picker names it
        assert all(tables.inert(cx_roi.preset_info(t).title) in notice for t in url.DEFAULT_COMPARE)


def test_one_bad_range_in_a_link_keeps_the_good_ones():
    at = run_app({"ranges": "shrinkage:0.1:0.5~churn_passive:0.01:0.05~foo:1:2", "draws": "200"},
                 page="pages/risk.py")
    notice = " ".join(w.value for w in at.warning)
    assert "`foo` is not an uncertain input" in notice and "the others were applied" in notice
    assert at.query_params["ranges"] == "churn_passive:0.01:0.05~shrinkage:0.1:0.5"
