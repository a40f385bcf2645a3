"""Compare: the baseline and up to three scenarios, side by side, and why their NPVs differ."""

from ui import router

router.page_guard()

import streamlit as st

from ui import cached, compare_charts, exports, state, tables, views

big = state.presentation()
views.inject_style(big)
views.header("Compare scenarios", "Presets, the scenario you are exploring, and the ones you saved.")
views.render_notices()

if not big:
    left, right = st.columns([1, 2])
    baselines = state.baseline_options()
    left.selectbox("Baseline", baselines, **state.bind("baseline", "index", options=baselines),
                   format_func=state.labeller(baselines),
                   help="Every change, ROI and payback on this page is measured against it.")
    others = [t for t in state.compare_options() if t != state.baseline_name()]
    right.multiselect("Compare with", others,
                      **state.bind("compare", "default", options=others),
                      format_func=state.labeller(others), max_selections=3, select_all=False,
                      placeholder="Pick one to three scenarios",
                      help="Save your own scenario on the Explore page to compare it here.")
    if state.edits() and state.CURRENT in others and state.CURRENT not in state.compare_selection():
        st.caption(f"The scenario you are exploring ({tables.inert(state.label_for(state.CURRENT))}) is not "
                   "compared yet: add it in the picker above.")

entries = state.compared()
if len(entries) < 2:
    st.info("Pick at least one scenario to compare with the baseline.")
    router.stop_page()

named = tuple((label, scenario) for _, label, scenario in entries)
table = cached.compare(named, entries[0][1])
headline = st.container(key="headline").empty()  # written once the table is out: its odds take a moment
note = tables.horizon_note({label: state.scenario_for(token) for token, label, _ in entries},
                           entries[0][2].horizon_months)
if note:
    st.caption(note)
other_business = tables.beyond_spend_note(table)
if other_business:
    st.warning(other_business, icon=":material/warning:")
st.table(tables.comparison_table(table))
headline.markdown(f"**{cached.compare_headline(named, entries[0][1])}**")

height = 440 if big else 360
frames = {label: cached.simulate(scenario).monthly for _, label, scenario in entries}
on_screen = next((label for token, label, _ in entries if token == state.CURRENT), None)  # black, as on Explore
left, right = st.columns(2)
left.plotly_chart(compare_charts.overlay(frames, "customers", title="Customers", axis_title="Customers",
                                         baseline=entries[0][1], height=height, big=big, lead=on_screen),
                  config={"displayModeBar": False})
right.plotly_chart(compare_charts.overlay(frames, "cumulative_contribution",
                                          title="Cumulative contribution vs baseline",
                                          axis_title="$ vs baseline, cumulative", money=True, baseline=entries[0][1],
                                          relative=True, height=height, big=big, lead=on_screen),
                   config={"displayModeBar": False})

st.subheader("Why the NPV differs", anchor=False)
choices = state.compare_selection()
if len(choices) > 1:  # presenting too: the room may ask for the other scenario's bridge
    st.segmented_control("Bridge for", choices, **state.bind("bridge", "default", options=choices),
                         format_func=state.labeller(choices, lambda t: tables.inert(state.label_for(t))), required=True)
token = state.bridge_choice()
pick = next(e for e in entries if e[0] == token)
bridge = cached.npv_bridge(entries[0][2], pick[2])
st.plotly_chart(compare_charts.npv_bridge(bridge, scenario=pick[1], baseline=entries[0][1], height=height,
                                          big=big), config={"displayModeBar": False})
st.caption("Retention: customers kept by lower churn. Word-of-mouth and advertising acquisition: extra "
           "customers won by each, net of onboarding. Spend: the change in service and advertising spend, "
           "discounted as NPV is and with its sign for NPV (more spend is a negative bar): the table's "
           "change in spend at present value, turned round. "
           "Other: what those causes cannot explain (different prices, margins or starting points).")

if not big:
    st.subheader("Take it with you", anchor=False)
    exports.render_exports(named, entries[0][1], title="cx-roi: scenarios compared", stem="comparison",
                           extra_per_month=state.extra(), on_screen=on_screen, key="export_compare")
    st.caption("Every scenario on this page against the baseline. Built when you click.")
