"""A team's scenario library on a database: save a scenario under a name with a note, list, open,
rename and delete saved scenarios, and see who saved what and when.

SQLite in a local file by default (:func:`default_url`), so a single machine needs nothing
more; PostgreSQL, or any database SQLAlchemy speaks, when ``CX_ROI_DATABASE_URL`` names one
(``postgresql+psycopg://user:password@host/db``), so every replica of a hosted dashboard shares
one library. The tables are created on first use and the schema carries a version number
(:data:`SCHEMA_VERSION`), so a later cx-roi can upgrade a library in place and an older one
refuses a library it cannot read instead of damaging it.

Names are unique: two people saving under the same name at the same moment both get an answer,
one saved and one told the name is taken (by whom and when); nothing is overwritten unless the
caller asks to replace. Scenarios are stored as their JSON (:meth:`cx_roi.Scenario.to_json`) and
checked again when opened, like any file from outside.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .comparison import SAVED_NAME_MAX as NAME_MAX, saved_name_problem
from .errors import ScenarioError
from .scenario import Scenario

__all__ = ["Library", "Entry", "LibraryError", "default_url", "DATABASE_ENV", "SCHEMA_VERSION", "NAME_MAX",
           "NOTE_MAX"]

DATABASE_ENV = "CX_ROI_DATABASE_URL"
"""The environment variable naming the library's database (an SQLAlchemy URL)."""

SCHEMA_VERSION = 1
"""The version of the tables this cx-roi writes; a library made by a newer one is refused."""

_STORED_NAME_MAX = 80  # the column, as the first libraries made it

NOTE_MAX = 2_000
"""Longest note, in characters."""
_BY_MAX = 200

_metadata = sa.MetaData()
# One row (id 1): two replicas creating the library at the same moment cannot both record a version.
_schema = sa.Table("cx_roi_schema", _metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                   sa.Column("version", sa.Integer, nullable=False))
_scenarios = sa.Table(
    "cx_roi_scenarios", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(_STORED_NAME_MAX), nullable=False, unique=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("scenario", sa.Text, nullable=False),
    sa.Column("saved_by", sa.String(_BY_MAX), nullable=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)

# Upgrades of an older library, one per version step: _MIGRATIONS[v] takes version v to v + 1.
# Version 1 is the first, so there is nothing to upgrade yet.
_MIGRATIONS: dict[int, Callable[[Connection], None]] = {}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are allowed (in notes)


class LibraryError(ValueError):
    """A library request that cannot be done, in words for the person who made it."""


class LibraryUnavailable(LibraryError):
    """The library's database cannot be used at all (not reached, refused): every request fails alike."""


@dataclass(frozen=True)
class Entry:
    """One saved scenario: its name, note, who saved it (None when nobody was signed in) and when (UTC).

    ``scenario`` is None, and ``problem`` says why, for an entry this cx-roi cannot read (written by
    a newer version, or damaged in the database): it is still listed, renamed and deleted."""

    name: str
    note: str
    saved_by: str | None
    saved_at: _dt.datetime
    scenario: Scenario | None
    problem: str | None = None


_log = logging.getLogger(__name__)
CONNECT_TIMEOUT_SECONDS = 5
"""How long a database server may take to accept a connection before the library says it cannot be
reached (a server that accepts and never answers would otherwise hold the page for minutes)."""


def database_url(url: str) -> str:
    """``url`` with the driver cx-roi installs: hosting providers hand out ``postgres://`` and
    ``postgresql://`` addresses, which SQLAlchemy would read with a driver that is not installed."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def default_url() -> str:
    """``CX_ROI_DATABASE_URL`` when set, else an SQLite file in the user's home
    (``~/.cx-roi/library.sqlite3``), created on first use."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    if url:
        return url
    folder = Path.home() / ".cx-roi"
    return f"sqlite:///{folder / 'library.sqlite3'}"


def _name(name: Any, what: str = "name") -> str:
    """A name to look up: any text (a library may hold names saved before the rule)."""
    if not isinstance(name, str) or not name.strip():
        raise LibraryError(f"The {what} {saved_name_problem(name) or 'is empty'}.")
    return name.strip()


def _new_name(name: Any, what: str = "name") -> str:
    """A name to save under (:func:`cx_roi.comparison.saved_name_problem`)."""
    text = name.strip() if isinstance(name, str) else name
    problem = saved_name_problem(text)
    if problem:
        raise LibraryError(f"The {what} {problem}.")
    return text


def _note(note: str) -> str:
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        raise LibraryError(f"The note is {len(text)} characters long; at most {NOTE_MAX} are allowed.")
    if _CONTROL.search(text):
        raise LibraryError("The note has control characters; use plain text (line breaks are fine).")
    return text


def _by(by: str | None) -> str | None:
    if by is None:
        return None
    text = _CONTROL.sub("", str(by)).strip()
    return text[:_BY_MAX] or None


def _utc(value: _dt.datetime) -> _dt.datetime:
    # SQLite keeps no time zone: what was written in UTC comes back naive.
    return value.replace(tzinfo=_dt.UTC) if value.tzinfo is None else value.astimezone(_dt.UTC)


class Library:
    """The scenario library at ``url`` (an SQLAlchemy URL; :func:`default_url` when None).

    Safe to share between threads; every method is one transaction. Methods raise
    :class:`LibraryError` with a message for the user when a request cannot be done (a name
    taken, a name not found, a database that cannot be reached or was made by a newer cx-roi).
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url or default_url())
        try:
            parsed = sa.engine.make_url(self.url)
            parsed.get_dialect().import_dbapi()  # a database without a driver here (mysql://) fails now
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as err:
            _log.warning("%s=%s is not a database address cx-roi can use: %s", DATABASE_ENV, _masked(self.url),
                         _masked(self.url, str(err).splitlines()[0] if str(err) else type(err).__name__))
            raise LibraryError(f"{DATABASE_ENV} is not a database address cx-roi can use: give a PostgreSQL "
                               "address (postgresql://user:password@host/db) or an SQLite file "
                               "(sqlite:///path/to/library.sqlite3).") from None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # A URI filename (sqlite:///file:/path?mode=ro&uri=true) names its file after "file:".
            path = parsed.database.removeprefix("file:") if parsed.query.get("uri") == "true" else parsed.database
            folder = Path(path).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise LibraryError(f"The folder of the scenario library ({folder}) cannot be made: "
                                   f"{err.strerror}. Set {DATABASE_ENV} to another place.") from None
        self._engine = _engine(self.url)
        self._ready = False

    def where(self) -> str:
        """The database's address without its password, to show."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    # -------------------------------------------------------------- reading

    def entries(self) -> list[Entry]:
        """Every saved scenario, newest first; one this cx-roi cannot read has no scenario and
        says why (:attr:`Entry.problem`), so one bad entry hides none of the others."""
        with self._begin() as conn:
            rows = conn.execute(sa.select(_scenarios).order_by(_scenarios.c.saved_at.desc(),
                                                                _scenarios.c.id.desc())).all()
        return [self._entry(r) for r in rows]

    def get(self, name: str) -> Entry:
        """The saved scenario ``name``; LibraryError when it cannot be read."""
        with self._begin() as conn:
            entry = self._entry(self._row(conn, _name(name)))
        if entry.problem:
            raise LibraryError(entry.problem)
        return entry

    # -------------------------------------------------------------- writing

    def save(self, name: str, scenario: Scenario, note: str = "", by: str | None = None,
             replace: bool = False) -> Entry:
        """Save ``scenario`` as ``name`` with ``note``, by ``by`` (a signed-in user, or None).

        A name already taken is refused, naming who saved it and when, unless ``replace``.
        """
        if not isinstance(scenario, Scenario):
            raise LibraryError(f"Only a Scenario can be saved, not {type(scenario).__name__}.")
        values = dict(name=_new_name(name), note=_note(note), scenario=scenario.to_json(indent=None),
                      saved_by=_by(by), saved_at=_dt.datetime.now(_dt.UTC))
        try:
            with self._begin() as conn:
                if replace:
                    done = conn.execute(sa.update(_scenarios).where(_scenarios.c.name == values["name"])
                                        .values(**values))
                    if done.rowcount:
                        return self._entry(self._row(conn, values["name"]))
                conn.execute(sa.insert(_scenarios).values(**values))
                return self._entry(self._row(conn, values["name"]))
        except sa.exc.IntegrityError:
            # Another session took the name between our look and our write (or it was taken before).
            raise LibraryError(self._taken(values["name"])) from None

    def rename(self, name: str, new_name: str) -> Entry:
        """Give the saved scenario ``name`` the name ``new_name`` (which must be free)."""
        old, new = _name(name), _new_name(new_name, "new name")
        try:
            with self._begin() as conn:
                self._row(conn, old)
                if old != new:
                    conn.execute(sa.update(_scenarios).where(_scenarios.c.name == old).values(name=new))
                return self._entry(self._row(conn, new))
        except sa.exc.IntegrityError:
            raise LibraryError(self._taken(new)) from None

    def delete(self, name: str) -> None:
        """Remove the saved scenario ``name``."""
        with self._begin() as conn:
            done = conn.execute(sa.delete(_scenarios).where(_scenarios.c.name == _name(name)))
            if not done.rowcount:
                raise LibraryError(self._missing(name))

    # -------------------------------------------------------------- inside

    def _begin(self):
        self._ensure()
        return _Transaction(self._engine, self.url)

    def _ensure(self) -> None:
        """Create the tables and record the schema version on first use; refuse a newer schema."""
        if self._ready:
            return
        for attempt in range(5):
            try:
                self._create_or_upgrade()
                break
            except sa.exc.DBAPIError as err:
                # Another process or session created the tables or the version row at the same moment
                # ("already exists"; SQLite says so as an OperationalError): look again. A server that
                # cannot be reached fails every time, so it is said at once, as is any other database
                # error (a file that is not a database, say).
                raced = (isinstance(err, (sa.exc.IntegrityError, sa.exc.ProgrammingError))
                         or (isinstance(err, sa.exc.OperationalError) and self._engine.dialect.name == "sqlite"))
                if attempt == 4 or not raced:
                    raise _unreachable(self.url, err) from None
                time.sleep(0.05 * (attempt + 1))
        self._ready = True

    def _create_or_upgrade(self) -> None:
        with self._engine.begin() as conn:
            _metadata.create_all(conn, checkfirst=True)
            version = conn.execute(sa.select(_schema.c.version)).scalar()
            if version is None:
                conn.execute(sa.insert(_schema).values(id=1, version=SCHEMA_VERSION))
                version = SCHEMA_VERSION
            if version > SCHEMA_VERSION:
                raise LibraryError(f"The scenario library at {self.where()} was made by a newer cx-roi "
                                   f"(schema version {version}; this one reads up to {SCHEMA_VERSION}). "
                                   "Update cx-roi to use it; nothing was changed.")
            while version < SCHEMA_VERSION:
                _MIGRATIONS[version](conn)
                version += 1
                conn.execute(sa.update(_schema).values(version=version))

    def _row(self, conn: Connection, name: str) -> sa.Row:
        row = conn.execute(sa.select(_scenarios).where(_scenarios.c.name == name)).first()
        if row is None:
            raise LibraryError(self._missing(name))
        return row

    def _entry(self, row: sa.Row) -> Entry:
        try:
            scenario, problem = Scenario.from_json(row.scenario), None
        except ScenarioError as err:
            # What the file says is wrong, without the advice on valid names meant for someone writing one.
            detail = err.problems[0].split("; ")[0]
            scenario, problem = None, (f"The saved scenario {row.name!r} cannot be opened: it was damaged, or "
                                       f"saved by another version of cx-roi ({detail}). It can still be renamed "
                                       "or deleted.")
        return Entry(row.name, row.note, row.saved_by, _utc(row.saved_at), scenario, problem)

    def _taken(self, name: str) -> str:
        try:
            with _Transaction(self._engine, self.url) as conn:
                row = conn.execute(sa.select(_scenarios.c.saved_by, _scenarios.c.saved_at)
                                   .where(_scenarios.c.name == name)).first()
        except LibraryError:
            row = None
        if row is None:
            return f"A scenario named {name!r} was being saved at the same moment; pick another name."
        when = _utc(row.saved_at).strftime("%Y-%m-%d %H:%M UTC")
        who = f" by {row.saved_by}" if row.saved_by else ""
        return (f"A scenario named {name!r} is already in the library (saved{who} on {when}). Pick another "
                "name, or delete that one first.")

    @staticmethod
    def _missing(name: str) -> str:
        return f"There is no saved scenario named {str(name).strip()!r} in the library (it may have been " \
               "renamed or deleted by someone else)."


class _Transaction:
    """``engine.begin()`` whose database errors (server down, file not writable) become a
    :class:`LibraryError` naming the database, and whose integrity errors pass through."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine, self._url = engine, url
        self._ctx = None

    def __enter__(self) -> Connection:
        try:
            self._ctx = self._engine.begin()
            return self._ctx.__enter__()
        except sa.exc.DBAPIError as err:
            raise _unreachable(self._url, err) from None

    def __exit__(self, kind, value, tb) -> bool:
        # Any database error but a taken name (an integrity error, which the caller words) says the
        # library cannot be used: a server down, a file or an account that may only read.
        try:
            self._ctx.__exit__(kind, value, tb)
        except sa.exc.IntegrityError:
            raise
        except sa.exc.DBAPIError as err:
            raise _unreachable(self._url, err) from None
        if isinstance(value, sa.exc.DBAPIError) and not isinstance(value, sa.exc.IntegrityError):
            raise _unreachable(self._url, value) from None
        return False


def _masked(url: str, text: str | None = None) -> str:
    """``url`` (or ``text``, a driver's words about it) with the account and password hidden: all up
    to the address's last "@". A password with an "@" or "/" the address did not encode would
    otherwise read as the host, and the driver's words name parts of it: those words are replaced by
    what to do. An SQLite file has no account (an "@" there is in its path)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest or scheme.startswith("sqlite"):
        return url if text is None else text
    account, host = rest.rsplit("@", 1)
    if text is None:
        return f"{scheme}://***@{host}"
    if re.search("[@/]", account):
        return ("the address's password holds an @ or / that is not percent-encoded (write %40 and %2F), so "
                "the driver misread the address")
    for piece in sorted(re.split(r"[:@/]", account), key=len, reverse=True):
        text = text.replace(piece, "***") if len(piece) >= 3 else text
    return text


def _unreachable(url: str, err: Exception) -> LibraryError:
    # The address and the driver's words go to the server's log: they name hosts and accounts that
    # are not every visitor's business. Only the driver's first line: the rest holds the statement's
    # values (a scenario, a note).
    reason = str(getattr(err, "orig", err)).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    _log.warning("scenario library at %s cannot be used: %s", _masked(url), _masked(url, reason))
    return LibraryUnavailable("The team's scenario library cannot be used right now (its database did not "
                              "answer or refused; the server's log says why). Your scenario on screen is unchanged.")


def _engine(url: str) -> Engine:
    """An engine for ``url``: SQLite waits for another writer (up to 30 s) instead of failing, and
    a pooled server connection is checked before use (a database restart leaves dead ones)."""
    backend = sa.engine.make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:
            # Readers do not wait for a writer (another replica or session saving).
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    connect = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if backend == "postgresql" else {}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect)
