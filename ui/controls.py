"""Lever controls generated from ``cx_roi.PARAMETERS``: nothing about a field is retyped here.

Each control shows the field's label and unit, and a help text with what it
does, the default, its source and solidity, and the allowed range. The three
monthly spends (the question the dashboard answers) sit on the page right above
the answer (:func:`render_spends`); the other fields sit in sidebar sections
that follow how a person thinks about the business, with the behavioural
assumptions in one section at the end (:func:`render_levers`).

Sections start closed and closed sections are not drawn at all (expanders with
``on_change="rerun"`` report whether they are open), so a lever move reruns
only the sliders in view: the values live in ``ui.state``, not in the widgets.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import streamlit as st

import cx_roi
from cx_roi import PARAMETERS, SOLIDITY_LABELS, Param
from cx_roi import formatting as fmt
from cx_roi.formatting import param_value
from cx_roi.parameters import SPEND_FIELDS, params_in_group

from . import state

__all__ = ["SECTIONS", "ASSUMPTIONS", "SPENDS", "slider_range", "slider_format", "help_text", "control_label",
           "render_spends", "render_levers", "render_scenario_picker"]


class Section(NamedTuple):
    title: str
    groups: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("Service capacity and quality", ("service", "quality")),
    Section("Advertising", ("ads",)),
    Section("Product and market", ("market",)),
    Section("Money and horizon", ("money",)),
)
ASSUMPTIONS = Section("Assumptions: sentiment, churn, word of mouth", ("sentiment", "churn", "wom"))
# The monthly spends, in table order (service capacity, service quality, advertising).
SPENDS: tuple[str, ...] = SPEND_FIELDS

def _nice_ceil(x: float) -> float:
    """Smallest 1, 2, 2.5 or 5 x 10^k at or above ``x`` (a round slider end)."""
    return next(fmt.round_numbers(x)) if x > 0 else 0.0


def slider_range(p: Param, value: float) -> tuple[float, float, float]:
    """(low, high, step) of a lever's slider.

    The model accepts huge ranges (spend up to $1B a month) that would make a
    slider useless, so the slider spans a working range: from the minimum to a
    round number above four times the default and twice the plausible maximum,
    capped at the allowed maximum, and always wide enough to include ``value``
    (which a link or a file may have set anywhere in the allowed range).
    """
    step = float(p.step) if p.step else _nice_ceil((p.maximum - p.minimum) / 100)
    default = abs(float(p.default))
    plausible_hi = float(p.plausible[1]) if p.plausible else 0.0
    hi = min(float(p.maximum), _nice_ceil(max(4 * default, 2 * plausible_hi, step * 10)))
    # Align the ends with the step so every slider position is a round value.
    lo = math.ceil(float(p.minimum) / step - 1e-9) * step
    hi = max(lo + step, math.floor(hi / step + 1e-9) * step)
    value = float(value)
    if value < lo:
        lo = value
    if value > hi:
        hi = min(float(p.maximum), math.ceil(value / step) * step) if value < p.maximum else value
    if p.kind == "int":
        return float(int(lo)), float(int(hi)), float(int(step))
    return lo, hi, step


_PY_FMT = re.compile(r"^(?P<pre>[^{]*)\{:(?P<comma>,?)(?:\.(?P<prec>\d+))?(?P<type>[fgd%])\}(?P<post>.*)$")


def slider_format(p: Param) -> str:
    """The slider's display format (sprintf, as Streamlit's slider wants) from ``Param.fmt``.

    Shares (``{:.0%}``) use Streamlit's "percent" format, which multiplies by 100.
    """
    m = _PY_FMT.match(p.fmt)
    if not m:
        return "%g"
    if m["type"] == "%":
        return "percent"
    prec = m["prec"]
    kind = "g" if m["type"] == "g" else ("d" if m["type"] == "d" else "f")
    spec = f"%{m['comma']}{'.' + prec if prec is not None and kind != 'd' else ''}{kind}"
    return f"{m['pre'].replace('%', '%%')}{spec}{m['post'].replace('%', '%%')}"


def control_label(p: Param) -> str:
    return f"{p.label} ({p.unit})" if p.unit else p.label


def help_text(p: Param, slider: tuple[float, float] | None = None) -> str:
    """What the field does, its default with source and solidity, and what is allowed; ``slider``:
    the ends of its slider, said when they are narrower than what is allowed (the Method page
    lists the allowed range, and a slider that stops short of it needs a word)."""
    plausible = (f" Plausible: {param_value(p.fmt, p.plausible[0])} to {param_value(p.fmt, p.plausible[1])}."
                 if p.plausible else "")
    reach = ""
    if slider is not None and (slider[0] > p.minimum or slider[1] < p.maximum):
        reach = (f" The slider runs from {param_value(p.fmt, slider[0])} to {param_value(p.fmt, slider[1])}; "
                 "a scenario file or a link can set any allowed value.")
    return (f"{p.help}\n\n"
            f"**Default:** {param_value(p.fmt, p.default)}. **Source:** {p.source}\n\n"
            f"**Solidity:** {p.solidity}, {SOLIDITY_LABELS.get(p.solidity, '')}.\n\n"
            f"**Allowed:** {p.describe_range(formatted=True)}.{plausible}{reach}")


def _lever(p: Param) -> None:
    item = f"lever:{p.name}"
    value: Any = getattr(state.current_scenario(), p.name)
    label = control_label(p)
    if p.kind == "bool":
        st.toggle(label, help=help_text(p), **state.bind(item))
        return
    if isinstance(value, tuple):
        # A monthly schedule (from a file or a link) has no slider form; show it and
        # offer the way back to one number rather than flattening it silently.
        st.markdown(f"**{label}**: monthly schedule {param_value(p.fmt, value)}", help=help_text(p))
        mean = state.current_scenario().mean_value(p.name)  # over the horizon: what the run spends
        st.button(f"Use {param_value(p.fmt, mean)} every month instead", key=f"flatten:{p.name}",
                  on_click=state.set_field, args=(p.name, mean),
                  help="Replace the schedule by its average over the horizon, as one constant monthly amount: "
                       "the same total spend.")
        return
    lo, hi, step = slider_range(p, value)
    if p.kind == "int":
        lo, hi, step = int(lo), int(hi), int(step)
    st.slider(label, min_value=lo, max_value=hi, step=step, format=slider_format(p),
              help=help_text(p, (lo, hi)), **state.bind(item, shape=(lo, hi, step)))


def _section(section: Section, key: str) -> None:
    box = st.expander(section.title, expanded=False, key=key, on_change="rerun")
    if not box.open:
        return
    with box:
        for group in section.groups:
            if len(section.groups) > 1:
                st.markdown(f"**{cx_roi.GROUPS[group]}**")
            for p in params_in_group(group):  # table order is display order
                if p.name not in SPENDS:
                    _lever(p)


def render_spends() -> None:
    """The three monthly spends side by side (stacked on a phone)."""
    for column, name in zip(st.container(key="spends").columns(len(SPENDS)), SPENDS):
        with column:
            _lever(PARAMETERS[name])


def render_levers() -> None:
    """Every lever but the spends, in sections; closed sections cost nothing."""
    for i, section in enumerate(SECTIONS):
        _section(section, key=f"section:{i}")
    _section(ASSUMPTIONS, key="section:assumptions")


def render_scenario_picker() -> None:
    """Preset, its story, a reset, and the baseline the KPIs are measured against."""
    presets = state.start_options()
    st.selectbox("Preset", presets, **state.bind("preset", "index", options=presets),
                 format_func=state.labeller(presets, state.start_title),
                 help="A starting story, or your own data once fitted on the Your data page. Your changes to "
                      "each are kept while you switch between them.")
    st.caption(state.start_description(state.preset()))
    n = len(state.edits())
    if n:
        st.button(f"Reset {n} change{'s' if n != 1 else ''} to the preset", on_click=state.reset_to_preset,
                  key="reset_preset", icon=":material/undo:")
    baselines = state.baseline_options()
    st.selectbox("Compare against (baseline)", baselines, **state.bind("baseline", "index", options=baselines),
                 format_func=state.labeller(baselines),
                 help="The KPI changes, ROI, payback and the contribution chart are measured against this.")
