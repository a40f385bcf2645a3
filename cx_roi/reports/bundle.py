"""What every report shows, computed once: the scenarios' KPIs, months and next-dollar tables,
the verdict in words, and the small text rules every file format shares.

Every figure comes from :func:`cx_roi.compare`, :func:`cx_roi.simulate` and
:func:`cx_roi.next_dollar`; nothing is recomputed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import checks
from ..comparison import compare, named_scenarios, next_dollar, why_undefined
from ..errors import ScenarioError
from ..formatting import MISSING, is_number, quoted
from ..outputs import HEADLINE, show
from ..scenario import Scenario
from ..simulation import simulate
from ..margins import ODDS_DRAWS, lever_odds
from ..verdict import compare_headline, margin_verdict, verdict

DEFAULT_EXTRA_PER_MONTH = 50_000.0
"""The next-dollar amount the verdict asks about, $ per month (the dashboard's default)."""

REPORT_KPIS = HEADLINE
"""The KPIs the compact tables show (HTML, PowerPoint), in order: :data:`cx_roi.outputs.HEADLINE`."""


def table_kpis(b: "Bundle") -> list[str]:
    """:data:`REPORT_KPIS` for ``b``'s table: a scenario alone has nothing to be measured against, so
    its table has no change, ROI or payback rows."""
    return [k for k in REPORT_KPIS if not b.alone or k not in ("delta_npv", "roi", "payback_month")]

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: Any) -> str:
    """Text safe in XML (OOXML refuses control characters)."""
    return _ILLEGAL_XML.sub("", str(text))


@dataclass(frozen=True)
class Bundle:
    """Everything a report shows, computed once."""

    names: list[str]
    baseline: str
    scenarios: dict[str, Scenario]
    kpis: pd.DataFrame
    monthly: dict[str, pd.DataFrame]
    nextd: dict[str, pd.DataFrame]
    verdict: list[str]
    title: str
    extra: float
    lead: str | None = None  # the scenario drawn in black (the one on screen; see palette.scenario_colours)
    headline: str | None = None  # the Compare page's sentence with its odds; None for a scenario alone

    @property
    def alone(self) -> bool:
        """One scenario: there is nothing to measure against a baseline."""
        return len(self.names) == 1

    def baseline_mark(self, name: str) -> str:
        """" (baseline)" after the baseline's name where others are measured against it, else nothing."""
        return " (baseline)" if name == self.baseline and not self.alone else ""

    def renamed(self, shown: Mapping[str, str]) -> Bundle:
        """The same figures under other names (``shown``: name -> name as shown, one to one); the
        verdict's sentences keep the names they were written with."""
        kpis = self.kpis.rename(index=shown)
        kpis.attrs = {**self.kpis.attrs, "baseline": shown[self.baseline],
                      "beyond_spend": {shown[n]: f for n, f in self.kpis.attrs.get("beyond_spend", {}).items()}}
        return replace(self, names=[shown[n] for n in self.names], baseline=shown[self.baseline],
                       scenarios={shown[n]: s for n, s in self.scenarios.items()}, kpis=kpis,
                       monthly={shown[n]: m for n, m in self.monthly.items()},
                       nextd={shown[n]: t for n, t in self.nextd.items()},
                       lead=shown.get(self.lead) if self.lead is not None else None)


def bundle(scenarios: Any, baseline: str | None, title: str, verdict: str | Sequence[str] | None,
            extra_per_month: float, lead: str | None = None) -> Bundle:
    checks.report_text("title", title)
    named = named_scenarios(scenarios)
    if lead is not None and checks.text("lead", lead) not in named:
        raise ScenarioError(f"lead: got {quoted(lead)}; expected one of the scenarios' names: "
                            f"{', '.join(map(repr, named))}")
    kpis = compare(named, baseline=baseline)  # checks the scenarios and the baseline
    names, baseline = list(named), kpis.attrs["baseline"]
    monthly = {n: simulate(s).monthly for n, s in named.items()}
    nextd = {n: next_dollar(s, extra_per_month) for n, s in named.items()}
    # The headline's odds over the same paired draws as the Compare page's, so a file says how sure too.
    odds = compare(named, baseline=baseline, draws=ODDS_DRAWS, seed=0) if len(named) > 1 else None
    headline = compare_headline(odds, named[baseline].horizon_months) if odds is not None else None
    if verdict is None:
        lines = verdict_sentences(named, baseline, extra_per_month=extra_per_month, kpis=odds, next_dollars=nextd)
    else:
        if isinstance(verdict, str):
            lines = [verdict]
        elif isinstance(verdict, Sequence) and not isinstance(verdict, (bytes, bytearray)):
            lines = list(verdict)
        else:
            raise ScenarioError(f"verdict: got {quoted(verdict)}; expected a sentence or a list of sentences")
        for i, line in enumerate(lines, start=1):
            checks.report_text(f"verdict, sentence {i}", line)
    return Bundle(names, baseline, dict(named), kpis, monthly, nextd, lines, title, float(extra_per_month), lead,
                  headline)


def verdict_sentences(scenarios: Any, baseline: str | None = None, *, extra_per_month: float = DEFAULT_EXTRA_PER_MONTH,
                      kpis: pd.DataFrame | None = None,
                      next_dollars: Mapping[str, pd.DataFrame] | None = None, lead: str | None = None) -> list[str]:
    """Plain-language findings: how the scenarios stand against the baseline on NPV, and for each
    scenario where the next ``extra_per_month`` dollars do most (service or advertising).

    From :func:`cx_roi.compare` and :func:`cx_roi.next_dollar`. Each scenario's line is its
    name and the dashboard's own sentence (:func:`cx_roi.verdict.verdict`), so a file says
    what the screen says. ``kpis``: the :func:`cx_roi.compare` table the headline is read from, with
    its chance when it was made with draws; by default one over the Compare page's paired draws
    (:data:`cx_roi.margins.ODDS_DRAWS`). ``lead``: the scenario on screen, whose line comes first.
    """
    named = named_scenarios(scenarios)
    names = list(named)
    baseline = names[0] if baseline is None else baseline
    months = named[baseline].horizon_months
    lines = []
    if len(names) > 1:
        table = compare(named, baseline=baseline, draws=ODDS_DRAWS, seed=0) if kpis is None else kpis
        lines = [compare_headline(table, months)]
    per_scenario: dict[str, list[str]] = {}
    for name in names:
        table = next_dollars[name] if next_dollars is not None else next_dollar(named[name], extra_per_month)
        # A dash, not a colon: the dashboard's names have colons of their own ("Current: Status quo").
        # The answer on the margin with its odds leads, as on the dashboard; the larger step follows.
        odds = lever_odds(named[name])
        step = verdict(table, extra_per_month, named[name].horizon_months, margin_lead=odds.best)
        per_scenario[name] = [f"{name} — {margin_verdict(odds)}", f"{name} — {step}"]
    first = per_scenario.pop(lead, []) if lead is not None else []
    return [*first, *lines, *(line for pair in per_scenario.values() for line in pair)]


def extra_contribution(b: Bundle) -> dict[str, np.ndarray]:
    """Cumulative contribution minus the baseline's, month by month, $ (the baseline's line is zero)."""
    base = b.monthly[b.baseline]["cumulative_contribution"].to_numpy()
    return {n: b.monthly[n]["cumulative_contribution"].to_numpy() - base for n in b.names}


def none(v: Any) -> float | None:
    """A number as a float, an undefined one (NaN, None) as None: a gap in a chart or table, not a zero."""
    return float(v) if is_number(v) else None


def fmt_kpi(row: pd.Series, col: str, baseline_row: bool = False) -> str:
    """A KPI of :data:`REPORT_KPIS` in a row of :func:`compare`, as the dashboard's table shows it,
    with words for what is undefined (:func:`cx_roi.comparison.why_undefined`)."""
    if baseline_row and col in ("roi", "payback_month"):
        return "baseline"
    if is_number(row[col]):
        return show(col, row[col])
    return why_undefined(row, col) or MISSING
