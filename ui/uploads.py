"""Uploads: a scenario file (JSON) into the current scenario, and a monthly history for the Your data page.

Uploaded bytes are untrusted: whatever is wrong with them, the user gets a sentence
naming the file as written and what to fix, and keeps what they had.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import cx_roi
from cx_roi import Scenario, ScenarioError

from . import store, tables
from .notices import add_notice, bullet, drop_notices, listed, show
from .view import edits, start_title, take_scenario

__all__ = ["load_scenario_file", "upload_key", "on_upload", "history_file", "history_pending", "history_upload_key",
           "load_history_file", "on_history_upload", "choose_history_sheet", "on_history_sheet",
           "use_sample_history", "clear_history", "fit_requested", "request_fit", "MAX_UPLOAD_BYTES",
           "MAX_HISTORY_BYTES", "HISTORY_SHEET_KEY"]

_log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = cx_roi.scenario.MAX_JSON_BYTES  # the package's limit for a scenario file (a few kB)
MAX_HISTORY_BYTES = cx_roi.history.MAX_BYTES  # the package's limit for a history file (5 MB)
HISTORY_SHEET_KEY = "w:history_sheet"  # the sheet picker of a several-sheet workbook, read by its form's callback


def _where(filename: str) -> str:
    return f"`{show(filename, 80)}`" if filename else "The file"  # a code span: the name reads as written


def _upload_key(kind: str) -> str:
    return f"w:{kind}:{store.get(f'{kind}_round', 0)}"


def _take_upload(kind: str, load: Callable[[str, bytes], bool]) -> None:
    """Hand the file in uploader ``kind`` to ``load``, then start a new uploader.

    The new key empties the widget, so the same file, fixed, can be dropped again.
    """
    uploaded = store.widget_value(_upload_key(kind))
    if uploaded is None:
        return
    load(getattr(uploaded, "name", ""), uploaded.getvalue())
    store.put(f"{kind}_round", store.get(f"{kind}_round", 0) + 1)


# ------------------------------------------------------------------ scenario file

def load_scenario_file(filename: str, data: bytes) -> bool:
    """Replace the current scenario by an uploaded JSON file; keep it unchanged on any problem.

    The loaded scenario is attached to the preset it differs least from (``view.take_scenario``).
    """
    where = _where(filename)
    say = functools.partial(add_notice, topic="scenario_file")  # the newest upload's message replaces older ones
    try:
        scenario = Scenario.from_json(data)
    except ScenarioError as err:
        say("error", f"{where} was not loaded, and your scenario is unchanged:\n"
                     + listed([bullet(p) for p in err.problems]))
        return False
    except RecursionError:
        say("error", f"{where} was not loaded: its JSON is nested too deeply to be a scenario. "
                     "Your scenario is unchanged.")
        return False
    except Exception:  # untrusted bytes: whatever went wrong, the user gets a sentence, not a traceback
        _log.exception("unexpected error reading an uploaded scenario")
        say("error", f"{where} was not loaded: it could not be read as a scenario file. "
                     "Your scenario is unchanged.")
        return False
    best = take_scenario(scenario)
    n = len(edits())
    say("info", f"Loaded {where}: *{start_title(best)}* with {n} value{'s' if n != 1 else ''} changed.")
    return True


def upload_key() -> str:
    """Key of the scenario uploader. It changes after each upload, which empties the widget."""
    return _upload_key("upload")


def on_upload() -> None:
    """Uploader callback: load the file into the current scenario (or explain why not)."""
    _take_upload("upload", load_scenario_file)


# ------------------------------------------------------------------ history file

def history_file() -> tuple[str, bytes, str | None] | None:
    """The history file in use on the Your data page: (file name, bytes, sheet or None)."""
    return store.get("history")


def history_pending() -> tuple[str, bytes, list[str]] | None:
    """A workbook waiting for the user to say which sheet holds the history: (name, bytes, sheets)."""
    return store.get("history_pending")


def history_upload_key() -> str:
    """Key of the history uploader. It changes after each upload, which empties the widget."""
    return _upload_key("history")


def load_history_file(filename: str, data: bytes, sheet: str | None = None) -> bool:
    """Use an uploaded history file; on any problem keep the current one and say what is wrong.

    The file is checked here, once, with :func:`cx_roi.read_history`; every
    problem it finds is listed with its row and column. A workbook with several
    sheets of data is held back until the user picks the sheet.
    """
    where = _where(filename)
    kept = (" The history you had loaded is still in use." if history_file() is not None else "")
    kept += " Your baseline and scenarios are unchanged."
    say = functools.partial(add_notice, topic="history_file")  # the newest upload's message replaces older ones
    try:
        history = cx_roi.read_history(data, filename or "history", sheet=sheet)
    except cx_roi.HistoryError as err:
        if err.sheets and sheet is None:
            store.put("history_pending", (filename, data, list(err.sheets)))
            say("warning", f"{where} has several sheets with data: pick the one with the monthly "
                           f"history below.{kept}")
            return False
        lines = listed([tables.inert(p, 300) for p in err.problems])
        say("error", f"{where} was not loaded: {len(err.problems)} "
                     f"problem{'s' if len(err.problems) != 1 else ''} to fix in the file.{kept}\n{lines}")
        return False
    except Exception:  # untrusted bytes: whatever went wrong, the user gets a sentence, not a traceback
        _log.exception("unexpected error reading an uploaded history")
        say("error", f"{where} was not loaded: it could not be read as a CSV or Excel history.{kept}")
        return False
    store.update({"history": (filename, bytes(data), history.sheet if sheet is not None else None),
                  "history_pending": None, "fit_on": False})
    # No "loaded" notice: the page's "Check what was read" says the same, right below the upload.
    drop_notices("history_file")
    return True


def on_history_upload() -> None:
    """History uploader callback: use the file as the history (or explain why not)."""
    _take_upload("history", load_history_file)


def choose_history_sheet(sheet: str) -> bool:
    """Read the held-back workbook's ``sheet``."""
    pending = history_pending()
    if pending is None:
        return False
    name, data, _ = pending
    return load_history_file(name, data, sheet=sheet)


def on_history_sheet() -> None:
    """Sheet-form callback: read the sheet picked in :data:`HISTORY_SHEET_KEY`."""
    pending = history_pending()
    if pending is not None:
        choose_history_sheet(store.widget_value(HISTORY_SHEET_KEY) or pending[2][0])


def use_sample_history() -> None:
    """Load the bundled synthetic sample history."""
    load_history_file("sample_history.csv", cx_roi.sample_history_file())


def clear_history() -> None:
    """Forget the loaded history (a fitted baseline already in use stays, it is its own copy)."""
    store.update({"history": None, "history_pending": None, "fit_on": False})


def fit_requested() -> bool:
    """Whether the user asked to fit the loaded history (the fit itself is cached by file)."""
    return bool(store.get("fit_on", False)) and history_file() is not None


def request_fit() -> None:
    """The user asked to fit the loaded history."""
    store.put("fit_on", True)
