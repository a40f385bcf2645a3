"""Take it with you: Excel, offline HTML and PowerPoint files of what a page shows.

The files come from :mod:`cx_roi.reports` (the same functions a script calls).
They are built only when a button is clicked (Streamlit's deferred download),
so a lever move never pays for an export nobody asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import streamlit as st

import cx_roi
from cx_roi import Scenario

__all__ = ["KINDS", "Kind", "export_bytes", "file_name", "render_exports"]


class Kind(NamedTuple):
    label: str
    extension: str
    mime: str
    icon: str
    help: str


KINDS: dict[str, Kind] = {
    "xlsx": Kind("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ":material/table_view:",
                 "A workbook: every input with its unit, source and solidity, the KPIs, and each scenario "
                 "month by month, as numbers you can calculate with."),
    "html": Kind("HTML report", "html", "text/html", ":material/description:",
                 "One self-contained page with the verdict, the KPIs and interactive charts; opens offline "
                 "in any browser and can be e-mailed."),
    "pptx": Kind("PowerPoint", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                 ":material/slideshow:",
                 "A deck with the verdict, the KPI table and native charts you can restyle in PowerPoint."),
}

Named = tuple[tuple[str, Scenario], ...]


def export_bytes(kind: str, named: Named, baseline: str, *, title: str, extra_per_month: float,
                 lead: str | None = None, on_screen: str | None = None) -> bytes:
    """The file of ``kind`` ("xlsx", "html" or "pptx") for ``named`` scenarios against ``baseline``.

    ``lead``: the name of the scenario whose next-dollar sentence the page
    shows (Explore); the file opens with that same sentence, under its name.
    ``on_screen`` (default ``lead``): the scenario drawn in black, as on the page.
    """
    scenarios = dict(named)
    lines = cx_roi.reports.verdict_sentences(scenarios, baseline, extra_per_month=extra_per_month, lead=lead)
    kwargs = dict(title=title, verdict=lines, extra_per_month=extra_per_month, lead=on_screen or lead)
    if kind == "xlsx":
        return cx_roi.excel_report(scenarios, baseline, **kwargs)
    if kind == "html":
        return cx_roi.html_report(scenarios, baseline, **kwargs).encode("utf-8")
    if kind == "pptx":
        return cx_roi.pptx_report(scenarios, baseline, **kwargs)
    raise ValueError(f"kind: got {kind!r}; allowed: {', '.join(KINDS)}")


def file_name(stem: str, kind: str) -> str:
    """A safe download name: ``cx-roi-<stem>.<extension>``."""
    safe = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "report"
    return f"cx-roi-{safe[:60]}.{KINDS[kind].extension}"


def render_exports(named: Named, baseline: str, *, title: str, stem: str, extra_per_month: float,
                   lead: str | None = None, on_screen: str | None = None, key: str = "export",
                   first: Callable[[], None] | None = None) -> None:
    """One download button per file kind, in a row (see :func:`export_bytes`).

    ``first``: draws more buttons at the start of the row (Explore's scenario file).
    """
    with st.container(horizontal=True, gap="small", key=key):
        if first is not None:
            first()
        for kind, spec in KINDS.items():
            data = partial(export_bytes, kind, named, baseline, title=title, extra_per_month=extra_per_month,
                           lead=lead, on_screen=on_screen)
            st.download_button(spec.label, data=data,
                               file_name=file_name(stem, kind), mime=spec.mime, on_click="ignore",
                               icon=spec.icon, help=spec.help, key=f"{key}:{kind}")
