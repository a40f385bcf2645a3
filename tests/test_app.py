"""The dashboard through Streamlit's AppTest: pages, levers, links, files, presentation, Compare.

Expected numbers are computed here with ``cx_roi`` directly and formatted with
``cx_roi.formatting``, so a test fails when the page shows anything other than what
the model says for the scenario the page claims to show. The pure helpers of the
verdict sentence, sliders and tables are tested at the end without Streamlit; charts,
views and formatting have their own modules (test_charts, test_views, test_formatting).
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import PARAMETERS, Scenario
from cx_roi import formatting as fmt
from cx_roi.verdict import verdict
from strategies import scenarios
from ui import charts, controls, fields, sharing, state, tables, url

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ("pages/explore.py", "pages/compare.py", "pages/your_data.py", "pages/method.py")
AD = "ad_spend_per_month"


# ---------------------------------------------------------------- helpers

def run_app(query: dict[str, str] | None = None, page: str | None = None, open_sections=()) -> AppTest:
    """Run the app as a new session opening ``query``; ``open_sections`` opens lever sections by index
    (sections start closed, and a closed section's sliders are not drawn)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for i in open_sections:
        at.session_state[f"section:{i}"] = True
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no KPI card {label!r}; cards: {[m.label for m in at.metric]}"
    return found[0]


def lever(at: AppTest, name: str):
    return at.slider(key=f"w:lever:{name}")


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(data) -> list:
    """A trace's x or y as a list; plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def chart(at: AppTest, title_start: str) -> dict:
    for spec in chart_specs(at):
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.warning, *at.error, *at.info])


def expected_cards(scenario: Scenario, baseline: Scenario) -> dict[str, str]:
    table = cx_roi.compare({"baseline": baseline, "scenario": scenario}, baseline="baseline")
    row = table.loc["scenario"]
    return {"NPV": fmt.money(row["npv"]), "Customers at the end": fmt.count(row["final_customers"]),
            "Monthly churn": fmt.percent(row["avg_monthly_churn"], 2),
            "Paid CAC": fmt.money(row["cac_paid"], cents=True),
            "NPV delta": fmt.signed_money(row["delta_npv"])}


@pytest.fixture()
def downloads(monkeypatch) -> list[tuple[str | None, bytes]]:
    """Every file a download button registers during the test, as (file name, bytes)."""
    seen: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            seen.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return seen


def scenario_download(seen: list[tuple[str | None, bytes]]) -> tuple[str, bytes]:
    files = [(n, d) for n, d in seen if n and n.endswith(".json")]
    assert files, "the Explore page offered no scenario download"
    return files[-1]


# ---------------------------------------------------------------- pages

@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("present", [False, True])
def test_every_page_renders_without_exception(page, present):
    at = run_app({"present": "1"} if present else None, page=page)
    assert at.title, "every page has a title"
    assert not at.exception


def test_explore_shows_the_baseline_kpis_and_its_charts():
    at = run_app()
    want = expected_cards(Scenario(), Scenario())
    for label in ("NPV", "Customers at the end", "Monthly churn", "Paid CAC"):
        assert card(at, label).value == want[label]
    assert card(at, "ROI vs baseline").delta == "same as baseline"
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in chart_specs(at)]
    # One y-axis a chart: the money across the page, then a pair a subject (customers, sentiment, service).
    assert titles == ["Cumulative contribution vs baseline", "Customers won and lost each month",
                      "Customers at month end", "Sentiment of customers", "Net promoter score",
                      "Service level: answered within 20 s", "Average wait to be answered"]
    assert at.query_params == {}, "a fresh default view has a clean URL"


def test_verdict_sentence_matches_next_dollar():
    at = run_app()
    table = cx_roi.next_dollar(Scenario(), state.DEFAULT_EXTRA)
    sentence = verdict(table, state.DEFAULT_EXTRA, 60)
    assert sentence in [m.value for m in at.markdown]
    quality = table.loc["service_quality_spend_per_month", "delta_npv"]
    assert fmt.money(quality) in sentence and "service quality" in sentence


@pytest.mark.parametrize("page", ["pages/explore.py", "pages/risk.py"])
def test_a_spend_with_no_room_for_the_next_dollar_is_explained(page):
    """Advertising within $1k of its maximum: the page still draws, and says why that lever is left out."""
    at = run_app({AD: "999999500", "draws": "200"}, page=None if page == "pages/explore.py" else page)
    texts = [m.value for m in at.markdown] + [i.value for i in at.info]
    assert any("past the most the model allows" in t and "advertising" in t for t in texts), texts
    if page == "pages/explore.py":
        assert card(at, "NPV").value  # the scenario itself is still valued


def test_more_ad_spend_changes_npv_and_paid_cac():
    at = run_app()
    before_npv, before_cac = card(at, "NPV").value, card(at, "Paid CAC").value
    lever(at, AD).set_value(300_000.0).run()
    assert not at.exception
    changed = Scenario().replace(**{AD: 300_000.0})
    want = expected_cards(changed, Scenario())
    assert card(at, "NPV").value == want["NPV"] != before_npv
    assert card(at, "Paid CAC").value == want["Paid CAC"] != before_cac
    assert card(at, "NPV").delta == want["NPV delta"]
    assert at.query_params[AD] == "300000", "the lever is in the URL"


def test_more_service_quality_lowers_churn_and_moves_the_charts():
    at = run_app()
    churn_before = card(at, "Monthly churn").value
    service_before = values(chart(at, "Service level")["data"][0]["y"])
    lever(at, "service_quality_spend_per_month").set_value(90_000.0).run()
    assert card(at, "Monthly churn").value != churn_before
    assert card(at, "Monthly churn").delta.startswith("-"), "better service lowers churn"
    assert values(chart(at, "Service level")["data"][0]["y"]) != service_before


def test_extra_amount_changes_the_verdict():
    at = run_app()
    at.slider(key="w:extra").set_value(200_000.0).run()
    table = cx_roi.next_dollar(Scenario(), 200_000.0)
    assert verdict(table, 200_000.0, 60) in [m.value for m in at.markdown]
    assert at.query_params["extra"] == "200000"


def _same_assessment(a: cx_roi.Assessment, b: cx_roi.Assessment) -> None:
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    assert a.next_dollar is None and b.next_dollar is None  # Explore weighs the next dollar after its cards
    for got, want in ((a.scenario_result, b.scenario_result), (a.baseline_result, b.baseline_result)):
        assert got.scenario == want.scenario
        pd.testing.assert_series_equal(pd.Series(got.kpis), pd.Series(want.kpis))  # NaN equals NaN here
        pd.testing.assert_frame_equal(got.monthly, want.monthly)


def test_pages_leave_the_shared_assessment_as_the_model_made_it():
    """``ui.cached.assess`` hands every session the same objects: no page may change them."""
    from ui import cached

    scenario = cx_roi.load_preset("service-boost").replace(**{AD: 200_000.0})
    at = run_app({"preset": "service-boost", AD: "200000"})
    at.slider(key="w:extra").set_value(100_000.0).run()
    at.toggle(key="w:present").set_value(True).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    shared = cached.assess(scenario, Scenario())  # the very objects the page read
    _same_assessment(shared, cx_roi.assess(scenario, Scenario(), None))
    assert shared is cached.assess(scenario, Scenario()), "kept, not copied"


def test_refused_change_keeps_the_value_and_says_why():
    at = run_app(open_sections=(2,))  # "Product and market"
    before = lever(at, "initial_promoter_share").value
    lever(at, "initial_promoter_share").set_value(0.95).run()
    assert not at.exception
    assert lever(at, "initial_promoter_share").value == before
    assert "initial_promoter_share" in messages(at) and "at most 1" in messages(at)


def test_presets_keep_their_own_edits():
    at = run_app()
    lever(at, AD).set_value(250_000.0).run()
    at.selectbox(key="w:preset").set_value("online-megaphone").run()
    assert lever(at, AD).value == cx_roi.load_preset("online-megaphone").ad_spend_per_month
    assert at.query_params == {"preset": "online-megaphone"}
    at.selectbox(key="w:preset").set_value("status-quo").run()
    assert lever(at, AD).value == 250_000.0, "switching presets loses nothing the room set"
    at.button(key="reset_preset").click().run()
    assert lever(at, AD).value == Scenario().ad_spend_per_month
    assert AD not in at.query_params


# ---------------------------------------------------------------- links

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


# ---------------------------------------------------------------- files

def test_json_download_round_trips_through_upload(downloads):
    at = run_app(open_sections=(0,))
    lever(at, AD).set_value(320_000.0).run()
    lever(at, "shrinkage").set_value(0.2).run()
    name, data = scenario_download(downloads)
    assert name == "status-quo+2-changes.json"
    assert Scenario.from_json(data) == Scenario().replace(**{AD: 320_000.0, "shrinkage": 0.2})
    # A fresh session (another machine) loads the file.
    other = run_app(open_sections=(0,))
    other.file_uploader[0].upload(name, data, "application/json").run()
    assert not other.exception
    assert lever(other, AD).value == 320_000.0 and lever(other, "shrinkage").value == 0.2
    assert other.query_params == {AD: "320000", "shrinkage": "0.2"}
    assert "Loaded" in messages(other)
    assert card(other, "NPV").value == card(at, "NPV").value


def test_uploaded_preset_file_comes_back_as_its_preset(downloads):
    run_app({"preset": "revolving-door"})
    _, data = scenario_download(downloads)
    other = run_app()
    other.file_uploader[0].upload("door.json", data, "application/json").run()
    assert other.selectbox(key="w:preset").value == "revolving-door"
    assert other.query_params == {"preset": "revolving-door"}


TOO_LARGE = b'{"shrinkage": 0.3' + b" " * (state.MAX_UPLOAD_BYTES + 10) + b"}"


@pytest.mark.parametrize("content, words", [
    (b"hello, I am not JSON", "not valid JSON"),
    (b'{"ad_spend": 100000}', "unknown field"),
    (b'{"shrinkage": 5}', PARAMETERS["shrinkage"].describe_range()),
    (b'{"ad_spend_per_month": NaN}', "ad_spend_per_month"),
    (b'{"ad_spend_per_month": NaN}', "expected a finite number"),
    (b"[1, 2, 3]", "JSON object"),
    (b'{"schema_version": 99}', "schema_version"),
    (bytes(range(256)) * 8, "not UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "was not loaded"),
    (TOO_LARGE, "at most"),
])
def test_bad_upload_shows_a_message_and_keeps_the_scenario(content, words):
    at = run_app({AD: "210000"})
    before = (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params))
    at.file_uploader[0].upload("scenario.json", content, "application/json").run()
    assert not at.exception
    text = "\n".join(e.value for e in at.error)
    assert "was not loaded" in text and words in text
    assert (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params)) == before
    # The uploader is emptied, so the same file can be fixed and tried again.
    assert at.file_uploader[0].value is None


def test_a_corrected_upload_replaces_the_failed_one_message():
    at = run_app()
    at.file_uploader[0].upload("scenario.json", b'{"shrinkage": 5}', "application/json").run()
    assert "was not loaded" in "\n".join(e.value for e in at.error)
    good = Scenario(shrinkage=0.25).to_json().encode()
    at.file_uploader[0].upload("scenario.json", good, "application/json").run()
    assert not at.error, [e.value for e in at.error]  # the old error is gone, not beside the success
    assert "Loaded `scenario.json`" in messages(at)

    assert not at.warning  # a whole file takes no default


def test_a_scenario_file_that_leaves_inputs_out_says_which_took_their_defaults():
    """The inputs a file does not give take their defaults; the notice names them rather than
    saying only that the file loaded."""
    data = json.loads(Scenario(shrinkage=0.25, service_quality_spend_per_month=60_000).to_json())
    left_out = ["service_quality_spend_per_month", "aht_seconds"]
    for name in left_out:
        del data[name]
    at = run_app()
    at.file_uploader[0].upload("partial.json", json.dumps(data).encode(), "application/json").run()
    notice = "\n".join(w.value for w in at.warning)
    assert "Loaded `partial.json`" in notice and f"leaves out {len(left_out)} of" in notice
    assert all(cx_roi.PARAMETERS[f].label in notice.replace("\\", "") for f in left_out)
    assert lever(at, "service_quality_spend_per_month").value == cx_roi.PARAMETERS[
        "service_quality_spend_per_month"].default


# ---------------------------------------------------------------- presentation

def test_presentation_toggle_hides_the_controls_but_the_spends_and_is_in_the_url():
    at = run_app()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}")
    at.toggle(key="w:present").set_value(True).run()
    assert not at.exception
    assert not at.sidebar.selectbox and not at.file_uploader
    # The three spends keep their sliders, so a what-if asked in the room is answered in place.
    assert sorted(s.key for s in at.slider) == sorted(f"w:lever:{name}" for name in controls.SPENDS)
    assert len(at.metric) == 8 and len(at.get("plotly_chart")) == 7
    assert at.query_params == {"present": "1"}
    assert chart_specs(at)[0]["layout"]["height"] > 400, "charts are enlarged"
    at.main.slider(key=f"w:lever:{AD}").set_value(260_000.0).run()
    assert at.query_params == {"present": "1", AD: "260000"}
    at.toggle(key="w:present").set_value(False).run()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}") and "present" not in at.query_params


# ---------------------------------------------------------------- compare

def test_saved_scenario_is_available_on_compare():
    at = run_app()
    lever(at, AD).set_value(260_000.0).run()
    at.text_input(key=state.SAVE_NAME_KEY).input("Plan B")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as" in messages(at)
    at.switch_page("pages/compare.py").run()
    options = at.multiselect(key="w:compare").options
    assert "Saved: Plan B" in options
    at.multiselect(key="w:compare").set_value(["Plan B"]).run()
    assert not at.exception
    table = at.table[0].value
    want = cx_roi.simulate(Scenario().replace(**{AD: 260_000.0})).kpis["npv"]
    assert fmt.money(want) in table.loc["NPV", "Saved: Plan B"]
    assert "saved" in at.query_params and "Plan B" in at.query_params["saved"]


def test_the_landing_view_says_it_is_the_baseline_and_what_to_do():
    at = run_app()
    assert at.caption[0].value == "Status quo · the baseline itself"
    assert any(i.value.startswith("This is the baseline itself") and "+$60k a month into service" in i.value
               for i in at.info)
    lever(at, AD).set_value(260_000.0).run()
    assert not any(i.value.startswith("This is the baseline itself") for i in at.info)
    assert at.caption[0].value == "Status quo + 1 change · compared with Status quo"
    # A change the baseline shares (its horizon) leaves the two the same, and the heading says so.
    assert run_app({"horizon_months": "12"}).caption[0].value == "Status quo + 1 change · the same as its baseline"


def test_the_scenario_on_screen_has_one_name_on_every_page():
    at = run_app()
    lever(at, AD).set_value(260_000.0).run()
    lever(at, "service_capacity_spend_per_month").set_value(200_000.0).run()
    assert "Status quo + 2 changes · compared with" in [c.value for c in at.caption][0]
    at.switch_page("pages/compare.py").run()
    assert "Current: Status quo + 2 changes" in at.multiselect(key="w:compare").options
    hint = "The scenario you are exploring (Current: Status quo + 2 changes) is not compared yet"
    assert any(c.value.startswith(hint) for c in at.caption)
    at.multiselect(key="w:compare").set_value(["current"]).run()
    assert not any(c.value.startswith(hint) for c in at.caption)


def test_saving_under_a_taken_name_says_it_replaced_it():
    at = run_app()
    for value in (260_000.0, 270_000.0):
        lever(at, AD).set_value(value).run()
        at.text_input(key=state.SAVE_NAME_KEY).input("Plan B")
        at.button(key="FormSubmitter:save_form-Save").click().run()
    text = messages(at)
    assert "Replaced the saved scenario *Plan B* with the current one" in text
    assert "Saved the current scenario as" not in text  # one message about the save, the newest
    assert "270000" in at.query_params["saved"]


@pytest.mark.parametrize("name", ["", "status-quo", "a,b", "x" * 41])
def test_unusable_save_names_are_refused(name):
    at = run_app()
    at.text_input(key=state.SAVE_NAME_KEY).input(name)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Not saved" in messages(at)
    assert "saved" not in at.query_params
    if len(name) <= 40:  # (a browser cannot type more than the box's 40 characters)
        assert at.text_input(key=state.SAVE_NAME_KEY).value == name  # kept in the box, to be mended


def test_a_saved_name_clears_the_box():
    at = run_app()
    at.text_input(key=state.SAVE_NAME_KEY).input("Plan C")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as *Plan C*" in messages(at)
    assert at.text_input(key=state.SAVE_NAME_KEY).value == ""


def test_a_saved_scenario_can_be_deleted_and_frees_its_place():
    at = run_app()
    for i in range(state.MAX_SAVED):
        lever(at, AD).set_value(200_000.0 + 1_000.0 * i).run()
        at.text_input(key=state.SAVE_NAME_KEY).input(f"Plan {i}")
        at.button(key="FormSubmitter:save_form-Save").click().run()
    at.text_input(key=state.SAVE_NAME_KEY).input("One too many")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Not saved" in messages(at) and "delete one first" in messages(at)
    at.switch_page("pages/compare.py").run()
    at.multiselect(key="w:compare").set_value(["Plan 0", "Plan 1"]).run()
    assert at.query_params["compare"].count("Plan") == 2
    at.switch_page("pages/explore.py").run()
    at.sidebar.selectbox(key=state.DELETE_NAME_KEY).set_value("Plan 0")
    at.button(key="FormSubmitter:delete_form-Delete").click().run()
    assert not at.exception
    assert "Deleted the saved scenario *Plan 0*" in messages(at)
    kept = " ".join(at.query_params["saved"])  # the link holds the others, and not the one deleted
    assert "Plan 0~" not in kept and "Plan 1~" in kept
    at.switch_page("pages/compare.py").run()
    assert at.multiselect(key="w:compare").value == ["Plan 1"], "no longer compared; the others stay"
    assert "Saved: Plan 0" not in at.multiselect(key="w:compare").options
    at.switch_page("pages/explore.py").run()
    at.text_input(key=state.SAVE_NAME_KEY).input("One too many")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as *One too many*" in messages(at), "its place is free again"


def test_compare_page_shows_table_overlays_and_bridge():
    at = run_app(page="pages/compare.py")
    table = at.table[0].value
    table_want = cx_roi.compare(["status-quo", "service-boost", "ad-boost"], baseline="status-quo")
    assert fmt.money(table_want.loc["service-boost", "npv"]) in table.iloc[0, 1]
    assert fmt.signed_money(table_want.loc["service-boost", "delta_npv"]) in table.iloc[0, 1]
    specs = {s["layout"]["title"]["text"]: s for s in chart_specs(at)}
    bridge = specs["+$60k a month into service vs Status quo"]  # one line, as the other titles
    labels = bridge["data"][0]["y"]
    assert labels == ["Retention", "Word-of-mouth acquisition", "Advertising acquisition", "Spend", "Other",
                      "NPV difference"]
    want = cx_roi.npv_bridge(cx_roi.simulate(Scenario()), cx_roi.simulate(cx_roi.load_preset("service-boost")))
    bars = values(bridge["data"][0]["x"])
    assert bars[-1] == pytest.approx(want.attrs["total"])
    assert bars[:-1] == pytest.approx(list(want["value"]))
    # Switch the bridge to the other scenario, and the baseline.
    at.toggle(key="w:present").set_value(True).run()  # presenting, the bridge can still be switched
    at.segmented_control(key="w:bridge").set_value("ad-boost").run()
    assert chart(at, "+$60k a month into advertising vs")  # (presenting, the title takes two lines)
    at.toggle(key="w:present").set_value(False).run()
    at.selectbox(key="w:baseline").set_value("revolving-door").run()
    assert not at.exception
    assert at.query_params["baseline"] == "revolving-door"


def test_compare_needs_a_scenario_and_says_so():
    at = run_app({"compare": ""}, page="pages/compare.py")
    assert any("Pick at least one" in i.value for i in at.info)


def test_method_page_is_drawn_from_the_package():
    at = run_app(page="pages/method.py")
    frames = [t.value for t in at.table]
    # Every parameter once, group by group in the levers' order, with the package's own texts.
    params = pd.concat([t.value for t in at.table if "Solidity" in t.value.columns], ignore_index=True)
    ordered = [p for g in cx_roi.GROUPS for p in PARAMETERS.values() if p.group == g]
    assert sorted(p.name for p in ordered) == sorted(PARAMETERS)
    assert list(params["Parameter"]) == [p.label for p in ordered]
    assert list(params["Field"]) == [tables.plain(p.name) for p in ordered]  # as links and files name it
    assert list(params["Solidity"]) == [p.solidity for p in ordered]
    assert list(params["Source"]) == [tables.plain(p.source) for p in ordered]
    assert [h.value for h in at.subheader][:len(cx_roi.GROUPS)] == list(cx_roi.GROUPS.values())
    plain = [tables.plain(c) for c in cx_roi.MONTHLY_COLUMNS], [tables.plain(c) for c in cx_roi.KPI_COLUMNS]
    assert any(list(f["Column"]) == plain[0] for f in frames if "Column" in f.columns)
    assert any(list(f["Column"]) == plain[1] for f in frames if "Column" in f.columns)
    assert any(list(f["Label"]) == list(cx_roi.SOLIDITY_LABELS) for f in frames if "Label" in f.columns)
    assert len(at.latex) == sum(len(s.equations) for s in cx_roi.methodology.STEPS)
    assert [e.label for e in at.expander][:len(cx_roi.methodology.STEPS)] == [
        s.title for s in cx_roi.methodology.STEPS]


def test_horizon_change_compares_the_baseline_over_the_same_horizon():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["horizon_months"] = "36"
    at.run()
    assert not at.exception
    base = Scenario().replace(horizon_months=36)
    want = expected_cards(Scenario().replace(horizon_months=36), base)
    assert card(at, "NPV").value == want["NPV"]
    assert card(at, "ROI vs baseline").delta == "same as baseline"
    at.switch_page("pages/compare.py").run()
    assert not at.exception


# ---------------------------------------------------------------- pure helpers


def _nd(service: float, quality: float, ads: float) -> pd.DataFrame:
    return pd.DataFrame({"delta_npv": [service, quality, ads]},
                        index=["service_capacity_spend_per_month", "service_quality_spend_per_month", AD])


def test_verdict_says_when_a_service_lever_could_not_be_weighed():
    capped = cx_roi.next_dollar(Scenario().replace(service_capacity_spend_per_month=1e9 - 10_000), 50_000)
    sentence = verdict(capped, 50_000, 60)
    assert "Service capacity (agents) cannot take $50k more: its maximum is $1.0B a month" in sentence
    assert "service quality" in sentence
    assert "cannot take" not in verdict(cx_roi.next_dollar(Scenario(), 50_000), 50_000, 60)


@pytest.mark.parametrize("gains, words", [
    ((1e6, 6e6, 2e6), ["service quality", "$6.0M", "3.0 times the $2.0M the same money adds in advertising"]),
    ((1e6, 2.4e6, 2e6), ["service quality", "20% more than the $2.0M"]),
    ((1e6, 218.2e6, 2e6), ["service quality", "109 times the $2.0M"]),
    ((1e6, 2.01e6, 2e6), ["about as much as the $2.0M"]),
    ((1e6, 2e6, 9e6), ["favours advertising", "$9.0M", "4.5 times the $2.0M the same money adds in service quality"]),
    ((1e6, 2e6, -5e5), ["service quality", "would lose $500.0k"]),
    ((-1e6, -2e6, 3e6), ["favours advertising", "would lose $1.0M", "service capacity"]),
    ((-1e6, -2e6, -3e6), ["pays in neither lever", "$1.0M", "$3.0M", "keeping the money"]),
    ((float("nan"), float("nan"), 1e6), ["cannot value"]),
])
def test_verdict_covers_every_case(gains, words):
    sentence = verdict(_nd(*gains), 50_000, 60)
    assert ") (" not in sentence, "a lever's own brackets never run into the amount's"
    assert "$50k a month" in sentence and ("over 5 years" in sentence or "cannot" in sentence)
    for w in words:
        assert w in sentence, (w, sentence)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_lever_has_a_usable_slider(name):
    p = PARAMETERS[name]
    if p.kind == "bool":
        return
    lo, hi, step = controls.slider_range(p, p.default)
    assert p.minimum <= lo < hi <= p.maximum and step > 0
    assert lo <= p.default <= hi
    assert (hi - lo) / step <= 5000, "a slider with more positions than pixels is unusable"
    for preset in cx_roi.presets():
        value = getattr(cx_roi.load_preset(preset), name)
        lo2, hi2, _ = controls.slider_range(p, value)
        assert lo2 <= value <= hi2
    far = p.maximum  # a link may set anything the model allows
    lo3, hi3, _ = controls.slider_range(p, far)
    assert lo3 <= far <= hi3
    help_text = controls.help_text(p)
    assert p.source in help_text and p.solidity in help_text and p.describe_range(formatted=True) in help_text
    assert p.unit in controls.control_label(p)


def test_a_slider_that_stops_short_of_the_allowed_range_says_so_in_its_help():
    p = PARAMETERS["agent_cost_per_month"]
    lo, hi, _ = controls.slider_range(p, p.default)
    assert hi < p.maximum
    words = controls.help_text(p, (lo, hi))
    assert f"The slider runs from {fmt.param_value(p.fmt, lo)} to {fmt.param_value(p.fmt, hi)}" in words
    assert "a scenario file or a link can set any allowed value" in words
    full = PARAMETERS["shrinkage"]
    assert "The slider runs" not in controls.help_text(full, (full.minimum, full.maximum))


def test_slider_formats_follow_the_parameter_formats():
    assert controls.slider_format(PARAMETERS[AD]) == "$%,.0f"
    assert controls.slider_format(PARAMETERS["shrinkage"]) == "percent"
    assert controls.slider_format(PARAMETERS["aht_seconds"]) == "%,.0f s"
    assert controls.slider_format(PARAMETERS["quality_half_effect_per_contact"]) == "$%,.2f"


def test_presenting_axis_titles_and_notes_are_as_large_as_the_tick_labels():
    """Across a room, an axis without a readable title is a line of numbers."""
    at = run_app({"preset": "service-boost", "present": "1"})
    for spec in chart_specs(at):
        layout = spec["layout"]
        for key, axis in layout.items():
            if key.startswith(("xaxis", "yaxis")) and axis.get("title", {}).get("text"):
                assert axis["title"]["font"]["size"] >= axis["tickfont"]["size"], (key, axis["title"])
        for note in layout.get("annotations", []):
            assert note["font"]["size"] >= charts.note_size(True), note
    assert charts.note_size(True) > charts.note_size(False)


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


def test_download_names():
    assert sharing.file_name("status-quo", 0) == "status-quo.json"
    assert sharing.file_name("ad-boost", 1) == "ad-boost+1-change.json"


def test_url_values_round_trip_exactly():
    odd = Scenario().replace(shrinkage=0.1 + 0.2, ad_spend_per_month=(1.5, 2.25, 1e7),
                             service_quality_spend_per_month=(100.0, 200.0, 300.0))  # not "100,200,300"
    for name in ("shrinkage", AD, "service_quality_spend_per_month"):
        text = fields.url_value(getattr(odd, name))
        assert cx_roi.parse_value(name, text) == getattr(odd, name)
    assert not math.isnan(float(fields.url_value(1e-12)))


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.sampled_from(list(cx_roi.presets())))
def test_any_scenario_written_into_a_link_reads_back_exactly(scenario, preset):
    """Fields are applied together: pairs valid only jointly (market and customers, FCR floor
    and ceiling, the sentiment shares) must not be refused one at a time, in any order."""
    start = cx_roi.load_preset(preset)
    texts = {k: fields.url_value(v) for k, v in scenario.changed_fields(start).items()}
    for order in (texts, dict(reversed(list(texts.items())))):
        bad: list[str] = []
        assert url.apply_fields(start, order, bad, lambda k, s: "kept") == scenario
        assert bad == []


def test_fields_that_do_not_fit_are_named_and_the_rest_applied():
    bad: list[str] = []
    got = url.apply_fields(Scenario(), {"market_size": "50000", "initial_customers": "200000",
                                           "shrinkage": "0.4", "churn_passive": "lots"}, bad,
                              lambda k, s: f"{k} stays {getattr(s, k):g}")
    assert (got.initial_customers, got.shrinkage, got.market_size) == (200_000, 0.4, Scenario().market_size)
    assert len(bad) == 2
    assert "market_size=50000" in bad[1] and "200,000" in bad[1] and "market_size stays 1e+06" in bad[1]
    assert "churn_passive=lots" in bad[0]


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


def test_roi_and_payback_wait_for_a_baseline_that_differs_in_spend_only():
    # Another business measured against the status quo: a choice now, not the default.
    at = run_app({"preset": "young-product", "baseline": "status-quo"})
    for label in ("ROI vs baseline", "Payback vs baseline"):
        assert card(at, label).value == fmt.MISSING and card(at, label).delta == tables.NOT_ONLY_SPEND
        assert "addressable market" in card(at, label).help and "Status quo" in card(at, label).help
    npv = cx_roi.assess(cx_roi.load_preset("young-product"), Scenario()).kpis.loc["scenario", "delta_npv"]
    assert card(at, "NPV").delta == fmt.signed_money(npv), "the NPV change itself stays"
    # ...in grey: a difference between two businesses is neither good nor bad news about spending.
    for label in ("NPV", "Customers at the end", "Monthly churn", "Growth from word of mouth"):
        assert card(at, label).proto.color == card(at, "ROI vs baseline").proto.color, label
        assert "differ in more than spend" in card(at, label).help
    plain = run_app({"preset": "service-boost"})
    assert card(plain, "NPV").proto.color != card(at, "NPV").proto.color, "a spending choice keeps its colour"
    at = run_app({"compare": "young-product,service-boost"}, page="pages/compare.py")
    roi = at.table[0].value.loc["ROI vs baseline"]
    assert roi[tables.inert(cx_roi.preset_info("young-product").title)] == tables.NOT_ONLY_SPEND
    assert roi[tables.inert(cx_roi.preset_info("service-boost").title)].endswith("%")


