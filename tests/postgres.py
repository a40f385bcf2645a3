"""A real PostgreSQL server for the tests: the one ``CX_ROI_POSTGRES_URL`` names, or a throwaway
cluster started from Debian's ``postgresql`` package in a temporary folder (``initdb``, then
``pg_ctl``), on a free loopback port, trusted local logins, removed afterwards.

Without either, the tests that need it are skipped, or fail when ``CX_ROI_REQUIRE_SERVICES=1``
(as in CI, where ``.ci/run`` installs the package).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import free_port


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def unavailable(reason: str) -> None:
    if os.environ.get("CX_ROI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"CX_ROI_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The admin URL (``postgresql+psycopg://...``) of a running server, for as long as the block runs."""
    given = os.environ.get("CX_ROI_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed (Debian: postgresql) and CX_ROI_POSTGRES_URL is not set")
    folder = Path(tempfile.mkdtemp(prefix="cx-roi-pg-"))
    # initdb refuses to run as root: the cluster then belongs to the postgres system user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync"], check=True, capture_output=True)
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError as err:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"a PostgreSQL server could not be started: {err.stderr.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
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
