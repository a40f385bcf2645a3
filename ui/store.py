"""The session store: every canonical item of a session in one plain dict under ``st.session_state["cx"]``.

Nothing else in the dashboard keeps state of its own: widgets are views of these
items (``ui.state.bind``), and the URL mirrors the view's items (``ui.url``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cx_roi.history import BALANCE_TOLERANCE

__all__ = ["get", "put", "ensure", "update", "widget_value", "set_widget_value", "SESSION_DEFAULTS"]

_STORE = "cx"  # every canonical item in one plain dict under one session key

# Items that are not part of the view (the URL does not carry them), with their starting values.
# The view's items and their defaults are the URL's fields (``ui.url.view_defaults``).
SESSION_DEFAULTS: dict[str, Any] = {
    "edits": {}, "notices": [], "upload_round": 0, "ranges_round": 0,
    "history": None, "history_pending": None, "history_round": 0, "fit_on": False, "history_refused": None,
    # How a history file is read, not what the view shows: the file never travels in the link, so
    # neither does the gap it was read with.
    "balance_tolerance": BALANCE_TOLERANCE,
    "page": None,  # the page the session is on, for the notices (ui.notices.arrive)
}

_run = threading.local()


def _store() -> dict[str, Any]:
    # One entry rather than dozens: widgets scan every session key on each run. And a
    # session-state lookup costs tens of microseconds against a dict's tens of
    # nanoseconds, so the dict is looked up once per script run: a run's thread
    # keeps it beside the run's context, which belongs to one session only.
    ctx = get_script_run_ctx()
    held = getattr(_run, "held", None)
    if held is not None and ctx is not None and held[0] is ctx:
        return held[1]
    ss = st.session_state
    store = ss.get(_STORE)
    if store is None:
        store = ss[_STORE] = {}
    _run.held = (ctx, store)
    return store


def get(name: str, default: Any = None) -> Any:
    """Item ``name`` of this session (``default`` when it was never set)."""
    return _store().get(name, default)


def put(name: str, value: Any) -> None:
    """Set item ``name`` of this session."""
    _store()[name] = value


def ensure(defaults: Mapping[str, Any]) -> None:
    """Give every item of ``defaults`` that is not set yet its default."""
    store = _store()
    for k, v in defaults.items():
        store.setdefault(k, v)


def update(values: Mapping[str, Any]) -> None:
    """Set every item of ``values``."""
    _store().update(values)


def widget_value(key: str, default: Any = None) -> Any:
    """What the widget with ``key`` holds (a widget's own state lives beside the store)."""
    return st.session_state.get(key, default)


def set_widget_value(key: str, value: Any) -> None:
    """Seed or reset the widget with ``key``."""
    st.session_state[key] = value


def page() -> str:
    """The page now running (its script hash; empty outside a script run)."""
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""
