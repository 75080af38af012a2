"""Start and stop real servers on loopback for the server tests.

Every process is started by this module as a direct child, listens on 127.0.0.1 only, writes its
logs into a pytest tmp dir, and is stopped by its own PID (SIGTERM, then SIGKILL after a grace
period). Nothing here touches processes it did not start.
"""

from __future__ import annotations

import contextlib
import grp
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A port that was free a moment ago (servers that lose the race are restarted on another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def fetch(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request on a fresh connection: ``(status, header list, body)``."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


class ServerProcess:
    """One child process serving HTTP on ``127.0.0.1:port``."""

    def __init__(self, name: str, argv: list[str], port: int, log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=HERE,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log_tail(self, limit: int = 4000) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return "<no log>"
        return data[-limit:].decode("utf-8", "replace")

    def wait_ready(self, probe: str = "/healthz", timeout: float = START_TIMEOUT) -> bool:
        """Wait until *probe* answers 200; ``False`` if the process exited first."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = fetch(self.port, "GET", probe)
                if status == 200:
                    return True
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


def nginx_binary() -> str:
    """The nginx executable; skip (locally) or fail (in CI) when it is not installed."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        message = (
            "nginx is not installed, so the shared-cache test cannot run. "
            "Install it with: apt-get install -y nginx-light"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a missing nginx is a failure, not a skip)")
        pytest.skip(message)
    return found


NGINX_CONF = """\
# Written by tests/server for one test run; everything lives under {d}.
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log notice;
{user}
events {{
    worker_connections 256;
}}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;
    proxy_cache_path {d}/cache levels=1:2 keys_zone=xo_cors:1m max_size=16m inactive=10m
                     use_temp_path=off;
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://{host}:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache xo_cors;
            # The key leaves Origin out on purpose: only the upstream's Vary (honoured by nginx
            # since 1.7.7) keeps one origin's response away from another (F32, F41).
            proxy_cache_key $scheme$proxy_host$request_uri;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


class ProcessGroup:
    """The servers one test module starts; all stopped (by PID) when the module is done."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[ServerProcess] = []

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _launch(self, name: str, make_argv, probe: str = "/healthz") -> ServerProcess:  # type: ignore[no-untyped-def]
        last = ""
        for attempt in range(3):
            port = free_port()
            log = self.workdir / f"{name}-{attempt}.log"
            server = ServerProcess(name, make_argv(port), port, log)
            server.start(self._env())
            self.running.append(server)
            if server.wait_ready(probe):
                return server
            last = server.log_tail()
            server.stop()
        raise RuntimeError(f"{name} failed to start three times; last log:\n{last}")

    def waitress(self, app: str, threads: int = 4) -> ServerProcess:
        def argv(port: int) -> list[str]:
            return [
                sys.executable,
                str(HERE / "xo_apps.py"),
                f"--app={app}",
                f"--port={port}",
                f"--threads={threads}",
            ]

        return self._launch(f"waitress-{app}", argv)

    def gunicorn(self, app: str, workers: int = 2, threads: int = 8) -> ServerProcess:
        tmp = self.workdir / "gunicorn-tmp"
        tmp.mkdir(exist_ok=True)

        def argv(port: int) -> list[str]:
            return [
                sys.executable,
                "-m",
                "gunicorn",
                f"--bind={LOOPBACK}:{port}",
                "--worker-class=gthread",
                f"--workers={workers}",
                f"--threads={threads}",
                "--keep-alive=30",
                "--graceful-timeout=5",
                "--timeout=60",
                f"--worker-tmp-dir={tmp}",
                f"--chdir={HERE}",
                "--log-level=warning",
                f'xo_apps:create_app("{app}")',
            ]

        return self._launch(f"gunicorn-{app}", argv)

    def nginx(self, upstream: ServerProcess) -> ServerProcess:
        binary = nginx_binary()
        prefix = self.workdir / "nginx"
        prefix.mkdir(exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            # As root, nginx would drop its workers to `nobody`, who cannot enter pytest's 0700
            # tmp dirs; keep them as the current user instead.
            owner = pwd.getpwuid(os.geteuid()).pw_name
            user = f"user {owner} {grp.getgrgid(os.getegid()).gr_name};"

        def argv(port: int) -> list[str]:
            conf = prefix / f"nginx-{port}.conf"
            conf.write_text(
                NGINX_CONF.format(
                    d=prefix, user=user, host=LOOPBACK, port=port, upstream=upstream.port
                )
            )
            return [binary, "-p", f"{prefix}/", "-e", str(prefix / "error.log"), "-c", str(conf),
                    "-g", "daemon off;"]  # fmt: skip

        return self._launch("nginx", argv)

    def stop_all(self) -> None:
        for server in reversed(self.running):
            server.stop()
        self.running.clear()
