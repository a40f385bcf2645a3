"""Work done beside the page: the margin's odds in a process of their own, and the heavy searches'
one-at-a-time queue.

The odds take about a tenth of a second: they are worked out in a separate process at the lowest
priority while the page draws its cards and charts (in a thread they shared the interpreter's lock
with the page and slowed its runs by a third). :mod:`ui.cached` keeps their answers.

The Optimise page's heavy searches run one at a time in the server process; the others wait
their turn (and their pages say so), so a few of them cannot take every CPU from the people moving
sliders. Each gives up when its session is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

import cx_roi
from cx_roi import Scenario
from cx_roi.verdict import margin_sentences

__all__ = ["submit_odds", "odds_worker", "session_gone", "heavy", "HEAVY", "queued_note", "searching", "QUEUED"]


def _new_worker() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=os.nice, initargs=(19,))


_worker = _new_worker()
_worker_lock = threading.Lock()
# Start the process and its imports now, with the server, rather than on the first page's answer.
_worker.submit(margin_sentences, Scenario())


def odds_worker() -> ProcessPoolExecutor:
    """The process that works out the margin's odds (replaced by :func:`submit_odds` when it died)."""
    return _worker


def submit_odds(scenario: Scenario) -> Future:
    """``cx_roi.verdict.margin_sentences`` of ``scenario`` (the plausible ranges, seed 0) in the odds
    process: a future of the two sentences. A process that died (or was shut down) is replaced once."""
    global _worker
    with _worker_lock:
        try:
            return _worker.submit(margin_sentences, scenario)
        except (BrokenProcessPool, RuntimeError):
            _worker = _new_worker()
            return _worker.submit(margin_sentences, scenario)


HEAVY = threading.Lock()  # held while a heavy search runs
_WAIT_STEP = 0.25  # seconds between looks at whether a queued search's session is still there
QUEUED = ("Queued: another heavy search is running on this server; this one starts when it ends "
          "(closing the tab cancels it).")


def session_gone() -> Callable[[], bool]:
    """A ``stop()`` for the optimisers: True once this session has ended (its tab closed).

    Streamlit stops a script at its next Streamlit call when the session ends; a search inside
    scipy makes none for minutes, so it asks this before each batch of model runs instead.
    (Without a Streamlit server, as in tests, the session never ends.)
    """
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return lambda: False
    server, session = runtime.get_instance(), ctx.session_id
    return lambda: not server.is_active_session(session)


def heavy(run: Callable[[Callable[[], bool]], Any]) -> Any:
    """``run(stop)`` once no other heavy search is running; gives up (``cx_roi.Stopped``) when the
    session ends while waiting or running."""
    stop = session_gone()
    while not HEAVY.acquire(timeout=_WAIT_STEP):
        if stop():
            raise cx_roi.Stopped("the session ended while its search was queued")
    try:
        return run(stop)
    finally:
        HEAVY.release()


@contextmanager
def queued_note() -> Iterator[str | None]:
    """Around a heavy cached call on a page: while another session's search holds the process, a
    note says this one is queued (a cached answer comes at once, and the note goes with it).
    Yields the note's text, or None when nothing was queued at the start."""
    note = st.empty()
    told = QUEUED if HEAVY.locked() else None
    if told:
        note.info(told, icon=":material/hourglass_top:")
    try:
        yield told
    finally:
        note.empty()


@contextmanager
def searching(words: str) -> Iterator[None]:
    """Around a heavy search on a page: the queued note, a spinner saying ``words``; a session that
    ended while it waited or searched ends the page (nobody is there to see the answer)."""
    from . import router  # the router draws pages; this module is also used outside them

    try:
        with queued_note(), st.spinner(words, show_time=True):
            yield
    except cx_roi.Stopped:
        router.stop_page()
