"""`make load`: concurrent writers against gunicorn on loopback, bounded in time (issue 11).

    python -m bench.load [--clients 16] [--seconds 60] [--workers 4]

A fresh database `bench_load` on the server of DATABASE_URL (or the embedded PostgreSQL), 16
API clients (counselors and nurses, each with its own token) for --seconds: half on one shared
patient, half spread over 40 others, mixing PHQ-9 assessments, urine drug screen panels (order
and results), treatment-plan drafts and edits, interview drafts and edits, and chart reads.

Afterwards: every 201 the clients were given is looked up in the database, the audit chain is
sealed within seconds and verified. Prints and writes bench/results/load-latest.json:
responses by status, throughput, p50/p95/max latency per operation, 5xx count, missing writes,
seconds until every audit event was sealed. Exit 1 if any 5xx, any missing write or a broken
chain.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from bench import harness
from bench.driver import Client

DB_NAME = "bench_load"
PHQ9 = {str(n): 1 for n in range(1, 10)}
BEHAVIORAL = [
    {
        "modality": "cbt",
        "setting": "outpatient",
        "frequency": "weekly",
        "targets": ["triggers", "coping-cravings"],
    }
]
SCREENS = (
    "opiates", "6-mam", "fentanyl", "norfentanyl", "oxycodone", "buprenorphine",
    "norbuprenorphine", "methadone", "eddp", "benzodiazepines", "cocaine", "amphetamines", "thc",
)  # fmt: skip
VALID_SPECIMEN = {
    "specimen-temperature": 34,
    "creatinine": 80,
    "specific-gravity": 1.015,
    "ph": 6.5,
}


# (operation, HTTP status, seconds) per request; the ids each creating operation got back.
Results = list[tuple[str, int, float]]
Created = defaultdict[str, list[str]]


class Worker(threading.Thread):
    """One API client: signs in, then writes and reads until the deadline."""

    def __init__(
        self,
        port: int,
        user: dict[str, str],
        password: str,
        patients: list[str],
        deadline: float,
        results: Results,
        created: Created,
    ) -> None:
        super().__init__(daemon=True)
        self.client = Client("127.0.0.1", port)
        self.user, self.password, self.patients = user, password, patients
        self.deadline, self.results, self.created = deadline, results, created
        self.rng = random.Random(user["username"])
        self.plans: dict[str, dict] = {}
        self.interviews: dict[str, dict] = {}

    def call(
        self, op: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        started = time.perf_counter()
        response = self.client.request(method, path, json_body=body, api=True)
        elapsed = time.perf_counter() - started
        self.results.append((op, response.status, elapsed))
        if response.status == 201:
            payload = json.loads(response.body)
            self.created[op].append(payload["id"])
            return payload
        if response.status == 200 and response.body[:1] == b"{":
            return json.loads(response.body)
        return None

    def run(self) -> None:
        body = self.call(
            "sign-in",
            "POST",
            "/api/v1/auth/token/",
            {"username": self.user["username"], "password": self.password},
        )
        self.client.token = body["token"] if body else None
        while time.monotonic() < self.deadline:
            patient = self.rng.choice(self.patients)
            roll = self.rng.random()
            if roll < 0.25:
                self.call("chart-read", "GET", f"/api/v1/patients/{patient}/")
            elif self.user["role"] == "counselor":
                self.counselor_step(patient, roll)
            else:
                self.nurse_step(patient)
        self.client.close()

    def counselor_step(self, patient: str, roll: float) -> None:
        if roll < 0.5:
            self.call(
                "assessment",
                "POST",
                f"/api/v1/patients/{patient}/assessments/",
                {"instrument": "phq9", "answers": PHQ9},
            )
        elif roll < 0.75:
            self.plan_step(patient)
        else:
            self.interview_step(patient)

    def plan_step(self, patient: str) -> None:
        """A plan draft for the patient, or an edit of the one this client drafted."""
        plan = self.plans.get(patient)
        if plan is None:
            plan = self.call(
                "plan-create",
                "POST",
                f"/api/v1/patients/{patient}/treatment-plans/",
                {
                    "setting": "outpatient",
                    "review_date": "2027-06-01",
                    "behavioral": BEHAVIORAL,
                },
            )
        else:
            day = 1 + self.rng.randrange(27)
            plan = (
                self.call(
                    "plan-edit",
                    "PATCH",
                    f"/api/v1/treatment-plans/{plan['id']}/",
                    {"revision": plan["revision"], "review_date": f"2027-07-{day:02d}"},
                )
                or None
            )
        if plan:
            self.plans[patient] = plan
        else:
            self.plans.pop(patient, None)

    def interview_step(self, patient: str) -> None:
        """An interview draft for the patient, or an edit of the one this client started."""
        interview = self.interviews.get(patient)
        if interview is None:
            interview = self.call(
                "interview-create", "POST", f"/api/v1/patients/{patient}/interviews/", {}
            )
        else:
            interview = (
                self.call(
                    "interview-edit",
                    "PATCH",
                    f"/api/v1/interviews/{interview['id']}/",
                    {
                        "revision": interview["revision"],
                        "impressions": f"note {self.rng.random()}",
                    },
                )
                or None
            )
        if interview:
            self.interviews[patient] = interview
        else:
            self.interviews.pop(patient, None)

    def nurse_step(self, patient: str) -> None:
        order = self.call(
            "lab-order", "POST", f"/api/v1/patients/{patient}/lab-orders/", {"panel": "uds"}
        )
        if not order:
            return
        collected = (
            datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
        ).isoformat()
        results = [{"test": code, "value": 0} for code in SCREENS]
        results.append({"test": "xylazine", "qualitative": "negative"})
        results += [{"test": code, "value": value} for code, value in VALID_SPECIMEN.items()]
        self.call(
            "lab-results",
            "POST",
            f"/api/v1/lab-orders/{order['id']}/results/",
            {"collected_at": collected, "observed": True, "results": results},
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def check_database(db_env: dict[str, str], created: dict[str, list[str]]) -> dict[str, Any]:
    """Every 201 in the database; the chain sealed (waiting at most 30 s) and intact."""
    script = (
        "import json, sys, time, django; django.setup()\n"
        "from intake.models import Assessment, LabOrder, TreatmentPlan, Interview, AuditEvent\n"
        "from intake.services.audit_chain import audit_chain_verify\n"
        "created = json.load(sys.stdin)\n"
        "models = {'assessment': Assessment, 'lab-order': LabOrder, 'plan-create': TreatmentPlan,"
        " 'interview-create': Interview}\n"
        "missing = {op: len(set(ids) - set(str(pk) for pk in models[op].objects.filter("
        "pk__in=ids).values_list('pk', flat=True)))\n"
        "    for op, ids in created.items() if op in models}\n"
        "start = time.monotonic()\n"
        "while AuditEvent.objects.filter(chain_seq__isnull=True).exists() and "
        "time.monotonic() - start < 30: time.sleep(0.2)\n"
        "unsealed = AuditEvent.objects.filter(chain_seq__isnull=True).count()\n"
        "report = audit_chain_verify()\n"
        "print(json.dumps({'missing': missing, 'unsealed_after_wait': unsealed,"
        " 'seal_wait_seconds': round(time.monotonic() - start, 2), 'chain_ok': report.ok,"
        " 'chain_events': report.checked, 'chain_problem': report.problem}))\n"
    )
    out = subprocess.run(
        [harness.PY, "-c", script],
        input=json.dumps(created),
        env=db_env,
        capture_output=True,
        text=True,
        check=True,
        cwd=harness.ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--spread", type=int, default=40)
    return parser.parse_args()


def _drive(
    port: int, setup: dict[str, Any], password: str, args: argparse.Namespace
) -> tuple[Results, Created, float]:
    """Every client until the deadline; the requests, the ids created and the wall time."""
    results: Results = []
    created: Created = defaultdict(list)
    deadline = time.monotonic() + args.seconds
    workers = []
    for i, user in enumerate(setup["staff"]):
        # Half the clients on the one shared patient, half spread over the others.
        patients = [setup["shared"]] if i % 4 < 2 else setup["spread"]
        workers.append(Worker(port, user, password, patients, deadline, results, created))
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=args.seconds + 120)
    return results, created, time.monotonic() - started


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _summary(
    results: Results, wall: float, args: argparse.Namespace, checks: dict[str, Any]
) -> dict[str, Any]:
    statuses = Counter(status for _, status, _ in results)
    per_op: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for op, status, elapsed in results:
        per_op[op].append((status, elapsed))
    latencies = [e for _, _, e in results]
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "clients": args.clients,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "requests": len(results),
        "throughput_per_s": round(len(results) / wall, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "latency_ms": {
            "p50": _ms(statistics.median(latencies)) if results else 0,
            "p95": _ms(percentile(latencies, 0.95)),
            "max": _ms(max(latencies, default=0)),
        },
        "operations": {
            op: {
                "n": len(rows),
                "statuses": dict(Counter(s for s, _ in rows)),
                "p95_ms": _ms(percentile([e for _, e in rows], 0.95)),
            }
            for op, rows in sorted(per_op.items())
        },
        **checks,
    }


def main() -> None:
    args = _arguments()
    password = secrets.token_urlsafe(18)
    env = harness.bench_env(
        WEB_CONCURRENCY=str(args.workers),
        # The load test signs in 16 accounts from one address again and again: no lockout noise.
        AXES_FAILURE_LIMIT="1000",
    )
    os.chdir(harness.ROOT)
    harness.log(f"fresh database {DB_NAME}")
    db_env = harness.fresh_database(DB_NAME, env)
    setup = harness.run_json(
        "bench.load_setup",
        {**db_env, "BENCH_PASSWORD": password},
        str(args.clients),
        str(args.spread),
    )
    harness.collectstatic(db_env)
    port = harness.free_port()
    server = harness.start_server(db_env, port, harness.LOGS / "gunicorn-load.log")
    harness.log(
        f"gunicorn ({args.workers} workers) on 127.0.0.1:{port}; "
        f"{args.clients} clients for {args.seconds:.0f} s"
    )
    try:
        results, created, wall = _drive(port, setup, password, args)
    finally:
        harness.stop_server(server)
    checks = check_database(db_env, dict(created))
    summary = _summary(results, wall, args, checks)
    harness.write_result("load-latest.json", summary)
    failed = (
        summary["server_errors"]
        or any(checks["missing"].values())
        or not checks["chain_ok"]
        or checks["unsealed_after_wait"]
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
