"""cx-roi dashboard: a short router. Page scripts live in pages/, shared UI code in ui/.

Run with ``streamlit run app.py``. The navigation, the state set-up (and reading
of a shared link) before any page draws, and the address bar update after the
page has run all live in :mod:`ui.router`.
"""

# The odds process (ui.jobs) starts by importing the main module under this name, and in a
# Streamlit server the main module is this script: there it has no page to draw (drawn without a
# session, the app logged a hundred warnings, and its imports took the process's memory).
if __name__ != "__mp_main__":
    from ui import router

    router.run()
