"""The replicated layout of deploy/compose.yaml on one machine, without Docker.

    python deploy/run_local.py                   # 3 replicas, proxy on a free port
    python deploy/run_local.py --replicas 2 --port 8080

It starts, in this order, each one health-checked before the next:

* a throwaway PostgreSQL cluster (the Debian ``postgresql`` package: ``initdb`` and ``pg_ctl``
  on a temporary data directory, run as the ``postgres`` user when started as root), listening on
  127.0.0.1 with a random password, database and user ``cxroi``;
* 2 or 3 ``streamlit run app.py`` processes on loopback ports, each given
  ``CX_ROI_DATABASE_URL`` (``postgresql+psycopg://...`` to that cluster) and one cookie secret;
* HAProxy (the Debian ``haproxy`` package: ``apt-get install -y haproxy``) with
  deploy/haproxy.cfg, the file compose uses, its replicas' addresses from the environment.

It prints the proxy's address and runs until Ctrl-C or SIGTERM, then stops everything and
deletes the cluster. While it runs, a JSON description of the layout (addresses and process
ids) is at :func:`state_path` of the proxy's port, for ``benchmarks/load_test.py --url``.

:class:`LocalLayout` is the same as a context manager, for tests and the load test.
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
REPLICA_NAMES = ("app1", "app2", "app3")  # the server names and cookie values in haproxy.cfg
COOKIE = "CXROUTE"  # haproxy.cfg's stickiness cookie
REPLICA_HEADER = "X-CX-Replica"  # haproxy.cfg: the replica that served a response
DB_NAME = DB_USER = "cxroi"
BOOT_TIMEOUT_S = 180.0  # a replica's first start imports pandas, scipy and plotly: slow on a busy machine


class LayoutError(RuntimeError):
    """A part of the layout could not be started (the message says which, and where its log is)."""


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state_path(proxy_port: int) -> Path:
    """Where a running layout describes itself (JSON), by its proxy's port."""
    return Path(tempfile.gettempdir()) / f"cx-roi-local-{proxy_port}.json"


def postgres_bindir() -> Path | None:
    """The directory of PostgreSQL's programs (initdb, pg_ctl, createdb, pg_isready), newest
    version first; Debian keeps them out of PATH, under /usr/lib/postgresql/<version>/bin."""
    def version(p: str) -> int:
        part = Path(p).parts[-3]
        return int(part) if part.isdigit() else 0
    on_path = shutil.which("pg_ctl")
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=version, reverse=True)
    for pg_ctl in [*candidates, *([on_path] if on_path else [])]:
        bindir = Path(pg_ctl).resolve().parent
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "createdb", "pg_isready")):
            return bindir
    return None


def system_program(name: str) -> str | None:
    """A program on PATH, or in the sbin directories (not on every user's PATH), where Debian puts
    ``haproxy`` and ``runuser``."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def haproxy_path() -> str | None:
    """HAProxy's program, or None when it is not installed."""
    return system_program("haproxy")


def missing_tools() -> list[str]:
    """Debian packages this layout needs that are not installed (empty when it can run)."""
    missing = []
    if haproxy_path() is None:
        missing.append("haproxy")
    if postgres_bindir() is None:
        missing.append("postgresql")
    return missing


def http_get(url: str, cookie: str | None = None, timeout: float = 5.0) -> tuple[int, Message, bytes]:
    """GET ``url`` (with a ``Cookie`` header when given): status, headers, body. An HTTP error
    status is returned, not raised."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def route_cookie(headers: Message) -> str | None:
    """The replica that the proxy's stickiness cookie names in these response headers, if it set one."""
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        if name.strip() == COOKIE:
            return rest.split(";")[0].strip()
    return None


@dataclass
class Replica:
    """One ``streamlit run app.py`` process."""
    name: str
    port: int
    proc: subprocess.Popen

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class LocalPostgres:
    """A PostgreSQL cluster in a temporary directory, on 127.0.0.1, password-protected."""

    def __init__(self, workdir: Path):
        bindir = postgres_bindir()
        if bindir is None:
            raise LayoutError("PostgreSQL is not installed (Debian: apt-get install -y postgresql)")
        self.bindir: Path = bindir
        self.dir = workdir / "postgres"
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.started = False
        # PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
        runuser = system_program("runuser") or "runuser"
        self.as_user = [runuser, "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        """SQLAlchemy URL for the psycopg 3 driver, as compose gives the replicas."""
        return f"postgresql+psycopg://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{DB_NAME}"

    def _run(self, *args: str, as_owner: bool = True) -> None:
        cmd = [*(self.as_user if as_owner else []), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PGPASSWORD": self.password})
        if done.returncode != 0:
            raise LayoutError(f"{Path(args[0]).name} failed ({done.returncode}): "
                              f"{(done.stderr or done.stdout).strip()[-800:]} (log: {self.log})")

    def start(self) -> None:
        self.dir.mkdir()
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", DB_USER, f"--pwfile={pwfile}",
                  "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions")
        pwfile.unlink()
        # The socket goes into the cluster's own directory; only TCP on loopback is used.
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")
        self.started = True
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER,
                  DB_NAME, as_owner=False)

    def stop(self) -> None:
        if self.started:
            self.started = False
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            except (LayoutError, subprocess.TimeoutExpired) as exc:
                print(f"PostgreSQL did not stop cleanly: {exc}", file=sys.stderr)


class LocalLayout:
    """PostgreSQL, ``replicas`` Streamlit processes and HAProxy in front, on loopback.

    Use as a context manager (or call :meth:`start` and :meth:`stop`); a part that fails to
    start stops the parts already started."""

    def __init__(self, replicas: int = 3, proxy_port: int | None = None, quiet: bool = True,
                 keep_logs: bool = False):
        if not 2 <= replicas <= len(REPLICA_NAMES):  # haproxy.cfg names app1 and app2, and app3 if set
            raise ValueError(f"replicas must be 2 to {len(REPLICA_NAMES)}, not {replicas}")
        missing = missing_tools()
        if missing:
            raise LayoutError(f"not installed: {', '.join(missing)} (Debian: apt-get install -y "
                              f"{' '.join(missing)})")
        self.n = replicas
        self.proxy_port = proxy_port or free_port()
        self.stats_port = free_port()
        self.quiet = quiet
        self.keep_logs = keep_logs
        self.workdir = Path(tempfile.mkdtemp(prefix="cx-roi-local-"))
        self.workdir.chmod(0o711)  # the postgres user enters it to reach its own directory
        self.cookie_secret = secrets.token_hex(32)
        self.postgres = LocalPostgres(self.workdir)
        self.replicas: list[Replica] = []
        self.haproxy: subprocess.Popen | None = None
        self._logs: list[io.IOBase] = []
        self._failed = False

    # -- addresses --------------------------------------------------------------------------
    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.stats_port}/stats"

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def _log(self, name: str) -> io.IOBase:
        fh = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self._logs.append(fh)
        return fh

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    # -- start and stop ---------------------------------------------------------------------
    def start(self) -> "LocalLayout":
        try:
            self.postgres.start()
            self._say(f"PostgreSQL on 127.0.0.1:{self.postgres.port}, database {DB_NAME}")
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "CX_ROI_DATABASE_URL": self.database_url,
                   "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret}
            for name in REPLICA_NAMES[: self.n]:
                port = free_port()
                proc = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--server.headless", "true",
                     "--browser.gatherUsageStats", "false"],
                    cwd=ROOT, env=env, stdout=self._log(name), stderr=subprocess.STDOUT,
                    start_new_session=True)  # its own process group: stopped with its odds process
                self.replicas.append(Replica(name, port, proc))
            for r in self.replicas:
                self._wait_healthy(f"http://{r.address}/_stcore/health", r.proc, r.name)
                self._say(f"{r.name}: streamlit run app.py on {r.address} (pid {r.proc.pid})")
            self.haproxy = subprocess.Popen(
                [haproxy_path(), "-db", "-f", str(HAPROXY_CFG)], env=self.haproxy_env(),
                stdout=self._log("haproxy"), stderr=subprocess.STDOUT, start_new_session=True)
            self._wait_healthy(f"{self.proxy_url}/_stcore/health", self.haproxy, "haproxy")
            self.wait_until(lambda: all(s == "UP" for s in self.server_status().values()),
                            "every replica UP in HAProxy's health checks")
            self.write_state()
        except BaseException:
            self._failed = True
            self.stop()
            raise
        return self

    def haproxy_env(self) -> dict[str, str]:
        """haproxy.cfg's variables for this layout (compose.yaml sets the same ones)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CX_ROI_APP")}
        env.update({"CX_ROI_PROXY_BIND": f"127.0.0.1:{self.proxy_port}",
                    "CX_ROI_STATS_BIND": f"127.0.0.1:{self.stats_port}"})
        for r in self.replicas:
            env[f"CX_ROI_{r.name.upper()}"] = r.address
        return env

    def stop_replica(self, name: str) -> None:
        """Stop one replica (and its odds process), as a crash or a scale-down would."""
        r = self.replica(name)
        _stop_group(r.proc)

    def stop(self) -> None:
        """Stop HAProxy, the replicas and PostgreSQL; delete the cluster, the state file and the logs
        (the replicas' and HAProxy's logs stay with ``keep_logs``, and when the layout failed to
        start, for its error message)."""
        if self.haproxy is not None:
            _stop_group(self.haproxy)
        for r in self.replicas:
            _stop_group(r.proc)
        self.postgres.stop()
        for fh in self._logs:
            fh.close()
        self._logs.clear()
        state_path(self.proxy_port).unlink(missing_ok=True)
        shutil.rmtree(self.postgres.dir if self._failed or self.keep_logs else self.workdir, ignore_errors=True)

    def __enter__(self) -> "LocalLayout":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- health -----------------------------------------------------------------------------
    def _wait_healthy(self, url: str, proc: subprocess.Popen, name: str) -> None:
        def healthy() -> bool:
            if proc.poll() is not None:
                raise LayoutError(f"{name} exited with status {proc.returncode} before it was healthy "
                                  f"(log: {self.workdir / (name + '.log')})")
            try:
                return http_get(url, timeout=2)[0] == 200
            except OSError:
                return False
        self.wait_until(healthy, f"{name} healthy at {url}")

    @staticmethod
    def wait_until(condition, what: str, timeout: float = BOOT_TIMEOUT_S) -> None:
        """Poll ``condition`` every 0.25 s until it is true; :class:`LayoutError` after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise LayoutError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.25)

    def server_status(self) -> dict[str, str]:
        """Each replica's state in HAProxy's health checks ("UP", "DOWN", ...), from its stats CSV."""
        status, _, body = http_get(self.stats_url + ";csv", timeout=5)
        if status != 200:
            raise LayoutError(f"HAProxy's stats answered {status}")
        rows = csv.DictReader(io.StringIO(body.decode().lstrip("# ")))
        return {row["svname"]: row["status"].split()[0] for row in rows
                if row["pxname"] == "replicas" and row["svname"] in REPLICA_NAMES}

    # -- description ------------------------------------------------------------------------
    def describe(self) -> dict:
        return {"proxy_url": self.proxy_url, "stats_url": self.stats_url,
                "database_url_host": f"127.0.0.1:{self.postgres.port}", "workdir": str(self.workdir),
                "replicas": [{"name": r.name, "address": r.address, "pid": r.proc.pid} for r in self.replicas],
                "haproxy_pid": self.haproxy.pid if self.haproxy else None}

    def write_state(self) -> None:
        path = state_path(self.proxy_port)
        path.write_text(json.dumps(self.describe(), indent=2))


def _stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM a process started in its own session, and its group (e.g. the odds process);
    SIGKILL after ``grace`` seconds."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is left
    except ProcessLookupError:
        pass
    proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=3, choices=(2, 3), help="Streamlit processes (default 3)")
    ap.add_argument("--port", type=int, default=None, help="the proxy's port on 127.0.0.1 (default: a free one)")
    args = ap.parse_args(argv)

    def on_signal(signum: int, _frame) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):  # a second one must not cut the clean stop short
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Both, also when started in the background (where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logs = None
    try:
        # The logs outlive the stop: after Ctrl-C they are what tells what happened.
        with LocalLayout(args.replicas, args.port, quiet=False, keep_logs=True) as layout:
            logs = layout.workdir
            print(f"proxy: {layout.proxy_url}  (HAProxy stats: {layout.stats_url}; "
                  f"logs in {layout.workdir}; layout: {state_path(layout.proxy_port)})", flush=True)
            print("Ctrl-C stops everything.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt as stop:
        print(f"stopped ({stop or 'SIGINT'})" + (f"; the logs stay in {logs}" if logs else ""))
    except LayoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
