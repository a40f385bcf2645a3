"""The view: the session's canonical items that the URL mirrors, and how they read on screen.

The preset (or the user's fitted data) the scenario starts from and the edits made to
each start (so switching presets in a workshop loses nothing the room set), the
baseline, presentation mode, the next-dollar amount, the Compare page's selection and
the scenarios saved under a name. Every item lives in ``ui.store``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import cx_roi
from cx_roi import Scenario, ScenarioError
from cx_roi.presets import default_baseline as _preset_baseline

from . import store, tables
from .fields import CURRENT, FITTED, clean_label, saved_name_problem
from .notices import add_notice, notices, problem_text, show

__all__ = [
    "preset", "start_options", "start", "start_title", "start_description", "edits", "current_scenario",
    "store_scenario", "set_field", "set_preset", "reset_to_preset", "scenario_json", "presentation", "extra",
    "saved_scenarios", "save_current", "delete_saved", "baseline_options", "default_baseline", "baseline_name",
    "baseline", "compare_options", "compare_selection", "bridge_choice", "compared", "scenario_for", "labeller",
    "current_title", "explore_subtitle", "label_for", "fitted", "fitted_label", "fit_label", "use_fit",
    "stop_using_fit", "around_answer", "swap_odds_job", "mark_page_run", "take_page_run", "DEFAULT_PRESET",
    "DEFAULT_BASELINE", "DEFAULT_EXTRA", "EXTRA_RANGE", "DEFAULT_COMPARE", "MAX_COMPARED", "MAX_SAVED", "CURRENT",
    "FITTED",
]

DEFAULT_PRESET = "status-quo"
DEFAULT_BASELINE = None  # the start's own default (:func:`default_baseline`), until one is chosen
DEFAULT_EXTRA = 50_000.0
EXTRA_RANGE = (5_000.0, 500_000.0, 5_000.0)  # min, max, step of the next-dollar amount, $ per month
DEFAULT_COMPARE: tuple[str, ...] = ("service-boost", "ad-boost")
MAX_COMPARED = 3  # besides the baseline: two to four scenarios in all
MAX_SAVED = 12  # every saved scenario travels in the URL; this keeps links short enough to paste


# ------------------------------------------------------------------ the scenario

def preset() -> str:
    """Where the current scenario starts from: a preset's name, or :data:`FITTED` (the user's data)."""
    name = store.get("preset", DEFAULT_PRESET)
    return name if name in start_options() else DEFAULT_PRESET


def start_options() -> list[str]:
    """What the current scenario can start from: every preset, then the fitted scenario once there is one."""
    return [*cx_roi.presets(), *([FITTED] if fitted() is not None else [])]


def start(name: str) -> Scenario:
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
    return dict(store.get("edits", {}).get(preset(), {}))


def current_scenario() -> Scenario:
    """The scenario on screen: the preset with the user's edits."""
    cached = store.get("scenario")
    if cached is None:
        cached = start(preset()).replace(**edits())
        store.put("scenario", cached)
    return cached


def store_scenario(scenario: Scenario) -> None:
    """Make ``scenario`` the current one: kept as the current start's edits."""
    all_edits = dict(store.get("edits", {}))
    all_edits[preset()] = scenario.changed_fields(start(preset()))
    store.update({"edits": all_edits, "scenario": scenario})


def take_scenario(scenario: Scenario) -> str:
    """Make ``scenario`` (from a file or the team library) the current one, attached to the preset it
    differs least from, so a scenario saved from a preset's view comes back as that preset with its
    edits. Returns that preset."""
    best = min(start_options(), key=lambda p: (len(scenario.changed_fields(start(p))), p != preset()))
    store.put("preset", best)
    store_scenario(scenario)
    return best


def set_field(name: str, value: Any) -> bool:
    """Change one field of the current scenario; False (and a notice) if it is not allowed."""
    try:
        scenario = current_scenario().replace(**{name: value})
    except ScenarioError as err:
        add_notice("warning", problem_text(name, err, "the change was not applied"))
        return False
    store_scenario(scenario)
    return True


def set_preset(name: str) -> None:
    """Switch preset (or to :data:`FITTED`); the edits made earlier to it in this session come back."""
    if name not in start_options():
        add_notice("warning", f"Unknown preset `{show(name)}`; allowed: {', '.join(start_options())}.")
        return
    store.update({"preset": name, "scenario": None})


def reset_to_preset() -> None:
    """Drop the edits of the current preset."""
    all_edits = dict(store.get("edits", {}))
    all_edits.pop(preset(), None)
    store.update({"edits": all_edits, "scenario": None})


def scenario_json() -> str:
    """The current scenario in the package's JSON schema (for the download button)."""
    return current_scenario().to_json()


# ------------------------------------------------------------------ page state

def presentation() -> bool:
    """Presentation mode: controls hidden, KPIs and charts enlarged."""
    return bool(store.get("present", False))


def extra() -> float:
    """The next-dollar amount, $ per month."""
    return float(store.get("extra", DEFAULT_EXTRA))


def around_answer() -> tuple:
    """What Explore draws around its answer from the state: edit count, notices, presentation mode.

    A spend move reruns only the answer (a fragment); when one of these changed as
    well, the page reruns whole, so the title, the reset button and the messages
    never lag behind the numbers.
    """
    return len(edits()), tuple(notices()), presentation()


def swap_odds_job(job: Any) -> Any:
    """Keep ``job`` as this session's margin odds job; return the one it replaces (or None)."""
    earlier = store.get("odds_job")
    store.put("odds_job", job)
    return earlier


def mark_page_run() -> None:
    """Note that the whole page is running (not only one of its fragments): see :func:`take_page_run`."""
    store.put("page_run", True)


def take_page_run() -> bool:
    """Whether this is the first look, in this run, at a page run marked by :func:`mark_page_run`:
    True once per whole-page run, False in a fragment's own reruns."""
    marked = bool(store.get("page_run", False))
    store.put("page_run", False)
    return marked


# ------------------------------------------------------------------ saved scenarios

def saved_scenarios() -> dict[str, Scenario]:
    """Scenarios the user saved under a name in this session (or that came with the link)."""
    return dict(store.get("saved", {}))


def save_current(name: str) -> bool:
    """Save the current scenario as ``name``; False (and a notice) when the name cannot be used."""
    name = (name or "").strip()
    problem = saved_name_problem(name)
    saved = saved_scenarios()
    if problem is None and name not in saved and len(saved) >= MAX_SAVED:
        problem = f"at most {MAX_SAVED} scenarios can be saved; delete one first"
    if problem:
        add_notice("warning", f"Not saved: {problem}.", topic="save")
        return False
    replaced = name in saved and saved[name] != current_scenario()
    saved[name] = current_scenario()
    store.put("saved", saved)
    shown = tables.inert(name)
    add_notice("info", (f"Replaced the saved scenario *{shown}* with the current one" if replaced
                        else f"Saved the current scenario as *{shown}*") + "; pick it on the Compare page.",
               topic="save")
    return True


def delete_saved(name: str) -> None:
    """Forget the saved scenario ``name`` (and stop comparing with it, or against it)."""
    saved = saved_scenarios()
    if saved.pop(name, None) is None:
        return
    # The stored choice as it is (not as Compare shows it under this baseline), less the name.
    store.update({"saved": saved, "compare": [t for t in store.get("compare", list(DEFAULT_COMPARE)) if t != name]})
    if baseline_name() == name:
        store.put("baseline", DEFAULT_BASELINE)
    add_notice("info", f"Deleted the saved scenario *{tables.inert(name)}*.", topic="save")


# ------------------------------------------------------------------ baseline and Compare

def baseline_options() -> list[str]:
    """What a baseline can be: any preset, the fitted scenario (once there is one), or a saved scenario."""
    return [*start_options(), *saved_scenarios()]


def default_baseline() -> str:
    """The baseline the current start is measured against until the user chooses one: a preset's
    own unedited self (the spend presets: the status quo, see ``cx_roi.presets.default_baseline``),
    and the fitted scenario itself."""
    begin = preset()
    return begin if begin == FITTED else _preset_baseline(begin)


def baseline_name() -> str:
    """The baseline's name (a preset, the fitted scenario or a saved scenario): the one the user
    chose, else the start's own default (:func:`default_baseline`)."""
    name = store.get("baseline", DEFAULT_BASELINE)
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
    chosen = [t for t in store.get("compare", list(DEFAULT_COMPARE)) if t in options and t != baseline_name()]
    return list(dict.fromkeys(chosen))[:MAX_COMPARED]


def bridge_choice() -> str | None:
    """The compared scenario whose NPV bridge against the baseline is shown."""
    chosen = compare_selection()
    pick = store.get("bridge")
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
    return start(token)


# ------------------------------------------------------------------ words

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
        # Changes the baseline shares (the horizon) leave the two the same: not "+ 1 change · the baseline".
        return f"{current_title()} · {'the same as its baseline' if edits() else 'the baseline itself'}"
    return f"{current_title()} · compared with {label_for(baseline_name())}"


def label_for(token: str) -> str:
    """How a choice reads on screen."""
    if token == CURRENT:
        return f"Current: {current_title()}"
    if token in start_options():
        return start_title(token)
    return f"Saved: {token}"


# ------------------------------------------------------------------ the fitted scenario

def fitted() -> tuple[str, Scenario] | None:
    """(label, scenario) fitted to the user's history, once they chose to plan from it."""
    return store.get("fitted")


def fitted_label() -> str:
    """The fitted scenario's label ("" without one)."""
    fit = fitted()
    return fit[0] if fit is not None else ""


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
    store.put("fitted", (clean_label(label), scenario))
    all_edits = dict(store.get("edits", {}))
    all_edits.pop(FITTED, None)
    store.update({"edits": all_edits, "preset": FITTED, "scenario": None, "baseline": FITTED})
    add_notice("info", f"*Your data: {fitted_label()}* is now the baseline on every page and the starting "
                       "point of the Explore page. Presets are still in the picker; your changes to them are kept.")


def stop_using_fit() -> None:
    """Back to the presets: the default baseline, and the default preset where the fit was the start."""
    if baseline_name() == FITTED:
        store.put("baseline", DEFAULT_BASELINE)
    if store.get("preset") == FITTED:
        store.put("preset", DEFAULT_PRESET)
    store.update({"scenario": None, "fitted": None,
                  "compare": [t for t in store.get("compare", []) if t != FITTED]})
