"""The replicated layout (deploy/): compose.yaml read as data, and the same layout really run
without Docker (deploy/run_local.py): two replicas behind HAProxy, with PostgreSQL.

The layout needs Debian's ``haproxy`` and ``postgresql``; without them these tests skip, unless
CX_ROI_REQUIRE_SERVICES=1 (set by CI), where a missing service is a failure. Docker itself is
not needed: compose.yaml is checked as data against haproxy.cfg and the Dockerfile, and
haproxy.cfg by HAProxy with compose's variables.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deploy.run_local import (COOKIE, HAPROXY_CFG, REPLICA_HEADER, REPLICA_NAMES, LocalLayout, haproxy_path,
                              http_get, missing_tools, postgres_bindir, route_cookie)

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"
APP_PORT = 8501  # the Dockerfile's EXPOSE and CMD


def need_services() -> None:
    """Skip (fail when CX_ROI_REQUIRE_SERVICES=1) when HAProxy or PostgreSQL is not installed."""
    missing = missing_tools()
    if missing:
        reason = f"not installed: {', '.join(missing)} (Debian: apt-get install -y {' '.join(missing)})"
        if os.environ.get("CX_ROI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


ENV_EXAMPLE = ROOT / "deploy" / ".env.example"


def interpolate(value, env: dict[str, str]):
    """Compose's variable interpolation over a parsed file: ``${NAME}``, ``${NAME:?error}`` and
    ``${NAME:-default}`` in every string (a required variable missing from ``env`` raises)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""
    return re.sub(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}", one, value)


def env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a compose .env file (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


# deploy/.env.example's names with values filled in, as an admin's deploy/.env has them.
SECRETS = {name: f"filled{i}" for i, name in enumerate(env_file(ENV_EXAMPLE))}


def compose(env: dict[str, str] | None = None) -> dict:
    """compose.yaml as Docker Compose reads it, with ``env`` (by default :data:`SECRETS`)."""
    import yaml

    return interpolate(yaml.safe_load(COMPOSE.read_text()), SECRETS if env is None else env)


def haproxy_servers() -> dict[str, str]:
    """haproxy.cfg's replicas: server name -> the environment variable holding its address."""
    return dict(re.findall(r'^\s*server\s+(\w+)\s+"\$\{(\w+)\}"', HAPROXY_CFG.read_text(), re.M))


# -- compose.yaml, read as data (no Docker engine here: `docker compose config` cannot run) ----

def test_compose_replicas_are_the_proxys_servers_built_from_the_dockerfile():
    spec = compose()
    services = spec["services"]
    apps = {name: s for name, s in services.items() if "build" in s}
    servers = haproxy_servers()
    assert set(apps) == set(servers) == set(REPLICA_NAMES)
    proxy = services["proxy"]
    assert proxy["image"].startswith("haproxy:")
    mounts = {v.split(":")[1]: (COMPOSE.parent / v.split(":")[0]).resolve() for v in proxy["volumes"]}
    assert mounts["/usr/local/etc/haproxy/haproxy.cfg"] == HAPROXY_CFG
    for name, app in apps.items():
        assert (COMPOSE.parent / app["build"]["context"]).resolve() == ROOT
        assert (ROOT / app["build"]["dockerfile"]).is_file()
        assert proxy["environment"][servers[name]] == f"{name}:{APP_PORT}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"EXPOSE {APP_PORT}" in dockerfile and f"STREAMLIT_SERVER_PORT={APP_PORT}" in dockerfile
    bind_port = proxy["environment"]["CX_ROI_PROXY_BIND"].rsplit(":", 1)[1]
    assert any(p.split(":")[-1] == bind_port for p in proxy["ports"])
    # One cookie secret for every replica, so a tab that moves replica keeps valid cookies.
    assert len({app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"] for app in apps.values()}) == 1


def test_compose_replicas_get_the_database_service():
    spec = compose()
    services = spec["services"]
    apps = {name: s for name, s in services.items() if "build" in s}
    for app in apps.values():
        url = urlsplit(app["environment"]["CX_ROI_DATABASE_URL"])
        assert url.scheme == "postgresql+psycopg"
        db = services[url.hostname]
        assert db["image"].startswith("postgres:")
        assert url.port == 5432
        assert url.username == db["environment"]["POSTGRES_USER"]
        assert url.path.lstrip("/") == db["environment"]["POSTGRES_DB"]
        password = SECRETS["CX_ROI_DB_PASSWORD"]
        assert url.password == db["environment"]["POSTGRES_PASSWORD"] == password
        assert app["depends_on"][url.hostname]["condition"] == "service_healthy"
        assert "pg_isready" in " ".join(db["healthcheck"]["test"])
        volume, _, target = db["volumes"][0].partition(":")
        assert volume in spec["volumes"] and target == "/var/lib/postgresql/data"
    assert "ports" not in services[url.hostname]  # only the replicas reach the database


def test_compose_refuses_to_start_without_the_secrets():
    assert set(SECRETS) == {"CX_ROI_DB_PASSWORD", "CX_ROI_COOKIE_SECRET"}
    for name in SECRETS:
        for env in ({k: v for k, v in SECRETS.items() if k != name}, {**SECRETS, name: ""}):
            with pytest.raises(KeyError, match=name):
                compose(env)
    with pytest.raises(KeyError):  # the example copied as it is: no known secret ever runs
        compose(env_file(ENV_EXAMPLE))


def test_haproxy_config_is_valid_with_composes_and_the_local_variables():
    need_services()
    proxy_env = {k: str(v) for k, v in compose()["services"]["proxy"]["environment"].items()}
    local_env = {"CX_ROI_PROXY_BIND": "127.0.0.1:18080", "CX_ROI_STATS_BIND": "127.0.0.1:18081",
                 "CX_ROI_APP1": "127.0.0.1:18501", "CX_ROI_APP2": "127.0.0.1:18502"}
    base = {k: v for k, v in os.environ.items() if not k.startswith("CX_ROI_")}
    for env in (proxy_env, local_env):
        done = subprocess.run([haproxy_path(), "-c", "-f", str(HAPROXY_CFG)], env={**base, **env},
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    # Without a replica's address the configuration is refused, so the variables are really read.
    env = {k: v for k, v in local_env.items() if k != "CX_ROI_APP2"}
    done = subprocess.run([haproxy_path(), "-c", "-f", str(HAPROXY_CFG)], env={**base, **env}, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode != 0


# -- the layout, really run -------------------------------------------------------------------

@pytest.fixture(scope="module")
def layout():
    need_services()
    with LocalLayout(replicas=2) as running:
        yield running


def served_by(layout: LocalLayout, cookie: str | None = None) -> tuple[str, str | None]:
    """One health request through the proxy: the replica that answered, and the replica the
    stickiness cookie set in the answer names (None when it set none)."""
    status, headers, body = http_get(f"{layout.proxy_url}/_stcore/health", cookie=cookie)
    assert (status, body) == (200, b"ok")
    return headers[REPLICA_HEADER], route_cookie(headers)


def test_health_through_the_proxy_and_the_database_given_to_each_replica(layout):
    status, _, body = http_get(f"{layout.proxy_url}/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert layout.server_status() == {"app1": "UP", "app2": "UP"}
    for replica in layout.replicas:
        environ = Path(f"/proc/{replica.proc.pid}/environ").read_bytes().split(b"\0")
        assert f"CX_ROI_DATABASE_URL={layout.database_url}".encode() in environ
    # The URL leads to a live database, with the password it carries.
    url = urlsplit(layout.database_url)
    done = subprocess.run(
        [str(postgres_bindir() / "psql"), "-h", url.hostname, "-p", str(url.port), "-U", url.username,
         "-d", url.path.lstrip("/"), "-tAc", "select current_database()"],
        env={**os.environ, "PGPASSWORD": url.password}, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cxroi"
    # Answers come with the headers a hosted page needs, and without the server's name.
    headers = {k.lower(): v for k, v in http_get(f"{layout.proxy_url}/")[1].items()}
    assert headers["x-frame-options"] == "SAMEORIGIN" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin" and "server" not in headers
    # The metrics stay closed at the proxy.
    for spelled in ("/_stcore/metrics", "/_stcore/%6detrics", "/_stcore/metrics/", "/_stcore%2Fmetrics"):
        assert http_get(f"{layout.proxy_url}{spelled}")[0] == 404, spelled


def test_new_sessions_spread_and_each_sticks_to_its_replica(layout):
    firsts = [served_by(layout) for _ in range(4)]
    for replica, cookie in firsts:
        assert cookie == replica  # the cookie names the replica that answered
    assert {cookie for _, cookie in firsts} == {"app1", "app2"}  # round robin over both
    for name in ("app1", "app2"):
        later = [served_by(layout, f"{COOKIE}={name}") for _ in range(6)]
        assert later == [(name, None)] * 6  # same replica, and no new cookie


def test_a_sessions_websocket_goes_to_its_cookies_replica_and_runs_the_app(layout):
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def one_run(name: str) -> tuple[str, int]:
        ws_url = layout.proxy_url.replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=layout.proxy_url,
                                      additional_headers={"Cookie": f"{COOKIE}={name}"}, max_size=None,
                                      open_timeout=30, ping_interval=None) as ws:
            replica = ws.response.headers[REPLICA_HEADER]
            msg = BackMsg()
            msg.rerun_script.query_string = ""
            await ws.send(msg.SerializeToString())
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
                if fwd.WhichOneof("type") == "script_finished":
                    return replica, fwd.script_finished

    for name in ("app1", "app2"):
        # In a thread of its own: the browser tests' Playwright may hold this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            replica, finished = pool.submit(asyncio.run, one_run(name)).result()
        assert replica == name
        assert finished == ForwardMsg.FINISHED_SUCCESSFULLY


def test_a_stopped_replica_is_taken_out_and_the_proxy_keeps_serving(layout):
    # Last in this module: it stops app1 for good.
    layout.stop_replica("app1")
    deadline = time.monotonic() + 30
    while layout.server_status()["app1"] != "DOWN":
        assert time.monotonic() < deadline, "the health check did not take app1 out within 30 s"
        # Until then too, requests are answered (a refused connection is sent to the other replica).
        assert served_by(layout)[0] == "app2"
        time.sleep(0.25)
    assert layout.server_status()["app2"] == "UP"
    assert [served_by(layout)[0] for _ in range(4)] == ["app2"] * 4
    # A session whose cookie names the stopped replica is moved, and its new cookie says where.
    assert served_by(layout, f"{COOKIE}=app1") == ("app2", "app2")


@pytest.mark.parametrize("base", ["", "cx-roi", "/team/cx-roi/"])
def test_the_image_health_check_asks_the_port_and_base_path_it_runs_with(base):
    """The Dockerfile's HEALTHCHECK, run as the image runs it, against a server answering only at the
    port and base path given by the environment (docker run -e STREAMLIT_SERVER_PORT=...)."""
    import http.server
    import json
    import re
    import subprocess
    import sys
    import threading

    command = json.loads(re.search(r"^\s+CMD (\[.*\])$", (ROOT / "Dockerfile").read_text().split("HEALTHCHECK")[1],
                                   re.M)[1])
    wanted = "/" + "/".join(p for p in (base.strip("/"), "_stcore/health") if p)

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200 if self.path == wanted else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "STREAMLIT_SERVER_PORT": str(server.server_port),
               "STREAMLIT_SERVER_BASE_URL_PATH": base}
        assert subprocess.run([sys.executable, *command[1:]], env=env, timeout=30).returncode == 0
        env["STREAMLIT_SERVER_BASE_URL_PATH"] = base + "-elsewhere"
        assert subprocess.run([sys.executable, *command[1:]], env=env, timeout=30,
                              capture_output=True).returncode != 0
    finally:
        server.shutdown()


def test_the_apps_own_log_lines_carry_time_level_and_source():
    """A library that cannot be used was logged as a bare sentence: no time or level to search by."""
    import logging

    import ui.router  # noqa: F401  (sets the handlers, as the server's first run does)

    record = logging.getLogger("cx_roi.library").makeRecord(
        "cx_roi.library", logging.WARNING, __file__, 1, "scenario library at x cannot be used: y", (), None)
    lines = [h.format(record) for h in logging.getLogger("cx_roi").handlers]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WARNING cx_roi\.library: scenario library.*", line)
               for line in lines), lines


def test_the_image_makes_the_librarys_folder_as_its_user(monkeypatch):
    """A volume mounted on a folder the image lacks is root's: the library could not be written."""
    from cx_roi.library import DATABASE_ENV, default_url

    monkeypatch.delenv(DATABASE_ENV, raising=False)
    monkeypatch.setenv("HOME", "/home/app")  # the image's user's home
    folder = Path(default_url().removeprefix("sqlite:///")).parent
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"install -d -o app -g app {re.escape(str(folder))}\b", dockerfile)
    assert f":{folder}" in (ROOT / "docs" / "deploy.md").read_text(), "the docs mount the volume there"


@pytest.mark.parametrize("keep", [False, True])
def test_the_logs_outlive_a_stop_only_when_asked(keep):
    """run_local.py's own layout keeps them (after Ctrl-C they tell what happened); the tests' do not."""
    need_services()
    layout = LocalLayout(replicas=2, keep_logs=keep)
    layout._log("app1").write(b"a replica's last words\n")
    layout.stop()
    log = layout.workdir / "app1.log"
    assert log.exists() == keep and not layout.postgres.dir.exists()
    if keep:
        assert log.read_bytes() == b"a replica's last words\n"
        shutil.rmtree(layout.workdir)
