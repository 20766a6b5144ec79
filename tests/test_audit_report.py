"""The privacy officer's audit report: filters, CSV export (itself audited), emergency access."""

import csv
import io

import pytest

from intake.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def activity(client, api, patient, team_nurse, offteam_nurse):
    client.force_login(team_nurse)
    client.get(f"/patients/{patient.pk}/")
    client.force_login(offteam_nurse)
    client.get(f"/patients/{patient.pk}/")  # denied
    api.force_authenticate(offteam_nurse)
    api.post(
        f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": "Seizure in the waiting room"}
    )
    api.get(f"/api/v1/patients/{patient.pk}/")
    client.logout()


def test_it_filters_denied_and_emergency_access(client, activity, privacy_officer):
    client.force_login(privacy_officer)
    denied = client.get("/audit/", {"denied": "on"}).content.decode()
    assert "not-on-care-team" in denied and "team-nurse" not in denied.replace("offteam-nurse", "")
    flagged = client.get("/audit/", {"break_glass": "on"}).content.decode()
    assert "emergency access" in flagged
    assert (
        flagged.count('<tr class="table-danger">')
        == AuditEvent.objects.filter(break_glass=True).count()
    )


def test_it_exports_csv_and_audits_the_export(client, activity, patient, privacy_officer):
    client.force_login(privacy_officer)
    response = client.get("/audit/export/", {"patient": str(patient.pk), "break_glass": "on"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows and all(r["break_glass"] == "true" for r in rows)
    assert {r["actor"] for r in rows} == {"offteam-nurse"}
    assert "Lopez" not in str(rows)
    export = AuditEvent.objects.get(action="export", object_type="audit-report")
    assert (export.actor, export.patient_id) == (privacy_officer, patient.pk)
    assert export.detail["filters"] == {"patient": str(patient.pk), "break_glass": "on"}


def test_exported_cells_cannot_run_as_formulas(client, privacy_officer):
    from intake.services.audit import audit_record

    for name in ("=HYPERLINK(1)", "@SUM(A1)"):
        audit_record(actor=None, action="sign-in", outcome="denied", username=name)
    client.force_login(privacy_officer)
    actors = {r["actor"] for r in _rows(client.get("/audit/export/"))}
    assert {"'=HYPERLINK(1)", "'@SUM(A1)"} <= actors


def test_only_privacy_officers_export(client, team_physician, clinic_admin):
    for user in (team_physician, clinic_admin):
        client.force_login(user)
        assert client.get("/audit/export/").status_code == 403
        assert client.get("/audit/break-glass/").status_code == 403


def test_the_api_filters_emergency_access(api, activity, privacy_officer):
    api.force_authenticate(privacy_officer)
    body = api.get("/api/v1/audit-events/", {"break_glass": "true"}).json()
    assert body["count"] == AuditEvent.objects.filter(break_glass=True).count() >= 2
    assert all(r["break_glass"] for r in body["results"])


def test_it_filters_by_mrn_and_by_name_and_shows_who_the_patient_is(
    client, activity, patient, privacy_officer
):
    from tests.factories import PatientFactory

    other = PatientFactory(given_name="Zelda", family_name="Quist")
    AuditEvent.objects.create(
        action="read", patient=other, object_type="patient", outcome="allowed"
    )
    client.force_login(privacy_officer)
    by_mrn = client.post("/audit/", {"mrn": patient.mrn}).content.decode()
    assert f"{patient.family_name}, {patient.given_name} · MRN {patient.mrn}" in by_mrn
    assert "Quist" not in by_mrn
    by_name = client.post("/audit/", {"name": "zelda QUI"}).content.decode()
    assert "Quist, Zelda" in by_name and patient.family_name not in by_name
    # Paging and export carry the filter in a POST body, never in an address.
    assert 'href="/audit/export/?' not in by_name and "?name=" not in by_name
    export = client.post("/audit/export/", {"name": "zelda QUI"})
    assert {r["patient"] for r in _rows(export)} == {str(other.pk)}
    recorded = AuditEvent.objects.filter(action="export", object_type="audit-report").latest("at")
    assert recorded.detail["filters"] == {"name": "given"}  # never the name itself


@pytest.mark.parametrize("params", [{"name": "Quist"}, {"mrn": "00000001"}])
def test_a_name_or_mrn_in_the_address_is_refused(client, activity, privacy_officer, params):
    client.force_login(privacy_officer)
    page = client.get("/audit/", params).content.decode()
    assert 'data-testid="filter-refused"' in page and "No events." in page
    assert len(_rows(client.get("/audit/export/", params))) == 0


def test_an_audit_date_in_year_9999_is_refused_not_a_500(client, activity, privacy_officer):
    client.force_login(privacy_officer)
    response = client.get("/audit/", {"until": "9999-12-31"})
    assert response.status_code == 200
    assert "No events." in response.content.decode()
    assert client.get("/audit/export/", {"until": "9999-12-31"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"mrn": "12ab"}, {"patient": "not-a-uuid"}, {"since": "yesterday"}, {"action": "steal"}],
)
def test_a_refused_filter_shows_no_rows_not_the_whole_log(
    client, activity, privacy_officer, params
):
    client.force_login(privacy_officer)
    page = client.get("/audit/", params).content.decode()
    assert 'data-testid="filter-refused"' in page
    assert "No events." in page
    export = client.get("/audit/export/", params)
    assert len(_rows(export)) == 0
