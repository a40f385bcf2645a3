"""Uploads: a scenario file (JSON) into the current scenario, and a monthly history for the Your data page.

Uploaded bytes are untrusted: whatever is wrong with them, the user gets a sentence
naming the file as written and what to fix, and keeps what they had.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

import cx_roi
from cx_roi import Scenario, ScenarioError
from cx_roi.scenario import fields_left_out
from cx_roi.history import BALANCE_TOLERANCE_MAX, HistoryProblem, check_tolerance, tolerance_for
from cx_roi.formatting import and_list
from cx_roi.history.schema import share_text

from . import store, tables
from .notices import add_notice, bullet, drop_notices, listed, show
from .view import edits, start_title, take_scenario

__all__ = ["load_scenario_file", "upload_key", "on_upload", "history_file", "history_pending", "history_upload_key",
           "load_history_file", "on_history_upload", "on_history_sheet", "use_sample_history", "clear_history",
           "fit_requested", "request_fit", "MAX_UPLOAD_BYTES", "MAX_HISTORY_BYTES", "HISTORY_SHEET_KEY", "Refusal",
           "history_refusal", "refusal_advice", "balance_tolerance", "set_balance_tolerance", "TOLERANCE_LABEL",
           "TOLERANCE_MAX"]

_log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = cx_roi.scenario.MAX_JSON_BYTES  # the package's limit for a scenario file (a few kB)
MAX_HISTORY_BYTES = cx_roi.history.MAX_BYTES  # the package's limit for a history file (5 MB)
HISTORY_SHEET_KEY = "w:history_sheet"  # the sheet picker of a several-sheet workbook, read by its form's callback
TOLERANCE_LABEL = "Allowed gap in the customer balance (% of customers)"  # the control, as the page's advice names it
TOLERANCE_MAX = BALANCE_TOLERANCE_MAX  # the package's largest allowed gap, a share


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
    topic = "scenario_file"  # the newest upload's message replaces older ones
    try:
        scenario = Scenario.from_json(data)
    except ScenarioError as err:
        why = ", and your scenario is unchanged:\n" + listed([bullet(p) for p in err.problems])
    except RecursionError:
        why = ": its JSON is nested too deeply to be a scenario. Your scenario is unchanged."
    except Exception:  # untrusted bytes: whatever went wrong, the user gets a sentence, not a traceback
        _log.exception("unexpected error reading an uploaded scenario")
        why = ": it could not be read as a scenario file. Your scenario is unchanged."
    else:
        best = take_scenario(scenario)
        n = len(edits())
        loaded = (f"Loaded {where}: *{tables.inert(start_title(best))}* with {n} value{'s' if n != 1 else ''} "
                  "changed.")
        left_out = fields_left_out(data)
        if not left_out:
            add_notice("info", loaded, topic)
            return True
        labels = [cx_roi.PARAMETERS[f].label for f in left_out]
        add_notice("warning", f"{loaded} It leaves out {len(left_out)} of the {len(cx_roi.PARAMETERS)} inputs, "
                   f"which took their defaults: {tables.inert(and_list(labels, most=6))}.", topic)
        return True
    add_notice("error", f"{where} was not loaded{why}", topic)
    return False


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


class Refusal(NamedTuple):
    """The last history file that was not loaded, for the page's advice on what to do next.

    ``data``: the file's bytes, kept only when a larger allowed gap could change the answer (its
    customers do not add up), so moving the control reads it again; otherwise None.
    ``problems``: the package's problems (none when the file could not be read at all).
    """

    name: str
    data: bytes | None
    sheet: str | None
    tolerance: float  # the allowed gap it was read with, a share
    problems: tuple[HistoryProblem, ...] = ()


def history_refusal() -> Refusal | None:
    """The last history file that was refused, until a file is loaded or the history is removed."""
    return store.get("history_refused")


def balance_tolerance() -> float:
    """The allowed gap in the customer balance, as a share of the month before's customers, that
    history files are read with (``cx_roi.read_history(balance_tolerance=...)``)."""
    return store.get("balance_tolerance")


def set_balance_tolerance(share: float) -> bool:
    """Set the allowed gap (a share from 0 to :data:`TOLERANCE_MAX`); False, with a notice, when out of range.

    A file refused for months that do not add up is read again at once with the new gap: the
    user moved the control to load it. A history already loaded stays as it is.
    """
    try:
        share = check_tolerance(share)
    except ValueError:
        add_notice("warning", f"**{TOLERANCE_LABEL}**: {share!r} is not allowed; it goes from 0% to "
                   f"{share_text(TOLERANCE_MAX)}. The previous value, {share_text(balance_tolerance())}, was kept.")
        return False
    store.put("balance_tolerance", share)
    refused = history_refusal()
    if refused is not None and refused.data is not None and share != refused.tolerance:
        load_history_file(refused.name, refused.data, refused.sheet)
    return True


def load_history_file(filename: str, data: bytes, sheet: str | None = None) -> bool:
    """Use an uploaded history file; on any problem keep the current one and say what is wrong.

    The file is checked here, once, with :func:`cx_roi.read_history` at the allowed gap of
    :func:`balance_tolerance`; every problem it finds is listed with its row and column, and
    :func:`history_refusal` keeps what the page needs to advise. A workbook with several
    sheets of data is held back until the user picks the sheet.
    """
    where = _where(filename) if sheet is None else f"Sheet `{show(sheet, 40)}` of {_where(filename)}"
    kept = (" The history you had loaded is still in use." if history_file() is not None else "")
    kept += " Your baseline and scenarios are unchanged."
    topic = "history_file"  # the newest upload's message replaces older ones
    tolerance = balance_tolerance()
    try:
        history = cx_roi.read_history(data, filename or "history", sheet=sheet, balance_tolerance=tolerance)
    except cx_roi.HistoryError as err:
        if err.sheets and sheet is None:
            store.update({"history_pending": (filename, data, list(err.sheets)), "history_refused": None})
            add_notice("warning", f"{where} has several sheets with data: pick the one with the monthly "
                                  f"history below.{kept}", topic)
            return False
        retry = bytes(data) if err.balance_gap is not None else None
        refusal = Refusal(filename, retry, sheet, tolerance, tuple(err.details))
        n = len(err.problems)
        why = (f": {n} problem{'s' if n != 1 else ''} in the file, listed below; what to do is on the "
               f"Your data page, under *1. Load a monthly history*.{kept}\n"
               + listed([tables.inert(p, 300) for p in err.problems]))
    except Exception:  # untrusted bytes: whatever went wrong, the user gets a sentence, not a traceback
        _log.exception("unexpected error reading an uploaded history")
        refusal = Refusal(filename, None, sheet, tolerance)
        why = f": it could not be read as a CSV or Excel history.{kept}"
    else:
        store.update({"history": (filename, bytes(data), history.sheet if sheet is not None else None),
                      "history_pending": None, "history_refused": None, "fit_on": False})
        # No "loaded" notice: the page's "Check what was read" says the same, right below the upload.
        drop_notices(topic)
        return True
    store.put("history_refused", refusal)
    add_notice("error", f"{where} was not loaded{why}", topic)
    return False


def refusal_advice(refused: Refusal) -> str:
    """What failed and what to do about it, in the page's words (Markdown; the file name reads as written)."""
    name = f"**{tables.inert(refused.name or 'The file', 80)}**"
    if not refused.problems:
        return (f"{name} was not loaded: it could not be read as a monthly history. Save it as CSV (UTF-8) or "
                ".xlsx with one row per month and the columns under *What the file needs* (the template "
                "shows them), then load it again.")
    balance = [p for p in refused.problems if p.gap is not None]
    others = [p for p in refused.problems if p.gap is None]
    out = [f"{name} was not loaded."]
    if others:
        first = others[0].row  # the list's first item's row, if it has one: the two must agree
        n = len(others)
        out.append(f"{n} problem{'s' if n != 1 else ''} in the file need{'s' if n == 1 else ''} fixing"
                   + (f", the first in row {first}" if first is not None else "")
                   + ": correct the file as the list at the top of the page says, then load it again.")
    if balance:
        worst = max(balance, key=lambda p: abs(p.gap))
        gap = abs(worst.gap)
        rows = sorted(p.row for p in balance if p.row is not None)
        # "row 4", "rows 4, 7 and 10", "rows 4, 7, 10, 12, 15, 20 and 17 more"
        rows_text = f"row {rows[0]}" if len(rows) == 1 else f"rows {and_list(map(str, rows), most=6)}"
        n = len(balance)
        said = (f"In {n} month{'s' if n != 1 else ''} ({rows_text}) customers do not add up within the "
                f"allowed gap of {share_text(refused.tolerance)}: customers at a month's end should be the month "
                f"before's plus new minus churned. The largest gap is {share_text(gap)} of the month before's "
                f"customers, in row {worst.row}.")
        if gap <= TOLERANCE_MAX:
            said += (f" If your counts come from systems that do not quite agree (billing and a CRM, say), set "
                     f"**{TOLERANCE_LABEL}** to {share_text(tolerance_for(gap))} or more: the file is read again "
                     f"at once. If a gap is a mistake, fix {'that row' if n == 1 else 'those rows'} and load "
                     "the file again.")
        else:
            said += (f" That is more than any allowed gap ({share_text(TOLERANCE_MAX)}): check customers, new "
                     f"and churned in row {worst.row} (customers at the end of the month, new and churned "
                     "within it), then load the file again.")
        out.append(said)
    return " ".join(out)


def on_history_upload() -> None:
    """History uploader callback: use the file as the history (or explain why not)."""
    _take_upload("history", load_history_file)


def on_history_sheet() -> None:
    """Sheet-form callback: read the held-back workbook's sheet picked in :data:`HISTORY_SHEET_KEY`."""
    pending = history_pending()
    if pending is not None:
        name, data, sheets = pending
        load_history_file(name, data, sheet=store.widget_value(HISTORY_SHEET_KEY) or sheets[0])


def use_sample_history() -> None:
    """Load the bundled synthetic sample history."""
    load_history_file("sample_history.csv", cx_roi.sample_history_file())


def clear_history() -> None:
    """Forget the loaded history (a fitted baseline already in use stays, it is its own copy)."""
    store.update({"history": None, "history_pending": None, "history_refused": None, "fit_on": False})


def fit_requested() -> bool:
    """Whether the user asked to fit the loaded history (the fit itself is cached by file)."""
    return bool(store.get("fit_on", False)) and history_file() is not None


def request_fit() -> None:
    """The user asked to fit the loaded history."""
    store.put("fit_on", True)
