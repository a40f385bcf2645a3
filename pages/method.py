"""Method: the model's order of events, equations, parameters and outputs, all read from cx_roi."""

from ui import router

router.page_guard()

import streamlit as st

from cx_roi import methodology, outputs
from ui import state, tables, views

views.inject_style(state.presentation())
views.header("How the model works", "Everything on this page is read from the cx_roi package, so it "
                                    "always matches the model that computed the numbers.")
views.render_notices()

st.header("Order of events and equations", anchor=False)
for i, step in enumerate(methodology.STEPS):
    with st.expander(step.title, expanded=i == 0):  # the order of events first, open
        st.markdown(step.text)
        for equation in step.equations:
            st.latex(equation)
st.download_button("Download the method (Markdown)", data=methodology.render_markdown().encode("utf-8"),
                   file_name="cx-roi-methodology.md", mime="text/markdown", on_click="ignore",
                   icon=":material/download:", key="download_method")

st.header("Parameters", anchor=False)
st.caption("Each default and its unit, the narrower range the evidence supports (plausible) and the range the "
           "model accepts (allowed), the default's source and how far it can be trusted (its solidity, "
           "explained below). Grouped as the levers are; the same facts as the method's download above.")
for i, (group, table) in enumerate(tables.parameter_groups()):
    st.subheader(group, anchor=False)
    views.render_stacked_table(table, key=f"parameters_{i}", below=900)  # seven columns of notes
st.subheader("Solidity labels", anchor=False)
st.table(tables.solidity_table().map(tables.plain), hide_index=True)

# Wrapping tables here too: in a grid, half a screen wide, the longer names and meanings were cut.
st.header("Outputs", anchor=False)
definitions = {"Monthly results": outputs.MONTHLY, "KPIs": outputs.KPIS,
               "Against the baseline and over draws": outputs.COMPARED}
columns = st.columns(2)
for i, (title, table) in enumerate(definitions.items()):
    with columns[i % 2]:
        st.subheader(title, anchor=False)
        views.render_stacked_table(tables.definitions_table(table).map(tables.plain), key=f"outputs_{title[0]}",
                                   below=480)
