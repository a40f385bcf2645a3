"""Running the dashboard in Streamlit's AppTest and reading what it shows, for the test_app_* modules.

Expected numbers are computed with ``cx_roi`` directly and formatted with ``cx_roi.formatting``, so a
test fails when a page shows anything other than what the model says for the scenario it claims to show.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import Scenario
from cx_roi import formatting as fmt


APP = str(Path(__file__).resolve().parents[1] / "app.py")


PAGES = ("pages/explore.py", "pages/compare.py", "pages/your_data.py", "pages/method.py")


AD = "ad_spend_per_month"


def run_app(query: dict[str, str] | None = None, page: str | None = None, open_sections=()) -> AppTest:
    """Run the app as a new session opening ``query``; ``open_sections`` opens lever sections by index
    (sections start closed, and a closed section's sliders are not drawn)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for i in open_sections:
        at.session_state[f"section:{i}"] = True
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no KPI card {label!r}; cards: {[m.label for m in at.metric]}"
    return found[0]


def lever(at: AppTest, name: str):
    return at.slider(key=f"w:lever:{name}")


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(data) -> list:
    """A trace's x or y as a list; plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def chart(at: AppTest, title_start: str) -> dict:
    for spec in chart_specs(at):
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.warning, *at.error, *at.info])


def expected_cards(scenario: Scenario, baseline: Scenario) -> dict[str, str]:
    table = cx_roi.compare({"baseline": baseline, "scenario": scenario}, baseline="baseline")
    row = table.loc["scenario"]
    return {"NPV": fmt.money(row["npv"]), "Customers at the end": fmt.count(row["final_customers"]),
            "Monthly churn": fmt.percent(row["avg_monthly_churn"], 2),
            "Paid CAC": fmt.money(row["cac_paid"], cents=True),
            "NPV delta": fmt.signed_money(row["delta_npv"])}
