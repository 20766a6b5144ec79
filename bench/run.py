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
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench import report
from bench.driver import Client, Step, run_load
from bench.harness import (
    LOGS,
    PY,
    RESULTS,
    ROOT,
    admin_connect,
    bench_env,
    collectstatic,
    free_port,
    log,
    migrate,
    run_json,
    server_url,
    start_server,
    stop_server,
    with_database,
)

CONCURRENCY = (1, 4)
# A request as a step makes it: method, path, Client.request keywords, the expected status.
Request = tuple[str, str, dict[str, Any], int]
# Scenario name -> (persona, step).
Table = dict[str, tuple[str, Step]]


# Database --------------------------------------------------------------------------------------


def database_comment(url: str, name: str) -> str | None:
    with admin_connect(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return None
    return row[0] or ""


def ensure_database(url: str, n: int, seed: int, env: dict[str, str]) -> dict[str, Any]:
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
    migrate(db_env)
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


def _parse_comment(comment: str) -> dict[str, Any]:
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


# Scenarios -------------------------------------------------------------------------------------


PHQ9_NONE = {str(i): "0" for i in range(1, 10)}

# Withdrawal management (issue 13), one line a page: (name, persona, path). In the path,
# {detox} is one of the physician's patients in a supervised detox (in turn), {plan} their
# active plan, {mar_date} the last whole day of the generated history, {week} the query
# `from=...&to=...` of the seven days ending on it (a 7-day detox's flowsheet). Names with "api" use
# the persona's token; personas: physician, nurse (the detox patients' team nurse), privacy.
DETOX_PAGES: tuple[tuple[str, str, str], ...] = (
    ("mar_api", "physician", "/api/v1/patients/{detox}/mar/?date={mar_date}"),
    ("mar_api_nurse", "nurse", "/api/v1/patients/{detox}/mar/?date={mar_date}"),
    ("flowsheet", "physician", "/patients/{detox}/withdrawal-flowsheet/?{week}"),
    ("flowsheet_api", "physician", "/api/v1/patients/{detox}/withdrawal-flowsheet/?{week}"),
    ("medication_pass", "nurse", "/medication-pass/?hours=12"),
    ("withdrawal_review", "physician", "/patients/{detox}/withdrawal-review/"),
)


# Program outcomes (issue 14): the whole database's figures, as the physician (no filter: every
# episode; and one program over this year's admissions).
OUTCOMES_PAGES: tuple[tuple[str, str, str], ...] = (
    ("outcomes", "physician", "/outcomes/"),
    ("outcomes_api", "physician", "/api/v1/outcomes/"),
    ("outcomes_otp_api", "physician", "/api/v1/outcomes/?program=otp&admitted_from=2026-01-01"),
)


def _get(path: str, *, api: bool = False) -> Request:
    return ("GET", path, {"api": True} if api else {}, 200)


def scenarios(p: dict[str, Any]) -> Table:
    """name -> (persona, step); step(client, n) gives the n-th request. Names with "api" use
    a token, the others a signed-in session."""
    patients = p["patients"]
    fragments = p["fragments"]

    def pat(n: int) -> dict[str, Any]:
        return patients[n % len(patients)]

    def frag(n: int) -> str:
        return fragments[n % len(fragments)]

    return {
        **_search_scenarios(frag),
        **_chart_scenarios(pat),
        **_audit_scenarios(pat, p["audit_since"], p["audit_until"]),
        **_detox_scenarios(p),
        **{
            name: (persona, lambda c, n, path=path, api="api" in name: _get(path, api=api))
            for name, persona, path in OUTCOMES_PAGES
        },
    }


def _detox_scenarios(
    p: dict[str, Any], pages: Sequence[tuple[str, str, str]] = DETOX_PAGES
) -> Table:
    """DETOX_PAGES over the detox patients (none when the data holds none, or no nurse)."""
    detox = p.get("detox_patients") or []
    if not detox:
        return {}

    last = datetime.date.fromisoformat(p["mar_date"])
    first = last - datetime.timedelta(days=6)
    days = {"mar_date": p["mar_date"], "week": f"from={first}&to={last}"}

    def step(path: str, api: bool) -> Step:
        def request(c: Client, n: int) -> Request:
            d = detox[n % len(detox)]
            return _get(path.format(detox=d["id"], plan=d["plan"], **days), api=api)

        return request

    return {
        name: (persona, step(path, "api" in name))
        for name, persona, path in pages
        if persona != "nurse" or p.get("nurse")
    }


def _search_scenarios(frag: Callable[[int], str]) -> Table:
    def search_page(c: Client, n: int) -> Request:
        form = {"q": frag(n), "csrfmiddlewaretoken": c.cookies.get("csrftoken", "")}
        return ("POST", "/patients/", {"form": form}, 200)

    return {
        "search_page": ("physician", search_page),
        "search_api": ("physician", lambda c, n: _get(f"/api/v1/patients/?q={frag(n)}", api=True)),
    }


def _chart_scenarios(pat: Callable[[int], dict[str, Any]]) -> Table:
    def chart(path: str, *, api: bool = False) -> Step:
        return lambda c, n: _get(path.format(id=pat(n)["id"], plan=pat(n)["plan"]), api=api)

    def assessment_post(c: Client, n: int) -> Request:
        body = {"instrument": "phq9", "answers": PHQ9_NONE}
        path = f"/api/v1/patients/{pat(n)['id']}/assessments/"
        return ("POST", path, {"json_body": body, "api": True}, 201)

    return {
        "chart": ("physician", chart("/patients/{id}/")),
        "lab_list": ("physician", chart("/patients/{id}/labs/")),
        "lab_results_api": ("physician", chart("/api/v1/patients/{id}/lab-results/", api=True)),
        "instrument_history": ("physician", chart("/patients/{id}/assessments/history/phq9/")),
        "review_queue_api": ("physician", chart("/api/v1/review-queue/", api=True)),
        "home": ("physician", chart("/")),
        "plan_detail": ("physician", chart("/patients/{id}/plans/{plan}/")),
        "assessment_post_api": ("physician", assessment_post),
    }


def _audit_scenarios(pat: Callable[[int], dict[str, Any]], since: str, until: str) -> Table:
    query = f"&since={since}&until={until}"
    return {
        "audit_report": (
            "privacy",
            lambda c, n: _get(f"/audit/?patient={pat(n)['id']}{query}"),
        ),
        "audit_api": (
            "privacy",
            lambda c, n: _get(f"/api/v1/audit-events/?patient={pat(n)['id']}{query}", api=True),
        ),
    }


def baselines(p: dict[str, Any]) -> Table:
    fragments = p["fragments"]
    return {
        "bare": ("physician", lambda c, n: _get("/bench/bare/")),
        "admin_search": (
            "operator",
            lambda c, n: _get(f"/bench/admin/intake/patient/?q={fragments[n % len(fragments)]}"),
        ),
    }


class Sessions:
    """Signed-in clients per persona, made on first use and reused across scenarios."""

    def __init__(self, port: int, personas: dict[str, Any], password: str) -> None:
        self.port = port
        self.personas = personas
        self.password = password
        # Physicians and superusers sign in with a second factor: a recovery code each time.
        self.codes = {
            "physician": list(personas["physician"]["recovery_codes"]),
            "operator": list(personas.get("operator_recovery_codes", [])),
        }
        self.web: dict[str, list[Client]] = {}
        self.api: dict[str, list[Client]] = {}
        self.tokens: dict[str, str] = {}

    def username(self, persona: str) -> str:
        return {
            "physician": self.personas["physician"]["username"],
            "privacy": self.personas["privacy_officer"],
            "operator": self.personas["operator"],
            "nurse": self.personas.get("nurse") or "",
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
        if not self.codes.get(persona):
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
            "otp_token": self.codes[persona].pop(),
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
            if self.codes.get(persona):
                body["otp"] = self.codes[persona].pop()
            response = client.request("POST", "/api/v1/auth/token/", json_body=body, api=True)
            if response.status != 200:
                raise RuntimeError(f"API sign-in as {body['username']}: HTTP {response.status}")
            self.tokens[persona] = json.loads(response.body)["token"]
        client.token = self.tokens[persona]


def measure(sessions: Sessions, table: Table, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
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


def flatten(result: dict[str, Any]) -> dict[str, Any]:
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


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--patients", type=int, default=int(os.environ.get("BENCH_PATIENTS", 100_000))
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--only", nargs="*", help="measure only these pages")
    parser.add_argument("--output", help="results file name (default scale-<N>.json)")
    return parser.parse_args()


def _personas(env: dict[str, str], password: str) -> dict[str, Any]:
    personas = run_json("bench.personas", {**env, "BENCH_PASSWORD": password})
    log(
        f"physician {personas['physician']['username']} (caseload "
        f"{personas['physician']['caseload']}), {len(personas['patients'])} patients, "
        f"fragments {personas['fragments']}"
    )
    return personas


def _run_pages(
    env: dict[str, str], n: int, personas: dict[str, Any], password: str, args: argparse.Namespace
) -> dict[str, Any]:
    """gunicorn on a free loopback port, every page and baseline measured; the run's times."""
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
    return {"pages": pages, "baselines": base, "started": started, "finished": finished}


def _result(
    scale: dict[str, Any],
    personas: dict[str, Any],
    measured: dict[str, Any],
    env: dict[str, str],
    args: argparse.Namespace,
    load_before: str,
) -> dict[str, Any]:
    workers = int(env.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
    return {
        "scale": {
            **scale,
            "rows": personas["rows"],
            "database_bytes": personas["database_bytes"],
            "physician_caseload": personas["physician"]["caseload"],
            "patients_opened": len(personas["patients"]),
            "detox_patients_opened": len(personas.get("detox_patients") or []),
            "mar_date": personas.get("mar_date"),
            "search_fragments": personas["fragments"],
        },
        "run": {
            "started": measured["started"].isoformat(timespec="seconds"),
            "finished": measured["finished"].isoformat(timespec="seconds"),
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
        "pages": flatten(measured["pages"]),
        "baselines": flatten(measured["baselines"]),
    }


def _write(result: dict[str, Any], n: int, args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / (args.output or f"scale-{n}.json")
    target.write_text(json.dumps(result, indent=2) + "\n")
    if not args.output and not args.only:
        shutil.copyfile(target, RESULTS / "latest.json")
        (RESULTS / "latest.md").write_text(report.markdown(result, RESULTS))
        log(f"wrote {target.name}, latest.json and latest.md in {RESULTS}")
    else:
        log(f"wrote {target}")


def main() -> None:
    args = _arguments()
    n = args.patients
    password = secrets.token_urlsafe(18)
    # Persistent connections, as production should run (one connection per worker).
    env = bench_env(DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"))
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    os.chdir(ROOT)
    url = server_url()
    load_before = _loadavg()
    scale = ensure_database(url, n, args.seed, env)
    env["DATABASE_URL"] = with_database(url, f"bench_{n}")
    log("collectstatic")
    collectstatic(env)
    personas = _personas(env, password)
    measured = _run_pages(env, n, personas, password, args)
    _write(_result(scale, personas, measured, env, args, load_before), n, args)


if __name__ == "__main__":
    main()
