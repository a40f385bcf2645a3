"""Explore leads with the next dollar on the margin, with its odds (AppTest)."""

from __future__ import annotations

import re

import pytest

import cx_roi
from test_app import run_app

OPTIMISE = "pages/optimise.py"


def margin_sentence(at) -> str:
    found = [m.value for m in at.markdown if m.value.startswith("**On the margin, ")]
    assert len(found) == 1, [m.value[:80] for m in at.markdown]
    return found[0].strip("*")


@pytest.mark.parametrize("name", cx_roi.presets())
def test_every_presets_landing_view_names_a_lever_or_says_too_close_with_a_chance(name):
    sentence = margin_sentence(run_app({"preset": name}))
    assert re.search(r"(>|<)?\d+% of \d+ plausible worlds", sentence), sentence
    assert re.match(r"On the margin, (service capacity|service quality|advertising).* wins: ", sentence) or (
        "too close to call" in sentence or "levers are level" in sentence), sentence
    # The same sentence as the package gives for the preset.
    from cx_roi.verdict import margin_verdict

    assert sentence == margin_verdict(cx_roi.lever_odds(cx_roi.load_preset(name), draws=300, seed=0))


def test_the_margin_leads_the_answer_and_the_step_follows():
    at = run_app({"preset": "status-quo"})
    texts = [m.value for m in at.markdown]
    first = next(i for i, t in enumerate(texts) if t.startswith("**On the margin, "))
    step = next(i for i, t in enumerate(texts) if "$50k a month more" in t)
    assert first < step, "the margin comes first on the page, the larger step below it"


def test_after_applying_the_optimisers_split_explore_says_the_levers_are_level():
    at = run_app({"preset": "revolving-door", "budget": "550000"}, page=OPTIMISE)
    at.button(key="apply_split").click().run()
    assert not at.exception
    sentence = margin_sentence(at)
    assert "levers are level" in sentence or "too close to call" in sentence, sentence
