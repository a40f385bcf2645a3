"""A real PostgreSQL server for the tests: the one ``CX_ROI_POSTGRES_URL`` names, or a throwaway
cluster from Debian's ``postgresql`` package in a temporary folder, on a free loopback port,
removed afterwards (the one the replicated layout starts, ``deploy/run_local.py``).

Without either, the tests that need it are skipped, or fail when ``CX_ROI_REQUIRE_SERVICES=1``
(as in CI, where ``.ci/run`` installs the package).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.run_local import LayoutError, LocalPostgres


def unavailable(reason: str) -> None:
    if os.environ.get("CX_ROI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"CX_ROI_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The admin URL (``postgresql+psycopg://...``) of a running server, for as long as the block runs:
    ``CX_ROI_POSTGRES_URL``, or the replicated layout's own throwaway cluster
    (:class:`deploy.run_local.LocalPostgres`)."""
    given = os.environ.get("CX_ROI_POSTGRES_URL")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="cx-roi-pg-"))
    folder.chmod(0o711)  # the postgres user enters it to reach its own directory
    try:
        cluster = LocalPostgres(folder)
        cluster.start()
    except LayoutError as err:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"a PostgreSQL server could not be started: {err}")
    try:
        yield cluster.url
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server for the block (dropped after), as an SQLAlchemy URL."""
    import sqlalchemy as sa

    name = f"cx_roi_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
