"""The OpenAPI schema matches what the API answers (issue 11): Schemathesis, in-process against
the real app, over every operation of /api/v1/schema/ with the checks not_a_server_error,
status_code_conformance and response_schema_conformance, as the team physician of a patient
with records of every kind. A small example count here (SCHEMATHESIS_EXAMPLES, default 4);
`make schemathesis` runs the same checks against gunicorn at a larger one (bench/README.md).

Schemathesis runs its phases (coverage, fuzzing, stateful) in worker threads, each with its own
database connection: the data is committed (transaction=True) and every request closes its
connection when it ends."""

from __future__ import annotations

import datetime
import os
import tomllib
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.engine import Status, events

from intake.models import TreatmentPlan
from tests.factories import IN_60_DAYS, make_consent
from tests.lab_support import uds_entries

CONFIG = Path(__file__).resolve().parent.parent / "schemathesis.toml"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def closing_app():
    """The WSGI app, closing each response (Django's request_finished: the thread's database
    connection closes) so no worker thread keeps a connection open after the run."""
    django_app = get_wsgi_application()

    def app(environ, start_response):
        response = django_app(environ, start_response)
        try:
            yield from response
        finally:
            response.close()
            connections.close_all()

    return app


def seed_records(patient, physician) -> None:
    """One record of each kind on the patient's chart, so lists answer with real items and the
    stateful phase finds ids to follow."""
    api = APIClient()
    api.default_format = "json"
    api.force_authenticate(physician)
    base = f"/api/v1/patients/{patient.pk}"
    now = timezone.now()
    created = [
        api.post(f"{base}/episodes/", {"program": "outpatient", "admitted_on": "2026-10-01"}),
        api.post(f"{base}/interviews/", {}),
        api.post(f"{base}/assessments/", {"instrument": "phq9", "answers": PHQ9}),
        api.post(f"{base}/treatment-plans/", PLAN),
    ]
    order = api.post(f"{base}/lab-orders/", {"panel": "uds", "priority": "stat"})
    created.append(order)
    collected = (now - datetime.timedelta(hours=1)).isoformat()
    created.append(
        api.post(
            f"/api/v1/lab-orders/{order.json()['id']}/results/",
            {"collected_at": collected, "observed": True, "results": URINE_RESULTS},
        )
    )
    # A critical systolic (an open vital-sign alert to list and acknowledge).
    created.append(
        api.post(
            f"{base}/vitals/",
            {"taken_at": collected, "systolic": 185, "diastolic": 95, "temperature_c": 36.9},
        )
    )
    for response in created:
        assert response.status_code == 201, (response.request["PATH_INFO"], response.json())
    make_consent(patient, physician)


PHQ9 = {str(n): 2 for n in range(1, 10)}
PLAN = {
    "setting": "outpatient",
    "review_date": IN_60_DAYS,
    "behavioral": [
        {"modality": "cbt", "setting": "outpatient", "frequency": "weekly", "targets": ["triggers"]}
    ],
}
# Fentanyl positive (an alert to acknowledge), the rest negative, a valid specimen.
URINE_RESULTS = uds_entries({"fentanyl": 40})


def run_schemathesis(app, token: str, *, examples: int, seed: int = 1) -> dict:
    settings = tomllib.loads(CONFIG.read_text())
    settings.update(
        {
            "seed": seed,
            "workers": 1,
            "headers": {"Authorization": f"Token {token}"},
        }
    )
    settings.setdefault("generation", {})["max-examples"] = examples
    # The coverage phase enumerates every boundary of every field whatever the example count
    # (thousands of requests, minutes): `make schemathesis` runs it; here fuzzing (valid and
    # invalid input) and the stateful phase (following ids from one answer to the next).
    settings["phases"] = {"coverage": {"enabled": False}}
    config = schemathesis.Config.from_dict(settings)
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/", app, config=config, headers={"Authorization": f"Token {token}"}
    )
    failures: dict = {}
    errors: list[str] = []
    operations: set[str] = set()
    generated = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            generated += len(recorder.cases)
            if event.label and event.status != Status.SKIP and recorder.cases:
                operations.add(event.label)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (event.label, failure.code, failure.title, failure.message[:200])
                    failures.setdefault(key, check.failure_info.code_sample)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "info", event))[:500])
    return {
        "failures": failures,
        "errors": errors,
        "operations": operations,
        "generated": generated,
        "schema_operations": schema.statistic.operations.total,
    }


def test_every_operation_answers_as_its_schema_says(patient, team_physician):
    seed_records(patient, team_physician)
    token = Token.objects.create(user=team_physician).key
    result = run_schemathesis(closing_app(), token, examples=EXAMPLES)

    report = "\n\n".join(
        f"{label}: {code} {title}\n{message}\n{sample}"
        for (label, code, title, message), sample in result["failures"].items()
    )
    assert not result["failures"], f"{len(result['failures'])} failures:\n\n{report}"
    assert not result["errors"], result["errors"]
    # Every operation of the schema was exercised.
    assert result["schema_operations"] >= 48
    tested = {label for label in result["operations"] if label != "Stateful tests"}
    assert len(tested) == result["schema_operations"], sorted(tested)
    assert result["generated"] >= EXAMPLES * result["schema_operations"]


def test_a_url_no_api_route_matches_answers_the_api_404(api, team_physician):
    api.force_authenticate(team_physician)
    response = api.get("/api/v1/lab-orders/not-an-id/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_plan_workflow_input_that_is_not_text_is_a_400_naming_the_field(patient, team_physician):
    from tests.factories import TreatmentPlanFactory

    plan = TreatmentPlanFactory(patient=patient)
    api = APIClient()
    api.force_authenticate(team_physician)
    base = f"/api/v1/treatment-plans/{plan.pk}"
    amend = api.post(f"{base}/amend/", {"reason": True}, format="json")
    assert amend.status_code == 400 and "reason" in amend.json()
    changes = api.post(f"{base}/request-changes/", {"comment": 5}, format="json")
    assert changes.status_code == 400 and "comment" in changes.json()
    submit = api.post(f"{base}/submit/", {"revision": "latest"}, format="json")
    assert submit.status_code == 400 and "revision" in submit.json()
    assert api.post(f"{base}/amend/", [], format="json").status_code == 400
    # Every refusal left the draft as it was: no amendment, no submission.
    assert TreatmentPlan.objects.filter(patient=patient).count() == 1
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.submitted_by is None
