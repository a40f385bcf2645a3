"""Team library: the scenarios the team saved (one database for everyone on this dashboard)."""

from ui import router

router.page_guard()

import pandas as pd
import streamlit as st

from ui import auth, library, state, tables, views

views.inject_style(state.presentation())
views.header("Team library", "Scenarios saved by everyone who uses this dashboard, with who saved them "
                             "and when. Open one to explore it, or add it to Compare.")
entries, problem = library.entries()  # before the notices: a library that cannot be read is said once
views.render_notices()

by = auth.who()  # None when the dashboard runs open: saved without a name
with st.form("library_save", border=True):
    st.markdown(f"**Save the scenario on screen**: {tables.inert(state.current_title())}")
    name_col, note_col = st.columns([1, 2])
    name_col.text_input("Name", key=library.NAME_KEY, max_chars=40, placeholder="e.g. Plan B",
                        help=f"A name has {state.SAVED_NAME_RULE}, and is not a preset's name.")
    note_col.text_area("Note (optional)", key=library.NOTE_KEY, height=68, max_chars=2_000,
                       placeholder="What this scenario is for, and what it assumes")
    st.form_submit_button("Save in the team library", on_click=library.save, args=(by,),
                          icon=":material/library_add:")

if problem:
    st.error(tables.inert(problem, 400))
    router.stop_page()
if not entries:
    st.info("Nothing is saved yet: save the scenario on screen above, and it appears here for the whole team.",
            icon=":material/lightbulb:")
    router.stop_page()

unreadable = [e.problem for e in entries if e.problem]
if unreadable:  # listed with the rest, to rename or delete; opening one says why it cannot
    st.warning("Some saved scenarios cannot be opened or compared here, only renamed or deleted:\n\n"
               + tables.listed([tables.inert(p, 400) for p in unreadable]), icon=":material/warning:")

# The note last: it is the longest, and on a phone the grid shows its first columns (who and when).
st.dataframe(pd.DataFrame({
    "Name": [e.name for e in entries],
    "Saved by": [e.saved_by or "" for e in entries],
    "Saved (UTC)": [e.saved_at.strftime("%Y-%m-%d %H:%M") for e in entries],
    "Note": [e.note for e in entries],
}), hide_index=True, width="stretch")

names = [e.name for e in entries]
# The pick as the user left it: if another session deleted or renamed it since, keep_pick moves the
# list to an entry that is still saved, and opening must not open that one instead.
chosen = library.picked()
library.keep_pick([e.name for e in entries if not e.problem] + [e.name for e in entries if e.problem])  # readable first
pick_col, open_col, compare_col = st.columns([2, 1, 1], vertical_alignment="bottom")
pick_col.selectbox("Saved scenario", names, key=library.PICK_KEY)
if open_col.button("Open on Explore", icon=":material/open_in_new:", width="stretch"):
    # Not a callback, since it moves to another page; a failure's notice shows at the top on the rerun.
    if library.open_entry(chosen):
        state.switch_page("pages/explore.py")
    st.rerun()
compare_col.button("Add to Compare", on_click=library.compare_entry, icon=":material/compare_arrows:",
                   width="stretch")
with st.expander("Rename or delete"):
    rename_col, rename_button = st.columns([2, 1], vertical_alignment="bottom")
    rename_col.text_input("New name", key=library.RENAME_KEY, max_chars=40)
    rename_button.button("Rename", on_click=library.rename, icon=":material/edit:", width="stretch")
    # A delete reaches the whole team and cannot be undone: it asks once more, naming what goes.
    with st.popover("Delete for everyone", icon=":material/delete:"):
        st.markdown(f"Delete *{tables.inert(library.picked() or '', 80)}* from the team library, for everyone? "
                    "Links and files made from it keep working.")
        st.button("Delete it", on_click=library.delete, icon=":material/delete:", type="primary")
