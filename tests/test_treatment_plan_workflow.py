"""The plan workflow through the API: draft, submit, approve with signature, request changes,
amend; who may do each; immutability of signed versions; concurrent edits."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from intake.models import AuditEvent, PlanMedication, TreatmentPlan
from tests.factories import IN_60_DAYS, PASSWORD, in_days, second_factor

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.
IN_88_DAYS = in_days(88)
IN_119_DAYS = in_days(119)
IN_149_DAYS = in_days(149)
IN_180_DAYS = in_days(180)

pytestmark = pytest.mark.django_db

BEHAVIORAL = [
    {
        "modality": "cbt",
        "setting": "outpatient",
        "frequency": "weekly",
        "targets": ["triggers", "coping-cravings", "relapse-plan", "emotional-discomfort"],
    }
]
BUP = {
    "drug": "buprenorphine-naloxone",
    "dose": "8",
    "frequency": "daily",
    "start_date": "2026-11-25",
}
NALOXONE = {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"}


def _create(api, patient, **extra):
    body = {"setting": "outpatient", "review_date": IN_60_DAYS, "behavioral": BEHAVIORAL, **extra}
    response = api.post(f"/api/v1/patients/{patient.pk}/treatment-plans/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_behavioral_plan_goes_from_draft_to_signed_by_its_counselor(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    plan = _create(api, patient)
    assert (plan["version"], plan["revision"], plan["status"]) == (1, 1, "draft")
    submitted = api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["warnings"] == []
    approved = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/",
        {"password": PASSWORD, "acknowledged_warnings": []},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "active"
    stored = TreatmentPlan.objects.get(pk=plan["id"])
    assert stored.signed_by == team_counselor and len(stored.content_hash) == 64
    assert AuditEvent.objects.filter(object_id=plan["id"], action="sign").exists()


def test_a_medication_plan_needs_a_physician(api, patient, team_counselor, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    api.force_authenticate(team_counselor)
    response = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert TreatmentPlan.objects.get(pk=plan["id"]).status == "submitted"


def test_a_counselor_may_not_write_medication_lines(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {"setting": "outpatient", "review_date": IN_60_DAYS, "medications": [BUP]},
        format="json",
    )
    assert response.status_code == 403
    assert TreatmentPlan.objects.count() == 0


def _approve(api, url, physician, acknowledged, *, password=PASSWORD, with_code=True):
    """POST an approval acknowledging `acknowledged`, signed with `password` and (unless
    `with_code` is false) a fresh second-factor code."""
    body = {"password": password, "acknowledged_warnings": acknowledged}
    if with_code:
        body["otp"] = second_factor(physician)
    return api.post(url, body, format="json")


def test_approval_requires_each_warning_acknowledged_with_a_reason(api, patient, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP])  # no COWS, no naloxone
    warnings = api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json").json()[
        "warnings"
    ]
    codes = {w["code"] for w in warnings}
    assert codes == {"buprenorphine-induction-cows", "no-naloxone"}
    url = f"/api/v1/treatment-plans/{plan['id']}/approve/"
    missing = _approve(
        api, url, team_physician, [{"code": "no-naloxone", "reason": "Kit given at visit"}]
    )
    assert missing.status_code == 400
    assert [w["code"] for w in missing.json()["unacknowledged_warnings"]] == [
        "buprenorphine-induction-cows"
    ]
    blank = _approve(
        api,
        url,
        team_physician,
        [
            {"code": "no-naloxone", "reason": "Kit given"},
            {"code": "buprenorphine-induction-cows", "reason": " "},
        ],
    )
    assert blank.status_code == 400
    all_ok = [{"code": c, "reason": "ok"} for c in codes]
    wrong_password = _approve(api, url, team_physician, all_ok, password="nope")
    assert wrong_password.status_code == 400
    assert "password" in wrong_password.json()
    reasons = [{"code": c, "reason": "Home induction; COWS by phone"} for c in codes]
    no_code = _approve(api, url, team_physician, reasons, with_code=False)
    assert no_code.status_code == 400
    assert "otp" in no_code.json()
    ok = _approve(api, url, team_physician, reasons)
    assert ok.status_code == 200
    stored = TreatmentPlan.objects.get(pk=plan["id"])
    assert {a["code"] for a in stored.acknowledged_warnings} == codes


def test_request_changes_then_resubmit(api, patient, team_counselor, team_physician):
    api.force_authenticate(team_counselor)
    plan = _create(api, patient, medically_supervised_detox=True)
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    api.force_authenticate(team_physician)
    returned = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/request-changes/",
        {"comment": "Add a relapse plan target"},
        format="json",
    )
    assert returned.json()["status"] == "changes-requested"
    api.force_authenticate(team_counselor)
    current = api.get(f"/api/v1/treatment-plans/{plan['id']}/").json()
    edited = api.patch(
        f"/api/v1/treatment-plans/{plan['id']}/",
        {"revision": current["revision"], "review_date": IN_88_DAYS},
        format="json",
    )
    assert edited.status_code == 200
    assert (
        api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json").json()[
            "status"
        ]
        == "submitted"
    )


def test_a_stale_edit_gets_409_with_the_other_change(api, patient, team_counselor, team_nurse):
    api.force_authenticate(team_counselor)
    plan = _create(api, patient)
    url = f"/api/v1/treatment-plans/{plan['id']}/"
    first = api.patch(url, {"revision": 1, "review_date": IN_119_DAYS}, format="json")
    assert first.status_code == 200 and first.json()["revision"] == 2
    api.force_authenticate(team_nurse)
    second = api.patch(url, {"revision": 1, "review_date": IN_149_DAYS}, format="json")
    assert second.status_code == 409
    assert second.json()["current"]["review_date"] == IN_119_DAYS
    assert TreatmentPlan.objects.get(pk=plan["id"]).review_date.isoformat() == IN_119_DAYS


def test_signed_versions_are_immutable_and_amendments_make_version_2(api, patient, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/",
        {
            "password": PASSWORD,
            "otp": second_factor(team_physician),
            "acknowledged_warnings": [
                {"code": "buprenorphine-induction-cows", "reason": "COWS 10 at home"}
            ],
        },
        format="json",
    )
    v1 = TreatmentPlan.objects.get(pk=plan["id"])
    assert v1.status == "active"
    patch = api.patch(
        f"/api/v1/treatment-plans/{plan['id']}/",
        {"revision": v1.revision, "review_date": IN_180_DAYS},
        format="json",
    )
    assert patch.status_code == 409
    no_reason = api.post(f"/api/v1/treatment-plans/{plan['id']}/amend/", {}, format="json")
    assert no_reason.status_code == 400
    amended = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/amend/", {"reason": "Dose increase"}, format="json"
    )
    assert amended.status_code == 201
    v2 = amended.json()
    assert (v2["version"], v2["previous"], v2["status"]) == (2, plan["id"], "draft")
    # Even SQL cannot change the signed version or its medication lines.
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE intake_treatmentplan SET review_date = '2030-01-01' WHERE id = %s", [v1.pk]
            )
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        PlanMedication.objects.filter(plan=v1).update(dose=16)
    with pytest.raises(DatabaseError), transaction.atomic():
        v1.delete()
    # Approving version 2 supersedes version 1, which keeps its signed content.
    api.patch(
        f"/api/v1/treatment-plans/{v2['id']}/",
        {"revision": 1, "medications": [{**BUP, "dose": "12"}, NALOXONE]},
        format="json",
    )
    api.post(f"/api/v1/treatment-plans/{v2['id']}/submit/", {}, format="json")
    ok = api.post(
        f"/api/v1/treatment-plans/{v2['id']}/approve/",
        {"password": PASSWORD, "otp": second_factor(team_physician)},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    v1.refresh_from_db()
    assert v1.status == "superseded"
    assert v1.signed_content["medications"][0]["dose"] == "8"
    from intake.services.treatment_plan import treatment_plan_verify

    assert treatment_plan_verify(v1)


def test_review_queue_lists_submitted_plans_oldest_first(
    api, patient, team_counselor, team_physician, offteam_physician
):
    api.force_authenticate(team_counselor)
    first = _create(api, patient)
    second = _create(api, patient)
    for p in (first, second):
        api.post(f"/api/v1/treatment-plans/{p['id']}/submit/", {}, format="json")
    assert api.get("/api/v1/review-queue/").status_code == 403
    api.force_authenticate(team_physician)
    ids = [p["id"] for p in api.get("/api/v1/review-queue/").json()["results"]]
    assert ids == [first["id"], second["id"]]
    api.force_authenticate(offteam_physician)
    assert api.get("/api/v1/review-queue/").json()["count"] == 0
    assert api.get(f"/api/v1/treatment-plans/{first['id']}/").status_code == 404


def test_discharge_closes_the_active_plan(api, client, patient, team_counselor):
    from tests.factories import EpisodeFactory

    episode = EpisodeFactory(patient=patient)
    api.force_authenticate(team_counselor)
    plan = _create(api, patient)
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    client.force_login(team_counselor)
    client.post(
        f"/patients/{patient.pk}/episodes/{episode.pk}/discharge/",
        {"discharged_on": "2026-11-24", "reason": "completed"},
    )
    assert TreatmentPlan.objects.get(pk=plan["id"]).status == "closed"


def test_signing_rechecks_the_second_factor(api, patient, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    url = f"/api/v1/treatment-plans/{plan['id']}/approve/"
    acks = [{"code": "buprenorphine-induction-cows", "reason": "COWS 10 at home"}]
    # A physician who has not enrolled an authenticator cannot sign.
    not_enrolled = api.post(
        url, {"password": PASSWORD, "acknowledged_warnings": acks}, format="json"
    )
    assert not_enrolled.status_code == 403
    code = second_factor(team_physician)
    wrong = api.post(
        url, {"password": PASSWORD, "otp": "000000", "acknowledged_warnings": acks}, format="json"
    )
    assert wrong.status_code == 400 and "otp" in wrong.json()
    ok = api.post(
        url, {"password": PASSWORD, "otp": code, "acknowledged_warnings": acks}, format="json"
    )
    assert ok.status_code == 200
    assert TreatmentPlan.objects.get(pk=plan["id"]).status == "active"
