"""`make schemathesis`: Schemathesis over every API operation against gunicorn on loopback.

    python -m bench.schemathesis_run [--examples 50] [--seed 1] [--workers 2]

A fresh database `bench_schema` on the server of DATABASE_URL (or the embedded PostgreSQL), a
physician who signs in with password and second factor (bench/schemathesis_setup.py), one
patient on their care team with an episode, an interview, a PHQ-9, a treatment plan, a urine
drug screen with a positive result and a consent, all made through the API. Then
`schemathesis run` with the checks of schemathesis.toml (not_a_server_error,
status_code_conformance, response_schema_conformance), every phase (examples, coverage, fuzzing,
stateful). Writes bench/results/schemathesis-latest.json (failures by kind) and the full report
under var/schemathesis/. Exit 1 on any failure. tests/test_api_schema_conformance.py runs the
same checks in-process at a small example count.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import harness
from bench.driver import Client

DB_NAME = "bench_schema"
REPORTS = harness.ROOT / "var" / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
URINE = [
    {"test": "fentanyl", "value": 40},
    *(
        {"test": code, "value": 0}
        for code in (
            "opiates", "6-mam", "norfentanyl", "oxycodone", "buprenorphine", "norbuprenorphine",
            "methadone", "eddp", "benzodiazepines", "cocaine", "amphetamines", "thc",
        )
    ),
    {"test": "xylazine", "qualitative": "negative"},
    {"test": "specimen-temperature", "value": 34},
    {"test": "creatinine", "value": 80},
    {"test": "specific-gravity", "value": 1.015},
    {"test": "ph", "value": 6.5},
]  # fmt: skip


def seed(client: Client, patient: str) -> None:
    """One record of each kind, through the API, so lists have items and the stateful phase
    finds ids to follow."""
    today = datetime.date.today()
    base = f"/api/v1/patients/{patient}"

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.request("POST", path, json_body=body, api=True)
        if response.status != 201:
            raise RuntimeError(f"seeding {path}: {response.status} {response.body[:300]!r}")
        return json.loads(response.body)

    post(f"{base}/episodes/", {"program": "outpatient", "admitted_on": today.isoformat()})
    post(f"{base}/interviews/", {})
    post(
        f"{base}/assessments/", {"instrument": "phq9", "answers": {str(n): 2 for n in range(1, 10)}}
    )
    post(
        f"{base}/treatment-plans/",
        {
            "setting": "outpatient",
            "review_date": (today + datetime.timedelta(days=60)).isoformat(),
            "behavioral": [
                {
                    "modality": "cbt",
                    "setting": "outpatient",
                    "frequency": "weekly",
                    "targets": ["triggers"],
                }
            ],
        },
    )
    order = post(f"{base}/lab-orders/", {"panel": "uds", "priority": "stat"})
    collected = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    post(
        f"/api/v1/lab-orders/{order['id']}/results/",
        {"collected_at": collected.isoformat(), "observed": True, "results": URINE},
    )
    post(
        f"{base}/consents/",
        {
            "disclosing_party": "Riverside Opioid Treatment Program",
            "recipient": "Dr. Ada Primary, Northside Family Practice",
            "information": "Diagnosis, treatment plan and drug screens of the last 12 months",
            "content_kinds": ["patient-summary", "treatment-plan", "lab-results"],
            "purpose": "Coordination of care with the primary care physician",
            "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
            "signed_on": today.isoformat(),
            "signed_by": "Schema Patient (patient)",
        },
    )


def summarize(report_dir: Path) -> dict[str, Any]:
    reports = sorted(report_dir.glob("json-*.json"))
    if not reports:
        return {"complete": False}
    report = json.loads(reports[-1].read_text())
    return {
        "complete": report["complete"],
        "running_time_s": round(report["running_time"], 1),
        "operations": report["operations"]["tested"],
        "test_cases": report["test_cases"]["generated"],
        "unique_failures": report["test_cases"]["unique_failures"],
        "failures": {f"{f['code']} {f['title']}": f["count"] for f in report["failures"]},
        "failing_operations": sorted({op for f in report["failures"] for op in f["operations"]}),
        "errors": report["errors"],
        "phases": {name: phase["status"] for name, phase in (report["phases"] or {}).items()},
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="schemathesis workers")
    return parser.parse_args()


def _sign_in(port: int, setup: dict[str, Any], password: str) -> Client:
    """The physician's API client, signed in with password and second factor."""
    client = Client("127.0.0.1", port)
    signed = client.request(
        "POST",
        "/api/v1/auth/token/",
        json_body={
            "username": setup["username"],
            "password": password,
            "otp": setup["codes"][0],
        },
        api=True,
    )
    if signed.status != 200:
        raise RuntimeError(f"sign-in: {signed.status} {signed.body[:200]!r}")
    client.token = json.loads(signed.body)["token"]
    return client


def _schemathesis(port: int, token: str, args: argparse.Namespace, report_dir: Path) -> int:
    """schemathesis run over the served schema; its exit code."""
    harness.log(f"schemathesis: {args.examples} examples per operation, seed {args.seed}")
    command = [
        str(harness.ROOT / ".venv" / "bin" / "schemathesis"),
        "run",
        f"http://127.0.0.1:{port}/api/v1/schema/",
        "-H",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(args.examples),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        "--no-color",
        "--report",
        "json",
        "--report-dir",
        str(report_dir),
    ]
    return subprocess.run(command, cwd=harness.ROOT, env={**os.environ}).returncode


def main() -> None:
    args = _arguments()
    password = secrets.token_urlsafe(18)
    env = harness.bench_env(
        WEB_CONCURRENCY="2",
        # Schemathesis signs in with made-up names from this one address: no lockout noise.
        AXES_FAILURE_LIMIT="100000",
    )
    os.chdir(harness.ROOT)
    harness.log(f"fresh database {DB_NAME}")
    db_env = harness.fresh_database(DB_NAME, env)
    setup = harness.run_json("bench.schemathesis_setup", {**db_env, "BENCH_PASSWORD": password})
    harness.collectstatic(db_env)
    port = harness.free_port()
    server = harness.start_server(db_env, port, harness.LOGS / "gunicorn-schemathesis.log")
    report_dir = REPORTS / datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    try:
        client = _sign_in(port, setup, password)
        seed(client, setup["patient"])
        client.close()
        exit_code = _schemathesis(port, client.token or "", args, report_dir)
    finally:
        harness.stop_server(server)
    summary = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "examples": args.examples,
        "seed": args.seed,
        "exit_code": exit_code,
        **summarize(report_dir),
    }
    harness.write_result("schemathesis-latest.json", summary)
    sys.exit(1 if exit_code else 0)


if __name__ == "__main__":
    main()
