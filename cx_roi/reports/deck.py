"""The PowerPoint deck of named scenarios (:func:`pptx_report`)."""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from ..comparison import LEVERS
from ..formatting import amount, horizon
from ..outputs import output
from ..palette import LEVER_COLOURS, scenario_colours
from ..scenario import Scenario
from .bundle import (DEFAULT_EXTRA_PER_MONTH, REPORT_KPIS, bundle, clean_text, extra_contribution, fmt_kpi,
                     none)
from .workbook import workbook_as_text

def pptx_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> bytes:
    """A PowerPoint deck (.pptx bytes) of the scenarios, 16:9.

    Slides: title with the verdict; key results (a native table); then native,
    editable charts (python-pptx chart objects, so the numbers stay in the
    deck's embedded workbook): customers by month, cumulative contribution by
    month, NPV by scenario, and what ``extra_per_month`` more on each lever
    adds to NPV. Undefined values are left as gaps, not zeros.
    """
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    b = bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank, title_only = prs.slide_layouts[6], prs.slide_layouts[5]
    width = prs.slide_width

    def heading(slide, text: str) -> None:
        box = slide.shapes.title
        box.text = clean_text(text)
        box.left, box.top, box.width, box.height = Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.9)
        for p in box.text_frame.paragraphs:
            p.font.size = Pt(28)

    # Title slide with the verdict.
    slide = prs.slides.add_slide(blank)
    tb = slide.shapes.add_textbox(Inches(0.7), Inches(0.6), width - Inches(1.4), Inches(1.2))
    tb.text_frame.word_wrap = True
    tb.text_frame.text = clean_text(b.title)
    tb.text_frame.paragraphs[0].font.size = Pt(36)
    tb.text_frame.paragraphs[0].font.bold = True
    sub = slide.shapes.add_textbox(Inches(0.7), Inches(1.8), width - Inches(1.4), Inches(0.6))
    sub.text_frame.text = (f"Baseline: {clean_text(b.baseline)}. Horizon: "
                           f"{horizon(b.scenarios[b.baseline].horizon_months)}. Made by cx-roi on "
                           f"{_dt.date.today().isoformat()}.")
    sub.text_frame.paragraphs[0].font.size = Pt(16)
    sub.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    body = slide.shapes.add_textbox(Inches(0.7), Inches(2.6), width - Inches(1.4), Inches(4.4))
    tf = body.text_frame
    tf.word_wrap = True
    for i, line in enumerate(b.verdict):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = clean_text(line)
        para.font.size = Pt(18 if len(b.verdict) <= 4 else 14)
        para.alignment = PP_ALIGN.LEFT
        para.space_after = Pt(8)

    # KPI table.
    slide = prs.slides.add_slide(title_only)
    heading(slide, "Key results")
    kpis = list(REPORT_KPIS)
    rows, cols = len(b.names) + 1, len(kpis) + 1
    shape = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.4), width - Inches(1.0),
                                   Emu(int(Inches(0.5) * rows)))
    table = shape.table
    table.cell(0, 0).text = "Scenario"
    for j, k in enumerate(kpis, start=1):
        table.cell(0, j).text = output(k).label
    for i, n in enumerate(b.names, start=1):
        table.cell(i, 0).text = clean_text(n) + (" (baseline)" if n == b.baseline else "")
        for j, k in enumerate(REPORT_KPIS, start=1):
            table.cell(i, j).text = fmt_kpi(b.kpis.loc[n], k, n == b.baseline)
    for r in range(rows):
        for c in range(cols):
            for para in table.cell(r, c).text_frame.paragraphs:
                para.font.size = Pt(12)

    def chart_slide(heading_text: str, chart_type, categories, series: Mapping[str, Sequence[Any]],
                    number_format: str, axis_title: str | None = None,
                    colours: Sequence[str] | None = None, points: Sequence[str] | None = None) -> Any:
        """A native chart; ``colours`` per series, or ``points`` per category of a single series."""
        slide = prs.slides.add_slide(title_only)
        heading(slide, heading_text)
        data = CategoryChartData(number_format=number_format)
        data.categories = list(categories)
        for name, values in series.items():
            data.add_series(clean_text(name), [none(v) for v in values])
        frame = slide.shapes.add_chart(chart_type, Inches(0.5), Inches(1.3), width - Inches(1.0), Inches(5.9), data)
        # python-pptx writes the chart's data with XlsxWriter, which reads a text starting with "="
        # as a formula: the embedded workbook is made text-only, as the Excel report is.
        book = frame.chart_part.chart_workbook
        book.update_from_xlsx_blob(workbook_as_text(book.xlsx_part.blob))
        chart = frame.chart
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        chart.font.size = Pt(12)
        value_axis = chart.value_axis
        value_axis.tick_labels.number_format = number_format
        value_axis.tick_labels.number_format_is_linked = False
        value_axis.has_major_gridlines = True
        if axis_title:
            value_axis.has_title = True
            value_axis.axis_title.text_frame.text = axis_title
        if chart_type != XL_CHART_TYPE.LINE:
            # Bars start at zero: a cut axis would make a 4% gap look like a doubling.
            low = min([0.0, *(none(v) or 0.0 for values in series.values() for v in values)])
            value_axis.minimum_scale = None if low < 0 else 0.0
        for i, plot_series in enumerate(chart.plots[0].series):
            colour = RGBColor.from_string((colours or ["#000000"])[i % len(colours or ["#000000"])][1:])
            if chart_type == XL_CHART_TYPE.LINE:
                plot_series.format.line.color.rgb = colour
                plot_series.format.line.width = Pt(2.25)
                plot_series.smooth = False
            elif points:
                for j, hexcode in enumerate(points):
                    point = plot_series.points[j]
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = RGBColor.from_string(hexcode[1:])
            else:
                plot_series.format.fill.solid()
                plot_series.format.fill.fore_color.rgb = colour
        return chart

    months = list(b.monthly[b.baseline].index)
    by_name = scenario_colours(b.names, b.baseline, b.lead)
    lines = [by_name[n] for n in b.names]
    chart_slide("Customers at the end of each month", XL_CHART_TYPE.LINE, months,
                {n: b.monthly[n]["customers"].to_numpy() for n in b.names}, "#,##0", "customers", colours=lines)
    chart_slide(f"Cumulative contribution against {b.baseline}", XL_CHART_TYPE.LINE, months,
                extra_contribution(b), '"$"#,##0', "$ more than the baseline, cumulative", colours=lines)
    chart_slide("Net present value by scenario", XL_CHART_TYPE.COLUMN_CLUSTERED, b.names,
                {"NPV": [b.kpis.loc[n, "npv"] for n in b.names]}, '"$"#,##0', "$", points=lines)
    chart_slide(f"What {amount(b.extra)} a month more adds to NPV", XL_CHART_TYPE.COLUMN_CLUSTERED, b.names,
                {label: [b.nextd[n]["delta_npv"].get(lever) for n in b.names] for lever, label in LEVERS.items()},
                '"$"#,##0', "$ change in NPV", colours=[LEVER_COLOURS[lever] for lever in LEVERS])

    prs.core_properties.title = clean_text(b.title)[:250]
    prs.core_properties.author = "cx-roi"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
