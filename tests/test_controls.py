"""The levers' sliders without Streamlit: ranges, help texts and formats from the parameter table."""

from __future__ import annotations


import pytest

import cx_roi
from cx_roi import PARAMETERS
from cx_roi import formatting as fmt
from ui import controls
from apptest import AD


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_lever_has_a_usable_slider(name):
    p = PARAMETERS[name]
    if p.kind == "bool":
        return
    lo, hi, step = controls.slider_range(p, p.default)
    assert p.minimum <= lo < hi <= p.maximum and step > 0
    assert lo <= p.default <= hi
    assert (hi - lo) / step <= 5000, "a slider with more positions than pixels is unusable"
    for preset in cx_roi.presets():
        value = getattr(cx_roi.load_preset(preset), name)
        lo2, hi2, _ = controls.slider_range(p, value)
        assert lo2 <= value <= hi2
    far = p.maximum  # a link may set anything the model allows
    lo3, hi3, _ = controls.slider_range(p, far)
    assert lo3 <= far <= hi3
    help_text = controls.help_text(p)
    assert p.source in help_text and p.solidity in help_text and p.describe_range(formatted=True) in help_text
    assert p.unit in controls.control_label(p)


def test_a_slider_that_stops_short_of_the_allowed_range_says_so_in_its_help():
    p = PARAMETERS["agent_cost_per_month"]
    lo, hi, _ = controls.slider_range(p, p.default)
    assert hi < p.maximum
    words = controls.help_text(p, (lo, hi))
    assert f"The slider runs from {fmt.param_value(p.fmt, lo)} to {fmt.param_value(p.fmt, hi)}" in words
    assert "a scenario file or a link can set any allowed value" in words
    full = PARAMETERS["shrinkage"]
    assert "The slider runs" not in controls.help_text(full, (full.minimum, full.maximum))


def test_slider_formats_follow_the_parameter_formats():
    assert controls.slider_format(PARAMETERS[AD]) == "$%,.0f"
    assert controls.slider_format(PARAMETERS["shrinkage"]) == "percent"
    assert controls.slider_format(PARAMETERS["aht_seconds"]) == "%,.0f s"
    assert controls.slider_format(PARAMETERS["quality_half_effect_per_contact"]) == "$%,.2f"
