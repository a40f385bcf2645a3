"""Session and URL state behind one interface: what pages and UI helpers call.

Nothing else touches Streamlit's session or URL state, so these rules hold everywhere:

* The canonical state lives in the session store (``ui.store``); the view's items
  (``ui.view``) are what the URL mirrors, field by field (``ui.url.FIELDS``).
* Widgets are views of that state, drawn with :func:`bind`, which seeds a
  widget's key from the canonical value just before the widget is drawn, the value is
  the widget's starting value too, and :func:`on_change` writes the widget's new
  value back (validated) in the widget's callback. Widget state
  that Streamlit drops when a page stops drawing a widget is therefore never the
  only copy of anything.
* The URL mirrors the canonical state after every run (:func:`sync_url`). A new
  session reads it back once (:func:`init`); any value that cannot be used is
  replaced by its default and named in a notice, with what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

from . import store
from .fields import CURRENT, FITTED, SAVED_NAME_RULE
from .notices import MAX_LISTED, arrive, dismiss_notices, mark_seen, notices
from .settings import (DEFAULT_DRAWS, MAX_BUDGET, MAX_DRAWS_UI, SETTINGS, apply_split, budgets, choose,
                       heavy_started, limit, on_ranges_edit, ranges_editor_key, reset_setting, risk_ranges,
                       set_limit, set_setting, setting, start_heavy, todays_spend)
from .uploads import (HISTORY_SHEET_KEY, MAX_HISTORY_BYTES, MAX_UPLOAD_BYTES, TOLERANCE_LABEL, TOLERANCE_MAX,
                      balance_tolerance, clear_history, fit_requested, history_file, history_pending, history_refusal,
                      history_upload_key, on_history_sheet, on_history_upload, on_upload, refusal_advice, request_fit,
                      set_balance_tolerance, upload_key, use_sample_history)
from .url import init, switch_page, sync_url
from .view import (DEFAULT_BASELINE, DEFAULT_EXTRA, DEFAULT_PRESET, EXTRA_RANGE, MAX_SAVED, around_answer, baseline,
                   baseline_name, baseline_options, bridge_choice, compare_options, compare_selection, compared,
                   current_scenario, current_title, delete_saved, edits, explore_subtitle, extra, fit_label, fitted,
                   label_for, labeller, mark_page_run, preset, presentation, reset_to_preset, save_current,
                   saved_scenarios, scenario_for, scenario_json, set_field, set_preset, start_description,
                   start_options, start_title, stop_using_fit, swap_odds_job, take_page_run, use_fit)

__all__ = [
    "init", "sync_url", "switch_page", "bind", "on_change", "on_save", "SAVE_NAME_KEY",
    # the view
    "current_scenario", "preset", "edits", "set_field", "set_preset", "reset_to_preset", "scenario_json",
    "baseline_name", "baseline", "baseline_options", "presentation", "around_answer", "extra", "mark_page_run",
    "take_page_run", "swap_odds_job", "compare_selection", "compare_options", "compared", "bridge_choice",
    "saved_scenarios", "save_current", "delete_saved", "on_delete_saved", "DELETE_NAME_KEY", "scenario_for",
    "label_for", "current_title", "explore_subtitle", "labeller", "start_options", "start_title",
    "start_description", "fitted", "fit_label", "use_fit", "stop_using_fit", "CURRENT", "FITTED", "DEFAULT_PRESET",
    "DEFAULT_BASELINE", "DEFAULT_EXTRA", "EXTRA_RANGE", "MAX_SAVED", "SAVED_NAME_RULE",
    # notices
    "notices", "dismiss_notices", "arrive", "mark_seen", "MAX_LISTED",
    # uploads
    "upload_key", "on_upload", "history_file", "history_upload_key", "on_history_upload", "use_sample_history",
    "clear_history", "on_history_sheet", "history_pending", "fit_requested", "request_fit", "HISTORY_SHEET_KEY",
    "MAX_HISTORY_BYTES", "MAX_UPLOAD_BYTES", "history_refusal", "refusal_advice", "balance_tolerance",
    "set_balance_tolerance", "TOLERANCE_LABEL", "TOLERANCE_MAX",
    # Risk and Optimise settings
    "SETTINGS", "setting", "set_setting", "reset_setting", "todays_spend", "budgets", "heavy_started",
    "start_heavy", "risk_ranges", "ranges_editor_key", "on_ranges_edit", "apply_split", "MAX_BUDGET",
    "MAX_DRAWS_UI", "DEFAULT_DRAWS",
]

SAVE_NAME_KEY = "w:save_name"  # the "save as" text box, read by its form's callback
DELETE_NAME_KEY = "w:delete_name"  # the saved scenario picked for deleting, read by its button's callback


class _Binding(NamedTuple):
    """How a widget shows a state item: ``get()`` its value, ``put(value)`` stores one (False: refused)."""

    get: Callable[[], Any]
    put: Callable[[Any], bool]


def _stored(name: str, read: Callable[[Any], Any] = lambda v: v) -> Callable[[Any], bool]:
    def put(value: Any) -> bool:
        store.put(name, read(value))
        return True
    return put


def _set_preset(name: str) -> bool:
    set_preset(name)
    return True


# Items with one widget each; the families below have one per lever, setting or limit.
_ITEMS: dict[str, _Binding] = {
    "preset": _Binding(preset, _set_preset),
    "present": _Binding(presentation, _stored("present", bool)),
    "extra": _Binding(extra, _stored("extra", float)),
    "baseline": _Binding(baseline_name, _stored("baseline")),
    "compare": _Binding(compare_selection, _stored("compare", list)),
    "bridge": _Binding(bridge_choice, _stored("bridge")),
    "budget": _Binding(lambda: budgets()[0], lambda v: set_setting("budget", float(v))),
    "budget_after": _Binding(lambda: budgets()[-1], lambda v: set_setting("budget_after", float(v))),
    "split_phases": _Binding(lambda: setting("phases") == "first_year",
                             lambda v: set_setting("phases", "first_year" if v else "whole")),
    # The Your data page's allowed gap: a share in the store, a percentage in its box.
    "balance_tolerance": _Binding(lambda: round(100 * balance_tolerance(), 2),
                                  lambda v: set_balance_tolerance(round(float(v) / 100, 6))),
}
_FAMILIES: dict[str, Callable[..., _Binding]] = {
    "lever": lambda field: _Binding(lambda: getattr(current_scenario(), field), lambda v: set_field(field, v)),
    "set": lambda name: _Binding(lambda: setting(name), lambda v: choose(name, v)),
    "bound": lambda lever, end: _Binding(lambda: limit(lever, end), lambda v: set_limit(lever, end, v)),
}


def _binding(name: str) -> _Binding:
    if name in _ITEMS:
        return _ITEMS[name]
    family, *args = name.split(":")
    return _FAMILIES[family](*args)


_UNSET = object()


def bind(name: str, start: str = "value", *, shape: Hashable = None,
         options: Sequence[Any] | None = None) -> dict[str, Any]:
    """The keyword arguments that draw a widget as a view of state item ``name``.

    Its key (seeded with the item's value right where the widget is drawn), the callback that
    stores its changes (:func:`on_change`), and the item's value as the widget's own starting
    value, under ``start``: ``"value"`` (a slider, toggle or number box), ``"default"`` (a
    multiselect or segmented control) or ``"index"`` (a selectbox or radio); ``options``: the
    widget's options, for the last two.

    Items: ``preset``, ``present``, ``extra``, ``baseline``, ``compare``, ``bridge``, ``budget``, ``budget_after``,
    ``split_phases``, ``balance_tolerance`` (a percentage), ``lever:<field>``, ``set:<setting>`` and
    ``bound:<lever>:min|max``.

    ``shape``: the arguments that make Streamlit take the widget for a new one when they change
    (a slider's ends and step, when they follow the value). A new widget starts from its own
    default, so it is seeded again; so is one drawn on another page than last time (the baseline
    has a widget on three pages).

    The starting value is what the browser shows when it draws the widget afresh without the
    state it held: Streamlit drops a widget's state in the browser when a run ends while the
    widget is not on screen (a fragment's run ending while the page redraws, say). The widget
    then showed, and sent back with the next press, its own default: a slider's minimum, no
    choice at all. Streamlit keys these widgets by ``key`` and their ends (not by this value),
    so a new starting value each run does not make a new widget.
    """
    key = f"w:{name}"
    value = _binding(name).get()
    drawn = (store.page(), shape)
    shapes = store.get("widget_shapes")
    if shapes is None:
        shapes = {}
        store.put("widget_shapes", shapes)
    # Seeded only when needed: a seeded widget's value is sent to the browser again, and there it
    # overwrites a key press the browser has not sent yet (a run that ended between a press and its
    # message, such as the odds' rerun, lost presses that way).
    if shapes.get(key) != drawn or store.widget_value(key, _UNSET) != value:
        store.set_widget_value(key, value)
    shapes[key] = drawn
    if options is not None:
        options = list(options)
        if start == "index":
            value = options.index(value) if value in options else None
        elif isinstance(value, (list, tuple)):
            value = [v for v in value if v in options]
        elif value not in options:
            value = None
    return {"key": key, "on_change": on_change, "args": (name,), start: value}


def on_change(name: str) -> None:
    """Widget callback: store the widget's new value; put the old one back if it is refused."""
    key = f"w:{name}"
    binding = _binding(name)
    if not binding.put(store.widget_value(key)):
        store.set_widget_value(key, binding.get())


def on_delete_saved() -> None:
    """Delete-button callback: forget the saved scenario picked beside it."""
    delete_saved(store.widget_value(DELETE_NAME_KEY, ""))


def on_save() -> None:
    """Save-form callback: save under the typed name."""
    if save_current(store.widget_value(SAVE_NAME_KEY, "")):
        store.set_widget_value(SAVE_NAME_KEY, "")  # saved: the box is ready for the next name
