"""Take the results with you: Excel, standalone HTML and PowerPoint reports of named scenarios.

Pure functions, no UI: scenarios in, file contents out, so the dashboard, the
command line and a notebook produce the same files.

* :func:`excel_report` -> .xlsx bytes: NPV, ROI and payback as live formulas over one Months
  sheet per scenario, beside the Inputs and the KPIs; numbers with number formats.
* :func:`html_report` -> one self-contained HTML page with interactive plotly charts,
  plotly.js inlined, so it opens offline and loads nothing from the internet.
* :func:`pptx_report` -> .pptx bytes: the recommendation for the next dollar first, then one
  idea a slide in native, editable charts, with presenter notes on the deciding assumptions.

Every figure comes from :func:`cx_roi.compare`, :func:`cx_roi.simulate` and
:func:`cx_roi.next_dollar`; nothing is recomputed here (the workbook's formulas recompute NPV,
ROI and payback, to the model's figures). The verdict is :func:`verdict_sentences` unless a
caller passes its own text. Scenarios are given as ``{name: Scenario}`` (or anything
:func:`cx_roi.comparison.named_scenarios` accepts: preset names, pairs); ``baseline`` names
the one the others are compared with (default: the first).
"""

from .bundle import DEFAULT_EXTRA_PER_MONTH, REPORT_KPIS, verdict_sentences
from .deck import pptx_report
from .page import html_report
from .workbook import EXCEL_OF_PARAM_FORMAT, excel_report

__all__ = ["excel_report", "html_report", "pptx_report", "verdict_sentences", "REPORT_KPIS",
           "DEFAULT_EXTRA_PER_MONTH", "EXCEL_OF_PARAM_FORMAT"]
