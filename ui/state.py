"""The one module that reads and writes ``st.session_state`` and ``st.query_params``.

Pages and UI helpers call the functions here; nothing else touches Streamlit's
session or URL state, so the rules below hold everywhere:

* The canonical state lives in one dict under the session key ``cx``: the preset, the edits made to
  each preset (so switching presets in a workshop loses nothing the room set),
  the baseline, presentation mode, the next-dollar amount, the Compare page's
  selection, and the scenarios saved under a name.
* Widgets are views of that state. :func:`widget` seeds a widget's key from the
  canonical value just before the widget is drawn, and :func:`on_change` writes
  the widget's new value back (validated) in the widget's callback. Widget state
  that Streamlit drops when a page stops drawing a widget is therefore never
  the only copy of anything.
* The URL mirrors the canonical state after every run (:func:`sync_url`): the
  preset, only the fields that differ from it, and the page state. A new
  session reads it back once (:func:`init`); any value that cannot be used is
  replaced by its default and named in a notice, with what is allowed.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import cx_roi
from cx_roi import PARAMETERS, Scenario, ScenarioError
from cx_roi.formatting import param_value
from cx_roi.presets import default_baseline as _preset_baseline

from . import tables

__all__ = [
    "init", "sync_url", "current_scenario", "preset", "edits", "set_field", "set_preset",
    "reset_to_preset", "baseline_name", "baseline", "baseline_options", "presentation", "around_answer", "extra",
    "mark_page_run", "take_page_run", "swap_odds_job",
    "compare_selection", "compare_options", "compared", "bridge_choice", "saved_scenarios", "save_current",
    "delete_saved", "scenario_for", "label_for", "current_title", "explore_subtitle", "notices", "add_notice",
    "dismiss_notices",
    "load_scenario_file", "labeller", "scenario_json", "widget", "on_change", "upload_key", "on_upload",
    "on_save", "Notice", "CURRENT", "FITTED", "start_options", "start_title", "start_description",
    "history_file", "history_upload_key", "on_history_upload", "load_history_file", "use_sample_history",
    "clear_history", "choose_history_sheet", "on_history_sheet", "history_pending", "HISTORY_SHEET_KEY",
    "fit_requested", "request_fit", "use_fit", "stop_using_fit",
    "fitted", "fitted_label", "fit_label", "heavy_started", "start_heavy", "HEAVY", "MAX_LISTED",
    "MAX_HISTORY_BYTES", "DEFAULT_PRESET", "DEFAULT_BASELINE", "DEFAULT_EXTRA",
    "EXTRA_RANGE", "DEFAULT_COMPARE", "MAX_SAVED", "MAX_UPLOAD_BYTES", "url_params", "SAVE_NAME_KEY",
]

_log = logging.getLogger(__name__)

DEFAULT_PRESET = "status-quo"
DEFAULT_BASELINE = None  # the start's own default (ui.state.default_baseline), until one is chosen
DEFAULT_EXTRA = 50_000.0
EXTRA_RANGE = (5_000.0, 500_000.0, 5_000.0)  # min, max, step of the next-dollar amount, $ per month
CURRENT = "current"  # the scenario being explored, as a Compare choice
FITTED = "your-data"  # the scenario fitted to the user's history: a starting point, baseline and Compare choice
DEFAULT_COMPARE: tuple[str, ...] = ("service-boost", "ad-boost")
MAX_COMPARED = 3  # besides the baseline: two to four scenarios in all
MAX_SAVED = 12  # every saved scenario travels in the URL; this keeps links short enough to paste
MAX_UPLOAD_BYTES = cx_roi.scenario.MAX_JSON_BYTES  # the package's limit for a scenario file (a few kB)
MAX_HISTORY_BYTES = cx_roi.history.MAX_BYTES  # the package's limit for a history file (5 MB)
SAVE_NAME_KEY = "w:save_name"  # the "save as" text box, read by its form's callback
HISTORY_SHEET_KEY = "w:history_sheet"  # the sheet picker of a several-sheet workbook, read by its form's callback
# A saved name travels in the link, where , ~ | : separate things, and is shown in sentences
# and headings read as Markdown, where ` * [ ] < > \ would format (or link) instead of reading as
# written; control characters cannot go into a report file. The rule is Markdown itself (notices
# and help): the characters in a code span, whose double backticks let it hold a backtick. Invisible
# characters (zero-width spaces, bidi overrides that show text backwards) would let two names look
# alike, or one look like another: refused too.
SAVED_NAME_RULE = ("1 to 40 characters, without control characters, invisible characters or any of "
                   "`` , ~ | : ` * [ ] < > \\ ``")
_NOT_IN_NAMES = r",~|:`*\[\]<>\\\x00-\x1f\x7f"  # a character class's contents
_SAVED_NAME = re.compile(rf"^[^{_NOT_IN_NAMES}]{{1,40}}$")

_PAGE_KEYS = ("preset", "present", "extra", "baseline", "compare", "bridge", "saved", "fitted")
MAX_DRAWS_UI = 10_000  # the Risk page's ceiling: about a second of model time per scenario


class Notice(NamedTuple):
    """A message the user should see until they dismiss it. ``kind``: warning, error or info.

    ``topic``: what the message is about (an uploaded scenario file, say); a newer
    message on the same topic replaces it, so a failed upload's error does not stay
    beside the success of the corrected file.
    """

    kind: str
    text: str
    topic: str | None = None


# ------------------------------------------------------------------ raw state

def _s() -> Any:
    return st.session_state


_STORE = "cx"  # every canonical item in one plain dict under one session key


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
    ss = _s()
    store = ss.get(_STORE)
    if store is None:
        store = ss[_STORE] = {}
    _run.held = (ctx, store)
    return store


def _get(name: str, default: Any = None) -> Any:
    return _store().get(name, default)


def _put(name: str, value: Any) -> None:
    _store()[name] = value


def _view_defaults() -> dict[str, Any]:
    """The state the address bar carries, as a link without parameters opens it (fresh containers)."""
    return {"preset": DEFAULT_PRESET, "present": False, "extra": DEFAULT_EXTRA, "baseline": DEFAULT_BASELINE,
            "compare": list(DEFAULT_COMPARE), "bridge": None, "saved": {}, "fitted": None, "scenario": None,
            **{f"set:{name}": spec.default for name, spec in SETTINGS.items()}}


def _ensure_defaults() -> None:
    defaults = {
        **_view_defaults(), "edits": {}, "notices": [], "upload_round": 0, "ranges_round": 0,
        "history": None, "history_pending": None, "history_round": 0, "fit_on": False,
    }
    store = _store()
    for k, v in defaults.items():
        store.setdefault(k, v)


# ------------------------------------------------------------------ notices

MAX_LISTED = tables.MAX_LISTED
_listed = tables.listed


def notices() -> list[Notice]:
    """Messages waiting for the user (bad URL values, rejected uploads, saves)."""
    return list(_get("notices", []))


def add_notice(kind: str, text: str, topic: str | None = None) -> None:
    """Show ``text`` until dismissed; it replaces any earlier notice on the same ``topic``."""
    current = [n for n in _get("notices", []) if topic is None or n.topic != topic]
    notice = Notice(kind, text, topic)
    if notice not in current:
        _put("notices", [*current, notice])


def dismiss_notices() -> None:
    _put("notices", [])


def drop_notices(topic: str) -> None:
    """Take down the notices on ``topic`` (an upload that worked retires the last one's complaint)."""
    _put("notices", [n for n in _get("notices", []) if n.topic != topic])


# ------------------------------------------------------------------ scenario

def preset() -> str:
    """Where the current scenario starts from: a preset's name, or :data:`FITTED` (the user's data)."""
    name = _get("preset", DEFAULT_PRESET)
    return name if name in start_options() else DEFAULT_PRESET


def start_options() -> list[str]:
    """What the current scenario can start from: every preset, then the fitted scenario once there is one."""
    return [*cx_roi.presets(), *([FITTED] if fitted() is not None else [])]


def _start(name: str) -> Scenario:
    """The scenario a starting point stands for (before the user's edits)."""
    if name == FITTED:
        fit = fitted()
        if fit is not None:
            return fit[1]
    return cx_roi.load_preset(name)


def start_title(name: str) -> str:
    """How a starting point reads on screen."""
    if name == FITTED:
        return f"Your data: {fitted_label()}"
    return cx_roi.preset_info(name).title


def start_description(name: str) -> str:
    """The one-paragraph story of a starting point."""
    if name == FITTED:
        return ("The model fitted to your own monthly history on the Your data page: today's customers, "
                "spends and sentiment, with the market, word-of-mouth, advertising and churn parameters "
                "the history could identify. Everything else keeps its default.")
    return cx_roi.preset_info(name).description


def edits() -> dict[str, Any]:
    """Fields of the current scenario that differ from its preset."""
    return dict(_get("edits", {}).get(preset(), {}))


def current_scenario() -> Scenario:
    """The scenario on screen: the preset with the user's edits."""
    cached = _get("scenario")
    if cached is None:
        cached = _start(preset()).replace(**edits())
        _put("scenario", cached)
    return cached


def _store_scenario(scenario: Scenario) -> None:
    base = _start(preset())
    all_edits = dict(_get("edits", {}))
    all_edits[preset()] = scenario.changed_fields(base)
    _put("edits", all_edits)
    _put("scenario", scenario)


def set_field(name: str, value: Any) -> bool:
    """Change one field of the current scenario; False (and a notice) if it is not allowed."""
    try:
        scenario = current_scenario().replace(**{name: value})
    except ScenarioError as err:
        add_notice("warning", _problem_text(name, err, "the change was not applied"))
        return False
    _store_scenario(scenario)
    return True


def set_preset(name: str) -> None:
    """Switch preset (or to :data:`FITTED`); the edits made earlier to it in this session come back."""
    if name not in start_options():
        add_notice("warning", f"Unknown preset `{_show(name)}`; allowed: {', '.join(start_options())}.")
        return
    _put("preset", name)
    _put("scenario", None)


def reset_to_preset() -> None:
    """Drop the edits of the current preset."""
    all_edits = dict(_get("edits", {}))
    all_edits.pop(preset(), None)
    _put("edits", all_edits)
    _put("scenario", None)


def scenario_json() -> str:
    """The current scenario in the package's JSON schema (for the download button)."""
    return current_scenario().to_json()


def load_scenario_file(filename: str, data: bytes) -> bool:
    """Replace the current scenario by an uploaded JSON file; keep it unchanged on any problem.

    The loaded scenario is attached to the preset it differs least from, so a
    file saved from a preset's view comes back as that preset with its edits.
    """
    where = f"`{_show(filename, 80)}`" if filename else "The file"  # a code span: the name reads as written
    say = functools.partial(add_notice, topic="scenario_file")  # the newest upload's message replaces older ones
    if len(data) > MAX_UPLOAD_BYTES:
        say("error", f"{where} was not loaded: it is {len(data):,} bytes, and a scenario file "
                     f"is a few kB (limit {MAX_UPLOAD_BYTES:,} bytes). Your scenario is unchanged.")
        return False
    try:
        scenario = Scenario.from_json(data)
    except ScenarioError as err:
        say("error", f"{where} was not loaded, and your scenario is unchanged:\n"
                     + _listed([_bullet(p) for p in err.problems]))
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
    best = min(start_options(), key=lambda p: (len(scenario.changed_fields(_start(p))), p != preset()))
    _put("preset", best)
    _store_scenario(scenario)
    n = len(edits())
    title = start_title(best)
    say("info", f"Loaded {where}: *{title}* with {n} value{'s' if n != 1 else ''} changed.")
    return True


# ------------------------------------------------------------------ page state

def around_answer() -> tuple:
    """What Explore draws around its answer from the state: edit count, notices, presentation mode.

    A spend move reruns only the answer (a fragment); when one of these changed as
    well, the page reruns whole, so the title, the reset button and the messages
    never lag behind the numbers.
    """
    return len(edits()), tuple(notices()), presentation()


def swap_odds_job(job: Any) -> Any:
    """Keep ``job`` as this session's margin odds job; return the one it replaces (or None)."""
    earlier = _get("odds_job")
    _put("odds_job", job)
    return earlier


def mark_page_run() -> None:
    """Note that the whole page is running (not only one of its fragments): see :func:`take_page_run`."""
    _put("page_run", True)


def take_page_run() -> bool:
    """Whether this is the first look, in this run, at a page run marked by :func:`mark_page_run`:
    True once per whole-page run, False in a fragment's own reruns."""
    marked = bool(_get("page_run", False))
    _put("page_run", False)
    return marked


def presentation() -> bool:
    """Presentation mode: controls hidden, KPIs and charts enlarged."""
    return bool(_get("present", False))


def extra() -> float:
    """The next-dollar amount, $ per month."""
    return float(_get("extra", DEFAULT_EXTRA))


def saved_scenarios() -> dict[str, Scenario]:
    """Scenarios the user saved under a name in this session (or that came with the link)."""
    return dict(_get("saved", {}))


def save_current(name: str) -> bool:
    """Save the current scenario as ``name``; False (and a notice) when the name cannot be used."""
    name = (name or "").strip()
    problem = _saved_name_problem(name)
    saved = saved_scenarios()
    if problem is None and name not in saved and len(saved) >= MAX_SAVED:
        problem = f"at most {MAX_SAVED} scenarios can be saved; delete one first"
    if problem:
        add_notice("warning", f"Not saved: {problem}.", topic="save")
        return False
    replaced = name in saved and saved[name] != current_scenario()
    saved[name] = current_scenario()
    _put("saved", saved)
    shown = tables.inert(name)
    add_notice("info", (f"Replaced the saved scenario *{shown}* with the current one" if replaced
                        else f"Saved the current scenario as *{shown}*") + "; pick it on the Compare page.",
               topic="save")
    return True


def delete_saved(name: str) -> None:
    saved = saved_scenarios()
    saved.pop(name, None)
    _put("saved", saved)
    if baseline_name() == name:
        _put("baseline", DEFAULT_BASELINE)
    _put("compare", [t for t in _get("compare", []) if t != name])


def baseline_options() -> list[str]:
    """What a baseline can be: any preset, the fitted scenario (once there is one), or a saved scenario."""
    return [*start_options(), *saved_scenarios()]


def default_baseline() -> str:
    """The baseline the current start is measured against until the user chooses one: a preset's
    own unedited self (the spend presets: the status quo, see ``cx_roi.presets.default_baseline``),
    and the fitted scenario itself."""
    start = preset()
    return start if start == FITTED else _preset_baseline(start)


def baseline_name() -> str:
    """The baseline's name (a preset, the fitted scenario or a saved scenario): the one the user
    chose, else the start's own default (:func:`default_baseline`)."""
    name = _get("baseline", DEFAULT_BASELINE)
    return name if name in baseline_options() else default_baseline()


def baseline(horizon_months: int | None = None) -> Scenario:
    """The baseline scenario, over ``horizon_months`` when given.

    Comparisons need one horizon; the baseline is evaluated over the compared
    scenario's horizon, which is the fair reading of "the same company, as it is".
    """
    scenario = scenario_for(baseline_name())
    if horizon_months is not None and scenario.horizon_months != horizon_months:
        scenario = scenario.replace(horizon_months=horizon_months)
    return scenario


def compare_options() -> list[str]:
    """Scenarios the Compare page offers: the current one, every preset, the fitted one, every saved one."""
    return [CURRENT, *start_options(), *saved_scenarios()]


def compare_selection() -> list[str]:
    """Scenarios compared with the baseline (one to three, never the baseline itself)."""
    options = compare_options()
    chosen = [t for t in _get("compare", list(DEFAULT_COMPARE)) if t in options and t != baseline_name()]
    return list(dict.fromkeys(chosen))[:MAX_COMPARED]


def bridge_choice() -> str | None:
    """The compared scenario whose NPV bridge against the baseline is shown."""
    chosen = compare_selection()
    pick = _get("bridge")
    return pick if pick in chosen else (chosen[0] if chosen else None)


def compared() -> list[tuple[str, str, Scenario]]:
    """(token, label, scenario) of the baseline, then each compared scenario, on one horizon.

    ``cx_roi.compare`` needs one horizon; everything is evaluated over the
    baseline's (the page says so when a scenario had another).
    """
    base = scenario_for(baseline_name())
    out = [(baseline_name(), label_for(baseline_name()), base)]
    for token in compare_selection():
        s = scenario_for(token)
        if s.horizon_months != base.horizon_months:
            s = s.replace(horizon_months=base.horizon_months)
        out.append((token, label_for(token), s))
    return out


def scenario_for(token: str) -> Scenario:
    """The scenario behind a Compare choice: ``current``, a preset or a saved name."""
    if token == CURRENT:
        return current_scenario()
    saved = saved_scenarios()
    if token in saved:
        return saved[token]
    return _start(token)


def labeller(tokens: Sequence[str], title: Callable[[str], str] | None = None) -> Callable[[str], str]:
    """A widget's ``format_func`` for ``tokens``: the labels are worked out now, from this run's state.

    Streamlit (and its AppTest) may format options again outside the script
    run, where session state cannot be read; a lookup in a fixed dict gives
    the same text there. ``title``: :func:`label_for` unless given.
    """
    labels = {t: (title or label_for)(t) for t in tokens}
    return lambda t: labels.get(t, str(t))


def current_title() -> str:
    """The scenario on screen in words, as every page names it: "Status quo + 2 changes"."""
    n = len(edits())
    return start_title(preset()) + (f" + {n} change{'s' if n != 1 else ''}" if n else "")


def explore_subtitle() -> str:
    """What Explore shows against what: "Status quo + 2 changes · compared with Ad boost", or, when the
    scenario is its own baseline, "Status quo · the baseline itself"."""
    if current_scenario() == baseline(current_scenario().horizon_months):
        return f"{current_title()} · the baseline itself"
    return f"{current_title()} · compared with {label_for(baseline_name())}"


def label_for(token: str) -> str:
    """How a choice reads on screen."""
    if token == CURRENT:
        return f"Current: {current_title()}"
    if token in start_options():
        return start_title(token)
    return f"Saved: {token}"



# ------------------------------------------------------------------ Risk and Optimise settings

class Setting(NamedTuple):
    """A page setting that lives in the URL: its default, how to read and write it, what is allowed.

    ``parse`` turns URL text into a value and raises ValueError with the reason;
    ``check`` validates a value from a widget the same way (None: no check).
    """

    default: Any
    parse: Callable[[str], Any]
    encode: Callable[[Any], str]
    allowed: str
    describe: Callable[[Any], str] = str


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _number(text: Any) -> float:
    """A number as a link or a box gives it: ASCII digits (float() would also read "١٢٣"), ``_``
    between them, and commas only between groups of three digits ("1,250,000"), so "1,2,3" is
    not read as 123. Raises ValueError saying why not."""
    if not isinstance(text, str):
        return float(text)
    text = text.strip()
    if not text.isascii():
        raise ValueError("not a number (digits 0-9 only)")
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            raise ValueError("not a number (a comma may only separate thousands, as in 1,250,000)")
        text = text.replace(",", "")
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise ValueError("not a number") from None


def _amount(v: float) -> str:
    """A number in a message: with separators, but a 309-digit one as 1e+308."""
    return f"{v:,.0f}" if abs(v) < 1e15 else f"{v:.3g}"


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            v = _number(text)
        except ValueError as exc:
            raise ValueError(str(exc).replace("not a number", "not a whole number", 1)) from None
        if not v.is_integer():
            raise ValueError("not a whole number")
        if not lo <= v <= hi:
            raise ValueError(f"{_amount(v)} is out of range")
        return int(v)
    return parse


def _money_or_auto(lo: float, hi: float) -> Callable[[str], float | None]:
    def parse(text: str) -> float | None:
        text = str(text).strip()
        if text in ("", "auto"):
            return None
        v = _number(text)
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        if not lo <= v <= hi:
            raise ValueError(f"{_amount(v)} is out of range")
        return v
    return parse


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError("not one of the choices")
        return text
    return parse


def _lever_list(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(t.strip() for t in str(text).split(",") if t.strip()))
    unknown = [t for t in items if t not in cx_roi.LEVERS]
    if unknown:
        raise ValueError(f"{', '.join(f'`{_show(t)}`' for t in unknown)} is not a spend lever")
    if len(items) < 2:
        raise ValueError("an optimisation needs at least two levers to split the budget between")
    return items


class _Partly(ValueError):
    """A setting read in part: ``value`` holds the entries that could be used, the message the others."""

    def __init__(self, value: Any, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.value = value


def _entries(text: str, read: Callable[[str], tuple[str, Any]]) -> dict[str, Any]:
    """``entry~entry~...``, each read by ``read`` (raising ValueError with the reason).

    One unusable entry does not cost the others: they are kept, and :class:`_Partly`
    says which were left out and why.
    """
    out: dict[str, Any] = {}
    problems: list[str] = []
    for entry in (e for e in str(text).split("~") if e.strip()):
        try:
            key, value = read(entry)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        out[key] = value
    if problems and out:
        raise _Partly(out, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return out


def _range_entry(entry: str) -> tuple[str, tuple[float, float]]:
    name, _, rest = entry.partition(":")
    low_text, _, high_text = rest.partition(":")
    problem = range_problem(name, low_text, high_text)
    if problem:
        raise ValueError(problem)
    return name, (_number(low_text), _number(high_text))


def _parse_ranges(text: str) -> dict[str, tuple[float, float]]:
    """``name:low:high~name:low:high``: the Risk page's edited ranges."""
    return _entries(text, _range_entry)


def _encode_ranges(value: dict[str, tuple[float, float]]) -> str:
    return "~".join(f"{n}:{_url_number(lo)}:{_url_number(hi)}" for n, (lo, hi) in sorted(value.items()))


def _bounds_entry(entry: str) -> tuple[str, tuple[float, float]]:
    lever, _, rest = entry.partition(":")
    lo_text, _, hi_text = rest.partition(":")
    if lever not in cx_roi.LEVERS:
        raise ValueError(f"`{_show(lever)}` is not a spend lever" if lever.strip() else "an entry names no lever")
    try:
        lo = _number(lo_text) if lo_text.strip() else 0.0
        hi = _number(hi_text) if hi_text.strip() else math.inf
    except ValueError:
        raise ValueError(f"the limits of {lever} are not numbers") from None
    if math.isnan(lo) or math.isnan(hi) or math.isinf(lo):
        raise ValueError(f"the limits of {lever} must be numbers of dollars (the maximum may be blank)")
    if lo < 0 or hi < 0:
        raise ValueError(f"the limits of {lever} cannot be negative")
    if lo > hi:
        raise ValueError(f"the limits of {lever} need 0 <= minimum <= maximum")
    if lo > MAX_BUDGET:
        raise ValueError(f"the minimum of {lever}, ${_amount(lo)} a month, is above the largest budget "
                         f"(${MAX_BUDGET:,.0f})")
    return lever, (lo, hi)


def _parse_bounds(text: str) -> dict[str, tuple[float, float]]:
    """``lever:min:max~...``: the Optimise page's per-lever limits, $ per month (max blank: none).
    Minimums that add up to more than the largest budget could never be met: refused whole."""
    bounds = _entries(text, _bounds_entry)
    floor = sum(lo for lo, _ in bounds.values())
    if floor > MAX_BUDGET:
        raise ValueError(f"the minimums add up to ${floor:,.0f} a month, more than the largest budget "
                         f"(${MAX_BUDGET:,.0f})")
    return bounds


def _encode_bounds(value: dict[str, tuple[float, float]]) -> str:
    return "~".join(f"{k}:{_url_number(lo)}:{'' if math.isinf(hi) else _url_number(hi)}"
                    for k, (lo, hi) in sorted(value.items()))


def _money_text(v: float | None) -> str:
    return "the scenario's current spend" if v is None else f"${v:,.0f} a month"


OBJECTIVES = ("npv", "expected_npv", "p10_npv")
PHASES = ("whole", "first_year")
TARGET_METRICS = ("final_customers", "npv")
MAX_BUDGET = 20_000_000.0  # $ per month on the levers: ten times the largest preset, plenty for any what-if
DEFAULT_DRAWS = 2_000

SETTINGS: dict[str, Setting] = {
    # Risk page
    "draws": Setting(DEFAULT_DRAWS, _int_in(100, MAX_DRAWS_UI), str,
                     f"a whole number of Monte Carlo draws from 100 to {MAX_DRAWS_UI:,}", lambda v: f"{v:,}"),
    "seed": Setting(0, _int_in(0, 999_999), str, "a whole number from 0 to 999,999"),
    "ranges": Setting({}, _parse_ranges, _encode_ranges,
                      "entries input:low:high separated by ~, for inputs listed on the Risk page, "
                      "each within the input's allowed range", lambda v: "the evidence's ranges"),
    "tornado": Setting("npv", _choice(("npv", "roi")), str, "npv or roi"),
    # Optimise page
    "budget": Setting(None, _money_or_auto(0.0, MAX_BUDGET), lambda v: _url_number(v),
                      f"a monthly budget from $0 to ${MAX_BUDGET:,.0f}", _money_text),
    "budget_after": Setting(None, _money_or_auto(0.0, MAX_BUDGET), lambda v: _url_number(v),
                            f"a monthly budget from $0 to ${MAX_BUDGET:,.0f}", _money_text),
    "bounds": Setting({}, _parse_bounds, _encode_bounds,
                      "entries lever:minimum:maximum ($ per month, maximum may be blank) separated by ~",
                      lambda v: "no limits"),
    "phases": Setting("whole", _choice(PHASES), str, " or ".join(PHASES)),
    "objective": Setting("npv", _choice(OBJECTIVES), str, ", ".join(OBJECTIVES)),
    "levers": Setting(tuple(cx_roi.LEVERS), _lever_list, ",".join,
                      f"two or three of {', '.join(cx_roi.LEVERS)}, separated by commas",
                      lambda v: "all three levers"),
    "target_metric": Setting("final_customers", _choice(TARGET_METRICS), str, " or ".join(TARGET_METRICS)),
    "frontier": Setting(False, lambda t: _choice(("0", "1"))(t) == "1", lambda v: "1" if v else "0", "1 or 0"),
    "target": Setting(None, _money_or_auto(0.0, 1e12), lambda v: _url_number(v), "a number from 0 to 1e12",
                      lambda v: "10% above today's plan" if v is None else f"{v:,.0f}"),
}


def todays_spend() -> float:
    """What the current scenario spends on the optimised levers, $ per month (mean over the horizon)."""
    scenario = current_scenario()
    return sum(float(sum(scenario.schedule(lv)) / scenario.horizon_months) for lv in setting("levers"))


def budgets() -> tuple[float, ...]:
    """The Optimise page's monthly budget(s): one, or first year and after. Unset: today's spend."""
    first = setting("budget")
    first = todays_spend() if first is None else first
    if setting("phases") != "first_year":
        return (first,)
    after = setting("budget_after")
    return (first, first if after is None else after)


def setting(name: str) -> Any:
    """A Risk or Optimise setting's current value (see :data:`SETTINGS`)."""
    return _get(f"set:{name}", SETTINGS[name].default)


def set_setting(name: str, value: Any) -> bool:
    """Store a setting from a widget; False (and a notice) when it is not allowed."""
    spec = SETTINGS[name]
    try:
        if isinstance(value, (list, tuple)) and name == "levers":
            value = spec.parse(",".join(value))
        elif isinstance(value, dict):
            value = spec.parse(spec.encode(value))
        elif value is not None:
            value = spec.parse(spec.encode(value) if not isinstance(value, str) else value)
    except ValueError as exc:
        add_notice("warning", f"**{name}**: {exc}; allowed: {spec.allowed}. The previous value was kept.")
        return False
    _put(f"set:{name}", value)
    return True


# Work on the Optimise page that takes seconds to minutes of the server's CPU: the cautious
# objective (200 draws for every split tried), the frontier (an optimisation per budget) and the
# target search (a dozen optimisations). A link can ask for it, but only a click in the session
# starts it: a link alone never costs the server more than an ordinary page.
HEAVY = ("cautious", "frontier", "target")


def heavy_started(kind: str) -> bool:
    """Whether someone in this session clicked to start heavy work ``kind`` (see :data:`HEAVY`)."""
    return kind in _get("heavy", ())


def start_heavy(kind: str) -> None:
    """A click asked for heavy work ``kind``: from now on this session computes it when shown."""
    if kind not in HEAVY:
        raise KeyError(kind)
    _put("heavy", {*_get("heavy", ()), kind})


def reset_setting(name: str) -> None:
    """Back to the default (e.g. "use the scenario's current spend" for a budget)."""
    _put(f"set:{name}", SETTINGS[name].default)


def range_problem(name: str, low: Any, high: Any) -> str | None:
    """Why ``low``..``high`` cannot be the range of input ``name`` (None when it can)."""
    from cx_roi.uncertainty import UNCERTAIN_FIELDS

    if name not in UNCERTAIN_FIELDS:
        return f"`{_show(name)}` is not an uncertain input" if str(name).strip() else "an entry names no input"
    spec = PARAMETERS[name]
    try:
        lo, hi = _number(low), _number(high)
    except (TypeError, ValueError):
        return f"{spec.label}: low and high must be numbers"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{spec.label}: low and high must be finite numbers"
    if lo > hi:
        return f"{spec.label}: low ({lo:g}) is above high ({hi:g})"
    if lo < spec.minimum or hi > spec.maximum:
        return f"{spec.label}: {lo:g} to {hi:g} leaves the allowed {spec.describe_range()}"
    return None


def risk_ranges(scenario: Scenario) -> dict[str, Any]:
    """The ranges the Risk page runs with: the evidence's, with the user's edits.

    The likely value is always the scenario's own (set on the Explore page); a
    range that does not contain it is widened to, so the ensemble stays centred
    on the plan being judged.
    """
    from cx_roi.uncertainty import Range

    ranges = cx_roi.default_ranges(scenario)
    for name, (lo, hi) in setting("ranges").items():
        if name not in ranges:
            continue
        likely = float(getattr(scenario, name))
        lo, hi = min(lo, likely), max(hi, likely)
        ranges[name] = Range(lo, likely, hi, log=lo > 0 and hi / lo >= 10)
    return ranges


def ranges_editor_key() -> str:
    """Key of the ranges table editor; it changes after each edit so the table starts clean."""
    return f"w:ranges:{_get('ranges_round', 0)}"


def on_ranges_edit(rows: Sequence[str]) -> None:
    """Ranges-table callback: apply edited low/high values (or explain why not).

    ``rows``: the input names in the table's row order (the editor reports rows by position).
    """
    edited = (_s().get(ranges_editor_key()) or {}).get("edited_rows", {})
    current = dict(setting("ranges"))
    defaults = cx_roi.default_ranges(current_scenario())
    problems = []
    for index, change in edited.items():
        name = rows[int(index)]
        lo, hi = current.get(name, (defaults[name].low, defaults[name].high))
        lo, hi = change.get("Low", lo), change.get("High", hi)
        problem = range_problem(name, lo, hi)
        if problem:
            problems.append(problem)
            continue
        if (float(lo), float(hi)) == (defaults[name].low, defaults[name].high):
            current.pop(name, None)  # back to the evidence's range: nothing to carry in the link
        else:
            current[name] = (float(lo), float(hi))
    _put("set:ranges", current)
    if problems:
        add_notice("warning", "Some ranges were not changed:\n" + _listed(problems))
    _put("ranges_round", _get("ranges_round", 0) + 1)


def apply_split(allocation: Any) -> None:
    """Carry an optimised split into the current scenario (Optimise -> Explore).

    ``allocation``: DataFrame, index phase ("whole" or "first year"/"after"),
    columns spend fields, $ per month. A two-phase split becomes a monthly
    schedule: the first-year amount for months 1-12, the other after.
    """
    scenario = current_scenario()
    changes = {}
    for lever in allocation.columns:
        values = [round(float(v), 2) for v in allocation[lever]]
        if len(values) == 1 or len(set(values)) == 1:
            changes[lever] = values[0]
        else:
            first = min(12, scenario.horizon_months)
            changes[lever] = tuple([values[0]] * first + [values[1]] * (scenario.horizon_months - first))
    try:
        _store_scenario(scenario.replace(**changes))
    except ScenarioError as err:
        add_notice("error", "The split could not be applied:\n" + _listed([_bullet(p) for p in err.problems]))
        return
    add_notice("info", "Applied the optimised split to the current scenario: "
               + "; ".join(f"{cx_roi.LEVERS[k]} {param_value(PARAMETERS[k].fmt, v)}" for k, v in changes.items())
               + ".")


# ------------------------------------------------------------------ your data

def history_file() -> tuple[str, bytes, str | None] | None:
    """The history file in use on the Your data page: (file name, bytes, sheet or None)."""
    return _get("history")


def history_pending() -> tuple[str, bytes, list[str]] | None:
    """A workbook waiting for the user to say which sheet holds the history: (name, bytes, sheets)."""
    return _get("history_pending")


def history_upload_key() -> str:
    """Key of the history uploader. It changes after each upload, which empties the widget."""
    return _upload_key("history")


def load_history_file(filename: str, data: bytes, sheet: str | None = None) -> bool:
    """Use an uploaded history file; on any problem keep the current one and say what is wrong.

    The file is checked here, once, with :func:`cx_roi.read_history`; every
    problem it finds is listed with its row and column. A workbook with several
    sheets of data is held back until the user picks the sheet.
    """
    where = f"`{_show(filename, 80)}`" if filename else "The file"  # a code span: the name reads as written
    kept = (" The history you had loaded is still in use." if history_file() is not None else "")
    kept += " Your baseline and scenarios are unchanged."
    say = functools.partial(add_notice, topic="history_file")  # the newest upload's message replaces older ones
    if len(data) > MAX_HISTORY_BYTES:
        say("error", f"{where} was not loaded: it is {len(data) / 1e6:,.1f} MB, and a monthly history "
                     f"may be at most {MAX_HISTORY_BYTES / 1024 / 1024:.0f} MB.{kept}")
        return False
    try:
        history = cx_roi.read_history(data, filename or "history", sheet=sheet)
    except cx_roi.HistoryError as err:
        if err.sheets and sheet is None:
            _put("history_pending", (filename, data, list(err.sheets)))
            say("warning", f"{where} has several sheets with data: pick the one with the monthly "
                           f"history below.{kept}")
            return False
        lines = _listed([tables.inert(p, 300) for p in err.problems])
        say("error", f"{where} was not loaded: {len(err.problems)} "
                     f"problem{'s' if len(err.problems) != 1 else ''} to fix in the file.{kept}\n{lines}")
        return False
    except Exception:  # untrusted bytes: whatever went wrong, the user gets a sentence, not a traceback
        _log.exception("unexpected error reading an uploaded history")
        say("error", f"{where} was not loaded: it could not be read as a CSV or Excel history.{kept}")
        return False
    _put("history", (filename, bytes(data), history.sheet if sheet is not None else None))
    _put("history_pending", None)
    _put("fit_on", False)
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
        choose_history_sheet(_s().get(HISTORY_SHEET_KEY) or pending[2][0])


def use_sample_history() -> None:
    """Load the bundled synthetic sample history."""
    load_history_file("sample_history.csv", cx_roi.sample_history_file())


def clear_history() -> None:
    """Forget the loaded history (a fitted baseline already in use stays, it is its own copy)."""
    _put("history", None)
    _put("history_pending", None)
    _put("fit_on", False)


def fit_requested() -> bool:
    """Whether the user asked to fit the loaded history (the fit itself is cached by file)."""
    return bool(_get("fit_on", False)) and history_file() is not None


def request_fit() -> None:
    _put("fit_on", True)


def fitted() -> tuple[str, Scenario] | None:
    """(label, scenario) fitted to the user's history, once they chose to plan from it."""
    return _get("fitted")


def fitted_label() -> str:
    fit = fitted()
    return fit[0] if fit is not None else ""


def _clean_label(text: str) -> str:
    # The label travels in the link beside the fields, where , ~ | : separate things, and is shown
    # as Markdown and in reports: what a saved name may not hold (_SAVED_NAME) becomes a space.
    # "@" and "www." too: Markdown would link "name@host" and "www.host" by themselves; "_" and "$"
    # would start emphasis or mathematics; invisible characters (bidi overrides, zero-width spaces)
    # would disguise it.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text or "")
    text = re.sub(rf"[{_NOT_IN_NAMES}\ufffe\uffff\ud800-\udfff@_$]+|(?i:www)\.", " ", text).strip()
    return (text[:40].strip() or "history")


def fit_label(history: Any) -> str:
    """How a fit of ``history`` (a ``cx_roi.History``) is named on screen and in the link: its months,
    never the file's name, which can say more than its owner would put in a link."""
    months = f"{history.months} months"
    return f"{months} to {history.periods[-1]}" if history.dated else months


def use_fit(label: str, scenario: Scenario) -> None:
    """Plan from the fitted scenario: the baseline on every page and the Explore page's starting point.

    ``label`` names it on screen and in the link (:func:`fit_label`): the link carries the label and
    the fitted values, so the page says so before the button.

    The edits made earlier to presets are kept (switch back to a preset to see
    them); edits made to an earlier fit are dropped, because they were changes
    to other fitted values.
    """
    _put("fitted", (_clean_label(label), scenario))
    all_edits = dict(_get("edits", {}))
    all_edits.pop(FITTED, None)
    _put("edits", all_edits)
    _put("preset", FITTED)
    _put("scenario", None)
    _put("baseline", FITTED)
    add_notice("info", f"*Your data: {fitted_label()}* is now the baseline on every page and the starting "
                       "point of the Explore page. Presets are still in the picker; your changes to them are kept.")


def stop_using_fit() -> None:
    """Back to the presets: the default baseline, and the default preset where the fit was the start."""
    if baseline_name() == FITTED:
        _put("baseline", DEFAULT_BASELINE)
    if _get("preset") == FITTED:
        _put("preset", DEFAULT_PRESET)
    _put("scenario", None)
    _put("fitted", None)
    _put("compare", [t for t in _get("compare", []) if t != FITTED])


# ------------------------------------------------------------------ widgets

def _item(name: str) -> Any:
    if name.startswith("lever:"):
        return getattr(current_scenario(), name.removeprefix("lever:"))
    if name.startswith("set:"):
        return setting(name.removeprefix("set:"))
    if name.startswith("bound:"):
        _, lever, end = name.split(":")
        lo, hi = setting("bounds").get(lever, (0.0, math.inf))
        return lo if end == "min" else (None if math.isinf(hi) else hi)
    if name in ("budget", "budget_after"):
        return budgets()[0 if name == "budget" else -1]
    if name == "split_phases":
        return setting("phases") == "first_year"
    getters: dict[str, Callable[[], Any]] = {
        "preset": preset, "present": presentation, "extra": extra, "baseline": baseline_name,
        "compare": compare_selection, "bridge": bridge_choice,
    }
    return getters[name]()


def _set_item(name: str, value: Any) -> bool:
    if name.startswith("lever:"):
        return set_field(name.removeprefix("lever:"), value)
    if name.startswith("set:"):
        ok = set_setting(name.removeprefix("set:"), value)
        # Choosing the heavy work in its widget is the click that starts it.
        if ok and name == "set:frontier" and value:
            start_heavy("frontier")
        if ok and name == "set:objective" and value == "p10_npv":
            start_heavy("cautious")
        return ok
    if name in ("budget", "budget_after"):
        return set_setting(name, float(value))
    if name == "split_phases":
        return set_setting("phases", "first_year" if value else "whole")
    if name.startswith("bound:"):
        _, lever, end = name.split(":")
        bounds = dict(setting("bounds"))
        lo, hi = bounds.get(lever, (0.0, math.inf))
        if end == "min":
            lo = float(value or 0.0)
        else:
            hi = math.inf if value is None else float(value)
        if lo > hi:
            add_notice("warning", f"**{cx_roi.LEVERS[lever]}**: the minimum (${lo:,.0f}) cannot be above the "
                       f"maximum (${hi:,.0f}); the previous limits were kept.")
            return False
        if (lo, hi) == (0.0, math.inf):
            bounds.pop(lever, None)
        else:
            bounds[lever] = (lo, hi)
        return set_setting("bounds", bounds)
    if name == "preset":
        set_preset(value)
    elif name == "present":
        _put("present", bool(value))
    elif name == "extra":
        _put("extra", float(value))
    elif name == "baseline":
        _put("baseline", value)
    elif name == "compare":
        _put("compare", list(value))
    elif name == "bridge":
        _put("bridge", value)
    else:
        raise KeyError(name)
    return True


def widget(name: str) -> str:
    """The key of the widget showing state item ``name``, seeded with the item's value.

    Call it as the widget's ``key`` right where the widget is drawn, with
    ``on_change=state.on_change, args=(name,)``. Items: ``preset``, ``present``,
    ``extra``, ``baseline``, ``compare``, ``bridge`` and ``lever:<field>``.
    """
    key = f"w:{name}"
    # Always seed, even when the key already holds the same value: the same item
    # can have a widget on two pages (the baseline), and a widget drawn with other
    # arguments is a new widget that would otherwise start from its own default.
    _s()[key] = _item(name)
    return key


def on_change(name: str) -> None:
    """Widget callback: store the widget's new value; put the old one back if it is refused."""
    key = f"w:{name}"
    if not _set_item(name, _s()[key]):
        _s()[key] = _item(name)


def _upload_key(kind: str) -> str:
    return f"w:{kind}:{_get(f'{kind}_round', 0)}"


def _take_upload(kind: str, load: Callable[[str, bytes], bool]) -> None:
    """Hand the file in uploader ``kind`` to ``load``, then start a new uploader.

    The new key empties the widget, so the same file, fixed, can be dropped again.
    """
    uploaded = _s().get(_upload_key(kind))
    if uploaded is None:
        return
    load(getattr(uploaded, "name", ""), uploaded.getvalue())
    _put(f"{kind}_round", _get(f"{kind}_round", 0) + 1)


def upload_key() -> str:
    """Key of the scenario uploader. It changes after each upload, which empties the widget."""
    return _upload_key("upload")


def on_upload() -> None:
    """Uploader callback: load the file into the current scenario (or explain why not)."""
    _take_upload("upload", load_scenario_file)


def on_save() -> None:
    """Save-form callback: save under the typed name."""
    if save_current(_s().get(SAVE_NAME_KEY, "")):
        _s()[SAVE_NAME_KEY] = ""  # saved: the box is ready for the next name


# ------------------------------------------------------------------ URL

def _url_number(v: float | int) -> str:
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _url_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return ",".join(_url_number(x) for x in v)
    return _url_number(v)


def _apply_fields(scenario: Scenario, texts: Mapping[str, str],
                  bad: list[str], consequence: Callable[[str, Scenario], str]) -> Scenario:
    """``scenario`` with the fields of ``texts`` (field -> link text) applied.

    All together when they fit together: a link written from a valid scenario may
    hold pairs that are only valid jointly (a small market with few customers; a
    floor raised above the old ceiling with the ceiling), which one at a time would
    refuse. Otherwise as many as fit, whatever their order, and each one left out is
    named in ``bad`` with ``consequence(field, scenario)``.
    """
    values: dict[str, Any] = {}
    for field, text in texts.items():
        try:
            values[field] = cx_roi.parse_value(field, text)
        except ScenarioError as err:
            bad.append(_problem_text(field, err, consequence(field, scenario), raw_text=text))
    try:
        return scenario.replace(**values) if values else scenario
    except ScenarioError:
        pass
    pending, errors = dict(values), {}
    while pending:
        errors, before = {}, len(pending)
        for field, value in list(pending.items()):
            try:
                scenario = scenario.replace(**{field: value})
                del pending[field]
            except ScenarioError as err:
                errors[field] = err
        if len(pending) == before:  # a pass that applied nothing: the rest do not fit
            break
    for field, err in errors.items():
        bad.append(_problem_text(field, err, consequence(field, scenario), raw_text=texts[field]))
    return scenario


def _decode_entry(entry: str, consequence: str, bad: list[str]) -> Scenario:
    """A scenario from its link form ``name~field:value~...`` (see :func:`_encode_saved`).

    Fields that cannot be used keep their defaults and are named in ``bad``.
    """
    texts = {}
    for part in entry.split("~")[1:]:
        if not part.strip():
            continue  # "a~~b": an empty part holds nothing to apply
        field, _, text = part.partition(":")
        texts[field] = text
    return _apply_fields(Scenario(), texts, bad, lambda field, s: consequence)


def _encode_saved(name: str, scenario: Scenario) -> str:
    changes = scenario.changed_fields(Scenario())
    return "~".join([name, *(f"{k}:{_url_value(v)}" for k, v in changes.items())])


def url_params() -> dict[str, str | list[str]]:
    """What the URL should hold for the current state (defaults left out)."""
    params: dict[str, str | list[str]] = {}
    if preset() != DEFAULT_PRESET:
        params["preset"] = preset()
    current_edits = edits()
    for name in PARAMETERS:  # parameter order, so equal states give equal URLs
        if name in current_edits:
            params[name] = _url_value(current_edits[name])
    if presentation():
        params["present"] = "1"
    if extra() != DEFAULT_EXTRA:
        params["extra"] = _url_number(extra())
    if baseline_name() != default_baseline():
        params["baseline"] = baseline_name()
    selection = compare_selection()
    if tuple(selection) != DEFAULT_COMPARE:
        params["compare"] = ",".join(selection)
    pick = _get("bridge")
    if pick in selection and pick != selection[0]:
        params["bridge"] = pick
    saved = saved_scenarios()
    if saved:
        params["saved"] = [_encode_saved(n, s) for n, s in saved.items()]
    fit = fitted()
    if fit is not None:
        params["fitted"] = _encode_saved(*fit)
    for name, spec in SETTINGS.items():
        value = setting(name)
        if value != spec.default:
            params[name] = spec.encode(value)
    return params


def sync_url() -> None:
    """Write the current state into the address bar (only when it changed)."""
    wanted = url_params()
    qp = st.query_params
    # Every value of every key: a key the link gave twice is written back once.
    have = {k: qp.get_all(k) for k in qp}
    if have != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        qp.from_dict(wanted)
    _remember_address(wanted)


_MAX_ADDRESSES = 1_000  # per session; an address is a few hundred bytes


def _address_key(params: Mapping[str, Any]) -> tuple:
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    return page, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def _remember_address(params: Mapping[str, Any]) -> None:
    """Note an address this session showed, so Back can tell it from one Streamlit only passed through."""
    seen = _get("addresses")
    if seen is None:
        seen = {}
        _put("addresses", seen)
    seen[_address_key(params)] = None
    if len(seen) > _MAX_ADDRESSES:
        del seen[next(iter(seen))]  # the oldest


def init() -> None:
    """Set up the session's state; on its first run, read the URL.

    Safe to call on every run: the URL is read once per session, because later
    runs write it from the state rather than the other way round. The exception
    is the browser's Back and Forward buttons: every change writes a new address,
    so going Back reopens the view that address holds, as the link would.
    """
    _ensure_defaults()
    if _get("ready"):
        ctx = get_script_run_ctx()
        if ctx is not None and getattr(ctx, "is_history_navigation", False):
            _follow_history()
        return
    _put("ready", True)
    qp = st.query_params
    raw = {k: qp[k] for k in qp}
    saved_raw = qp.get_all("saved")
    _remember_address({k: (saved_raw if k == "saved" else v) for k, v in raw.items()})
    _read_url(raw, saved_raw, _repeated(qp))


def _follow_history() -> None:
    """Back or Forward: the view becomes what the address now shows.

    Only for an address this session showed. Moving to another page first shows
    the page's bare address and then the view's, so history holds a bare address
    in between that never showed this view; Back over it keeps the view (and the
    address is written over with it).
    """
    qp = st.query_params
    raw = {k: qp[k] for k in qp}
    saved_raw = qp.get_all("saved")
    params = {k: (saved_raw if k == "saved" else v) for k, v in raw.items()}
    if params == url_params() or _address_key(params) not in (_get("addresses") or {}):
        return
    _store().update(_view_defaults())  # then the address says what differs from them
    _read_url(raw, saved_raw)


def _repeated(qp) -> dict[str, int]:
    """Keys a link gives more than once (only ``saved`` may repeat), and how often."""
    return {k: len(qp.get_all(k)) for k in qp if k != "saved" and len(qp.get_all(k)) > 1}


def _read_url(raw: dict[str, str], saved_raw: Sequence[str], repeated: Mapping[str, int] | None = None) -> None:
    bad: list[str] = [f"`{_show(k)}` is in the link {n} times; the last one (`{_show(raw[k])}`) was used."
                      for k, n in (repeated or {}).items()]

    # Saved scenarios first: the baseline and the Compare selection may name them.
    saved: dict[str, Scenario] = {}
    for entry in list(saved_raw)[:MAX_SAVED]:
        sname = entry.split("~")[0].strip()
        problem = _saved_name_problem(sname) or ("listed twice" if sname in saved else None)
        if problem:
            bad.append(f"`saved={_show(entry)}`: the name {problem}; this saved scenario was skipped.")
            continue
        saved[sname] = _decode_entry(entry, f"saved scenario *{tables.inert(sname)}* keeps the default", bad)
    if len(saved_raw) > MAX_SAVED:
        bad.append(f"`saved`: {len(saved_raw)} saved scenarios in the link; only the first {MAX_SAVED} "
                   "were kept.")
    _put("saved", saved)
    # The fitted scenario travels whole (the history it came from does not: it is the user's data).
    if "fitted" in raw:
        if not any(e.strip() for e in raw["fitted"].split("~")[1:]):
            # A fit is its fitted values; without any it would be the default company under another name.
            bad.append(f"`fitted={_show(raw['fitted'])}`: carries no fitted values (a fitted baseline travels as "
                       "label~field:value~...); it was left out.")
        else:
            label = _clean_label(raw["fitted"].split("~")[0])
            _put("fitted", (label, _decode_entry(raw["fitted"], "the fitted baseline keeps the default", bad)))

    name = raw.get("preset", DEFAULT_PRESET)
    if name not in start_options():
        bad.append(f"`preset={_show(name)}`: not a preset; allowed: {', '.join(start_options())}. "
                   f"Opened *{cx_roi.preset_info(DEFAULT_PRESET).title}* instead.")
        name = DEFAULT_PRESET
    _put("preset", name)
    scenario = _start(name)

    fields: dict[str, str] = {}
    for key, text in raw.items():
        if key in _PAGE_KEYS or key in SETTINGS:
            continue
        if key not in PARAMETERS:
            try:
                cx_roi.parse_value(key, text)  # raises with a did-you-mean hint
            except ScenarioError as err:
                bad.append(f"`{_show(key)}`: {tables.inert(_strip_name(err.problems[0], key), 300)} "
                           "The value was ignored.")
            continue
        fields[key] = text
    scenario = _apply_fields(scenario, fields, bad,
                             lambda key, s: f"the preset's value {_fmt(key, getattr(s, key))} was kept")
    _store_scenario(scenario)

    if "present" in raw:
        flag = raw["present"].strip().lower()
        if flag in ("1", "true", "yes", "on"):
            _put("present", True)
        elif flag not in ("0", "false", "no", "off", ""):
            bad.append(f"`present={_show(raw['present'])}`: expected 1 or 0 (presentation mode on or off); "
                       "opened with the controls shown.")

    if "extra" in raw:
        lo, hi, _ = EXTRA_RANGE
        try:
            amount = _number(raw["extra"])
            if not lo <= amount <= hi:
                raise ValueError
            _put("extra", amount)
        except ValueError:
            bad.append(f"`extra={_show(raw['extra'])}`: the next-dollar amount must be a number from "
                       f"{lo:,.0f} to {hi:,.0f} ($ per month); {DEFAULT_EXTRA:,.0f} was used.")

    if "baseline" in raw:
        if raw["baseline"] in baseline_options():
            _put("baseline", raw["baseline"])
        else:
            bad.append(f"`baseline={_show(raw['baseline'])}`: not a preset or saved scenario; allowed: "
                       f"{', '.join(baseline_options())}. Compared with "
                       f"*{start_title(default_baseline())}* instead.")

    if "compare" in raw:
        tokens = [t.strip() for t in raw["compare"].split(",") if t.strip()]
        unknown = [t for t in tokens if t not in compare_options()]
        if unknown:
            bad.append(f"`compare`: {', '.join(f'`{_show(t)}`' for t in unknown)} "
                       f"{'is' if len(unknown) == 1 else 'are'} not a preset, a saved scenario or "
                       f"`{CURRENT}`; left out of the comparison.")
        kept = [t for t in tokens if t in compare_options()]
        if len(kept) > MAX_COMPARED:
            bad.append(f"`compare`: at most {MAX_COMPARED} scenarios besides the baseline; "
                       f"kept the first {MAX_COMPARED}.")
        _put("compare", kept[:MAX_COMPARED])

    if "bridge" in raw:
        if raw["bridge"] in compare_selection():
            _put("bridge", raw["bridge"])
        else:
            bad.append(f"`bridge={_show(raw['bridge'])}`: not one of the compared scenarios; "
                       "showing the first one's bridge.")

    for key, spec in SETTINGS.items():
        if key not in raw:
            continue
        try:
            _put(f"set:{key}", spec.parse(raw[key]))
        except _Partly as exc:
            _put(f"set:{key}", exc.value)
            bad.append(f"`{key}={_show(raw[key])}`: {exc}. Allowed: {spec.allowed}. "
                       "Those entries were left out; the others were applied.")
        except ValueError as exc:
            bad.append(f"`{key}={_show(raw[key])}`: {exc}. Allowed: {spec.allowed}. "
                       f"The default ({spec.describe(spec.default)}) was used.")

    if bad:
        head = ("This link had values the dashboard cannot use. Each one below was replaced by its "
                "default; everything else in the link was applied.")
        add_notice("warning", head + "\n" + _listed(bad))


# ------------------------------------------------------------------ messages

def _show(text: str, limit: int = 40) -> str:
    """A URL value quoted for a notice: shortened, markdown and control characters neutralised."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    if len(text) > limit:
        text = text[:limit] + "..."
    return text.replace("`", "'")


def _fmt(name: str, value: Any) -> str:
    return param_value(PARAMETERS[name].fmt, value)


def _strip_name(problem: str, name: str) -> str:
    prefix = f"{name}: "
    text = problem[len(prefix):] if problem.startswith(prefix) else problem
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _bullet(problem: str) -> str:
    """One ScenarioError line with the field's label in front, for people. The rest quotes the
    file (its values, its unknown names), so it is shown as written, not as Markdown."""
    name, sep, rest = problem.partition(": ")
    if sep and name in PARAMETERS:
        return f"**{PARAMETERS[name].label}** (`{name}`): {tables.inert(rest, 300)}"
    return tables.inert(problem, 300)


def _problem_text(name: str, err: ScenarioError, consequence: str, raw_text: str | None = None) -> str:
    spec = PARAMETERS.get(name)
    label = f"**{spec.label}** " if spec is not None else ""
    shown = f"`{name}={_show(raw_text)}`" if raw_text is not None else f"`{name}`"
    # The package's words quote the value as given ("got '...'"): shown as written, and cut.
    problems = "; ".join(tables.inert(_strip_name(p, name).rstrip("."), 200) for p in err.problems)
    # Most package messages already state the allowed range; add it only when missing.
    allowed = (f" Allowed: {spec.describe_range()}."
               if spec is not None and spec.describe_range() not in problems else "")
    return f"{label}({shown}): {problems}.{allowed} So {consequence}."


def _saved_name_problem(name: str) -> str | None:
    if not name:
        return "is empty; type a name"
    if (not _SAVED_NAME.match(name) or cx_roi.comparison.name_problem(name)
            or any(unicodedata.category(ch)[0] == "C" for ch in name)):  # control, format (bidi, zero-width)...
        return f"must be {SAVED_NAME_RULE}"
    if name in cx_roi.PRESETS or name in (CURRENT, FITTED):
        return f"{name!r} is taken by a preset; choose another"
    return None

