"""The documentation is generated from the package, and every input is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import cx_roi
from cx_roi.methodology import STEPS, render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"


def test_docs_methodology_is_current():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/methodology.md is stale: run `python -m cx_roi methodology > docs/methodology.md`")


def test_no_placeholder_is_left_unfilled():
    # A string without its f prefix printed "So {share_text(BALANCE_TOLERANCE)} accepts ..." on the
    # Method page. Outside the equations ($$ ... $$, LaTeX with braces of its own), no text is in braces.
    import re

    prose = re.sub(r"\$\$.*?\$\$", "", render_markdown(), flags=re.S)
    left = re.findall(r"\{[A-Za-z_][\w.]*(?:\([^{}]*\))?(?::[^}]*)?\}", prose)
    assert not left, left
    assert re.findall(r"\{[A-Za-z_][\w.]*(?:\([^{}]*\))?(?::[^}]*)?\}", "So {money(x)} and {p.label} and {X:.0%}")


def test_every_field_is_a_documented_parameter():
    fields = {f.name for f in dataclasses.fields(cx_roi.Scenario)}
    assert fields == set(cx_roi.PARAMETERS)
    text = render_markdown()
    for name in cx_roi.PARAMETERS:
        assert f"`{name}`" in text, name
    for column in list(cx_roi.MONTHLY_COLUMNS) + list(cx_roi.KPI_COLUMNS):
        assert f"`{column}`" in text, column


@pytest.mark.parametrize("name", list(cx_roi.PARAMETERS))
def test_parameter_metadata_is_complete_and_consistent(name):
    p = cx_roi.PARAMETERS[name]
    assert p.label and p.help and p.source, name
    # Each source stands alone: the UI shows one field's source at a time, where "above" is nothing.
    assert not p.source.lower().startswith(("as above", "see above", "same as")), name
    assert p.solidity in cx_roi.SOLIDITY_LABELS, name
    assert p.group in cx_roi.GROUPS, name
    if p.kind != "bool":
        assert p.unit, name
        assert p.minimum <= p.default <= p.maximum, name
    if p.plausible is not None:
        lo, hi = p.plausible
        assert p.minimum <= lo <= hi <= p.maximum, name
        assert lo <= p.default <= hi, f"{name}: default outside its own plausible range"
    # Uncertain defaults must come with a range.
    if p.solidity in ("weak", "medium") and p.kind == "float":
        assert p.plausible is not None, f"{name} is {p.solidity} but has no plausible range"


def test_steps_cover_every_block_of_the_model():
    titles = " ".join(s.title.lower() for s in STEPS)
    for block in ("order of events", "queue", "quality", "sentiment", "churn", "word of mouth",
                  "advertising", "acquisition", "money", "reading a monthly history", "calibration"):
        assert block in titles, block
    assert all(s.text for s in STEPS)


@pytest.mark.parametrize("name,text", [
    ("shrinkage", "0% to 90% (share of paid time)"),
    ("ad_spend_per_month", "$0 to $1,000,000,000 ($ per month); month by month from a file or link"),
    ("aht_seconds", "30 s to 3,600 s"),
    ("horizon_months", "12 to 120 (months)"),
])
def test_help_and_tables_give_the_range_in_the_fields_own_format(name, text):
    """People read 30% in the slider and the default, so the allowed range says 0% to 90%, not 0 to 0.9."""
    assert cx_roi.PARAMETERS[name].describe_range(formatted=True) == text


_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ", "lambda": "λ", "mu": "μ",
          "pi": "π", "rho": "ρ", "sigma": "σ", "theta": "θ"}


@pytest.mark.parametrize("title", ["Sentiment", "Word of mouth"])
def test_a_step_with_a_symbol_key_names_every_greek_symbol_of_its_equations(title):
    import re

    step = next(s for s in STEPS if s.title == title)
    key = step.text.split("Symbols:", 1)[1]
    used = {m for eq in step.equations for m in re.findall(r"\\([a-z]+)", eq) if m in _GREEK}
    assert used, "the step has Greek symbols to name"
    for macro in used:
        assert _GREEK[macro] in key, f"{title}: \\{macro} is not in its symbol key"
    for name in re.findall(r"`([a-z_]+)`", key):
        assert cx_roi.PARAMETERS[name].label.lower() in key, name
