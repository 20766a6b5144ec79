"""The audit API parses its query string with the report page's parser (forms/audit.py) and keeps
its own contract: dates or ISO 8601 date-times, until exclusive, break_glass true or false, 400
naming a refused value. Patient names and MRNs are not API filters: they would travel in the URL
(the page takes them only in a POST body)."""

import pytest
from django.utils import timezone

from intake.models import AuditEvent


@pytest.fixture
def denied(db, patient):
    """One denied emergency-access read of the patient, between the two moments returned."""
    before = timezone.now()
    AuditEvent.objects.create(
        action="read", patient=patient, object_type="patient", outcome="denied", break_glass=True
    )
    return before, timezone.now()


def _count(api, params) -> int:
    response = api.get("/api/v1/audit-events/", params)
    assert response.status_code == 200, response.json()
    return response.json()["count"]


def test_dates_and_date_times_bound_the_events(api, denied, patient, privacy_officer):
    """(Reading the API audits an allowed read of each patient shown: counted are denied
    events, of which there is one.)"""
    api.force_authenticate(privacy_officer)
    before, after = denied
    mine = {"patient": str(patient.pk), "outcome": "denied"}
    assert _count(api, mine) == 1
    assert _count(api, {**mine, "since": before.isoformat()}) == 1
    assert _count(api, {**mine, "until": before.isoformat()}) == 0
    assert _count(api, {**mine, "until": after.isoformat()}) == 1
    # A date alone is midnight in the clinic's zone, and `until` is exclusive.
    today = timezone.localdate()
    assert _count(api, {**mine, "until": today.isoformat()}) == 0
    assert _count(api, {**mine, "since": today.isoformat()}) == 1
    # A date-time without an offset is clinic time.
    local_after = timezone.localtime(after).replace(tzinfo=None)
    assert _count(api, {**mine, "until": local_after.isoformat()}) == 1
    assert _count(api, {**mine, "break_glass": "true"}) == 1
    assert _count(api, {**mine, "break_glass": "0"}) == 0
    assert _count(api, {**mine, "break_glass": "maybe"}) == 1


def test_a_refused_value_is_a_400_naming_it(api, privacy_officer):
    api.force_authenticate(privacy_officer)
    response = api.get("/api/v1/audit-events/", {"since": "yesterday", "patient": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "patient": ["Must be a patient id (UUID)."],
        "since": ["Use YYYY-MM-DD or an ISO 8601 date-time."],
    }
    body = api.get("/api/v1/audit-events/", {"action": "peek"}).json()
    assert body["action"][0].startswith("Choose one of create, read")


def test_names_and_mrns_are_not_api_filters(api, denied, patient, privacy_officer):
    api.force_authenticate(privacy_officer)
    ignored = {"name": "nobody-has-this-name", "mrn": "1"}
    assert _count(api, {"outcome": "denied", **ignored}) == _count(api, {"outcome": "denied"})


@pytest.mark.parametrize("value", [" ", "padded"])
def test_a_blank_or_padded_patient_id_is_refused_not_dropped(api, patient, privacy_officer, value):
    """A filter that cannot be read is a 400 naming it, never the unfiltered log."""
    api.force_authenticate(privacy_officer)
    sent = " " if value == " " else f" {patient.pk} "
    response = api.get("/api/v1/audit-events/", {"patient": sent})
    assert response.status_code == 400
    assert response.json()["patient"] == ["Must be a patient id (UUID)."]
