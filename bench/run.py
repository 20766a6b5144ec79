"""`make bench`: load N fictional patients once, serve them with gunicorn on loopback, measure.

    python -m bench.run --patients 2000 [--seed 1] [--seconds 10] [--workers W]

1. A database per scale, `bench_<N>`, on the server of DATABASE_URL (or the embedded
   PostgreSQL when DATABASE_URL is unset): created, migrated and filled by
   `manage.py generate_data` the first time, then reused (a comment on the database records
   what it holds and how long generating took).
2. collectstatic, then gunicorn (gunicorn.conf.py) on 127.0.0.1 with clinic.settings.bench:
   production settings over plain HTTP, plus an X-Bench-Queries header and two baselines.
3. Sign-ins as a physician with a median caseload (second factor by recovery code), a privacy
   officer and a superuser; then each page and API call at 1 and at 4 concurrent clients, each
   client a keep-alive connection with its own session, for --seconds (at most --max-requests).
4. bench/results/scale-<N>.json, latest.json and latest.md (bench/report.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench import report
from bench.driver import Client, run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
PY = sys.executable
CONCURRENCY = (1, 4)


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


def admin_connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def database_comment(url: str, name: str) -> str | None:
    with admin_connect(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return None
    return row[0] or ""


def ensure_database(url: str, n: int, seed: int, env: dict) -> dict:
    """The bench database for this scale, loaded once; returns what its comment records."""
    name = f"bench_{n}"
    marker = f"clinic-intake bench data: patients={n} seed={seed}"
    comment = database_comment(url, name)
    if comment and comment.startswith(marker):
        log(f"reusing database {name} ({comment})")
        return _parse_comment(comment)
    from psycopg import sql

    with admin_connect(url) as conn:
        if comment is not None:
            log(f"database {name} exists but was not fully loaded: recreating it")
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db_env = {**env, "DATABASE_URL": with_database(url, name)}
    log(f"migrating {name}")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=db_env, check=True)
    log(f"generating {n} patients (seed {seed})")
    started = time.monotonic()
    subprocess.run(
        [PY, "manage.py", "generate_data", "--patients", str(n), "--seed", str(seed)],
        env=db_env,
        check=True,
    )
    seconds = round(time.monotonic() - started, 1)
    with admin_connect(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name),
                sql.Literal(f"{marker} generate_seconds={seconds} loadavg={_loadavg()}"),
            )
        )
    return {"patients": n, "seed": seed, "generate_seconds": seconds, "loadavg": _loadavg()}


def _parse_comment(comment: str) -> dict:
    fields = dict(part.split("=", 1) for part in comment.split() if "=" in part)
    return {
        "patients": int(fields["patients"]),
        "seed": int(fields["seed"]),
        "generate_seconds": float(fields["generate_seconds"])
        if "generate_seconds" in fields
        else None,
        "loadavg": fields.get("loadavg"),
    }


def _loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# Server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, log_path: Path) -> subprocess.Popen:
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


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# Scenarios -------------------------------------------------------------------------------------


PHQ9_NONE = {str(i): "0" for i in range(1, 10)}


def scenarios(p: dict) -> dict:
    """name -> (persona, step); step(client, n) gives the n-th request. Names with "api" use
    a token, the others a signed-in session."""
    patients = p["patients"]
    fragments = p["fragments"]

    def pat(n):
        return patients[n % len(patients)]

    def frag(n):
        return fragments[n % len(fragments)]

    since, until = p["audit_since"], p["audit_until"]
    return {
        "search_page": (
            "physician",
            lambda c, n: (
                "POST",
                "/patients/",
                {"form": {"q": frag(n), "csrfmiddlewaretoken": c.cookies.get("csrftoken", "")}},
                200,
            ),
        ),
        "search_api": (
            "physician",
            lambda c, n: ("GET", f"/api/v1/patients/?q={frag(n)}", {"api": True}, 200),
        ),
        "chart": ("physician", lambda c, n: ("GET", f"/patients/{pat(n)['id']}/", {}, 200)),
        "lab_list": (
            "physician",
            lambda c, n: ("GET", f"/patients/{pat(n)['id']}/labs/", {}, 200),
        ),
        "lab_results_api": (
            "physician",
            lambda c, n: (
                "GET",
                f"/api/v1/patients/{pat(n)['id']}/lab-results/",
                {"api": True},
                200,
            ),
        ),
        "instrument_history": (
            "physician",
            lambda c, n: (
                "GET",
                f"/patients/{pat(n)['id']}/assessments/history/phq9/",
                {},
                200,
            ),
        ),
        "review_queue_api": (
            "physician",
            lambda c, n: ("GET", "/api/v1/review-queue/", {"api": True}, 200),
        ),
        "home": ("physician", lambda c, n: ("GET", "/", {}, 200)),
        "plan_detail": (
            "physician",
            lambda c, n: (
                "GET",
                f"/patients/{pat(n)['id']}/plans/{pat(n)['plan']}/",
                {},
                200,
            ),
        ),
        "assessment_post_api": (
            "physician",
            lambda c, n: (
                "POST",
                f"/api/v1/patients/{pat(n)['id']}/assessments/",
                {"json_body": {"instrument": "phq9", "answers": PHQ9_NONE}, "api": True},
                201,
            ),
        ),
        "audit_report": (
            "privacy",
            lambda c, n: (
                "GET",
                f"/audit/?patient={pat(n)['id']}&since={since}&until={until}",
                {},
                200,
            ),
        ),
        "audit_api": (
            "privacy",
            lambda c, n: (
                "GET",
                f"/api/v1/audit-events/?patient={pat(n)['id']}&since={since}&until={until}",
                {"api": True},
                200,
            ),
        ),
    }


def baselines(p: dict) -> dict:
    fragments = p["fragments"]
    return {
        "bare": ("physician", lambda c, n: ("GET", "/bench/bare/", {}, 200)),
        "admin_search": (
            "operator",
            lambda c, n: (
                "GET",
                f"/bench/admin/intake/patient/?q={fragments[n % len(fragments)]}",
                {},
                200,
            ),
        ),
    }


class Sessions:
    """Signed-in clients per persona, made on first use and reused across scenarios."""

    def __init__(self, port: int, personas: dict, password: str):
        self.port = port
        self.personas = personas
        self.password = password
        self.codes = list(personas["physician"]["recovery_codes"])
        self.web: dict[str, list[Client]] = {}
        self.api: dict[str, list[Client]] = {}
        self.tokens: dict[str, str] = {}

    def username(self, persona: str) -> str:
        return {
            "physician": self.personas["physician"]["username"],
            "privacy": self.personas["privacy_officer"],
            "operator": self.personas["operator"],
        }[persona]

    def clients(self, persona: str, count: int, api: bool) -> list[Client]:
        pool = (self.api if api else self.web).setdefault(persona, [])
        while len(pool) < count:
            client = Client("127.0.0.1", self.port)
            if api:
                self._api_sign_in(client, persona)
            else:
                self._sign_in(client, persona)
            pool.append(client)
        return pool[:count]

    def _sign_in(self, client: Client, persona: str) -> None:
        username = self.username(persona)
        if persona != "physician":
            client.sign_in(username, self.password)
            return
        # Password, then the second factor (a recovery code: each one signs in once).
        client.request("GET", "/accounts/login/")
        form = {"username": username, "password": self.password}
        form["csrfmiddlewaretoken"] = client.cookies.get("csrftoken", "")
        response = client.request("POST", "/accounts/login/", form=form)
        if response.status != 200:
            raise RuntimeError(f"sign-in as {username}: HTTP {response.status}")
        form = {
            "step": "otp",
            "otp_token": self.codes.pop(),
            "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
        }
        response = client.request("POST", "/accounts/login/", form=form)
        if response.status != 302:
            raise RuntimeError(f"second factor for {username}: HTTP {response.status}")

    def _api_sign_in(self, client: Client, persona: str) -> None:
        """One token per persona, shared by its API clients: each sign-in replaces the user's
        previous token (docs/api.md#sign-in), as one integration with several connections would."""
        if persona not in self.tokens:
            body = {"username": self.username(persona), "password": self.password}
            if persona == "physician":
                body["otp"] = self.codes.pop()
            response = client.request("POST", "/api/v1/auth/token/", json_body=body, api=True)
            if response.status != 200:
                raise RuntimeError(f"API sign-in as {body['username']}: HTTP {response.status}")
            self.tokens[persona] = json.loads(response.body)["token"]
        client.token = self.tokens[persona]


def measure(sessions: Sessions, table: dict, args) -> dict:
    out = {}
    for name, (persona, step) in table.items():
        if args.only and name not in args.only:
            continue
        api = "api" in name
        out[name] = {}
        for c in CONCURRENCY:
            clients = sessions.clients(persona, c, api)
            run = run_load(clients, step, seconds=args.seconds, max_requests=args.max_requests)
            summary = run.summary()
            out[name][f"c{c}"] = summary
            log(
                f"{name:20s} c={c} n={summary['requests']:4d} p50={summary.get('p50_ms')} ms "
                f"p95={summary.get('p95_ms')} ms rps={summary.get('rps')} "
                f"queries={summary.get('queries')} errors={summary['errors']}"
            )
    return out


def flatten(result: dict) -> dict:
    """The JSON shape the brief names: p50_ms, p95_ms, rps, queries at top level (4 clients),
    and everything per concurrency."""
    flat = {}
    for name, levels in result.items():
        top = levels.get("c4") or levels.get("c1") or {}
        flat[name] = {
            "p50_ms": top.get("p50_ms"),
            "p95_ms": top.get("p95_ms"),
            "rps": top.get("rps"),
            "queries": (levels.get("c1") or top).get("queries"),
            **levels,
        }
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--patients", type=int, default=int(os.environ.get("BENCH_PATIENTS", 100_000))
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--only", nargs="*", help="measure only these pages")
    parser.add_argument("--output", help="results file name (default scale-<N>.json)")
    args = parser.parse_args()

    n = args.patients
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.bench",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(48),
        # Persistent connections, as production should run (one connection per worker).
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    os.chdir(ROOT)
    url = server_url()
    load_before = _loadavg()
    scale = ensure_database(url, n, args.seed, env)
    env["DATABASE_URL"] = with_database(url, f"bench_{n}")

    log("collectstatic")
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    personas = json.loads(
        subprocess.run(
            [PY, "-m", "bench.personas"],
            env={**env, "BENCH_PASSWORD": password},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    log(
        f"physician {personas['physician']['username']} (caseload "
        f"{personas['physician']['caseload']}), {len(personas['patients'])} patients, "
        f"fragments {personas['fragments']}"
    )
    port = free_port()
    server_log = LOGS / f"gunicorn-{n}.log"
    server = start_server(env, port, server_log)
    log(f"gunicorn on 127.0.0.1:{port} (log {server_log})")
    try:
        sessions = Sessions(port, personas, password)
        started = datetime.datetime.now(datetime.UTC)
        pages = measure(sessions, scenarios(personas), args)
        base = measure(sessions, baselines(personas), args)
        finished = datetime.datetime.now(datetime.UTC)
    finally:
        stop_server(server)
    workers = int(env.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
    result = {
        "scale": {
            **scale,
            "rows": personas["rows"],
            "database_bytes": personas["database_bytes"],
            "physician_caseload": personas["physician"]["caseload"],
            "patients_opened": len(personas["patients"]),
            "search_fragments": personas["fragments"],
        },
        "run": {
            "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "seconds_per_level": args.seconds,
            "max_requests_per_level": args.max_requests,
            "concurrency": list(CONCURRENCY),
            "gunicorn_workers": workers,
            "db_conn_max_age": env["DB_CONN_MAX_AGE"],
            "cpus": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": _loadavg(),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        },
        "pages": flatten(pages),
        "baselines": flatten(base),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / (args.output or f"scale-{n}.json")
    target.write_text(json.dumps(result, indent=2) + "\n")
    if not args.output and not args.only:
        shutil.copyfile(target, RESULTS / "latest.json")
        (RESULTS / "latest.md").write_text(report.markdown(result, RESULTS))
        log(f"wrote {target.name}, latest.json and latest.md in {RESULTS}")
    else:
        log(f"wrote {target}")


if __name__ == "__main__":
    main()
