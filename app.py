"""cx-roi dashboard: a short router. Page scripts live in pages/, shared UI code in ui/.

Run with ``streamlit run app.py``. The navigation, the state set-up (and reading
of a shared link) before any page draws, and the address bar update after the
page has run all live in :mod:`ui.router`.
"""

from ui import router

router.run()
