"""Risk: how likely the plan pays, what could go wrong, and which assumption could flip the decision."""

from ui import router

router.page_guard()

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

import cx_roi  # noqa: E402
from cx_roi import formatting as fmt  # noqa: E402
from cx_roi.comparison import NOT_ONLY_SPEND, SAME_AS_BASELINE, beyond_spend  # noqa: E402
from cx_roi.uncertainty import UNCERTAIN_FIELDS  # noqa: E402
from ui import cached, jobs, state, tables, views  # noqa: E402

scenario = state.current_scenario()
big = state.presentation()
views.inject_style(big)
base = state.baseline(scenario.horizon_months)
base_label = tables.inert(state.label_for(state.baseline_name()))  # in Markdown everywhere below
draws, seed = state.setting("draws"), state.setting("seed")
views.header("How sure is the answer?",
             f"{tables.inert(state.explore_subtitle())}, over {draws:,} draws of the uncertain assumptions (the "
             "same draws for both, so the comparison is paired).")
views.render_notices()
ranges = state.risk_ranges(scenario)
rkey = cached.range_key(ranges)  # every cached call below is keyed on these ranges

if not big:
    with st.sidebar:
        st.subheader("Monte Carlo", anchor=False)
        st.slider("Draws", 100, state.MAX_DRAWS_UI, step=100, **state.bind("set:draws"),
                  help="How many combinations of the uncertain assumptions to run. More draws give smoother "
                       "bands and steadier probabilities; 2,000 is enough for a decision.")
        st.number_input("Random seed", 0, 999_999, step=1, **state.bind("set:seed"),
                        help="The same seed gives the same draws, so a shared link shows the same figures.")
        baselines = state.baseline_options()
        st.selectbox("Compare against (baseline)", baselines, **state.bind("baseline", "index", options=baselines),
                     format_func=state.labeller(baselines))
        st.caption("Change the scenario itself on the Explore page.")

same = scenario == base
NARROW_LEAD = 0.10  # a flip within 10% of an assumption's likely value: the answer hangs on it
other = beyond_spend(scenario, base)  # then payback and ROI are not returns on spend
# Many draws wait their turn behind other heavy work on this server, and say so while they wait.
running = f"Running {draws:,} draws of both scenarios..."
with jobs.searching(running) if cached.heavy_risk(draws) else st.spinner(running, show_time=True):
    summary = cached.risk_summary(scenario, base, draws, seed, rkey)

cards = [
    views.Card("Chance it beats the baseline", fmt.chance(summary.prob_beats_baseline) if not same
               else fmt.MISSING, SAME_AS_BASELINE if same else None, "off",
               f"Share of the {draws:,} paired draws in which this scenario's NPV is above {base_label}'s.", "off"),
    views.Card("Chance it pays back",
               fmt.chance(summary.prob_payback) if summary.spends_more else fmt.MISSING,
               NOT_ONLY_SPEND if other else SAME_AS_BASELINE if same else None if summary.spends_more
               else "no extra spend", "off",
               f"Share of draws in which the extra spend pays back within {fmt.horizon(scenario.horizon_months)}: "
               "cumulative cash above the baseline's from some month on."
               + (f" Not shown here: {views.beyond_spend_note(other, base_label)}" if other else ""), "off"),
    views.Card("NPV, middle outcome", fmt.money(summary.npv_p50), views.likely_range(
               fmt.money(summary.npv_p10), fmt.money(summary.npv_p90)), "off",
               "Median NPV over the draws: half of them end above it, half below. "
               + views.LIKELY_RANGE_HELP, "off"),
    views.Card("NPV gain, middle outcome", fmt.signed_money(summary.delta_npv_p50) if not same else fmt.MISSING,
               SAME_AS_BASELINE if same else views.likely_range(fmt.signed_money(summary.delta_npv_p10),
                                                    fmt.signed_money(summary.delta_npv_p90)), "off",
               "Median of the draw-by-draw difference in NPV against the baseline. "
               + views.LIKELY_RANGE_HELP, "off"),
]
views.render_cards(cards, big=big)
likely_npv = cached.kpis(scenario)["npv"] if not big else None
if likely_npv is not None and fmt.money(likely_npv) != fmt.money(summary.npv_p50):
    st.caption(f"Explore shows the NPV at the likely value of every assumption: {fmt.money(likely_npv)}. The middle "
               f"of the draws, {fmt.money(summary.npv_p50)}, differs because the model does not respond evenly: "
               "an assumption's good side can add more than its bad side takes away, or less.")

cfg = {"displayModeBar": False}
figures = cached.risk_figures(scenario, base, draws, seed, rkey, big)
left, right = st.columns(2)
left.plotly_chart(figures["customers"], config=cfg)
right.plotly_chart(figures["cash"], config=cfg)
left, right = st.columns(2)
left.plotly_chart(figures["npv"], config=cfg)
if "roi" in figures:  # only where ROI is a return on spend (cx_roi.risk.paired_outcomes)
    right.plotly_chart(figures["roi"], config=cfg)
elif other:
    right.info(f"ROI is not shown: {views.beyond_spend_note(other, base_label)}")
elif same:
    right.info(f"This scenario is the baseline itself ({base_label}). Change a lever on the Explore page, or "
               "pick another baseline, to see how likely it is to beat it.")
else:
    right.info(f"ROI and payback need extra spend: this scenario spends no more than {base_label}, so "
               "only its NPV gain is shown.")

st.subheader("Which assumption matters most?", anchor=False)
metric = state.setting("tornado")
if not big:
    measures = ["npv", "roi"]
    st.segmented_control("Measure", measures, **state.bind("set:tornado", "default", options=measures),
                         required=True,
                         format_func={"npv": "NPV of the scenario", "roi": "ROI against the baseline"}.get)
if metric == "roi" and not summary.spends_more:
    st.info("ROI against the baseline needs a scenario that spends more than the baseline and differs from it "
            "in spend only; showing NPV.")
    metric = "npv"
with st.spinner("Moving each assumption to its low and high value...", show_time=True):
    figure, top = cached.tornado_view(scenario, metric, None if metric == "npv" else base,
                                      rkey, big)
st.plotly_chart(figure, config=cfg)
shown = fmt.money if metric == "npv" else (lambda v: fmt.percent(v, 0))
top_spec = cx_roi.PARAMETERS[top["field"]]
st.markdown(f"**{top['label']}** moves the {('NPV' if metric == 'npv' else 'ROI')} most: from "
            f"{shown(min(top['metric_low'], top['metric_high']))} to "
            f"{shown(max(top['metric_low'], top['metric_high']))}"
            f" across its range ({fmt.param_value(top_spec.fmt, top['low'])} to "
            f"{fmt.with_unit(top_spec.fmt, top['high'], top_spec.unit)}).")

st.subheader("Could an assumption flip service against advertising?", anchor=False)
with st.spinner("Searching for break-even values...", show_time=True):
    found = cached.flips(scenario, rkey)
if found.table is None:
    st.info(found.sentence)
else:
    views.render_margin(cached.margin_verdict(scenario))  # the answer on the margin, as Explore leads with it
    if state.setting("ranges"):
        st.caption("The chance in this answer counts draws of the assumptions' plausible ranges, as every page "
                   "and file does for this scenario; your edited ranges change the figures on this page and "
                   "the table below.")
    narrow = views.narrow_lead([n for n in found.nearest if abs(n[1]) < NARROW_LEAD], leader=found.leader)
    if narrow:
        st.warning(narrow)
    st.caption(f"The next dollar: one more {fmt.amount(cx_roi.margins.PER)} a month on "
               f"{cx_roi.LEVERS[found.lever].lower()} against the same on advertising. Each row is one of the "
               "assumptions that move the gap between them most: the value, if any in its allowed range, that "
               "would swap which returns more, and the side of it on which service leads. The change needed is "
               "how far the assumption must move from its likely value, relative to it; the easiest to flip "
               "comes first, and those that cannot flip the lead last.")
    # A static table: its cells wrap, so on a phone every column stays on screen (a data grid
    # kept its width and hid the flip points beyond the screen's edge).
    st.table(found.table, hide_index=True)
    st.caption("Solidity, in brackets after each assumption, is how well the evidence backs its likely "
               f"value: {tables.SOLIDITY_HELP}.")

ranges_box = None if big else st.expander("Uncertain assumptions: the ranges behind every figure on this page",
                                          key="risk_ranges", on_change="rerun")
if ranges_box is not None and ranges_box.open:  # a closed box draws nothing, so it costs nothing
    with ranges_box:
        st.caption("Low, likely and high value of each assumption. Draws follow a PERT distribution (log scale "
                   "where the range spans ten times or more). The likely value is the scenario's own; change "
                   "it on the Explore page. Edit Low or High to narrow or widen a range.")
        names = [n for n in UNCERTAIN_FIELDS if n in ranges]
        frame = pd.DataFrame({
            "Assumption": [cx_roi.PARAMETERS[n].label for n in names],
            "Unit": [cx_roi.PARAMETERS[n].unit for n in names],
            "Low": [ranges[n].low for n in names],
            "Likely": [ranges[n].likely for n in names],
            "High": [ranges[n].high for n in names],
            "Scale": ["log" if ranges[n].log else "linear" for n in names],
            "Solidity": [cx_roi.PARAMETERS[n].solidity for n in names],
            "Edited": ["yes" if n in state.setting("ranges") else "" for n in names],
        })
        st.data_editor(frame, key=state.ranges_editor_key(), on_change=state.on_ranges_edit, args=(names,),
                       hide_index=True, width="stretch", num_rows="fixed",
                       disabled=["Assumption", "Unit", "Likely", "Scale", "Solidity", "Edited"],
                       column_config={"Solidity": st.column_config.TextColumn(help=tables.SOLIDITY_HELP),
                                      "Low": st.column_config.NumberColumn(format="%.4g"),
                                      "High": st.column_config.NumberColumn(format="%.4g"),
                                      "Likely": st.column_config.NumberColumn(format="%.4g")})
        if state.setting("ranges"):
            st.button("Reset every range to the evidence's", on_click=state.reset_setting, args=("ranges",),
                      key="reset_ranges", icon=":material/undo:")
