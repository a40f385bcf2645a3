"""The PowerPoint deck reads as a presented deck: the answer first with its figure and chance, one idea a
slide, readable type, notes, nothing overlapping, and LibreOffice draws every slide."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_TICK_LABEL_POSITION
from pptx.util import Pt

import cx_roi
from cx_roi import PARAMETERS, reports
from cx_roi.reports.deck import NAME_CHARS
from cx_roi.formatting import chance, money
from cx_roi.palette import COLOURS, LEVER_COLOURS, SCENARIO_COLOURS
from cx_roi.verdict import LEVER_WORDS, margin_call

ODD_NAME = "Q3: plan/B [draft] <new>"


@pytest.fixture(scope="module")
def scenarios() -> dict[str, cx_roi.Scenario]:
    short = {n: cx_roi.load_preset(n).replace(horizon_months=24) for n in ("status-quo", "service-boost")}
    short[ODD_NAME] = cx_roi.load_preset("ad-boost").replace(horizon_months=24, ad_spend_per_month=210_000.0)
    return short


@pytest.fixture(scope="module")
def decks(scenarios) -> dict[str, bytes]:
    """Decks weighing the next dollar from the baseline (no lead) and from each other scenario (its lead)."""
    out = {"status-quo": reports.pptx_report(scenarios, baseline="status-quo")}
    for lead in ("service-boost", ODD_NAME):
        out[lead] = reports.pptx_report(scenarios, baseline="status-quo", lead=lead)
    return out


@pytest.fixture(scope="module")
def deck(decks) -> bytes:
    return decks["status-quo"]


def slides(data: bytes):
    prs = Presentation(io.BytesIO(data))
    return prs, list(prs.slides)


def runs(slide):
    return [run for shape in slide.shapes if shape.has_text_frame
            for para in shape.text_frame.paragraphs for run in para.runs]


# ------------------------------------------------------------------ the answer first

@pytest.mark.parametrize("focus", ["status-quo", "service-boost", ODD_NAME])
def test_the_first_slide_leads_with_the_calls_lever_figure_and_chance(scenarios, decks, focus):
    call = margin_call(cx_roi.lever_odds(scenarios[focus]))
    first = runs(slides(decks[focus])[1][0])
    biggest = max(r.font.size for r in first)

    def size_of(fact: str) -> int:
        return max((r.font.size for r in first if fact in r.text), default=0)

    # The figure (NPV per extra dollar on the leading lever) and its chance are in the largest type on the slide.
    assert size_of(money(abs(call.lead_per_dollar), cents=True)) == biggest
    assert size_of(chance(call.chance)) == biggest
    # The lever is named in the headline, in type at least twice the small print's.
    headline = size_of(LEVER_WORDS[call.lead]) if call.kind in ("wins", "close") else biggest
    small = size_of("status-quo")  # the baseline, in the small print
    assert headline >= 2 * small > 0
    assert small <= Pt(18)


def test_the_first_slides_differ_by_where_the_next_dollar_is_weighed(scenarios, decks):
    """The figure follows the scenario on screen; two scenarios with different calls give different first slides."""
    calls = {n: margin_call(cx_roi.lever_odds(scenarios[n])) for n in decks}
    assert len({(c.kind, c.lead, round(c.chance, 3)) for c in calls.values()}) > 1
    texts = {n: " ".join(r.text for r in runs(slides(d)[1][0])) for n, d in decks.items()}
    assert len(set(texts.values())) == len(texts)


# ------------------------------------------------------------------ one idea a slide, readable

def test_one_chart_or_table_a_slide_and_no_pictures(deck):
    _, all_slides = slides(deck)
    for i, slide in enumerate(all_slides):
        shown = [s for s in slide.shapes if s.has_chart or s.has_table]
        assert len(shown) == (0 if i == 0 else 1), (i, [s.name for s in shown])
        assert not [s for s in slide.shapes if s.shape_type == 13], "no pictures: every chart stays editable"


def test_the_table_is_full_width_in_readable_type(deck):
    prs, all_slides = slides(deck)
    (frame,) = [s for slide in all_slides for s in slide.shapes if s.has_table]
    assert frame.width >= 0.9 * prs.slide_width
    cells = [cell for row in frame.table.rows for cell in row.cells]
    sizes = [run.font.size for cell in cells for para in cell.text_frame.paragraphs for run in para.runs]
    assert len(sizes) >= len(cells) - 1  # every cell but the empty corner has its text in a sized run
    assert all(size is not None and size >= Pt(14) for size in sizes)


def test_chart_type_is_readable(deck):
    charts = [s.chart for slide in slides(deck)[1] for s in slide.shapes if s.has_chart]
    assert charts
    for chart in charts:
        assert chart.font.size >= Pt(14)
        assert chart.value_axis.axis_title.text_frame.paragraphs[0].font.size >= Pt(14)


def test_no_chart_of_whole_company_npvs(deck, scenarios):
    """Whole-company NPVs of a few % apart make bars that only say "about equal": the deck shows changes."""
    npv = list(cx_roi.compare(scenarios, baseline="status-quo")["npv"])
    for slide in slides(deck)[1]:
        for shape in (s for s in slide.shapes if s.has_chart):
            for series in shape.chart.plots[0].series:
                assert list(series.values) != pytest.approx(npv, rel=1e-9)


def test_the_horizontal_axis_labels_sit_below_the_values_below_zero(deck):
    charts = [s.chart for slide in slides(deck)[1] for s in slide.shapes if s.has_chart]
    negative = [c for c in charts if any(v is not None and v < 0 for s in c.plots[0].series for v in s.values)]
    assert negative, "the fixture has a chart that goes below zero"
    for chart in negative:
        assert chart.category_axis.tick_label_position == XL_TICK_LABEL_POSITION.LOW


def test_shapes_stay_on_the_slide_and_apart(decks):
    for data in decks.values():
        prs, all_slides = slides(data)
        for i, slide in enumerate(all_slides):
            boxes = [(s.name, s.left, s.top, s.left + s.width, s.top + s.height) for s in slide.shapes]
            for name, left, top, right, bottom in boxes:
                assert 0 <= left < right <= prs.slide_width and 0 <= top < bottom <= prs.slide_height, (i, name)
            for a, b in itertools.combinations(boxes, 2):
                apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
                assert apart, (i, a, b)


LONG_NAME = ("Service boost: +$30k agents and +$30k training from January, as proposed by the Customer "
             "Operations steering committee in Q3")


def test_long_names_are_shortened_on_the_slides_and_kept_whole_in_the_notes(scenarios):
    named = {"status-quo": scenarios["status-quo"], LONG_NAME: scenarios["service-boost"],
             LONG_NAME + " (revised)": scenarios[ODD_NAME]}
    prs, all_slides = slides(reports.pptx_report(named, baseline="status-quo"))
    shown = set()
    for slide in all_slides:
        for shape in slide.shapes:
            assert shape.top + shape.height <= prs.slide_height, shape.name  # the table too
            if shape.has_chart:
                plot = shape.chart.plots[0]
                shown |= {*plot.categories, *(s.name for s in plot.series)}
            if shape.has_table:
                shown |= {c.text for c in shape.table.rows[0].cells}
    names = {n for n in shown if n.startswith("Service boost")}
    assert len(names) == 2 and all(len(n) <= NAME_CHARS for n in names), names  # two names, told apart
    notes = all_slides[0].notes_slide.notes_text_frame.text
    assert LONG_NAME in notes and LONG_NAME + " (revised)" in notes


def test_the_dashboards_own_names_are_kept_whole_on_the_slides(scenarios):
    # What the dashboard calls an edited preset or a saved scenario: the longest preset title with
    # many edits counted, and a saved name as long as the dashboard allows. Cut to 40 characters,
    # "Current: +$60k a month into service + 1 change" had read "Current: +$60k a month int…ce + 1 change".
    longest = max((cx_roi.preset_info(p).title for p in cx_roi.presets()), key=len)
    names = [f"Current: {longest} + 99 changes", "Saved: " + "x" * (cx_roi.comparison.SAVED_NAME_MAX - 3) + " v2"]
    named = {"status-quo": scenarios["status-quo"], names[0]: scenarios["service-boost"], names[1]: scenarios[ODD_NAME]}
    prs, all_slides = slides(reports.pptx_report(named, baseline="status-quo", lead=names[0]))
    text = " ".join(shape.text_frame.text for slide in all_slides for shape in slide.shapes if shape.has_text_frame)
    headers = {c.text for slide in all_slides for shape in slide.shapes if shape.has_table
               for c in shape.table.rows[0].cells}
    categories = {c for slide in all_slides for shape in slide.shapes if shape.has_chart
                  for c in shape.chart.plots[0].categories}
    for name in names:
        assert name in text and name in headers and name in categories, name
    assert "…" not in text and not all_slides[0].notes_slide.notes_text_frame.text.count("shortened")


def test_every_line_of_a_report_of_every_preset_has_its_own_colour_and_style():
    named = {n: cx_roi.load_preset(n).replace(horizon_months=12) for n in cx_roi.presets()}
    prs, all_slides = slides(reports.pptx_report(named))
    charts = [s.chart for slide in all_slides for s in slide.shapes if s.has_chart
              and s.chart.chart_type == s.chart.chart_type.XY_SCATTER_LINES_NO_MARKERS]
    assert charts
    for chart in charts:
        looks = [(line.format.line.color.rgb, line.format.line.dash_style) for line in chart.plots[0].series]
        assert len(looks) == len(named) and len(set(looks)) == len(looks), looks


def test_every_bar_label_reads_as_the_dashboard_writes_its_amount(deck):
    # One number format for the whole chart printed $21k as "$0.0M" beside bars of millions.
    labelled = 0
    for slide in slides(deck)[1]:
        for shape in slide.shapes:
            if not shape.has_chart or shape.chart.chart_type != shape.chart.chart_type.COLUMN_CLUSTERED:
                continue
            for bars in shape.chart.plots[0].series:
                for point, value in zip(bars.points, bars.values):
                    if value is not None:
                        assert point.data_label.text_frame.text in (money(value), money(value, cents=True))
                        labelled += 1
    assert labelled >= 6


def test_a_deck_of_one_scenario_has_no_rows_against_a_baseline(scenarios):
    prs, all_slides = slides(reports.pptx_report({"status-quo": scenarios["status-quo"]}))
    [table] = [s.table for slide in all_slides for s in slide.shapes if s.has_table]
    rows = [r.cells[0].text for r in table.rows]
    assert "NPV" in rows and not {"NPV, change", "ROI vs baseline", "Payback vs baseline"} & set(rows), rows
    # Nothing to compare with: no "(baseline)" on its name, no "by scenario" in a title, and its line
    # is the scenario's, not the baseline's dashed grey.
    text = " ".join(sh.text_frame.text for slide in all_slides for sh in slide.shapes if sh.has_text_frame)
    assert "by scenario" not in text and table.cell(0, 1).text == "status-quo"
    lines = [sh.chart.plots[0].series[0] for slide in all_slides for sh in slide.shapes if sh.has_chart
             and sh.chart.chart_type == sh.chart.chart_type.XY_SCATTER_LINES_NO_MARKERS]
    assert lines and all(str(s.format.line.color.rgb) == SCENARIO_COLOURS[0].lstrip("#").upper() for s in lines)


def test_every_slide_has_notes_with_the_deciding_assumptions(deck, scenarios):
    odds = cx_roi.lever_odds(scenarios["status-quo"])
    deciders = odds.deciders(3)
    assert deciders
    for i, slide in enumerate(slides(deck)[1]):
        assert slide.has_notes_slide, i
        notes = slide.notes_slide.notes_text_frame.text
        for name in [*deciders, "annual_discount_rate"]:
            p = PARAMETERS[name]
            assert p.label in notes and p.source in notes and p.solidity in notes, (i, name)


def test_the_first_slides_notes_carry_the_callers_findings(scenarios):
    data = reports.pptx_report(scenarios, baseline="status-quo", verdict=["First finding.", "Second finding."])
    notes = slides(data)[1][0].notes_slide.notes_text_frame.text
    assert "First finding." in notes and "Second finding." in notes


def test_colours_come_from_the_palette(deck):
    allowed = {c[1:].upper() for c in [*COLOURS.values(), *LEVER_COLOURS.values(), *SCENARIO_COLOURS]}
    zf = zipfile.ZipFile(io.BytesIO(deck))
    used = {m.upper() for name in zf.namelist() if re.match(r"ppt/(slides|charts)/[^/]+\.xml$", name)
            for m in re.findall(r'srgbClr val="([0-9A-Fa-f]{6})"', zf.read(name).decode("utf-8"))}
    assert used and used <= allowed, used - allowed


# ------------------------------------------------------------------ a real office suite draws it

def _one_slide_deck(data: bytes, keep: int) -> bytes:
    """The deck with only slide ``keep`` (0-based) listed in its presentation part: what a viewer shows."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "ppt/presentation.xml":
                text = body.decode("utf-8")
                ids = re.findall(r"<p:sldId [^>]*/>", text)
                for j, entry in enumerate(ids):
                    if j != keep:
                        text = text.replace(entry, "", 1)
                body = text.encode("utf-8")
            out.writestr(item, body)
    return buf.getvalue()


def _office(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                           *args], capture_output=True, text=True, timeout=240)


def test_libreoffice_draws_every_slide(deck, tmp_path):
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) is not installed (Debian: libreoffice-impress)"
        if os.environ.get("CX_ROI_REQUIRE_OFFICE") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_OFFICE=1 but {reason}")
        pytest.skip(reason)
    from PIL import Image

    count = len(slides(deck)[1])
    (tmp_path / "deck.pptx").write_bytes(deck)
    done = _office(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "deck.pptx"))
    pdf = tmp_path / "deck.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == count
    pngs = tmp_path / "png"
    pngs.mkdir()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(pngs / "slide")], check=True, timeout=240)
    else:  # LibreOffice draws a presentation's first slide as a PNG: one deck a slide
        files = []
        for k in range(count):
            (tmp_path / f"slide-{k + 1:02d}.pptx").write_bytes(_one_slide_deck(deck, k))
            files.append(str(tmp_path / f"slide-{k + 1:02d}.pptx"))
        done = _office(tmp_path, "--convert-to", "png", "--outdir", str(pngs), *files)
        assert done.returncode == 0, done.stderr
    images = sorted(pngs.glob("*.png"))
    assert len(images) == count
    for path in images:
        grey = Image.open(path).convert("L")
        inked = sum(grey.histogram()[:128]) / (grey.width * grey.height)
        assert inked > 0.005, f"{path.name} is nearly blank"


def test_many_scenarios_spread_the_table_over_slides_that_each_fit():
    """Eleven scenarios in one table wrapped figures inside themselves and ran off the slide."""
    base = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    many = {f"plan {i}": base.replace(ad_spend_per_month=100_000.0 + 10_000 * i) for i in range(11)}
    prs, all_slides = slides(reports.pptx_report(many, baseline="plan 0"))
    tables = [s for slide in all_slides for s in slide.shapes if s.has_table]
    headers = [[cell.text for cell in frame.table.rows[0].cells][1:] for frame in tables]
    assert len(tables) == 2 and all(len(h) <= 6 and h[0].startswith("plan 0") for h in headers)
    assert sorted(n for h in headers for n in h[1:]) == sorted(f"plan {i}" for i in range(1, 11))
    assert all(frame.top + frame.height <= prs.slide_height for frame in tables)


def test_the_comparison_slide_is_titled_with_the_compare_pages_sentence_and_its_odds(deck, scenarios):
    """The slide says how sure, over the same paired draws as the Compare page and the notes."""
    from cx_roi.margins import ODDS_DRAWS
    from cx_roi.verdict import compare_headline

    table = cx_roi.compare(scenarios, baseline="status-quo", draws=ODDS_DRAWS, seed=0)
    sentence = compare_headline(table, 24)
    assert f"of {ODDS_DRAWS} plausible worlds" in sentence
    texts = [" ".join(r.text for r in runs(slide)) for slide in slides(deck)[1]]
    assert any(sentence in text for text in texts), texts
