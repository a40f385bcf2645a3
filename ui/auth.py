"""Sign-in through Streamlit's own OpenID Connect support (``st.login``, ``st.user``, ``st.logout``).

Sign-in is on exactly when Streamlit's secrets hold an ``[auth]`` section
(``.streamlit/secrets.toml``, ``~/.streamlit/secrets.toml`` or the files named by
the ``secrets.files`` option): then the dashboard shows a sign-in screen until the
visitor has signed in with the identity provider, and names the account in the
sidebar with a "Sign out" button. Without that section it is open, as before;
nothing in the repository configures one. docs/deploy.md says how to set it up.

Streamlit's callback after sign-in always lands on the app's root address, so the
link the visitor came with (its page and its query) would be lost. The sign-in
screen notes it in the browser tab's ``sessionStorage`` (per tab and per origin, so
it survives the round trip to the provider), and the first run after sign-in
sends the tab back to it. Nothing leaves the browser for that.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError

from . import store, tables

_log = logging.getLogger(__name__)

__all__ = ["configured", "required", "who", "gate", "provider", "NAME_CLAIMS"]

# The identity token's claims that name a person, best first: Google, Entra ID and Okta all send
# "name" with the profile scope Streamlit asks for; "email" and Entra's "preferred_username" (the
# sign-in name) stand in when it is missing, and "sub" (the provider's id for the account) last.
NAME_CLAIMS = ("name", "email", "preferred_username", "sub")
_MAX_NAME = 80  # characters of a name shown; a provider's claim has no length limit

# The browser tab's note of the link it opened, kept across the provider's round trip. The two
# scripts below are fixed text: no value from outside is put into them.
_KEY = json.dumps("cx-roi:link-before-sign-in")
# On the sign-in screen: note the address the visitor opened (page and query).
_NOTE_LINK = f"""<script>
try {{ sessionStorage.setItem({_KEY}, location.pathname + location.search); }} catch (e) {{}}
</script>"""


def _return_to_link() -> str:
    """The script for the first run after sign-in: go back to the noted address once, and only
    from the bare root address the provider returns to (``server.baseUrlPath`` included), so a tab
    that noted a link and later opened another one stays where it is. Only a path on this origin
    is followed ("/x", never "//host" or "/\\host", which a browser reads as another site)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    roots = json.dumps(["/"] if not base else [f"/{base}", f"/{base}/"])
    return f"""<script>
try {{
  const link = sessionStorage.getItem({_KEY});
  sessionStorage.removeItem({_KEY});
  const atRoot = {roots}.includes(location.pathname) && !location.search;
  if (atRoot && link && /^\\/(?![\\/\\\\])/.test(link) && !{roots}.includes(link)) location.replace(link);
}} catch (e) {{}}
</script>"""


def _section() -> Mapping[str, Any]:
    """The ``[auth]`` section of Streamlit's secrets, read through ``st.secrets`` ({} when absent)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all (Streamlit's StreamlitSecretNotFoundError)
        return {}
    return section if isinstance(section, Mapping) else {}


def configured() -> bool:
    """Whether sign-in is on: Streamlit's secrets hold an ``[auth]`` section."""
    return bool(_section())


def provider() -> str | None:
    """The provider ``st.login`` is called with: ``None`` (Streamlit's default provider) when the
    ``[auth]`` section itself holds ``client_id``; otherwise the first ``[auth.<name>]`` section
    that does, in the file's order; ``None`` when there is none (``st.login`` then says what is
    missing)."""
    section = _section()
    if "client_id" in section:
        return None
    named = [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]
    return named[0] if named else None


def _signed_in() -> bool:
    return bool(st.user.get("is_logged_in"))


def required() -> bool:
    """Whether the page must wait for sign-in: sign-in is on and nobody is signed in."""
    return configured() and not _signed_in()


def who() -> str | None:
    """The signed-in person's name as the provider gives it (the first of :data:`NAME_CLAIMS`
    present), or ``None`` when sign-in is off or nobody is signed in. Text from outside: show it
    inert."""
    if not configured() or not _signed_in():
        return None
    for claim in NAME_CLAIMS:
        value = st.user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def gate() -> bool:
    """Once per run, after ``st.navigation`` and before the page: whether the page may run.

    Sign-in off: True, nothing drawn. Signed in: the account's name and a "Sign out" button in
    the sidebar, then True. Otherwise the sign-in screen is drawn and False is returned: the
    caller ends the run there, with the address bar kept (``ui.router.stop_page``).
    """
    if not configured():
        return True
    if _signed_in():
        with st.sidebar:
            if not store.get("auth_link_checked"):  # once per session: its first run after sign-in
                store.put("auth_link_checked", True)
                st.html(_return_to_link(), unsafe_allow_javascript=True)
            st.caption("Signed in as " + tables.inert(who() or "an account without a name", limit=_MAX_NAME))
            # In the script, not in the button's callback: a redirect sent from the callback was
            # now and then lost (the browser stayed on the page and kept its identity cookie).
            if st.button("Sign out", key="auth:sign-out"):
                st.logout()
                st.stop()  # the browser is leaving to sign out: no page is drawn for nobody
        return True
    st.title("cx-roi: service or advertising?")
    st.write("Sign in to open the dashboard.")
    st.html(_NOTE_LINK, unsafe_allow_javascript=True)
    if st.button("Sign in", key="auth:sign-in", type="primary"):
        try:
            st.login(provider())
        except StreamlitAuthError as err:  # an [auth] section without its keys: the admin's to mend
            _log.error("sign-in is not set up: %s", err)
            st.error("Sign-in is not set up correctly on this server, so nobody can sign in yet. Tell the person "
                     "who runs this dashboard; the server's log says what is missing.")
    return False
