"""The team scenario library (cx_roi.library) on SQLite and on a real PostgreSQL server, each test
on its own database."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
import postgres
from cx_roi.library import NAME_MAX, NOTE_MAX, SCHEMA_VERSION, Library, LibraryError


@pytest.fixture(scope="session")
def postgres_admin():
    with postgres.server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'library.sqlite3'}"
        return
    with postgres.database(request.getfixturevalue("postgres_admin")) as db:
        yield db


@pytest.fixture
def library(url):
    lib = Library(url)
    yield lib
    lib.close()


def test_a_saved_scenario_comes_back_with_its_note_author_and_time(library):
    before = dt.datetime.now(dt.UTC)
    ad_boost = cx_roi.load_preset("ad-boost")
    library.save("Plan B", ad_boost, note="Media plan for Q3\nsecond line", by="ann@example.com")
    library.save("  Plan A ", cx_roi.Scenario(), note="")
    entries = library.entries()
    assert [e.name for e in entries] == ["Plan A", "Plan B"]  # newest first, name trimmed
    b = library.get("Plan B")
    assert b.scenario == ad_boost and b.note == "Media plan for Q3\nsecond line"
    assert b.saved_by == "ann@example.com" and entries[0].saved_by is None
    assert before <= b.saved_at <= dt.datetime.now(dt.UTC) and b.saved_at.tzinfo is not None
    # A scenario with a monthly schedule keeps every month.
    schedule = cx_roi.Scenario().replace(ad_spend_per_month=tuple(float(50_000 + 1_000 * m) for m in range(60)))
    library.save("Ramp", schedule)
    assert library.get("Ramp").scenario == schedule


def test_a_taken_name_is_refused_naming_who_took_it_unless_replaced(library):
    library.save("Plan B", cx_roi.load_preset("ad-boost"), by="ann")
    with pytest.raises(LibraryError, match="ann") as err:
        library.save("Plan B", cx_roi.Scenario(), by="bob")
    assert "replace" not in str(err.value), "the dashboard has no replace: the way out is another name or a delete"
    assert library.get("Plan B").scenario == cx_roi.load_preset("ad-boost")  # nothing overwritten
    library.save("Plan B", cx_roi.Scenario(), by="bob", replace=True)
    assert library.get("Plan B").scenario == cx_roi.Scenario() and library.get("Plan B").saved_by == "bob"
    assert len(library.entries()) == 1


def test_rename_and_delete(library):
    library.save("Plan B", cx_roi.Scenario(), note="keep me")
    library.save("Plan C", cx_roi.load_preset("service-boost"))
    renamed = library.rename("Plan B", "Plan D")
    assert renamed.name == "Plan D" and renamed.note == "keep me"
    assert sorted(e.name for e in library.entries()) == ["Plan C", "Plan D"]
    with pytest.raises(LibraryError, match="Plan C"):
        library.rename("Plan D", "Plan C")  # taken
    with pytest.raises(LibraryError, match="Plan B"):
        library.rename("Plan B", "Plan E")  # gone
    library.delete("Plan C")
    with pytest.raises(LibraryError, match="Plan C"):
        library.delete("Plan C")
    with pytest.raises(LibraryError, match="Plan C"):
        library.get("Plan C")
    assert [e.name for e in library.entries()] == ["Plan D"]


@pytest.mark.parametrize(("name", "allowed"), [
    ("", "empty"), ("   ", "empty"), ("x" * (NAME_MAX + 1), f"1 to {NAME_MAX}"), ("two\nlines", "1 to 40"),
    ("bell\x07", "1 to 40"), ("a,b", "1 to 40"), ("[evil](http://x.com)", "1 to 40"), ("\u202eabc", "1 to 40"),
    (None, "text"), (5, "text"),
])
def test_names_outside_the_rules_are_refused_saying_what_is_allowed(library, name, allowed):
    with pytest.raises(LibraryError) as err:
        library.save(name, cx_roi.Scenario())
    assert allowed in str(err.value)
    assert library.entries() == []


def test_a_note_too_long_or_a_non_scenario_is_refused(library):
    with pytest.raises(LibraryError, match=str(NOTE_MAX)):
        library.save("Plan", cx_roi.Scenario(), note="x" * (NOTE_MAX + 1))
    with pytest.raises(LibraryError, match="dict"):
        library.save("Plan", {"ad_spend_per_month": 1})
    assert library.entries() == []


def test_sessions_and_replicas_saving_at_once_lose_nothing(url):
    """Two libraries on one database stand for two replicas; eight threads save at the same time."""
    replicas = [Library(url), Library(url)]
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def save_many(i: int) -> None:
        start.wait()
        try:
            for j in range(5):
                replicas[i % 2].save(f"thread {i} plan {j}", cx_roi.Scenario().replace(shrinkage=0.2 + 0.01 * j),
                                     by=f"user {i}")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for lib in replicas:  # each replica sees what the other saved
        assert len(lib.entries()) == 40
    assert replicas[0].get("thread 3 plan 4").scenario.shrinkage == pytest.approx(0.24)

    # Six sessions saving under one name at the same moment: one wins, five are told; none crashes.
    outcomes: list[str] = []
    same = threading.Barrier(6)

    def save_same(i: int) -> None:
        same.wait()
        try:
            replicas[i % 2].save("Board pick", cx_roi.Scenario(), by=f"user {i}")
            outcomes.append("saved")
        except LibraryError:
            outcomes.append("refused")

    threads = [threading.Thread(target=save_same, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["saved"]
    for lib in replicas:
        lib.close()


def test_the_schema_is_versioned_and_a_newer_one_is_left_alone(url):
    lib = Library(url)
    lib.save("Plan", cx_roi.Scenario())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT version FROM cx_roi_schema")).scalar() == SCHEMA_VERSION
        conn.execute(sa.text("UPDATE cx_roi_schema SET version = :v"), {"v": SCHEMA_VERSION + 1})
    newer = Library(url)
    with pytest.raises(LibraryError, match="newer cx-roi"):
        newer.entries()
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM cx_roi_scenarios")).scalar() == 1
    engine.dispose()
    lib.close()
    newer.close()


def test_an_unreadable_entry_is_named_not_a_traceback(library, url):
    library.save("Plan", cx_roi.Scenario())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cx_roi_scenarios SET scenario = :s"), {"s": '{"shrinkage": 7}'})
    engine.dispose()
    with pytest.raises(LibraryError, match="'Plan'"):
        library.get("Plan")


@pytest.mark.parametrize("stored", ['{"schema_version": 99}', "{not json"])
def test_an_unreadable_entry_hides_none_of_the_others_and_can_be_renamed_and_deleted(library, url, stored):
    library.save("Plan", cx_roi.Scenario())
    library.save("Broken", cx_roi.Scenario())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cx_roi_scenarios SET scenario = :s WHERE name = 'Broken'"), {"s": stored})
    engine.dispose()
    entries = {e.name: e for e in library.entries()}
    assert entries["Plan"].scenario == cx_roi.Scenario() and entries["Plan"].problem is None
    assert entries["Broken"].scenario is None and "'Broken'" in entries["Broken"].problem
    # Said as what the user can do with it, not with the advice on valid names for someone writing a file.
    assert "deleted" in entries["Broken"].problem and "valid names" not in entries["Broken"].problem
    assert library.rename("Broken", "Broken (newer)").problem
    library.delete("Broken (newer)")
    assert [e.name for e in library.entries()] == ["Plan"]


def test_a_database_that_cannot_be_reached_is_said_without_its_address(caplog):
    """Visitors are told the library cannot be used; its host, account and password are for the
    server's log (the password not even there)."""
    lib = Library("postgresql+psycopg://someone:s3cret@127.0.0.1:1/library")
    with caplog.at_level("WARNING", logger="cx_roi.library"), pytest.raises(LibraryError) as err:
        lib.entries()
    assert "cannot be used right now" in str(err.value)
    assert not any(secret in str(err.value) for secret in ("127.0.0.1", "someone", "s3cret"))
    assert "127.0.0.1:1" in caplog.text and "s3cret" not in caplog.text
    with pytest.raises(LibraryError, match="sqlite"):
        Library("not a url")


@pytest.mark.parametrize("url", ["mysql://u:p@127.0.0.1/db", "oracle://u:p@127.0.0.1/db", "nosuchdb://x"])
def test_a_database_this_installation_has_no_driver_for_is_a_message(url):
    with pytest.raises(LibraryError, match="PostgreSQL"):
        Library(url)


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_a_hosting_providers_postgres_address_uses_the_installed_driver(scheme):
    lib = Library(f"{scheme}://someone:s3cret@127.0.0.1:1/library")
    assert lib.url.startswith("postgresql+psycopg://")
    with pytest.raises(LibraryError, match="cannot be used right now"):
        lib.entries()


def test_a_server_that_accepts_and_never_answers_is_a_message_not_a_wait():
    """A port that takes the connection and says nothing (a firewall, a hung server) held the Library
    page for minutes: the connection gives up after CONNECT_TIMEOUT_SECONDS and says so."""
    import socket

    from cx_roi.library import CONNECT_TIMEOUT_SECONDS

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(8)], daemon=True).start()
    outcome = []

    def ask():
        try:
            Library(f"postgresql://a:b@127.0.0.1:{listener.getsockname()[1]}/library").entries()
        except LibraryError as err:
            outcome.append(err)

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(timeout=10 * CONNECT_TIMEOUT_SECONDS)
    listener.close()
    assert not asking.is_alive() and outcome and "cannot be used right now" in str(outcome[0])


def test_the_default_is_an_sqlite_file_unless_the_environment_names_a_database(monkeypatch, tmp_path):
    monkeypatch.delenv("CX_ROI_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    lib = Library()
    lib.save("Plan", cx_roi.Scenario())
    assert (tmp_path / ".cx-roi" / "library.sqlite3").is_file()
    other = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    monkeypatch.setenv("CX_ROI_DATABASE_URL", other)
    assert Library().url == other and Library().entries() == []


_names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=NAME_MAX).filter(
    lambda s: s.strip() == s and s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names, note=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                 max_size=200))
def test_any_allowed_name_and_note_round_trip_exactly(library, name, note):
    try:
        library.save(name, cx_roi.Scenario(), note=note.replace("\r", ""), replace=True)
    except LibraryError as err:  # only control characters in the note may be refused
        assert "control characters" in str(err)
        return
    entry = library.get(name)
    assert entry.name == name and entry.note == note.replace("\r", "").strip()
    library.delete(name)


def test_an_account_that_may_only_read_lists_but_saving_is_said_not_done(postgres_admin, caplog):
    """A permission error was not a library error: the page showed Streamlit's error box and the log
    the statement's values (the scenario and its note)."""
    with postgres.database(postgres_admin) as db:
        Library(db).save("Plan A", cx_roi.Scenario())
        role = f"reader_{abs(hash(db)) % 10**8}"
        admin = sa.create_engine(db, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'"))
            conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
        reader = Library(sa.engine.make_url(db).set(username=role, password="pw").render_as_string(
            hide_password=False))
        try:
            assert [e.name for e in reader.entries()] == ["Plan A"]
            with caplog.at_level("WARNING", logger="cx_roi.library"), pytest.raises(LibraryError):
                reader.save("Plan B", cx_roi.Scenario(), note="private note")
            assert "permission denied" in caplog.text and "private note" not in caplog.text
        finally:
            reader.close()
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP OWNED BY {role}"))
                conn.execute(sa.text(f"DROP ROLE {role}"))
            admin.dispose()


@pytest.mark.parametrize("url", ["postgresql://cxroi:pw@127.0.0.1:notaport/cxroi", "mysql://u:pw@db/x"])
def test_an_address_cx_roi_cannot_use_is_said_to_visitors_and_logged_for_the_admin(url, caplog):
    with caplog.at_level("WARNING", logger="cx_roi.library"), pytest.raises(LibraryError, match="not a database"):
        Library(url)
    assert "not a database address" in caplog.text and "pw" not in caplog.text


def test_a_password_with_an_unencoded_at_sign_is_not_logged(caplog):
    url = "postgresql+psycopg://cxroi:Sup3r@Secret/x@127.0.0.1:1/cxroi"
    with caplog.at_level("WARNING", logger="cx_roi.library"), pytest.raises(LibraryError):
        Library(url).entries()
    assert "Secret" not in caplog.text and "Sup3r" not in caplog.text and "127.0.0.1" in caplog.text


def test_a_file_that_is_not_a_database_is_the_librarys_message(tmp_path):
    """'file is not a database' is neither an operational nor a programming error: it escaped raw."""
    garbage = tmp_path / "library.sqlite3"
    garbage.write_text("not a database, just text " * 100)
    with pytest.raises(LibraryError, match="cannot be used right now"):
        Library(f"sqlite:///{garbage}").entries()


def test_a_short_piece_of_an_unencoded_password_is_not_logged(caplog):
    with caplog.at_level("WARNING", logger="cx_roi.library"), pytest.raises(LibraryError):
        Library("postgresql+psycopg://bob:p@ss@127.0.0.1:1/lib").entries()
    assert "ss@" not in caplog.text and "percent-encoded" in caplog.text
