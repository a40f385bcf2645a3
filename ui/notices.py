"""Notices (messages the user sees until dismissed) and the wording of problems in them.

Text that came from a link, a file or a name is quoted as written (:func:`show`,
``tables.inert``), never as live Markdown.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cx_roi import PARAMETERS, ScenarioError

from . import store, tables

__all__ = ["Notice", "notices", "add_notice", "dismiss_notices", "drop_notices", "arrive", "mark_seen", "show",
           "bullet", "problem_text", "strip_name", "listed", "MAX_LISTED"]

MAX_LISTED = tables.MAX_LISTED
listed = tables.listed


class Notice(NamedTuple):
    """A message the user should see until they dismiss it. ``kind``: warning, error or info.

    ``topic``: what the message is about (an uploaded scenario file, say); a newer
    message on the same topic replaces it, so a failed upload's error does not stay
    beside the success of the corrected file. ``seen_on``: the page it was first shown on.
    """

    kind: str
    text: str
    topic: str | None = None
    seen_on: str | None = None


def notices() -> list[Notice]:
    """Messages waiting for the user (bad URL values, rejected uploads, saves)."""
    return list(store.get("notices", []))


def add_notice(kind: str, text: str, topic: str | None = None) -> None:
    """Show ``text`` until dismissed; it replaces any earlier notice on the same ``topic``."""
    current = [n for n in store.get("notices", []) if topic is None or n.topic != topic]
    if all((n.kind, n.text, n.topic) != (kind, text, topic) for n in current):
        store.put("notices", [*current, Notice(kind, text, topic)])


def arrive(page: str) -> None:
    """The session is on ``page`` now. A confirmation (an info notice) already shown on another page
    has been read there: it does not follow the user around. Warnings and errors stay until dismissed."""
    store.put("notices", [n for n in store.get("notices", [])
                          if n.kind != "info" or n.seen_on in (None, page)])
    store.put("page", page)


def mark_seen() -> None:
    """The pending notices are on screen now, on the page :func:`arrive` recorded."""
    page = store.get("page")
    store.put("notices", [n if n.seen_on is not None else n._replace(seen_on=page)
                          for n in store.get("notices", [])])


def dismiss_notices() -> None:
    """Take down every notice."""
    store.put("notices", [])


def drop_notices(topic: str) -> None:
    """Take down the notices on ``topic`` (an upload that worked retires the last one's complaint)."""
    store.put("notices", [n for n in store.get("notices", []) if n.topic != topic])


# ------------------------------------------------------------------ wording

def show(text: Any, limit: int = 40) -> str:
    """A value from a link or a file, quoted for a code span in a notice: shortened, with control
    characters, backticks and Streamlit's colour, emoji and icon codes neutralised."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    if len(text) > limit:
        text = text[:limit] + "..."
    return tables.break_codes(text.replace("`", "'"))


def strip_name(problem: str, name: str) -> str:
    """A package problem ("name: got ...") without the name, as a sentence."""
    prefix = f"{name}: "
    text = problem[len(prefix):] if problem.startswith(prefix) else problem
    first = text.split(" ", 1)[0]
    if first not in PARAMETERS:  # a field's name keeps its spelling ("fcr_floor (0.9) must not exceed ...")
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith(".") else ".")


def bullet(problem: str) -> str:
    """One ScenarioError line with the field's label in front, for people. The rest quotes the
    file (its values, its unknown names), so it is shown as written, not as Markdown."""
    name, sep, rest = problem.partition(": ")
    if sep and name in PARAMETERS:
        return f"**{PARAMETERS[name].label}** (`{name}`): {tables.inert(rest, 300)}"
    return tables.inert(problem, 300)


def problem_text(name: str, err: ScenarioError, consequence: str, raw_text: str | None = None) -> str:
    """Why field ``name`` (given as ``raw_text``, if from a link) was refused, what is allowed, and
    ``consequence`` (what happened instead, as Markdown: a value in it is escaped by the caller)."""
    spec = PARAMETERS.get(name)
    label = f"**{spec.label}** " if spec is not None else ""
    shown = f"`{name}={show(raw_text)}`" if raw_text is not None else f"`{name}`"
    # The package's words quote the value as given ("got '...'"): shown as written, and cut.
    said = [strip_name(p, name).rstrip(".") for p in err.problems]
    problems = "; ".join(tables.inert(p, 200) for p in said)
    # Most package messages already state the allowed range; add it only when missing.
    allowed = (f" Allowed: {tables.inert(spec.describe_range())}."
               if spec is not None and not any(spec.describe_range() in p for p in said) else "")
    return f"{label}({shown}): {problems}.{allowed} So {consequence}."
