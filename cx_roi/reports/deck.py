"""The PowerPoint deck of named scenarios (:func:`pptx_report`): the answer first, one idea a slide.

Slide 1 is the recommendation for the next dollar (:func:`cx_roi.verdict.margin_call`) as a headline
with its figure and its chance; each slide after it carries one piece of evidence as a native,
editable chart or table under a title that says what it shows. Every slide has presenter notes:
what it shows and the assumptions that decide the answer, read from
:data:`cx_roi.parameters.PARAMETERS`. python-pptx is imported where a slide is made, so importing
:mod:`cx_roi` stays light.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..comparison import LEVERS
from ..formatting import (amount, chance, horizon, money, param_value, percent, short_names, signed_money,
                          with_unit)
from ..margins import LeverOdds, lever_odds
from ..outputs import output
from ..palette import COLOURS, LEVER_COLOURS, scenario_colours, scenario_dashes
from ..parameters import PARAMETERS, SOLIDITY_LABELS
from ..scenario import Scenario
from ..uncertainty import default_ranges
from ..verdict import CLOSE_CALL, LEVER_WORDS, WORLDS, MarginCall, margin_call, margin_verdict
from .bundle import (DEFAULT_EXTRA_PER_MONTH, Bundle, bundle, clean_text, extra_contribution, fmt_kpi,
                     none, table_kpis)
from .workbook import workbook_as_text

# Geometry of a 16:9 slide, inches.
SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
SIDE = 0.5           # left and right margin
TOP, FOOT = 0.35, 0.4  # space above the title and below the lowest shape
GAP = 0.25           # between a title and what it introduces
BODY_WIDTH = SLIDE_WIDTH - 2 * SIDE

SMALLEST_PT = 14
"""No type on a slide is smaller than this (table cells, axis labels, footers), points."""

TITLE_PT, HEADLINE_PT, FIGURE_PT, CAPTION_PT = 28, 40, 60, 18

DRIVERS = 3
"""How many uncertain inputs the notes name as deciding the answer."""

NAME_CHARS, NAME_CHARS_MANY = 56, 28
"""The most characters of a scenario's name on a slide, with up to four scenarios (as many as the
dashboard compares) and with more. 56 holds every name the dashboard writes for a preset or a saved
scenario ("Current: " + the longest preset title + " + 99 changes"; "Saved: " + 40 characters) in a
table header of four lines; a longer one (an edited fitted history with a long label, a name given
through the API) is shortened, and the notes say it whole."""

TABLE_SCENARIOS = 6
"""The most scenarios in one key-results table (the baseline's column included); with more, the
table goes on over further slides. Beside eleven, figures broke inside themselves ("$127.\n6M")
and rows ran off the slide."""

LABELLED_BARS = 12
"""Up to this many bars in a chart, each bar carries its value; more would crowd each other."""

# Average glyph width of the theme's sans-serif as a share of the type size, a little generous, so an
# estimated box is never shorter than the text the office suite lays out in it.
_EM, _EM_BOLD = 0.6, 0.7
_LEADING = 1.2   # line height as a multiple of the type size
_INSET_X, _INSET_Y = 0.1, 0.05  # python-pptx's default text insets, inches


def pptx_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> bytes:
    """A PowerPoint deck (.pptx bytes) of the scenarios, 16:9, one idea a slide.

    1. The recommendation for the next dollar from the scenario on screen (``lead``; the
       baseline when there is none): which lever, what an extra dollar returns there, and the
       chance that holds (:func:`cx_roi.lever_odds`, 300 paired draws of the plausible ranges, seed 0,
       as the dashboard weighs it). ``title``, the baseline, horizon and date in small type.
    2. What one more dollar returns on each lever, by scenario (chart).
    3. NPV change of each scenario against the baseline (chart; left out with no other scenario).
    4. Key results (a full-width table, KPIs down, scenarios across).
    5. Cumulative contribution against the baseline by month (chart; as 3).
    6. Customers at the end of each month (chart).
    7. What ``extra_per_month`` more on each lever adds to NPV, by scenario (chart).

    Charts are python-pptx chart objects, so their numbers stay in the deck's embedded
    workbooks and can be restyled; undefined values are gaps, not zeros. The ``verdict``
    sentences (default :func:`cx_roi.reports.verdict_sentences`) are the first slide's notes.
    """
    from pptx import Presentation
    from pptx.util import Inches

    full = bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    # Names as a slide can hold them (the notes say the full names): fewer characters when many
    # scenarios share the table's width.
    shown = short_names(full.names, NAME_CHARS if len(full.names) <= 4 else NAME_CHARS_MANY)
    b = full.renamed(shown)
    focus = b.lead if b.lead in b.names else b.baseline
    odds = lever_odds(b.scenarios[focus])
    call = margin_call(odds)
    assumptions = _assumptions(odds)
    months = b.scenarios[b.baseline].horizon_months
    others = [n for n in b.names if n != b.baseline]
    # Colours by the full names, as the dashboard picks them.
    by_name = {shown[n]: c for n, c in scenario_colours(full.names, full.baseline, full.lead).items()}
    dashes = scenario_dashes(by_name, b.baseline)
    lever_colours = [LEVER_COLOURS[x] for x in LEVERS]

    def notes(slide: Any, shows: str, *more: str) -> None:
        """The presenter's notes: what the slide shows, anything particular to it, then the key assumptions."""
        slide.notes_slide.notes_text_frame.text = "\n".join(clean_text(p) for p in [shows, *more, "", *assumptions])

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)

    slide = _headline_slide(prs, call, [b.title, f"Next dollar from {focus}  ·  Baseline: {b.baseline}  ·  Horizon: "
                                                 f"{horizon(months)}  ·  cx-roi, {_dt.date.today().isoformat()}"])
    said = margin_verdict(odds)
    notes(slide, f"The recommendation for the next dollar from {focus}: the lever where one more dollar adds the "
                 f"most NPV after paying for itself, and the chance it is the better use over {len(odds.draws):,} "
                 f"plausible worlds. A side is named only when it is the better use in at least "
                 f"{percent(CLOSE_CALL, 0)} of them; below that the slide says it is too close to call.",
          *([] if any(said in line for line in b.verdict) else [said]), "", "The model's findings in full:",
          *b.verdict, *_full_names(shown))

    # At the likely values (no draws): the slopes the focus's 300-draw odds start from.
    per_dollar = {n: odds.per_dollar if n == focus else lever_odds(b.scenarios[n], draws=0).per_dollar
                  for n in b.names}
    slide, top = _titled(prs, "What one more dollar returns on each lever" + (", by scenario" if others else ""))
    _bar_chart(slide, top, b.names, {label: [per_dollar[n][x] for n in b.names] for x, label in LEVERS.items()},
               lever_colours, '"$"0.00', "NPV added per extra $1, net of the $1", by_series=True, cents=True)
    notes(slide, "NPV added by one more dollar spent on each lever, after paying for that dollar, at the likely "
                 "values of each scenario: the slope of NPV in the lever's monthly spend. From "
                 f"{focus}, over {len(odds.draws):,} paired draws of the assumptions' plausible ranges, each "
                 "lever is the best use in: "
                 + "; ".join(f"{LEVERS[x]} {chance(odds.chance_best[x])}" for x in LEVERS) + ".")

    if others:
        gains = [b.kpis.loc[n, "delta_npv"] for n in others]
        slide, top = _titled(prs, b.headline)
        _bar_chart(slide, top, others, {f"NPV change against {b.baseline}": gains}, [by_name[n] for n in others],
                   _money_format(gains), f"$ of NPV against {b.baseline}")
        notes(slide, f"How much NPV each scenario adds to {b.baseline} (or loses against it) over {horizon(months)}, "
                     f"at the likely values. {output('delta_npv').label}: {output('delta_npv').meaning}.")

    # Beyond a slide's width of scenarios the figures would wrap inside themselves: the table goes on
    # over more slides, each with the baseline's column first to read the others against.
    rest = [n for n in b.names if n != b.baseline]
    per_slide = TABLE_SCENARIOS - 1
    parts = [[b.baseline, *rest[i:i + per_slide]] for i in range(0, len(rest), per_slide)] or [[b.baseline]]
    for i, part in enumerate(parts, start=1):
        slide, top = _titled(prs, f"Key results over {horizon(months)}"
                                  + (f" ({i} of {len(parts)})" if len(parts) > 1 else ""))
        _kpi_table(slide, top, b, part)
        notes(slide, "The headline results at the likely values"
                     + (f"; changes, ROI and payback are against {b.baseline}." if others else "."),
              *(f"{output(k).label}: {output(k).meaning}." for k in table_kpis(b)))

    if others:
        extra = extra_contribution(b)
        slide, top = _titled(prs, f"Cumulative contribution against {b.baseline}, month by month")
        _line_chart(slide, top, months, extra, by_name, dashes,
                    _money_format(v for values in extra.values() for v in values),
                    f"$ more than {b.baseline}, cumulative")
        notes(slide, f"How much more {output('cumulative_contribution').label.lower()} each scenario has earned "
                     f"than {b.baseline} by the end of each month ({output('cumulative_contribution').meaning}; "
                     f"{output('contribution').label.lower()}: {output('contribution').meaning}). Where a line "
                     "crosses zero, the extra spend has paid for itself.")

    slide, top = _titled(prs, "Customers at the end of each month")
    _line_chart(slide, top, months, {n: b.monthly[n]["customers"].to_numpy() for n in b.names}, by_name, dashes,
                "#,##0", "Customers")
    notes(slide, f"{output('customers').label} in each scenario at the likely values: {output('customers').meaning}.")

    step = {label: [b.nextd[n]["delta_npv"].get(lever) for n in b.names] for lever, label in LEVERS.items()}
    slide, top = _titled(prs, f"What {amount(b.extra)} a month more on each lever adds to NPV"
                               + (", by scenario" if others else ""))
    _bar_chart(slide, top, b.names, step, lever_colours, _money_format(v for s in step.values() for v in s),
               "$ change in NPV", by_series=True)
    notes(slide, f"A larger step than the first slide's dollar: {amount(b.extra)} a month more on one lever at a "
                 f"time, every month of the horizon, and the change in NPV after paying for it, for each scenario.")

    prs.core_properties.title = clean_text(b.title)[:250]
    prs.core_properties.author = "cx-roi"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ words and figures

def _assumptions(odds: LeverOdds) -> list[str]:
    """The notes' assumptions: the uncertain inputs that most decide service against advertising
    (:meth:`LeverOdds.deciders`) with their value, range, source and solidity, then the discount
    rate and horizon every money figure rests on."""
    scenario = odds.scenario
    ranges = default_ranges(scenario)
    lines = ["Key assumptions: the inputs that most decide service against advertising here, then the "
             "discount rate and horizon."]
    for name in [*odds.deciders(DRIVERS), "annual_discount_rate", "horizon_months"]:
        p = PARAMETERS[name]
        value = with_unit(p.fmt, getattr(scenario, name), p.unit)
        spread = (f"; plausible range {param_value(p.fmt, ranges[name].low)} to {param_value(p.fmt, ranges[name].high)}"
                  if name in ranges else "")
        lines.append(f"- {p.label}: {value}{spread}. Source: {p.source} Solidity: {p.solidity} "
                     f"({SOLIDITY_LABELS.get(p.solidity, p.solidity)}).")
    lines.append(f"Figures are at the likely values; chances count {len(odds.draws):,} paired draws of the "
                 "assumptions' plausible ranges.")
    return lines


def _full_names(shown: Mapping[str, str]) -> list[str]:
    """The notes' key to names the slides shorten."""
    cut = {n: s for n, s in shown.items() if s != n}
    return ["", "Names shortened on the slides:", *(f"- {s}: {n}" for n, s in cut.items())] if cut else []


def _money_format(values: Any) -> str:
    """An Excel number format for dollar amounts of this size: $1.2M, $350k or $950 (a minus sign in front
    of a loss), so an axis reads in the unit its largest value needs."""
    largest = max((abs(v) for v in map(none, values) if v is not None), default=0.0)
    if largest >= 1e6:
        return '"$"#,##0.0,,"M"'
    if largest >= 1e4:
        return '"$"#,##0,"k"'
    return '"$"#,##0'


# ------------------------------------------------------------------ layout and type

def _lines(text: str, width: float, size: float, bold: bool = False) -> int:
    """How many lines ``text`` wraps to in a box ``width`` inches wide at ``size`` points (an estimate
    on the generous side: words wrap whole, a word longer than a line is broken)."""
    per_line = max(1, int((width - 2 * _INSET_X) * 72 / (size * (_EM_BOLD if bold else _EM))))
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines, used = lines + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
            while used > per_line:
                lines, used = lines + 1, used - per_line
        total += lines
    return total


def _height(paragraphs: Sequence[tuple[str, float, bool]], width: float) -> float:
    """The height, inches, of a text box ``width`` inches wide holding (text, points, bold) paragraphs."""
    return sum(_lines(text, width, size, bold) * size * _LEADING / 72 for text, size, bold in paragraphs) + 2 * _INSET_Y


def _rgb(hexcode: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hexcode[1:])


def _fill(fill: Any, hexcode: str) -> None:
    fill.solid()
    fill.fore_color.rgb = _rgb(hexcode)


def _font(font: Any, size: float, bold: bool) -> None:
    """Type of ``size`` points, bold or not, in the report's black."""
    from pptx.util import Pt

    font.size, font.bold = Pt(size), bold
    font.color.rgb = _rgb(COLOURS["scenario"])


def _text(slide: Any, left: float, top: float, width: float, paragraphs: Sequence[tuple[str, float, bool]]) -> float:
    """A text box of (text, points, bold) paragraphs in black at ``left``, ``top`` (inches), as tall as its
    text; returns its bottom, inches."""
    from pptx.util import Inches

    height = _height(paragraphs, width)
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for i, (text, size, bold) in enumerate(paragraphs):
        run = (frame.paragraphs[0] if i == 0 else frame.add_paragraph()).add_run()
        run.text = clean_text(text)
        _font(run.font, size, bold)
    return top + height


def _headline_slide(prs: Any, call: MarginCall, footer: Sequence[str]) -> Any:
    """Slide 1: the recommendation in a few words (from the call's kind and levers) as a headline beside
    a bar in the winning lever's colour, then its figure and its chance in large type side by side,
    each with what it counts, and the small print (``footer``) at the foot."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches

    lead, other = LEVER_WORDS[call.lead], LEVER_WORDS[call.other]
    headline = {
        "wins": f"Put the next dollar into {lead}",
        "close": f"Too close to call: {lead} or {other}",
        "level": "The levers are level: moving money between them gains next to nothing",
        "neither": "Neither lever pays for itself: keep the money",
    }[call.kind]
    # Signed figures that cannot wrap after their minus: "-$0.06" with a non-breaking hyphen.
    figure, other_figure = (f.replace("-$", "\u2011$") for f in (signed_money(call.lead_per_dollar, cents=True),
                                                                  money(call.other_per_dollar, cents=True)))
    odds = f"chance {call.side} is the better use, over {call.worlds:,} {WORLDS}"
    if call.kind == "close":
        odds += f"; a call needs {percent(CLOSE_CALL, 0)}"
        if call.decider is not None:
            odds += f". What would decide it: {PARAMETERS[call.decider].label.lower()}"

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    bar_width, bar_gap = 0.12, 0.2
    left = SIDE + bar_width + bar_gap
    width = SLIDE_WIDTH - SIDE - left
    top = 1.0
    bottom = _text(slide, left, top, width, [(headline, HEADLINE_PT, True)])
    # A filled text box, not an autoshape: an autoshape takes the theme's shadow in some office suites.
    bar = slide.shapes.add_textbox(Inches(SIDE), Inches(top), Inches(bar_width), Inches(bottom - top))
    bar.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    _fill(bar.fill, LEVER_COLOURS[call.lead] if call.kind == "wins" else COLOURS["baseline"])
    tile_top, tile_gap = bottom + 0.7, 0.5
    tile = (width - tile_gap) / 2
    _text(slide, left, tile_top, tile, [(figure, FIGURE_PT, True), (
        f"of NPV for each extra $1 in {lead}, after paying for itself; {other_figure} in {other}", CAPTION_PT, False)])
    _text(slide, left + tile + tile_gap, tile_top, tile, [(chance(call.chance), FIGURE_PT, True),
                                                          (odds, CAPTION_PT, False)])
    small_print = [(line, SMALLEST_PT, i == 0) for i, line in enumerate(footer)]
    _text(slide, SIDE, SLIDE_HEIGHT - FOOT - _height(small_print, BODY_WIDTH), BODY_WIDTH, small_print)
    return slide


def _titled(prs: Any, title: str) -> tuple[Any, float]:
    """A slide with ``title`` in its title placeholder, in type that fits two lines (or three at the
    smallest title size); returns the slide and the top of the space below the title, inches."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    size = next((s for s in (TITLE_PT, 24, 22) if _lines(title, BODY_WIDTH, s, bold=True) <= 2), 22)
    height = _height([(title, size, True)], BODY_WIDTH)
    box = slide.shapes.title
    box.left, box.top, box.width, box.height = Inches(SIDE), Inches(TOP), Inches(BODY_WIDTH), Inches(height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = clean_text(title)
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for para in frame.paragraphs:
        _font(para.font, size, True)
        para.alignment = PP_ALIGN.LEFT
    return slide, TOP + height + GAP


# ------------------------------------------------------------------ the table

def _kpi_table(slide: Any, top: float, b: Bundle, names: Sequence[str]) -> None:
    """The KPIs down, the scenarios ``names`` across, full width, in the largest type (18, 16 or 14 pt) whose
    rows fit the slide and whose words fit their columns; each row as tall as its tallest cell's wrapped text."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    # The KPI names take one line beside a few scenarios; beside many, the scenarios' columns need the room.
    label_width = 4.0 if len(names) <= 4 else 3.0
    col_width = (BODY_WIDTH - label_width) / len(names)
    header = ["", *(n + b.baseline_mark(n) for n in names)]
    kpis = table_kpis(b)
    body = [[output(k).label, *(fmt_kpi(b.kpis.loc[n], k, n == b.baseline) for n in names)] for k in kpis]
    rows = [header, *body]
    room = SLIDE_HEIGHT - FOOT - top

    def width(j: int) -> float:
        return label_width if j == 0 else col_width

    def heights(size: float) -> list[float]:
        return [max(_height([(text, size, i == 0)], width(j)) for j, text in enumerate(row)) + 0.04
                for i, row in enumerate(rows)]

    def words_fit(size: float) -> bool:  # a word wider than its column would break inside itself
        return all(_lines(word, width(j), size, bold=i == 0) == 1 for i, row in enumerate(rows)
                   for j, text in enumerate(row)
                   for word in re.split(r"[\s-]+", text) if word)

    size = next((s for s in (18, 16) if sum(heights(s)) <= room and words_fit(s)), SMALLEST_PT)
    row_heights = heights(size)
    table = slide.shapes.add_table(len(rows), len(header), Inches(SIDE), Inches(top), Inches(BODY_WIDTH),
                                   Inches(sum(row_heights))).table
    table.horz_banding = False
    for j, column in enumerate(table.columns):
        column.width = Inches(width(j))
    for i, row in enumerate(rows):
        table.rows[i].height = Inches(row_heights[i])
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = clean_text(text)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            if i % 2 == 0 and i > 0:
                _fill(cell.fill, COLOURS["other"])
            else:
                cell.fill.background()
            for para in cell.text_frame.paragraphs:
                para.alignment = PP_ALIGN.LEFT if j == 0 else PP_ALIGN.RIGHT
                for run in para.runs:
                    _font(run.font, size, i == 0)


# ------------------------------------------------------------------ charts

def _chart(slide: Any, top: float, kind: Any, data: Any, number_format: str, axis_title: str) -> Any:
    """A native chart of ``data`` filling the slide below ``top`` (inches): type no smaller than
    :data:`SMALLEST_PT`, no chart title (the slide's title says it), a legend only for more than one
    series, light gridlines, and the horizontal axis's labels at the foot of the plot, clear of lines
    and bars below zero."""
    from pptx.enum.chart import XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_chart(kind, Inches(SIDE), Inches(top), Inches(BODY_WIDTH),
                                   Inches(SLIDE_HEIGHT - FOOT - top), data)
    # python-pptx writes the chart's data with XlsxWriter, which reads a text starting with "="
    # as a formula: the embedded workbook is made text-only, as the Excel report is.
    book = frame.chart_part.chart_workbook
    book.update_from_xlsx_blob(workbook_as_text(book.xlsx_part.blob))
    chart = frame.chart
    chart.has_title = False
    chart.font.size = Pt(SMALLEST_PT)
    chart.has_legend = len(data) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(SMALLEST_PT)
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = number_format, False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = _rgb(COLOURS["other"])
    _axis_title(value_axis, axis_title)
    across = chart.category_axis  # the horizontal axis (a value axis of months on the lines chart)
    across.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    across.has_major_gridlines = False
    return chart


def _axis_title(axis: Any, text: str) -> None:
    from pptx.util import Pt

    axis.has_title = True
    axis.axis_title.text_frame.text = clean_text(text)
    axis.axis_title.text_frame.paragraphs[0].font.size = Pt(SMALLEST_PT)


def _bar_chart(slide: Any, top: float, categories: Sequence[str], series: Mapping[str, Sequence[Any]],
               colours: Sequence[str], number_format: str, axis_title: str, by_series: bool = False,
               cents: bool = False) -> None:
    """A clustered column chart (:func:`_chart`) of dollar amounts (to the cent with ``cents``).
    ``colours``: one per category (a single series) or, ``by_series``, one per series."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Pt

    data = CategoryChartData(number_format=number_format)
    data.categories = [clean_text(c) for c in categories]
    for name, values in series.items():
        data.add_series(clean_text(name), [none(v) for v in values])
    chart = _chart(slide, top, XL_CHART_TYPE.COLUMN_CLUSTERED, data, number_format, axis_title)
    # Bars start at zero: a cut axis would make a 4% gap look like a doubling.
    low = min([0.0, *(none(v) or 0.0 for values in series.values() for v in values)])
    chart.value_axis.minimum_scale = None if low < 0 else 0.0
    plot = chart.plots[0]
    plot.gap_width = 60
    for i, bars in enumerate(plot.series):
        bars.invert_if_negative = False  # a loss keeps its colour
        if by_series:
            _fill(bars.format.fill, colours[i % len(colours)])
        else:
            for j, hexcode in enumerate(colours):
                _fill(bars.points[j].format.fill, hexcode)
    if len(categories) * len(series) > LABELLED_BARS:
        return
    # Each bar's value on it: large for one bar a category, smaller in clusters. Written as the
    # dashboard writes money, bar by bar: one number format for every bar would print $21k as
    # "$0.0M" beside a bar of millions.
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(SMALLEST_PT if by_series else CAPTION_PT)
    labels.font.bold = not by_series
    for bars, values in zip(plot.series, series.values()):
        for j, v in enumerate(values):
            if none(v) is not None:
                frame = bars.points[j].data_label.text_frame
                frame.text = money(v, cents=cents)
                _font(frame.paragraphs[0].runs[0].font, SMALLEST_PT if by_series else CAPTION_PT, not by_series)
                bars.points[j].data_label.position = XL_LABEL_POSITION.OUTSIDE_END


def _dash_styles() -> dict[str, Any]:
    """plotly's dash names (cx_roi.palette) as PowerPoint's."""
    from pptx.enum.dml import MSO_LINE_DASH_STYLE as D

    return {"dash": D.DASH, "dot": D.ROUND_DOT, "dashdot": D.DASH_DOT, "longdash": D.LONG_DASH,
            "longdashdot": D.LONG_DASH_DOT}


def _line_chart(slide: Any, top: float, months: int, series: Mapping[str, Sequence[Any]], colours: Mapping[str, str],
                dashes: Mapping[str, str | None], number_format: str, axis_title: str) -> None:
    """Month-by-month lines (:func:`_chart`), one per scenario, in its colour and line style
    (:func:`cx_roi.palette.scenario_dashes`: the baseline's dashed, as on the dashboard). A scatter
    with lines: months on a numeric axis, labelled every year on long horizons, more often on short
    ones."""
    from pptx.chart.data import XyChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Pt

    data = XyChartData()
    for name, values in series.items():
        line = data.add_series(clean_text(name), number_format=number_format)
        for m, v in enumerate(values, start=1):
            line.add_data_point(m, none(v))
    chart = _chart(slide, top, XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, data, number_format, axis_title)
    across = chart.category_axis
    across.minimum_scale, across.maximum_scale = 0, months
    across.major_unit = 12 if months > 24 else 6 if months > 6 else 1
    across.tick_labels.number_format, across.tick_labels.number_format_is_linked = "0", False
    _axis_title(across, "Month")
    for line, name in zip(chart.plots[0].series, series):
        line.smooth = False
        line.format.line.color.rgb = _rgb(colours[name])
        line.format.line.width = Pt(2.5)
        if dashes[name] is not None:
            line.format.line.dash_style = _dash_styles()[dashes[name]]
