"""The team scenario library on the dashboard (:mod:`cx_roi.library`): save the scenario on
screen under a name with a note, then open, compare, rename or delete what the team saved.

Every action is a widget callback that reports its outcome as a notice; a database that cannot
be reached or a name that is taken is a sentence, and the scenario on screen is never touched
by a failed action. Names follow the dashboard's rule for saved scenarios
(:func:`ui.fields.saved_name_problem`), so anything saved here can also travel in a link and be
compared. Names and notes from the library are shown as written (``tables.inert``).
"""

from __future__ import annotations

from cx_roi.library import Entry, Library, LibraryError, default_url

from . import cached, store, tables
from .fields import saved_name_problem
from .notices import add_notice, drop_notices
from .view import (DEFAULT_COMPARE, MAX_COMPARED, MAX_SAVED, baseline_name, compare_selection, current_scenario,
                   edits, saved_scenarios, start_title, take_scenario)

__all__ = ["library", "entries", "save", "open_entry", "compare_entry", "rename", "delete", "NAME_KEY",
           "NOTE_KEY", "RENAME_KEY", "PICK_KEY", "keep_pick", "picked"]

NAME_KEY, NOTE_KEY, RENAME_KEY, PICK_KEY = "library:name", "library:note", "library:rename", "library:pick"
_TOPIC = "library"


def library() -> Library:
    """The library at :func:`cx_roi.library.default_url` (``CX_ROI_DATABASE_URL``, or a local file)."""
    return cached.team_library(default_url())


def entries() -> tuple[list[Entry], str | None]:
    """Every saved scenario, newest first, and the reason when the library cannot be read (then a
    failed change's notice, which would say the same, is taken down: the page says it once)."""
    try:
        return library().entries(), None
    except LibraryError as err:
        drop_notices(_TOPIC)
        return [], str(err)


def _say(kind: str, text: str) -> None:
    add_notice(kind, text, topic=_TOPIC)


def _failed(err: LibraryError) -> bool:
    # Said even when the library cannot be used at all: one that can still be read (a file or an
    # account that may only read) lists its entries as if the change had been made.
    _say("error", tables.inert(str(err), 400))
    return False


def save(by: str | None) -> bool:
    """Save-form callback: the scenario on screen under the typed name and note, by ``by``."""
    name = str(store.widget_value(NAME_KEY, "") or "").strip()
    note = str(store.widget_value(NOTE_KEY, "") or "")
    problem = saved_name_problem(name)
    if problem:
        _say("warning", f"Not saved in the team library: the name {problem}.")
        return False
    try:
        library().save(name, current_scenario(), note=note, by=by)
    except LibraryError as err:
        return _failed(err)
    store.set_widget_value(NAME_KEY, "")
    store.set_widget_value(NOTE_KEY, "")
    _say("info", f"Saved the current scenario in the team library as *{tables.inert(name)}*.")
    return True


def keep_pick(names: list[str]) -> None:
    """Pick the newest saved scenario when nothing, or one no longer saved, is picked."""
    if store.widget_value(PICK_KEY) not in names:
        store.set_widget_value(PICK_KEY, names[0])


def picked() -> str | None:
    """The name of the saved scenario picked in the list."""
    return store.widget_value(PICK_KEY)


def _picked_entry(name: str | None = None) -> Entry | None:
    """The saved scenario ``name`` (default: the picked one) as the library holds it now (None, with a
    notice, when it is gone or cannot be read)."""
    try:
        return library().get(picked() if name is None else name)
    except LibraryError as err:
        _failed(err)
        return None


def open_entry(name: str | None = None) -> bool:
    """Make the saved scenario ``name`` (default: the picked one) the one on screen (Explore shows it)."""
    entry = _picked_entry(name)
    if entry is None:
        return False
    best = take_scenario(entry.scenario)
    n = len(edits())
    _say("info", f"Opened *{tables.inert(entry.name)}* from the team library: *{start_title(best)}* with {n} "
                 f"value{'s' if n != 1 else ''} changed.")
    return True


def compare_entry() -> bool:
    """Add the picked saved scenario to this session's saved scenarios, to pick on Compare."""
    entry = _picked_entry()
    if entry is None:
        return False
    name = entry.name
    saved = saved_scenarios()
    problem = saved_name_problem(name)
    problem = f"the name {problem}" if problem else None
    if problem is None and name not in saved and len(saved) >= MAX_SAVED:
        problem = f"a session holds at most {MAX_SAVED} saved scenarios; delete one on Compare first"
    if problem is None and name in saved and saved[name] != entry.scenario:
        # Never replace what the user saved in this session under the same name.
        problem = "one of your saved scenarios has that name, with other values; rename one of the two first"
    if problem:
        _say("warning", f"*{tables.inert(name)}* was not added to Compare: {problem}.")
        return False
    saved[name] = entry.scenario
    store.put("saved", saved)
    chosen = compare_selection()
    if name == baseline_name():
        _say("info", f"*{tables.inert(name)}* is the Compare page's baseline, which the others there are "
                     "compared with.")
    elif name in chosen:
        _say("info", f"*{tables.inert(name)}* is already on the Compare page.")
    elif len(chosen) >= MAX_COMPARED:
        _say("info", f"*{tables.inert(name)}* is in the Compare page's picker. The page already compares the "
                     f"most it can beside the baseline ({MAX_COMPARED}): pick it there in place of another.")
    else:
        # The stored list, not only what shows: a choice hidden while it is the baseline comes back after.
        store.put("compare", [*[t for t in store.get("compare", list(DEFAULT_COMPARE)) if t != name], name])
        _say("info", f"*{tables.inert(name)}* is on the Compare page, beside the others picked there.")
    return True


def rename() -> bool:
    """Give the picked saved scenario the typed new name."""
    name, new = picked(), str(store.widget_value(RENAME_KEY, "") or "").strip()
    problem = saved_name_problem(new)
    if problem:
        _say("warning", f"Not renamed: the new name {problem}.")
        return False
    try:
        library().rename(name, new)
    except LibraryError as err:
        return _failed(err)
    store.set_widget_value(PICK_KEY, new)
    store.set_widget_value(RENAME_KEY, "")
    _say("info", f"Renamed *{tables.inert(name)}* to *{tables.inert(new)}* in the team library.")
    return True


def delete() -> bool:
    """Remove the picked saved scenario from the team library."""
    name = picked()
    try:
        library().delete(name)
    except LibraryError as err:
        return _failed(err)
    store.set_widget_value(PICK_KEY, None)
    _say("info", f"Deleted *{tables.inert(name)}* from the team library.")
    return True
