"""The URL: one table of fields (:data:`FIELDS`) read when a session opens a link and written after every run.

The scenario's own fields travel under their names in ``cx_roi.PARAMETERS`` (the
package's table: a new model input travels without a line here), as the changes from
the preset. Every other value the link carries is one :class:`ui.fields.Field` row:
adding one to the link is adding a row. A value that cannot be used is replaced by its
default and named in a notice with what is allowed; everything else in the link applies.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import cx_roi
from cx_roi import PARAMETERS, Scenario, ScenarioError
from cx_roi.formatting import and_list, param_value

from . import store, tables
from .fields import (CURRENT, Field, Partly, choice, clean_label, number, quoted_list, saved_name_problem, url_number,
                     url_value)
from .notices import add_notice, listed, problem_text, show, strip_name
from .settings import SETTINGS
from .view import (DEFAULT_COMPARE, DEFAULT_EXTRA, DEFAULT_PRESET, EXTRA_RANGE, MAX_COMPARED, MAX_SAVED,
                   baseline_name, baseline_options, compare_options, compare_selection, default_baseline, edits,
                   extra, fitted, label_for, preset, presentation, saved_scenarios, start, start_options,
                   start_title, store_scenario)

__all__ = ["FIELDS", "init", "sync_url", "url_params", "view_defaults", "apply_fields"]


# ------------------------------------------------------------------ scenarios in the link

def apply_fields(scenario: Scenario, texts: Mapping[str, str],
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
            bad.append(problem_text(field, err, consequence(field, scenario), raw_text=text))
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
        bad.append(problem_text(field, err, consequence(field, scenario), raw_text=texts[field]))
    return scenario


def _decode_entry(entry: str, consequence: str, bad: list[str]) -> Scenario:
    """A scenario from its link form ``name~field:value~...`` (see :func:`_encode_entry`).

    Fields that cannot be used keep their defaults and are named in ``bad``.
    """
    texts = {}
    for part in entry.split("~")[1:]:
        if not part.strip():
            continue  # "a~~b": an empty part holds nothing to apply
        field, _, text = part.partition(":")
        texts[field] = text
    return apply_fields(Scenario(), texts, bad, lambda field, s: consequence)


def _encode_entry(name: str, scenario: Scenario) -> str:
    changes = scenario.changed_fields(Scenario())
    return "~".join([name, *(f"{k}:{url_value(v)}" for k, v in changes.items())])


def _read_saved(given: Sequence[str]) -> dict[str, Scenario]:
    saved: dict[str, Scenario] = {}
    whys: list[str] = []
    for entry in list(given)[:MAX_SAVED]:
        name = entry.split("~")[0].strip()
        problem = saved_name_problem(name) or ("is given to an earlier saved scenario in the link too"
                                                if name in saved else None)
        if problem:
            whys.append(f"`saved={show(entry)}`: the name {problem}; this saved scenario was skipped.")
            continue
        saved[name] = _decode_entry(entry, f"saved scenario *{tables.inert(name)}* keeps the default", whys)
    if len(given) > MAX_SAVED:
        whys.append(f"`saved`: {len(given)} saved scenarios in the link; only the first {MAX_SAVED} were kept.")
    if whys:
        raise Partly(saved, whys)
    return saved


def _read_fitted(text: str) -> tuple[str, Scenario]:
    # The fitted scenario travels whole (the history it came from does not: it is the user's data).
    if not any(e.strip() for e in text.split("~")[1:]):
        # A fit is its fitted values; without any it would be the default company under another name.
        raise ValueError("carries no fitted values")
    whys: list[str] = []
    fit = (clean_label(text.split("~")[0]), _decode_entry(text, "the fitted baseline keeps the default", whys))
    if whys:
        raise Partly(fit, whys)
    return fit


# ------------------------------------------------------------------ the view's fields

def _flag(text: str) -> bool:
    flag = text.strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("not a flag")


def _extra(text: str) -> float:
    lo, hi, _ = EXTRA_RANGE
    amount = number(text)
    if not lo <= amount <= hi:
        raise ValueError("out of range")
    return amount


def _compare(text: str) -> list[str]:
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    base = baseline_name()  # read before this field
    unknown = [t for t in tokens if t not in compare_options()]
    kept = [t for t in tokens if t in compare_options() and t != base]
    whys = []
    if unknown:
        whys.append(f"{quoted_list(unknown)} {'is' if len(unknown) == 1 else 'are'} not a preset, a saved "
                    f"scenario or `{CURRENT}`; left out of the comparison")
    if base in tokens:
        whys.append(f"{quoted_list([base])} is the baseline, which every scenario is compared with, so it "
                    "is not compared with itself")
    if whys and not kept:  # nothing left to compare: the default pair, as for any refused value
        raise ValueError("; ".join(whys))
    if len(kept) > MAX_COMPARED:
        whys.append(f"at most {MAX_COMPARED} scenarios besides the baseline; kept the first {MAX_COMPARED}")
    if whys:
        raise Partly(kept[:MAX_COMPARED], whys)
    return kept


def _bridge_text(pick: str | None) -> str | None:
    selection = compare_selection()
    return pick if pick in selection and pick != selection[0] else None


_AS_IS = "{why}"  # the reader words each problem itself (each names its own entry)

# Read in this order, then the scenario's fields: saved scenarios and the fit first, since a
# preset, the baseline and the Compare selection may name them. Written in the same order.
FIELDS: tuple[Field, ...] = (
    Field("saved", {}, _read_saved, lambda saved: [_encode_entry(n, s) for n, s in saved.items()],
          "entries name~field:value~...", current=saved_scenarios, partly=_AS_IS, repeat=True),
    Field("fitted", None, _read_fitted, lambda fit: _encode_entry(*fit), "label~field:value~...",
          "`{key}={text}`: {why} (a fitted baseline travels as {allowed}); it was left out.",
          current=fitted, partly=_AS_IS),
    Field("preset", DEFAULT_PRESET, choice(start_options, "not a preset"), str, lambda: ", ".join(start_options()),
          "`{key}={text}`: {why}; allowed: {allowed}. Opened *{default}* instead.",
          describe=lambda name: cx_roi.preset_info(name).title, current=preset),
    Field("present", False, _flag, lambda on: "1", "1 or 0",
          "`{key}={text}`: expected {allowed} (presentation mode on or off); opened with the controls shown.",
          current=presentation),
    Field("extra", DEFAULT_EXTRA, _extra, url_number,
          f"a number from {EXTRA_RANGE[0]:,.0f} to {EXTRA_RANGE[1]:,.0f} ($ per month)",
          "`{key}={text}`: the larger step to weigh must be {allowed}; {default} was used.",
          describe=lambda v: f"{v:,.0f}", current=extra),
    Field("baseline", None, choice(baseline_options, "not a preset or saved scenario"),
          lambda name: None if name == default_baseline() else name,
          lambda: ", ".join(tables.inert(name) for name in baseline_options()),
          "`{key}={text}`: {why}; allowed: {allowed}. Compared with *{default}* instead.",
          describe=lambda _: tables.inert(start_title(default_baseline())), current=baseline_name),
    Field("compare", list(DEFAULT_COMPARE), _compare, ",".join, "presets, saved scenarios or current",
          describe=lambda tokens: and_list(f"*{tables.inert(label_for(t))}*" for t in tokens if t != baseline_name()),
          current=compare_selection,
          partly="`{key}`: {why}."),
    Field("bridge", None, choice(compare_selection, "not one of the compared scenarios"), _bridge_text,
          "one of the compared scenarios", "`{key}={text}`: {why}; showing the first one's bridge."),
    *SETTINGS.values(),
)
_BY_KEY = {f.key: f for f in FIELDS}


def view_defaults() -> dict[str, Any]:
    """The state the address bar carries, as a link without parameters opens it."""
    return {"scenario": None, **{f.name: copy.copy(f.default) for f in FIELDS}}


# ------------------------------------------------------------------ writing

def url_params() -> dict[str, str | list[str]]:
    """What the URL should hold for the current state (defaults left out)."""
    params: dict[str, str | list[str]] = {}
    for field in FIELDS:
        value = field.current() if field.current is not None else store.get(field.name, field.default)
        text = field.encode(value) if value != field.default else None
        if text is not None:
            params[field.key] = text
    current_edits = edits()
    for name in PARAMETERS:  # parameter order, so equal states give equal URLs
        if name in current_edits:
            params[name] = url_value(current_edits[name])
    return params


def sync_url() -> None:
    """Write the current state into the address bar (only when it changed)."""
    wanted = url_params()
    # Every value of every key: a key the link gave twice is written back once.
    if _given() != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
    _remember_address(wanted)


def switch_page(page: str) -> None:
    """Go to ``page`` (a path under pages/) with the current state's address: one step in the
    browser's history. Without the address Streamlit shows the bare page first and the page then
    writes the state, two steps, so the first Back seemed to do nothing."""
    st.switch_page(page, query_params=url_params())


_MAX_ADDRESSES = 1_000  # per session; an address is a few hundred bytes


def _address_key(params: Mapping[str, Any]) -> tuple:
    return store.page(), tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def _remember_address(params: Mapping[str, Any]) -> None:
    """Note an address this session showed, so Back can tell it from one Streamlit only passed through."""
    seen = store.get("addresses")
    if seen is None:
        seen = {}
        store.put("addresses", seen)
    seen[_address_key(params)] = None
    if len(seen) > _MAX_ADDRESSES:
        del seen[next(iter(seen))]  # the oldest


# ------------------------------------------------------------------ reading

def _given() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp}


def _as_params(given: Mapping[str, list[str]]) -> dict[str, str | list[str]]:
    """The link's values as :func:`url_params` writes them: every entry of a repeated field, else the last."""
    return {k: (v if k in _BY_KEY and _BY_KEY[k].repeat else v[-1]) for k, v in given.items()}


def init() -> None:
    """Set up the session's state; on its first run, read the URL.

    Safe to call on every run: the URL is read once per session, because later
    runs write it from the state rather than the other way round. The exception
    is the browser's Back and Forward buttons: every change writes a new address,
    so going Back reopens the view that address holds, as the link would.
    """
    store.ensure({**view_defaults(), **store.SESSION_DEFAULTS})
    if store.get("ready"):
        ctx = get_script_run_ctx()
        if ctx is not None and getattr(ctx, "is_history_navigation", False):
            _follow_history()
        return
    store.put("ready", True)
    given = _given()
    _remember_address(_as_params(given))
    _read(given, named_twice=True)


def _follow_history() -> None:
    """Back or Forward: the view becomes what the address now shows.

    Only for an address this session showed. Moving to another page first shows
    the page's bare address and then the view's, so history holds a bare address
    in between that never showed this view; Back over it keeps the view (and the
    address is written over with it).
    """
    given = _given()
    params = _as_params(given)
    if params == url_params() or _address_key(params) not in (store.get("addresses") or {}):
        return
    store.update(view_defaults())  # then the address says what differs from them
    _read(given)


def _read(given: Mapping[str, list[str]], named_twice: bool = False) -> None:
    """Put the link's values into the store; one notice names every value that could not be used."""
    params = _as_params(given)
    bad = [f"`{show(k)}` is in the link {len(v)} times; the last one (`{show(v[-1])}`) was used."
           for k, v in given.items() if named_twice and len(v) > 1 and not (k in _BY_KEY and _BY_KEY[k].repeat)]
    for field in FIELDS:
        if field.key not in params:
            continue
        text = params[field.key]
        words = dict(key=field.key, text=show(text), allowed=tables.inert(field.allowed_text()))
        try:
            value = field.parse(text)
        except Partly as part:
            value = part.value
            bad += [field.partly.format(why=why, **words) for why in part.whys]
        except ValueError as exc:
            bad.append(field.refused.format(why=exc, default=field.describe(field.default), **words))
            continue
        store.put(field.name, value)

    texts: dict[str, str] = {}
    for key, text in params.items():
        if key in _BY_KEY:
            continue
        if key not in PARAMETERS:
            try:
                cx_roi.parse_value(key, text)  # raises with a did-you-mean hint
            except ScenarioError as err:
                bad.append(f"`{show(key)}`: {tables.inert(strip_name(err.problems[0], key), 300)} "
                           "The value was ignored.")
            continue
        texts[key] = text
    store_scenario(apply_fields(start(preset()), texts, bad, lambda key, s: (
        # Escaped: its "$" and the allowed range's would set the text between them as maths.
        f"the preset's value {tables.inert(param_value(PARAMETERS[key].fmt, getattr(s, key)))} was kept")))

    if bad:
        head = ("This link had values the dashboard cannot use. Each one below says what was used instead; "
                "everything else in the link was applied.")
        add_notice("warning", head + "\n" + listed(bad))
