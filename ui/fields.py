"""What a URL field is, and the readers of text from a link or a box: numbers, choices, names.

Each value the URL carries is one :class:`Field`: its name, default, how it is read
from link text and written back, what is allowed, and the sentence a refused value
gets. ``ui.url`` reads and writes the URL from these rows alone.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import cx_roi

from cx_roi.comparison import NOT_IN_NAMES, SAVED_NAME_RULE

from .notices import show

__all__ = ["Field", "Partly", "SETTING", "PARTLY", "number", "amount", "int_in", "money_or_auto", "choice", "entries",
           "url_number", "url_value", "SAVED_NAME_RULE", "saved_name_problem", "clean_label", "CURRENT", "FITTED"]

CURRENT = "current"  # the scenario being explored, as a Compare choice
FITTED = "your-data"  # the scenario fitted to the user's history: a starting point, baseline and Compare choice

# The sentences of a refused value. Placeholders: {key}, {text} (the link's value, quoted),
# {why} (the reader's reason), {allowed} and {default} (the default in words).
SETTING = "`{key}={text}`: {why}. Allowed: {allowed}. The default ({default}) was used."
PARTLY = "`{key}={text}`: {why}. Allowed: {allowed}. Those entries were left out; the others were applied."


class Field(NamedTuple):
    """One value the URL carries: one row of ``ui.url.FIELDS``.

    ``parse`` reads link text (every value of the key when ``repeat``) and raises
    ValueError with the reason when none of it can be used, or :class:`Partly` when
    some can; ``encode`` writes the value back (None: left out of the link). A value
    equal to ``default`` is left out too, and a link without the key opens with it.
    ``refused`` words a refused value (placeholders as in :data:`SETTING`); ``partly``
    words each reason of a :class:`Partly`.
    """

    key: str
    default: Any
    parse: Callable[[Any], Any]
    encode: Callable[[Any], str | list[str] | None]
    allowed: str | Callable[[], str]
    refused: str = SETTING
    describe: Callable[[Any], str] = str  # a value in words, for {default}
    item: str | None = None  # the store item (default: ``key``)
    current: Callable[[], Any] | None = None  # the value now (default: the store item, else ``default``)
    partly: str = PARTLY
    repeat: bool = False  # the key may come several times (each one an entry)

    @property
    def name(self) -> str:
        """The store item holding the value."""
        return self.item or self.key

    def allowed_text(self) -> str:
        return self.allowed() if callable(self.allowed) else self.allowed


class Partly(ValueError):
    """A value read in part: ``value`` holds what could be used, ``whys`` what could not and why."""

    def __init__(self, value: Any, whys: Sequence[str]):
        super().__init__("; ".join(whys))
        self.value = value
        self.whys = list(whys)


# ------------------------------------------------------------------ numbers

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def number(text: Any) -> float:
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


def amount(v: float) -> str:
    """A number in a message: with separators, but a 309-digit one as 1e+308."""
    return f"{v:,.0f}" if abs(v) < 1e15 else f"{v:.3g}"


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A reader of whole numbers from ``lo`` to ``hi``."""
    def parse(text: str) -> int:
        try:
            v = number(text)
        except ValueError as exc:
            raise ValueError(str(exc).replace("not a number", "not a whole number", 1)) from None
        if not v.is_integer():
            raise ValueError("not a whole number")
        if not lo <= v <= hi:
            raise ValueError(f"{amount(v)} is out of range")
        return int(v)
    return parse


def money_or_auto(lo: float, hi: float) -> Callable[[str], float | None]:
    """A reader of an amount from ``lo`` to ``hi``, or "auto" (or nothing): None."""
    def parse(text: str) -> float | None:
        text = str(text).strip()
        if text in ("", "auto"):
            return None
        v = number(text)
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        if not lo <= v <= hi:
            raise ValueError(f"{amount(v)} is out of range")
        return v
    return parse


def choice(options: Sequence[str] | Callable[[], Sequence[str]], why: str = "not one of the choices"
           ) -> Callable[[str], str]:
    """A reader of one of ``options`` (or of what ``options()`` offers when read), as written; ``why``: the
    reason another text is refused."""
    def parse(text: str) -> str:
        if text not in (options() if callable(options) else options):
            raise ValueError(why)
        return text
    return parse


def entries(text: str, read: Callable[[str, str, str], tuple[str, Any]]) -> dict[str, Any]:
    """``name:low:high~name:low:high~...``, each entry read by ``read(name, low, high)`` (raising
    ValueError with the reason).

    One unusable entry does not cost the others: they are kept, and :class:`Partly`
    says which were left out and why.
    """
    out: dict[str, Any] = {}
    problems: list[str] = []
    for entry in (e for e in str(text).split("~") if e.strip()):
        name, _, rest = entry.partition(":")
        low, _, high = rest.partition(":")
        try:
            key, value = read(name, low, high)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if key in out:
            problems.append(f"`{show(name)}` is given more than once; the last entry was used")
        out[key] = value
    if problems and out:
        raise Partly(out, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return out


def url_number(v: float | int) -> str:
    """A number as the link writes it: exact (``repr``), without a needless ".0"."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def url_value(v: Any) -> str:
    """A scenario field's value as the link writes it (``cx_roi.parse_value`` reads it back)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return cx_roi.scenario.schedule_text(v, url_number)
    return url_number(v)


# ------------------------------------------------------------------ names

def saved_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a saved scenario (None when it can): the package's rule
    (:func:`cx_roi.comparison.saved_name_problem`), and no name the dashboard's own choices have."""
    problem = cx_roi.comparison.saved_name_problem(name)
    if problem:
        return problem
    if name in cx_roi.PRESETS or name in (CURRENT, FITTED):
        return f"{name!r} is taken by a preset; choose another"
    return None


def clean_label(text: str) -> str:
    """A fitted scenario's label as it may travel in the link and show on screen."""
    # The label travels in the link beside the fields, where , ~ | : separate things, and is shown
    # as Markdown and in reports: what a saved name may not hold (NOT_IN_NAMES) becomes a space.
    # "@" and "www." too: Markdown would link "name@host" and "www.host" by themselves; "_" and "$"
    # would start emphasis or mathematics; invisible characters (bidi overrides, zero-width spaces)
    # would disguise it.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text or "")
    text = re.sub(rf"[{NOT_IN_NAMES}\ufffe\uffff\ud800-\udfff@_$]+|(?i:www)\.", " ", text).strip()
    return (text[:40].strip() or "history")


def quoted_list(items: Sequence[str]) -> str:
    """Names from a link, each in a code span: "`a`, `b`"."""
    return ", ".join(f"`{show(t)}`" for t in items)
