"""Fixtures for the dashboard's browser tests: a live Streamlit server and headless Chromium.

Only tests that ask for these fixtures start anything, so the model's tests
stay fast. Chromium comes from the system (Playwright cannot download browsers
here); without it the browser tests skip, unless CX_ROI_REQUIRE_BROWSER=1
(set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def need_chromium() -> str:
    """The system Chromium, or skip (fail when CX_ROI_REQUIRE_BROWSER=1) with the reason."""
    path = chromium_path()
    if path is None:
        reason = ("no Chromium found on PATH (install the Debian package `chromium`); "
                  "Playwright cannot download a browser here")
        if os.environ.get("CX_ROI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return path


def need_playwright():
    """``playwright.sync_api``, or skip (fail when CX_ROI_REQUIRE_BROWSER=1) with the reason."""
    try:
        import playwright.sync_api as sync_api
    except ImportError as exc:
        reason = f"the playwright package is not installed (requirements-dev.txt): {exc}"
        if os.environ.get("CX_ROI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason, allow_module_level=True)
    return sync_api


def start_streamlit(script: Path, port: int, cwd: Path, timeout: float = 60.0,
                    options: Sequence[str] = ()) -> subprocess.Popen:
    """Start ``streamlit run`` headless on 127.0.0.1:port and wait for its health check.
    ``options``: more command-line options for Streamlit (e.g. ``--secrets.files``)."""
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *options],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
    )
    proc._cx_log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(f"streamlit exited with code {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    stop_process(proc)
    raise RuntimeError(f"streamlit did not become healthy on port {port} within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    log = getattr(proc, "_cx_log", None)
    if log is not None:
        log.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_url(artifacts: Path) -> Iterator[str]:
    """Base URL of the dashboard, served by a real ``streamlit run`` for the whole session."""
    need_chromium()  # no point serving the app when no browser can open it
    port = free_port()
    proc = start_streamlit(ROOT / "app.py", port, ROOT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless system Chromium driven by Playwright."""
    path = need_chromium()
    sync_api = need_playwright()
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _shot_if_failed(request, pg) -> None:
    """A screenshot of the page as the failing test left it: test-artifacts/browser-failed-<test>.png."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = "".join(c if c.isalnum() or c in "-_" else "-" for c in request.node.name)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"browser-failed-{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own error is what matters
            print(f"no failure screenshot: {exc}")


@pytest.fixture()
def page(browser, request) -> Iterator[object]:
    """A fresh desktop-sized page (new context: no cookies or session shared between tests)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
        _shot_if_failed(request, pg)
    finally:
        context.close()


@pytest.fixture()
def phone(browser, request) -> Iterator[object]:
    """A phone-sized page (390 x 844, touch)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
        _shot_if_failed(request, pg)
    finally:
        context.close()


ODD_NAME = "Q3: plan/B [draft] <new>"
"""A scenario name no file format takes as it is (a sheet name, a slide, a page)."""


@pytest.fixture(scope="session")
def scenarios():
    """Three scenarios for the exported files: two presets over 24 months, and ad-boost with a
    monthly advertising schedule under :data:`ODD_NAME`."""
    import cx_roi

    short = {n: cx_roi.load_preset(n).replace(horizon_months=24) for n in ("status-quo", "service-boost")}
    ramp = tuple(150_000.0 + 5_000.0 * i for i in range(24))
    short[ODD_NAME] = cx_roi.load_preset("ad-boost").replace(horizon_months=24, ad_spend_per_month=ramp)
    return short
