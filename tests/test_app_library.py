"""The Library page: the team scenario library in the dashboard (AppTest, on an SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi.library import Library

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "library.py")
AD = "ad_spend_per_month"


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    monkeypatch.setenv("CX_ROI_DATABASE_URL", url)
    return url


def session(query: dict[str, str] | None = None) -> AppTest:
    """A new browser session on the Library page (after opening ``query`` on Explore)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def press(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save(at: AppTest, name: str, note: str = "") -> AppTest:
    at.text_input(key="library:name").input(name)
    at.text_area(key="library:note").input(note)
    return press(at, "Save in the team library")


def shown(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records") if at.dataframe else []


def test_a_saved_scenario_is_listed_for_another_session_and_opens_as_it_was(db):
    first = session({AD: "260000"})
    save(first, "Plan B", "Media plan for Q3")
    assert [r["Name"] for r in shown(first)] == ["Plan B"] and shown(first)[0]["Note"] == "Media plan for Q3"
    assert first.text_input(key="library:name").value == ""  # ready for the next one

    second = session()  # another person, another session: the same library
    assert [r["Name"] for r in shown(second)] == ["Plan B"]
    press(second, "Open on Explore")
    want = cx_roi.Scenario().replace(**{AD: 260000.0})
    assert second.slider(key=f"w:lever:{AD}").value == 260000.0
    assert second.query_params[AD] == ["260000"] or second.query_params[AD] == "260000"
    assert Library(db).get("Plan B").scenario == want


def test_a_compared_entry_travels_in_the_link(db):
    at = session({AD: "260000"})
    save(at, "Plan B")
    press(at, "Add to Compare")
    assert "Plan B" in at.query_params["compare"] and "Plan B" in at.query_params["saved"]


def test_names_are_checked_and_a_taken_name_keeps_the_first(db):
    at = session()
    save(at, "Plan: B")  # ":" separates things in a link
    assert at.warning and shown(at) == []
    save(at, "status-quo")  # a preset's name
    assert shown(at) == []
    save(at, "Plan B", "first")
    other = session({AD: "300000"})
    save(other, "Plan B", "second")
    assert any("already in the library" in e.value for e in other.error)
    assert [r["Note"] for r in shown(other)] == ["first"]
    assert Library(db).get("Plan B").scenario == cx_roi.Scenario()


def test_text_from_the_library_stays_plain(db):
    Library(db).save("Plan B", cx_roi.Scenario(), note="[click](https://evil.example) <img src=x> **bold**")
    at = session()
    # The table shows the note as data (Streamlit's grid renders cells as text)...
    assert shown(at)[0]["Note"] == "[click](https://evil.example) <img src=x> **bold**"
    # ...and the notices that repeat a name keep it from linking or formatting.
    Library(db).save("_see_ www.evil.example", cx_roi.Scenario())
    at.run()
    at.selectbox(key="library:pick").select("_see_ www.evil.example").run()
    press(at, "Add to Compare")
    notice = at.info[0].value
    assert "www.evil.example" not in notice and "\\_see\\_" in notice


def test_a_delete_for_everyone_asks_once_more(db):
    Library(db).save("Plan B", cx_roi.Scenario())
    at = session()
    [popover] = [p for p in at.get("popover") if p.proto.popover.label == "Delete for everyone"]
    assert [b.label for b in popover.button] == ["Delete it"]  # the only way to delete, behind the question
    assert "Plan B" in " ".join(m.value for m in popover.markdown)
    assert [e.name for e in Library(db).entries()] == ["Plan B"]


def test_rename_and_delete(db):
    at = session()
    save(at, "Plan B")
    at.text_input(key="library:rename").input("Plan C")
    press(at, "Rename")
    assert [r["Name"] for r in shown(at)] == ["Plan C"]
    assert at.selectbox(key="library:pick").value == "Plan C"
    press(at, "Delete it")
    assert shown(at) == [] and Library(db).entries() == []


def test_opening_an_entry_another_session_deleted_says_so_and_opens_nothing_else(db):
    Library(db).save("Old plan", cx_roi.Scenario().replace(**{AD: 150000.0}))
    Library(db).save("Newest", cx_roi.Scenario().replace(**{AD: 310000.0}))
    at = session()
    at.selectbox(key="library:pick").select("Old plan").run()
    Library(db).delete("Old plan")  # meanwhile, in another session
    press(at, "Open on Explore")
    assert any("Old plan" in e.value for e in [*at.error, *at.warning]), [e.value for e in at.error]
    assert AD not in at.query_params, "nothing was opened: the newest entry is not put on screen instead"


def test_adding_an_entry_to_compare_never_replaces_a_scenario_saved_under_its_name(db):
    Library(db).save("Plan B", cx_roi.Scenario())
    at = session({AD: "90000", "saved": f"Plan B~{AD}:90000"})
    press(at, "Add to Compare")
    assert at.warning and "other values" in at.warning[0].value
    assert at.query_params["saved"] in (f"Plan B~{AD}:90000", [f"Plan B~{AD}:90000"]), "the user's own is kept"


def test_adding_to_a_full_comparison_says_it_is_in_the_picker_not_compared(db):
    for name in ("One", "Two"):
        Library(db).save(name, cx_roi.Scenario().replace(shrinkage=0.2))
    at = session({"compare": "service-boost,ad-boost"})
    at.selectbox(key="library:pick").select("One").run()
    press(at, "Add to Compare")
    assert "beside the others" in at.info[0].value
    assert at.query_params["compare"] in ("service-boost,ad-boost,One", ["service-boost,ad-boost,One"])
    at.selectbox(key="library:pick").select("Two").run()
    press(at, "Add to Compare")
    notice = at.info[0].value
    assert "picker" in notice and "3" in notice and "beside the others" not in notice
    saved = at.query_params["saved"]
    assert any(v.startswith("Two") for v in ([saved] if isinstance(saved, str) else saved))
    assert at.query_params["compare"] in ("service-boost,ad-boost,One", ["service-boost,ad-boost,One"])


def test_a_library_that_cannot_be_reached_is_a_message_and_the_rest_works(monkeypatch):
    monkeypatch.setenv("CX_ROI_DATABASE_URL", "postgresql+psycopg://team:s3cret@127.0.0.1:1/library")
    at = session({AD: "260000"})
    assert at.error and "cannot be used right now" in at.error[0].value and "s3cret" not in at.error[0].value
    save(at, "Plan A")
    assert len(at.error) == 1, "a save that fails for the same reason is not said a second time"
    at.switch_page(str(ROOT / "pages" / "explore.py")).run()
    assert not at.exception and at.slider(key=f"w:lever:{AD}").value == 260000.0


def test_a_signed_in_user_is_recorded_as_who_saved(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update({"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a secret",
                                "client_id": "cx-roi", "client_secret": "x",
                                "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}})
    at.user = {"is_logged_in": True, "name": "Ada Lovelace", "email": "ada@example.com"}
    at.run()
    at.switch_page(PAGE).run()
    save(at, "Plan B")
    assert Library(db).get("Plan B").saved_by == "Ada Lovelace"
    assert shown(at)[0]["Saved by"] == "Ada Lovelace"
    # Who and when come before the long note: a phone's grid shows its first columns.
    assert list(at.dataframe[0].value.columns) == ["Name", "Saved by", "Saved (UTC)", "Note"]


def test_an_entry_this_version_cannot_read_is_listed_named_and_deletable(db):
    import sqlalchemy as sa

    lib = Library(db)
    lib.save("Plan A", cx_roi.Scenario())
    lib.save("From a newer cx-roi", cx_roi.Scenario())
    lib.close()
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cx_roi_scenarios SET scenario = '{\"schema_version\": 99}' "
                             "WHERE name = 'From a newer cx-roi'"))
    engine.dispose()
    at = session()
    assert sorted(r["Name"] for r in shown(at)) == ["From a newer cx-roi", "Plan A"]
    assert any("From a newer cx-roi" in w.value for w in at.warning)
    assert at.selectbox(key="library:pick").value == "Plan A"  # picked first: one that opens
    at.selectbox(key="library:pick").select("From a newer cx-roi").run()
    press(at, "Open on Explore")
    assert any("cannot be opened" in e.value for e in at.error)  # said, and nothing else changes
    press(at, "Delete it")
    assert [r["Name"] for r in shown(at)] == ["Plan A"] and not at.warning


def test_adding_the_compare_baseline_says_it_is_the_baseline(db):
    Library(db).save("Plan B", cx_roi.Scenario().replace(shrinkage=0.2))
    at = session({"saved": "Plan B~shrinkage:0.2", "baseline": "Plan B"})
    press(at, "Add to Compare")
    assert "baseline" in at.info[0].value and "beside the others" not in at.info[0].value


def test_a_save_the_library_refuses_while_it_still_lists_is_said(tmp_path, monkeypatch):
    """A file (or an account) that may only be read: the list still shows, so a failed save was
    silent, the name left in its box as if saved."""
    Library(f"sqlite:///{tmp_path / 'lib.sqlite3'}").save("Plan A", cx_roi.Scenario())
    monkeypatch.setenv("CX_ROI_DATABASE_URL", f"sqlite:///file:{tmp_path / 'lib.sqlite3'}?mode=ro&uri=true")
    at = session({})
    assert [r["Name"] for r in shown(at)] == ["Plan A"]
    save(at, "Plan B")
    assert [r["Name"] for r in shown(at)] == ["Plan A"]
    assert any("cannot be used right now" in e.value for e in at.error), "the failed save is said"
