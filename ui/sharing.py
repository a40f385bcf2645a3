"""Sharing a scenario: JSON download and upload, and saving it under a name for Compare.

The link in the address bar already carries the whole view (see ``ui.url``);
these are for keeping a scenario as a file or next to others in the session.
The download sits with the other files on the page (it changes with every lever
move); loading and saving sit in the sidebar.
"""

from __future__ import annotations

import re

import streamlit as st

from . import state

__all__ = ["render_download", "render_sharing", "file_name", "file_stem"]


def file_stem(preset: str, changed: int) -> str:
    """What a download's name says of the scenario: where it came from and how many changes, status-quo+3-changes."""
    safe = re.sub(r"[^a-z0-9-]+", "-", preset.lower()).strip("-") or "scenario"
    return safe if not changed else f"{safe}+{changed}-change{'s' if changed != 1 else ''}"


def file_name(preset: str, changed: int) -> str:
    """The scenario file's download name: status-quo+3-changes.json."""
    return f"{file_stem(preset, changed)}.json"


def render_download() -> None:
    """The current scenario as a JSON file."""
    st.download_button("Download scenario (JSON)", data=state.scenario_json().encode("utf-8"),
                       file_name=file_name(state.preset(), len(state.edits())), mime="application/json",
                       on_click="ignore", icon=":material/download:", key="download_scenario",
                       help="Every input of the current scenario, in the cx_roi schema. Load it here again, "
                            "or with `cx_roi.Scenario.from_json` in Python.")


def render_sharing() -> None:
    """Upload and save controls for the current scenario."""
    st.file_uploader("Load a scenario file", type=["json"], key=state.upload_key(), on_change=state.on_upload,
                     max_upload_size=1,
                     help=f"A JSON file downloaded from this dashboard or written with cx_roi, up to "
                          f"{state.MAX_UPLOAD_BYTES // 1000:,} kB (a scenario is a few kB). A file that "
                          "cannot be used is explained and leaves your scenario unchanged.")
    # Not cleared on submit: a refused name stays in the box to be mended (a saved one is cleared).
    with st.form("save_form", clear_on_submit=False, border=False):
        st.text_input("Save the current scenario as", key=state.SAVE_NAME_KEY, max_chars=40,
                      placeholder="e.g. Plan B",
                      help=f"Saved scenarios appear on the Compare page, and in the link. A name has "
                           f"{state.SAVED_NAME_RULE}, and is not a preset's name.")
        st.form_submit_button("Save", on_click=state.on_save, icon=":material/bookmark_add:")
    saved = list(state.saved_scenarios())
    if saved:  # there is a limit to how many can be kept, so each can be let go
        with st.form("delete_form", border=False):
            st.selectbox("Saved scenarios", saved, key=state.DELETE_NAME_KEY,
                         help="Scenarios saved under a name in this session or brought by the link. Deleting "
                              "one also takes it out of Compare.")
            st.form_submit_button("Delete", on_click=state.on_delete_saved, icon=":material/delete:")
