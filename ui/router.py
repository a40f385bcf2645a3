"""The dashboard's navigation: which pages exist, in what order, and what runs around them.

``app.py`` calls :func:`run`. Every page script starts with :func:`page_guard`,
for one reason: Streamlit treats a top-level ``pages/`` folder as a legacy
(v1) multipage app until some session has called ``st.navigation``. On a freshly
started server, the first request for e.g. ``/compare`` therefore runs
``pages/compare.py`` directly, skipping the router, so the shared link would not
be read and the wide layout and top navigation would be missing. The guard
notices that the router is not around the page and runs it, which switches the
server to ``st.navigation`` for good and draws the requested page normally.
"""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

import streamlit as st

from . import auth, state

__all__ = ["run", "page_guard", "stop_page", "PAGES"]

# Python's full garbage collection walks every object the collector tracks, and after
# importing pandas, scipy, plotly and Streamlit that is about 150,000 objects: a
# collection took 40-150 ms, and it fell in the middle of a rerun every few lever moves.
# Those objects live as long as the server, so they are moved out of the collector's
# sight once, when the dashboard is first imported; whatever sessions create later is
# collected as usual. (Streamlit's own collection after every run is switched off in
# .streamlit/config.toml for the same reason.)
gc.freeze()

# The model's and the dashboard's own log lines (a library that cannot be used, sign-in that is not
# set up) in the server's log as Streamlit writes its own: time, level and source, so an admin can
# search them. Without a handler Python printed the bare message.
for _name in ("cx_roi", "ui"):
    _logger = logging.getLogger(_name)
    if not _logger.handlers:
        _handler = logging.StreamHandler()
        _handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03d %(levelname)s %(name)s: %(message)s",
                                                "%Y-%m-%d %H:%M:%S"))
        _logger.addHandler(_handler)
        _logger.setLevel(logging.INFO)

ICON = Path(__file__).with_name("icon.png")  # the browser tab's icon

# (script, title, icon); the first is the default page. url paths follow the file names.
PAGES = (
    ("pages/explore.py", "Explore", ":material/tune:"),
    ("pages/compare.py", "Compare", ":material/compare_arrows:"),
    ("pages/risk.py", "Risk", ":material/ssid_chart:"),
    ("pages/optimise.py", "Optimise", ":material/savings:"),
    ("pages/your_data.py", "Your data", ":material/upload_file:"),
    ("pages/library.py", "Library", ":material/folder_shared:"),
    ("pages/method.py", "Method", ":material/menu_book:"),
)

# Each session's script runs on its own thread, so a thread-local flag says whether the
# page now running was started by run() in this script run.
_local = threading.local()


def run() -> None:
    """Set up the page, the state and the shared link, ask for sign-in when it is configured
    (:mod:`ui.auth`), run the chosen page, then update the URL."""
    # The icon from a file, served by the app itself: a Material icon's favicon is fetched from Google's
    # fonts server, which a dashboard hosted offline cannot reach.
    st.set_page_config(page_title="cx-roi: service or advertising?", page_icon=str(ICON),
                       layout="wide", initial_sidebar_state="auto")
    state.init()
    pages = [st.Page(path, title=title, icon=icon, default=i == 0)
             for i, (path, title, icon) in enumerate(PAGES)]
    # Navigation comes first even for the sign-in screen (hidden there): without it Streamlit
    # would list the pages/ folder's scripts in the sidebar and forget the link's page, and a
    # button drawn before it loses the first click after the page loads.
    page = st.navigation(pages, position="hidden" if auth.required() else "top")
    if not auth.gate():  # the sign-in screen was drawn instead of the page
        stop_page()
    state.arrive(page.url_path)
    _local.active = True
    try:
        page.run()
    finally:
        _local.active = False
    # After the page, so the address bar always matches what is on screen.
    state.sync_url()


def page_guard() -> None:
    """First line of every page script: make sure the router runs around the page."""
    if getattr(_local, "active", False):
        return
    run()
    st.stop()  # the page was drawn inside run(); do not draw it a second time


def stop_page() -> None:
    """End the page here (instead of ``st.stop()``), with the address bar up to date.

    ``st.stop()`` alone would skip the router's URL update after the page, and the
    link would lose the scenario while the page waits for, say, an upload.
    """
    state.sync_url()
    st.stop()
