"""Disclosures under consent: refused (403 naming why) without an active consent that covers
recipient, purpose and content; recorded with the §2.32 notice; audited as export; the
accounting of disclosures for three years; the printable copy."""

import datetime
import hashlib
import json

import pytest
from django.utils import timezone

from intake.models import AuditEvent, Disclosure, Patient
from tests.db_support import as_table_owner
from tests.factories import PURPOSE, RECIPIENT, PatientFactory, make_consent

pytestmark = pytest.mark.django_db


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/disclosures/"


def _body(consent, **overrides):
    return {
        "consent": str(consent.pk),
        "recipient": RECIPIENT,
        "purpose": PURPOSE,
        "content": "patient-summary",
        **overrides,
    }


def test_it_discloses_under_an_active_consent(api, patient, team_physician):
    consent = make_consent(patient, team_physician)
    api.force_authenticate(team_physician)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "42 CFR part 2" in body["notice"]
    assert "without authorization is prohibited" in body["notice"]
    assert body["document"]["patient"]["name"] == "Maria Lopez"
    disclosure = Disclosure.objects.get(pk=body["id"])
    assert (disclosure.recipient, disclosure.purpose, disclosure.content) == (
        RECIPIENT,
        PURPOSE,
        "patient-summary",
    )
    assert (disclosure.consent, disclosure.disclosed_by) == (consent, team_physician)
    event = AuditEvent.objects.get(action="export", object_id=body["id"])
    assert (event.outcome, event.patient_id, event.actor) == ("allowed", patient.pk, team_physician)


def test_the_digest_is_of_the_canonical_json_of_what_was_sent(api, patient, team_physician):
    """The recorded SHA-256 follows the one documented rule disclosures have always used
    (docs/api.md#disclosures): a recipient recomputes it from the document as received, and
    digests recorded before stay checkable."""
    consent = make_consent(patient, team_physician)
    api.force_authenticate(team_physician)
    body = api.post(_url(patient), _body(consent), format="json").json()
    canonical = json.dumps(body["document"], sort_keys=True)
    assert body["document_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert Disclosure.objects.get(pk=body["id"]).document_sha256 == body["document_sha256"]


def test_recipient_and_purpose_match_ignoring_case_and_spacing(api, patient, team_physician):
    consent = make_consent(patient, team_physician)
    api.force_authenticate(team_physician)
    body = _body(consent, recipient=f"  {RECIPIENT.upper()} ", purpose=PURPOSE.lower())
    assert api.post(_url(patient), body, format="json").status_code == 201
    assert Disclosure.objects.get(patient=patient).consent_id == consent.pk


@pytest.mark.parametrize(
    ("setup", "overrides", "reason"),
    [
        ("expired", {}, "expired"),
        ("revoked", {}, "revoked"),
        (None, {"recipient": "Acme Insurance"}, "does not name this recipient"),
        (None, {"purpose": "Employment screening"}, "does not cover this purpose"),
        ("summary-only", {"content": "lab-results"}, "does not cover this information"),
    ],
)
def test_it_refuses_without_a_covering_consent(
    api, patient, team_physician, setup, overrides, reason
):
    today = timezone.localdate()
    kwargs = {}
    if setup == "expired":
        kwargs = {
            "signed_on": (today - datetime.timedelta(days=60)).isoformat(),
            "expires_on": (today - datetime.timedelta(days=1)).isoformat(),
        }
    if setup == "summary-only":
        kwargs = {"content_kinds": ["patient-summary"]}
    consent = make_consent(patient, team_physician, **kwargs)
    api.force_authenticate(team_physician)
    if setup == "revoked":
        api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"revoked_on": today.isoformat()})
    response = api.post(_url(patient), _body(consent, **overrides), format="json")
    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert not Disclosure.objects.exists()
    denied = AuditEvent.objects.get(action="export", outcome="denied")
    assert denied.patient_id == patient.pk


def test_a_consent_of_another_patient_is_not_found(api, patient, team_physician):
    other = PatientFactory()
    consent = make_consent(other, team_physician)
    api.force_authenticate(team_physician)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 400
    assert "consent" in response.json()
    assert not Disclosure.objects.exists()


def test_it_refuses_incomplete_requests(api, patient, team_physician):
    api.force_authenticate(team_physician)
    response = api.post(_url(patient), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"consent", "recipient", "purpose", "content"}


def test_the_accounting_lists_three_years(api, patient, team_physician, privacy_officer):
    consent = make_consent(patient, team_physician)
    api.force_authenticate(team_physician)
    recent = api.post(_url(patient), _body(consent), format="json").json()["id"]
    old = api.post(_url(patient), _body(consent), format="json").json()["id"]
    with as_table_owner("intake_disclosure"):  # backdated: disclosures are final otherwise
        Disclosure.objects.filter(pk=old).update(
            disclosed_at=timezone.now() - datetime.timedelta(days=3 * 366)
        )
    listed = api.get(_url(patient)).json()
    assert [d["id"] for d in listed["results"]] == [recent]
    row = listed["results"][0]
    assert {"recipient", "purpose", "content", "disclosed_at", "consent"} <= set(row)
    assert "document" not in row
    # The privacy officer answers the patient's request for it.
    api.force_authenticate(privacy_officer)
    assert api.get(_url(patient)).json()["count"] == 1
    assert api.post(_url(patient), _body(consent), format="json").status_code == 403


def test_outsiders_get_404(api, patient, team_physician, offteam_physician):
    consent = make_consent(patient, team_physician)
    api.force_authenticate(offteam_physician)
    assert api.get(_url(patient)).status_code == 404
    assert api.post(_url(patient), _body(consent), format="json").status_code == 404
    assert not Disclosure.objects.exists()


def test_emergency_access_does_not_reach_disclosures(api, patient, team_physician, offteam_nurse):
    consent = make_consent(patient, team_physician)
    api.force_authenticate(offteam_nurse)
    grant = api.post(
        f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": "Collapsed in the lobby"}
    )
    assert grant.status_code == 201
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    assert api.post(_url(patient), _body(consent), format="json").status_code == 404
    assert api.get(f"/api/v1/patients/{patient.pk}/consents/").status_code == 404


def test_the_pages_disclose_print_and_account(client, patient, team_counselor, privacy_officer):
    consent = make_consent(patient, team_counselor)
    client.force_login(team_counselor)
    form = client.get(f"/patients/{patient.pk}/disclosures/new/")
    assert form.status_code == 200
    assert RECIPIENT.encode() in form.content
    refused = client.post(
        f"/patients/{patient.pk}/disclosures/new/",
        _body(consent, recipient="Acme Insurance"),
    )
    assert refused.status_code == 403
    assert b"does not name this recipient" in refused.content
    done = client.post(f"/patients/{patient.pk}/disclosures/new/", _body(consent))
    assert done.status_code == 302
    printable = client.get(done["Location"])
    assert printable.status_code == 200
    assert b"42 CFR part 2" in printable.content
    assert b"Maria Lopez" in printable.content
    accounting = client.get(f"/patients/{patient.pk}/disclosures/")
    assert RECIPIENT.encode() in accounting.content
    # The privacy officer sees the accounting, not what was sent.
    client.force_login(privacy_officer)
    assert client.get(f"/patients/{patient.pk}/disclosures/").status_code == 200
    assert client.get(done["Location"]).status_code == 403


def test_it_needs_a_consent_before_anything_is_disclosed(client, patient, team_counselor):
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/disclosures/new/")
    assert b"no active consent" in page.content
    assert Patient.objects.count() == 1
