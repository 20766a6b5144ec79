"""What the benchmark, the load test and the Schemathesis run share: paths, the database server
and fresh databases on it, the environment gunicorn runs with, gunicorn itself on loopback, the
setup scripts they run and the results they write."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psycopg

from bench.driver import Client

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
PY = sys.executable


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


# Database --------------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    sys.path.insert(0, str(ROOT))
    from clinic.database import _embedded_url

    # Kept running by this process until it exits (the embedded server's cleanup mode).
    return _embedded_url(ROOT / "var")


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True)


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True)


def fresh_database(name: str, env: dict[str, str]) -> dict[str, str]:
    """The database `name` dropped, created and migrated on the server; returns the
    environment that points at it."""
    url = server_url()
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    db_env = {**env, "DATABASE_URL": with_database(url, name)}
    migrate(db_env)
    return db_env


# Environment and setup -------------------------------------------------------------------------


def bench_env(**overrides: str) -> dict[str, str]:
    """Production settings over plain HTTP (clinic.settings.bench), fresh secrets for the run,
    persistent connections, quiet logs."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.bench",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(48),
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True)


def run_json(module: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """`python -m module args` under env; the JSON object on the last line it prints."""
    out = subprocess.run(
        [PY, "-m", module, *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def write_result(name: str, summary: dict[str, Any]) -> None:
    """bench/results/<name>, and the same JSON on stdout."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


# Server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    out = open(log_path, "w")  # noqa: SIM115 - closed when the server stops
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "clinic.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see {log_path}")
        try:
            client = Client("127.0.0.1", port)
            if client.request("GET", "/accounts/login/").status == 200:
                client.close()
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
