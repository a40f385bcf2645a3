"""Sign-in in a real browser: ``st.login`` against a local OpenID Connect provider.

The test starts ``oidc-provider-mock`` (requirements-dev.txt) on a free port with
two accounts whose claims it chooses, writes a secrets file with an ``[auth]``
section into a temporary folder (never the repository's ``.streamlit``) and starts
``streamlit run app.py`` with ``--secrets.files`` pointing at it. Headless
Chromium then goes through the whole round trip: the sign-in screen, the
provider's form, back on the dashboard at the link it opened, and out again.

Without a system Chromium, Playwright or the mock provider these tests skip; with
``CX_ROI_REQUIRE_BROWSER=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import cx_roi
from conftest import ARTIFACTS, ROOT, free_port, need_chromium, start_streamlit, stop_process
from test_browser import (AD, APP, KPI, TIMEOUT_MS, assert_cards, assert_query, expect, expected_cards, open_app,
                          screenshot, url)

pytestmark = pytest.mark.browser

SIGN_IN = "button:has-text('Sign in')"
SIGN_OUT = "[data-testid='stSidebar'] button:has-text('Sign out')"
SIGNED_IN_AS = "[data-testid='stSidebar'] [data-testid='stCaptionContainer']:has-text('Signed in as')"
ZERO_WIDTH = "\u200b"  # ui.tables.inert breaks "://" and "@" with it, so they are no live links

# The provider's accounts: subject -> claims it sends (name and email come with Streamlit's scopes).
ADA = "ada"
MALLORY = "mallory"
ACCOUNTS = {
    ADA: {"name": "Ada Lovelace", "email": "ada@example.com"},
    # A name made of Markdown and HTML: it must read as written, never as a link, image or emphasis.
    MALLORY: {"name": "**Mal** <img src=x onerror=alert(1)> [site](https://evil.example) _it_",
              "email": "mallory@example.com"},
}


def _need_mock_provider() -> None:
    """Skip (fail when CX_ROI_REQUIRE_BROWSER=1) when the mock provider is not installed."""
    if importlib.util.find_spec("oidc_provider_mock") is None:
        reason = "the oidc-provider-mock package is not installed (requirements-dev.txt)"
        if os.environ.get("CX_ROI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def _wait_for(address: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(address, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the OIDC provider did not answer {address} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def provider_url(artifacts: Path) -> Iterator[str]:
    """Base URL of a local OpenID Connect provider holding :data:`ACCOUNTS`."""
    need_chromium()
    _need_mock_provider()
    port = free_port()
    claims = [arg for sub, c in ACCOUNTS.items() for arg in ("--user-claims", json.dumps({"sub": sub, **c}))]
    log = open(ARTIFACTS / f"oidc-provider-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *claims],
                            stdout=log, stderr=subprocess.STDOUT)
    proc._cx_log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/.well-known/openid-configuration", proc)
        yield base
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def auth_app_url(provider_url: str, tmp_path_factory) -> Iterator[str]:
    """The dashboard with sign-in on: an ``[auth]`` section for the local provider."""
    port = free_port()
    secrets = tmp_path_factory.mktemp("auth-secrets") / "secrets.toml"
    secrets.write_text("[auth]\n"
                       f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
                       'cookie_secret = "a test secret that is long enough for HS256"\n'
                       'client_id = "cx-roi-test"\n'
                       'client_secret = "cx-roi-test-secret"\n'
                       f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n')
    proc = start_streamlit(ROOT / "app.py", port, ROOT, options=["--secrets.files", str(secrets)])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


def settled(page) -> None:
    """Wait until the page that just loaded is connected and its script run is over."""
    expect(page.locator(APP)).to_have_attribute("data-test-connection-state", "CONNECTED")
    expect(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")


def sign_in(page, provider_url: str, account: str) -> None:
    """From the sign-in screen: "Sign in", then pick ``account`` on the provider's form."""
    page.locator(SIGN_IN).click()
    page.wait_for_url(f"{provider_url}/**", timeout=TIMEOUT_MS)
    page.locator(f"button[name='sub'][value='{account}']").click()


def assert_sign_in_screen(page) -> None:
    """Only the sign-in screen: its button, no account named, no page drawn (no KPI cards)."""
    expect(page.locator(SIGN_IN)).to_be_visible()
    expect(page.locator(SIGNED_IN_AS)).to_have_count(0)
    expect(page.locator(KPI)).to_have_count(0)


def test_sign_in_lands_on_the_linked_view_and_sign_out_ends_it(page, auth_app_url, provider_url, artifacts):
    """A shared link asks for sign-in first, keeps its query on the sign-in screen, and after the
    provider's round trip shows the linked scenario's cards with the account named; signing out
    brings the sign-in screen back, also after a reload."""
    query = {"preset": "service-boost", AD: "200000"}
    open_app(page, url(auth_app_url, **query))
    assert_sign_in_screen(page)
    assert_query(page, query)
    screenshot(page, artifacts / "browser-auth-sign-in.png")

    sign_in(page, provider_url, ADA)
    # The provider returns to the app's bare root address; the app then goes back to the link.
    page.wait_for_url(lambda u: u.startswith(auth_app_url) and dict(parse_qsl(urlsplit(u).query)) == query,
                      timeout=TIMEOUT_MS)
    expect(page.locator(SIGNED_IN_AS)).to_have_text(f"Signed in as {ACCOUNTS[ADA]['name']}", timeout=TIMEOUT_MS)
    settled(page)
    assert urlsplit(page.url).path == "/"
    assert_query(page, query)
    scenario = cx_roi.load_preset("service-boost").replace(**{AD: 200_000.0})
    assert_cards(page, expected_cards(scenario))
    screenshot(page, artifacts / "browser-auth-signed-in.png")

    page.locator(SIGN_OUT).click()
    # Streamlit ends the provider's session too (its end_session_endpoint); this one asks to confirm.
    page.wait_for_url(f"{provider_url}/**", timeout=TIMEOUT_MS)
    page.locator("button:has-text('End session')").click()
    page.wait_for_url(f"{auth_app_url}/**", timeout=TIMEOUT_MS)
    settled(page)
    assert_sign_in_screen(page)
    page.reload()  # the identity cookie is gone: a new session is not signed in either
    settled(page)
    assert_sign_in_screen(page)


def test_a_name_with_markup_reads_as_written_and_the_page_is_kept(page, auth_app_url, provider_url):
    """A provider's name claim full of Markdown and HTML is shown character for character, with no
    image, link or emphasis made of it; a link to another page (Method) lands there after sign-in."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, url(auth_app_url, "/method"))
    assert_sign_in_screen(page)
    sign_in(page, provider_url, MALLORY)
    # The provider returns to the app's root; the app then goes back to the page the link named.
    page.wait_for_url(f"{auth_app_url}/method", timeout=TIMEOUT_MS)
    caption = page.locator(SIGNED_IN_AS)
    expect(caption).to_have_count(1, timeout=TIMEOUT_MS)
    settled(page)
    expect(page.locator("h1", has_text="How the model works")).to_be_visible()
    assert caption.inner_text().replace(ZERO_WIDTH, "").strip() == f"Signed in as {ACCOUNTS[MALLORY]['name']}"
    assert caption.locator("img, a, strong, em, b, i, code").count() == 0
    assert page.locator("[data-testid='stSidebar'] img[src='x']").count() == 0
    assert dialogs == []
