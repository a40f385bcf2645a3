"""Sign-in switched on and off by Streamlit's secrets (``ui.auth``), through AppTest and directly.

The round trip through a real identity provider, and how a signed-in name is
rendered, are checked in a browser (tests/test_browser_auth.py); here: the app is
open without an ``[auth]`` section, shows only the sign-in screen with one, names the
account when signed in, and which provider "Sign in" uses.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import auth, tables

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
AD = "ad_spend_per_month"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a long random test secret",
        "client_id": "cx-roi", "client_secret": "not-a-secret",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}


def run_app(secrets: dict | None, user: dict, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    at.user = user
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def signed_in_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")]


def test_without_auth_the_app_runs_open():
    """No [auth] section: the Explore page is drawn at once, nobody is asked to sign in or named,
    even when the host fills st.user with an email (as Community Cloud does)."""
    at = run_app(None, {"email": "someone@example.com"})
    assert len(at.metric) == 8
    assert "Sign in" not in buttons(at) and "Sign out" not in buttons(at)
    assert signed_in_captions(at) == []


def test_the_repository_configures_no_sign_in():
    """The README's app command needs nothing but Python: no secrets file is committed, and a local
    one is kept out of git."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [p for p in tracked.splitlines() if p.endswith("secrets.toml")]
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert ignored.returncode == 0


def test_with_auth_nobody_signed_in_sees_only_the_sign_in_screen():
    """With [auth] and nobody signed in: the sign-in button and no page (no KPI card, no lever), and
    the link's values stay in the address bar for after sign-in."""
    query = {"preset": "ad-boost", AD: "190000"}
    at = run_app({"auth": AUTH}, {"is_logged_in": False}, query)
    assert buttons(at) == ["Sign in"]
    assert len(at.metric) == 0 and len(at.slider) == 0
    assert {k: at.query_params[k] for k in query} == query  # AppTest keeps each value as a list
    assert signed_in_captions(at) == []


@pytest.mark.parametrize(("claims", "shown"), [
    ({"name": "Ada Lovelace", "email": "ada@example.com"}, "Ada Lovelace"),
    ({"email": "ada@example.com"}, "ada@example.com"),
    ({"preferred_username": "ada@contoso.example", "sub": "0f3c"}, "ada@contoso.example"),
    ({"name": "  ", "sub": "0f3c"}, "0f3c"),
    ({"name": "**Mal** <b>x</b> [l](https://evil.example)"}, "**Mal** <b>x</b> [l](https://evil.example)"),
])
def test_signed_in_the_page_runs_and_the_account_is_named(claims, shown):
    """Signed in: the page is drawn and the sidebar names the account by the first name claim there
    is, escaped so that it reads as written (the browser test checks how it renders)."""
    at = run_app({"auth": AUTH}, {"is_logged_in": True, **claims})
    assert len(at.metric) == 8
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert signed_in_captions(at) == [f"Signed in as {tables.inert(shown)}"]


@pytest.mark.parametrize(("section", "provider"), [
    (AUTH, None),  # the [auth] section is the provider: st.login()'s default
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s", "client_kwargs": {"prompt": "login"},
      "microsoft": {"client_id": "m", "client_secret": "x", "server_metadata_url": "https://m"},
      "okta": {"client_id": "o", "client_secret": "x", "server_metadata_url": "https://o"}}, "microsoft"),
    ({**AUTH, "okta": {"client_id": "o", "client_secret": "x", "server_metadata_url": "https://o"}}, None),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s"}, None),  # st.login says what is missing
])
def test_sign_in_uses_the_default_provider_else_the_first_named(monkeypatch, section, provider):
    monkeypatch.setattr(st, "secrets", {"auth": section})
    assert auth.configured()
    assert auth.provider() == provider


class _NoSecretsFile:
    """st.secrets when no secrets file exists: every read raises (a FileNotFoundError)."""

    def get(self, key, default=None):
        raise FileNotFoundError("No secrets found")


@pytest.mark.parametrize("secrets", [_NoSecretsFile(), {}, {"other": {"token": "x"}}, {"auth": {}}])
def test_no_auth_section_means_open(monkeypatch, secrets):
    monkeypatch.setattr(st, "secrets", secrets)
    assert not auth.configured()
    assert not auth.required()
    assert auth.who() is None


def test_sign_in_settings_without_their_keys_are_a_message_not_an_error_box(caplog):
    """An [auth] section missing client_id and the rest: pressing Sign in showed Streamlit's error box
    to the visitor, and the admin learnt of it only from them."""
    at = run_app({"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]}},
                 {"is_logged_in": False})
    with caplog.at_level("ERROR", logger="ui.auth"):
        at.button(key="auth:sign-in").click().run()
    assert not at.exception
    assert any("not set up correctly" in e.value for e in at.error)
    assert "sign-in is not set up" in caplog.text
