"""Saved scenarios, the Compare page and the Method page through AppTest."""

from __future__ import annotations


import pandas as pd
import pytest

import cx_roi
from cx_roi import PARAMETERS, Scenario
from cx_roi import formatting as fmt
from ui import state, tables
from apptest import AD, chart, chart_specs, lever, messages, run_app, values


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
    compared = [tables.plain(c) for c in cx_roi.outputs.COMPARED]  # ROI, the chance, the draws' NPVs
    assert any(list(f["Column"]) == compared for f in frames if "Column" in f.columns)
    assert any(list(f["Label"]) == list(cx_roi.SOLIDITY_LABELS) for f in frames if "Label" in f.columns)
    assert len(at.latex) == sum(len(s.equations) for s in cx_roi.methodology.STEPS)
    assert [e.label for e in at.expander][:len(cx_roi.methodology.STEPS)] == [
        s.title for s in cx_roi.methodology.STEPS]


def test_a_confirmation_stays_on_its_page_and_a_warning_follows_until_dismissed():
    """A workshop moves between pages: "Saved ..." was read where it appeared, and must not sit on top
    of every page after; a refused link value is still news on the next page."""
    at = run_app({"shrinkage": "5"})
    at.text_input(key=state.SAVE_NAME_KEY).input("Plan B")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as" in messages(at) and "shrinkage" in messages(at)
    at.switch_page("pages/compare.py").run()
    assert "Saved the current scenario as" not in messages(at)
    assert "shrinkage" in messages(at)
    at.switch_page("pages/explore.py").run()
    assert "Saved the current scenario as" not in messages(at)

