"""What clinic administrators and privacy officers see (issue 10, item 10): an administrator's
patient search answers the registration header only, page and API alike; a privacy officer's
audit report carries no clinical codes."""

import pytest

from intake import access
from intake.models import Episode
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

HEADER = {"id", "mrn", "given_name", "family_name", "preferred_name", "birth_date"}
PHI = {
    "phone": "555-0142",
    "address": "12 Harbor Lane",
    "gender_identity": "Nonbinary",
    "emergency_contact_name": "Rosa Lopez",
    "emergency_contact_phone": "555-0199",
    "reason_for_visit": "Opioid use disorder, wants methadone",
}


@pytest.fixture
def detailed_patient(patient):
    for field, value in PHI.items():
        setattr(patient, field, value)
    patient.save()
    EpisodeFactory(patient=patient, program="otp")
    return patient


def test_it_gives_administrators_only_the_header_from_the_api_search(
    api, detailed_patient, clinic_admin
):
    api.force_authenticate(clinic_admin)
    got = api.get("/api/v1/patients/", {"q": detailed_patient.family_name})
    posted = api.post(
        "/api/v1/patients/search/", {"q": detailed_patient.family_name}, format="json"
    )
    for response in (got, posted):
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert set(row) == HEADER
        assert row["id"] == str(detailed_patient.pk) and row["mrn"] == detailed_patient.mrn
        for value in PHI.values():
            assert value not in response.content.decode()


def test_it_still_gives_the_care_team_the_full_record(api, detailed_patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        "/api/v1/patients/search/", {"q": detailed_patient.family_name}, format="json"
    )
    (row,) = response.json()["results"]
    assert row["phone"] == PHI["phone"] and row["reason_for_visit"] == PHI["reason_for_visit"]
    assert {"version", "sex_at_birth", "address"} <= set(row)


def test_the_search_page_shows_administrators_no_program(
    client, detailed_patient, clinic_admin, team_counselor
):
    assert Episode.objects.filter(patient=detailed_patient).exists()
    client.force_login(clinic_admin)
    page = client.post("/patients/", {"q": detailed_patient.family_name})
    assert page.status_code == 200
    assert detailed_patient.mrn.encode() in page.content
    assert b"Opioid treatment" not in page.content and b"Program" not in page.content
    client.force_login(team_counselor)
    page = client.post("/patients/", {"q": detailed_patient.family_name})
    assert b"Program" in page.content


def test_one_rule_decides_for_page_and_api(detailed_patient, clinic_admin, team_counselor):
    assert not access.can_view_patient_demographics(clinic_admin)
    assert not access.can_view_patient_demographics(clinic_admin, detailed_patient)
    assert access.can_view_patient_demographics(team_counselor)
    assert access.can_view_patient_demographics(team_counselor, detailed_patient)


def _clinical_audit_rows(patient):
    """Audit rows the services write with clinical codes in their detail: an assessment with a
    suicide-risk alert, an ECG with a prolonged QTc and the acknowledgement of its alert."""
    from intake.services.assessment import assessment_record
    from intake.services.lab import lab_alert_acknowledge, lab_order_create, lab_results_record

    physician = patient.care_team.get(team_role="physician").user
    answers = {str(i): "0" for i in range(1, 10)}
    answers["9"] = "1"
    assessment = assessment_record(
        actor=physician, patient=patient, instrument="phq9", answers=answers
    )
    assert "suicide-risk" in assessment.alerts
    order = lab_order_create(actor=physician, patient=patient, panel="ecg", priority="stat")
    recording = lab_results_record(
        actor=physician,
        order=order,
        collected_at=order.ordered_at,
        observed=False,
        entries=[{"test": "qtc", "value": 520}],
    )
    alert = next(a for a in recording.new_alerts if a.code == "qtc-prolonged")
    lab_alert_acknowledge(actor=physician, alert=alert, note="Methadone dose reviewed")


def test_the_audit_api_shows_privacy_officers_no_clinical_codes(api, patient, privacy_officer):
    from intake.models import AuditEvent

    _clinical_audit_rows(patient)
    stored = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "suicide-risk" in stored and "qtc-prolonged" in stored  # the trail keeps them
    api.force_authenticate(privacy_officer)
    response = api.get("/api/v1/audit-events/", {"patient": str(patient.pk)})
    assert response.status_code == 200
    body = response.content.decode()
    for code in ("suicide-risk", "qtc-prolonged", "critical-value", "phq9", "ecg"):
        assert code not in body, code
    details = [row["detail"] for row in response.json()["results"]]
    assert {"change": "acknowledged", "redacted": ["code"]} in details
    assert any(d.get("change") == "results-entered" for d in details)


def test_the_audit_page_shows_privacy_officers_no_clinical_codes(client, patient, privacy_officer):
    _clinical_audit_rows(patient)
    client.force_login(privacy_officer)
    page = client.get("/audit/", {"patient": str(patient.pk)})
    assert page.status_code == 200
    for code in (b"suicide-risk", b"qtc-prolonged", b"critical-value"):
        assert code not in page.content
    export = client.get("/audit/export/", {"patient": str(patient.pk)})
    content = b"".join(export.streaming_content)
    assert b"suicide-risk" not in content and b"qtc-prolonged" not in content


def test_it_redacts_each_known_clinical_key():
    from intake.selectors.audit import CLINICAL_DETAIL_KEYS, audit_detail_redacted

    detail = {key: "x" for key in CLINICAL_DETAIL_KEYS} | {"reason": "not-found"}
    shown = audit_detail_redacted(detail)
    assert shown == {"reason": "not-found", "redacted": sorted(CLINICAL_DETAIL_KEYS)}
    assert audit_detail_redacted({"change": "revoked"}) == {"change": "revoked"}
    assert audit_detail_redacted(None) == {}


def test_the_care_team_page_shows_administrators_the_header_only(
    client, detailed_patient, clinic_admin, team_counselor
):
    detailed_patient.pronouns = "they/them"
    detailed_patient.save()
    client.force_login(clinic_admin)
    page = client.get(f"/patients/{detailed_patient.pk}/care-team/")
    assert page.status_code == 200
    assert detailed_patient.mrn.encode() in page.content
    assert b"they/them" not in page.content and b"Female" not in page.content
    client.force_login(team_counselor)
    page = client.get(f"/patients/{detailed_patient.pk}/care-team/")
    assert b"they/them" in page.content
