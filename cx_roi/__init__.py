"""cx_roi: is the next dollar better spent on customer service or on advertising?

A month-by-month model of how service spend (agents, queue, resolution) shapes
sentiment, churn and word of mouth, how word of mouth and advertising bring
customers in, and what that does to money. Pure numpy/scipy/pandas; no UI.

Typical use::

    import cx_roi
    base = cx_roi.load_preset("status-quo")
    result = cx_roi.simulate(base.replace(service_quality_spend_per_month=80_000))
    result.kpis["npv"], result.monthly[["customers", "service_level"]]
    cx_roi.compare(["status-quo", "service-boost", "ad-boost"], baseline="status-quo")
"""

from . import methodology, outputs, queueing
from .comparison import (BRIDGE_STEPS, LEVERS, Assessment, assess, compare, named_scenarios, next_dollar,
                         npv_bridge)
from .errors import CxRoiError, OutOfReach, ScenarioError, Stopped, UnknownPresetError
from .parameters import GROUPS, PARAMETERS, SOLIDITY_LABELS, Param
from .presets import PRESETS, Preset, load_preset, preset_info, presets
from .scenario import SCHEMA_VERSION, Scenario, parse_value
from .simulation import (KPI_COLUMNS, MONTHLY_COLUMNS, BatchResult, SimulationResult, simulate,
                         simulate_batch)
from .uncertainty import Ensemble, Range, default_ranges, simulate_many
from .sensitivity import break_even, break_even_table, tornado
from .margins import LeverOdds, lever_odds
from .optimisation import Allocation, MinBudget, efficient_frontier, min_budget_for, optimize_budget
from .history import (History, HistoryError, history_template, read_history, sample_history, sample_history_file,
                      sample_history_truth)
from . import calibrate
from .calibrate import BassFit, HistoryFit, fit_bass, fit_history
from . import reports
from .reports import excel_report, html_report, pptx_report

__version__ = "0.1.0"

__all__ = [
    "Scenario", "ScenarioError", "OutOfReach", "UnknownPresetError", "CxRoiError", "Stopped", "SCHEMA_VERSION", "parse_value",
    "PARAMETERS", "GROUPS", "SOLIDITY_LABELS", "Param",
    "presets", "load_preset", "preset_info", "PRESETS", "Preset",
    "simulate", "simulate_batch", "SimulationResult", "BatchResult", "MONTHLY_COLUMNS", "KPI_COLUMNS",
    "compare", "named_scenarios", "next_dollar", "npv_bridge", "assess", "Assessment", "BRIDGE_STEPS", "LEVERS",
    "queueing", "methodology", "outputs",
    "simulate_many", "Ensemble", "Range", "default_ranges",
    "tornado", "break_even", "break_even_table", "lever_odds", "LeverOdds",
    "optimize_budget", "min_budget_for", "efficient_frontier", "Allocation", "MinBudget",
    "read_history", "History", "HistoryError", "sample_history", "sample_history_file", "sample_history_truth",
    "history_template", "calibrate", "fit_bass", "fit_history", "BassFit", "HistoryFit",
    "reports", "excel_report", "html_report", "pptx_report",
]
