"""42 CFR 2.31 consents: every element required and named when missing; revocation, never
retroactive; the signed copy; care-team scope."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from intake.models import AuditEvent, Consent
from intake.services.consent import ELEMENTS
from tests.factories import PURPOSE, RECIPIENT, consent_payload, make_consent

pytestmark = pytest.mark.django_db

# Each element, and the input that leaves it out.
MISSING = {
    "disclosing_party": {"disclosing_party": ""},
    "recipient": {"recipient": ""},
    "information": {"information": "", "content_kinds": ["patient-summary"]},
    "content_kinds": {"information": "Substance use disorder records", "content_kinds": []},
    "purpose": {"purpose": ""},
    "expires_on": {"expires_on": None, "expiry_event": ""},
    "right_to_revoke_acknowledged": {"right_to_revoke_acknowledged": False},
    "signed_on": {"signed_on": None},
    "signed_by": {"signed_by": "   "},
}


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/consents/"


def test_it_records_a_complete_consent(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(_url(patient), consent_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "active"
    assert body["content_kinds"] == ["patient-summary", "treatment-plan", "lab-results"]
    consent = Consent.objects.get(pk=body["id"])
    assert consent.created_by == team_counselor
    assert AuditEvent.objects.filter(
        action="create", object_type="consent", object_id=str(consent.pk), patient=patient
    ).exists()
    listed = api.get(_url(patient)).json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]


def test_it_covers_the_whole_element_list():
    assert set(MISSING) == set(ELEMENTS)


@pytest.mark.parametrize("element", list(MISSING))
def test_it_refuses_a_consent_missing_each_element(api, patient, team_counselor, element):
    api.force_authenticate(team_counselor)
    response = api.post(_url(patient), consent_payload(**MISSING[element]), format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [element], body
    assert "Missing element of a 42 CFR 2.31 consent" in body[element][0]
    assert not Consent.objects.exists()


def test_it_names_every_missing_element_at_once(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    body = api.post(_url(patient), {}, format="json").json()
    # The right to revoke is our own statement, stored with every consent (docs/api.md#consents).
    assert set(body) == set(ELEMENTS) - {"right_to_revoke_acknowledged"}


def test_it_accepts_an_expiry_event_instead_of_a_date(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        _url(patient),
        consent_payload(expires_on=None, expiry_event="Discharge from the program"),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_it_requires_sud_information_to_be_named(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        _url(patient), consent_payload(information="All my medical records"), format="json"
    )
    assert response.status_code == 400
    assert "substance use disorder" in response.json()["information"][0]


def test_it_reads_the_kinds_from_the_description_when_not_given(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    payload = consent_payload(information="Substance use disorder lab results only")
    del payload["content_kinds"]
    response = api.post(_url(patient), payload, format="json")
    assert response.status_code == 201
    assert response.json()["content_kinds"] == ["lab-results"]


def test_it_refuses_dates_that_make_no_sense(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert api.post(
        _url(patient), consent_payload(signed_on=tomorrow.isoformat()), format="json"
    ).json().keys() == {"signed_on"}
    body = api.post(
        _url(patient),
        consent_payload(expires_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()),
        format="json",
    ).json()
    assert "before it was signed" in body["expires_on"][0]


def test_it_derives_expired_from_the_date(patient, team_counselor):
    consent = make_consent(
        patient,
        team_counselor,
        signed_on=(timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        expires_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
    )
    assert consent.status == "expired"
    assert consent.status_on(timezone.localdate() - datetime.timedelta(days=1)) == "active"


def test_it_revokes_and_refuses_a_second_revocation(api, patient, team_counselor):
    consent = make_consent(patient, team_counselor)
    api.force_authenticate(team_counselor)
    today = timezone.localdate().isoformat()
    response = api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"revoked_on": today})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["revoked_on"]) == ("revoked", today)
    again = api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"revoked_on": today})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(object_id=str(consent.pk), action="update").count() == 1


def test_a_revocation_is_never_retroactive(api, patient, team_counselor):
    signed = timezone.localdate() - datetime.timedelta(days=20)
    consent = make_consent(patient, team_counselor, signed_on=signed.isoformat())
    api.force_authenticate(team_counselor)
    made = api.post(
        f"/api/v1/patients/{patient.pk}/disclosures/",
        {
            "consent": str(consent.pk),
            "recipient": RECIPIENT,
            "purpose": PURPOSE,
            "content": "patient-summary",
        },
    )
    assert made.status_code == 201
    url = f"/api/v1/consents/{consent.pk}/revoke/"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    before_disclosure = api.post(url, {"revoked_on": yesterday.isoformat()})
    assert before_disclosure.status_code == 400
    assert "not retroactive" in before_disclosure.json()["revoked_on"][0]
    future = timezone.localdate() + datetime.timedelta(days=1)
    assert api.post(url, {"revoked_on": future.isoformat()}).status_code == 400
    assert api.post(url, {"revoked_on": timezone.localdate().isoformat()}).status_code == 200
    # The disclosure made while the consent was active stays in the accounting.
    accounting = api.get(f"/api/v1/patients/{patient.pk}/disclosures/").json()
    assert [d["id"] for d in accounting["results"]] == [made.json()["id"]]


def test_it_keeps_consents_inside_the_care_team(api, patient, team_counselor, offteam_nurse):
    consent = make_consent(patient, team_counselor)
    api.force_authenticate(offteam_nurse)
    assert api.get(_url(patient)).status_code == 404
    assert api.post(_url(patient), consent_payload(), format="json").status_code == 404
    assert api.post(f"/api/v1/consents/{consent.pk}/revoke/").status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_privacy_officers_read_consents_but_do_not_record_them(api, patient, privacy_officer):
    api.force_authenticate(privacy_officer)
    assert api.get(_url(patient)).status_code == 200
    assert api.post(_url(patient), consent_payload(), format="json").status_code == 403
    assert not Consent.objects.filter(patient=patient).exists()


def test_it_stores_a_signed_copy_under_the_consent_id(client, api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    upload = SimpleUploadedFile("Maria Lopez consent.pdf", b"%PDF-1.4 signed", "application/pdf")
    payload = {k: v for k, v in consent_payload().items() if k != "content_kinds"}
    payload["content_kinds"] = ["patient-summary", "lab-results"]
    response = api.post(_url(patient), {**payload, "signed_copy": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(pk=response.json()["id"])
    assert consent.content_kinds == ["patient-summary", "lab-results"]
    assert "Lopez" not in consent.signed_copy.name
    assert consent.signed_copy.name.endswith(f"{consent.pk}.pdf")
    client.force_login(team_counselor)
    download = client.get(f"/patients/{patient.pk}/consents/{consent.pk}/signed-copy/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"


def test_it_refuses_a_signed_copy_that_is_not_a_document(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    upload = SimpleUploadedFile("consent.pdf", b"<html><script>x</script>", "application/pdf")
    response = api.post(_url(patient), {**consent_payload(), "signed_copy": upload})
    assert response.status_code == 400
    assert "signed_copy" in response.json()
    assert not Consent.objects.exists()


def test_the_page_names_missing_elements_and_records_a_consent(client, patient, team_nurse):
    client.force_login(team_nurse)
    url = f"/patients/{patient.pk}/consents/new/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"recipient": RECIPIENT})
    assert refused.status_code == 200
    assert b"Missing element of a 42 CFR 2.31 consent: the purpose" in refused.content
    assert not Consent.objects.exists()
    payload = consent_payload()
    payload["right_to_revoke_acknowledged"] = "on"
    done = client.post(url, payload)
    assert done.status_code == 302
    consent = Consent.objects.get()
    listing = client.get(f"/patients/{patient.pk}/consents/")
    assert RECIPIENT.encode() in listing.content
    revoke = client.post(
        f"/patients/{patient.pk}/consents/{consent.pk}/revoke/",
        {"revoked_on": timezone.localdate().isoformat()},
    )
    assert revoke.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "revoked"


def test_a_client_need_not_send_the_acknowledgement_and_the_statements_are_stored(
    api, patient, team_counselor, client
):
    """docs/api.md#consents: `right_to_revoke_acknowledged` may be sent, never required; the §2.31
    statements are the system's own text, stored with every consent and shown on the form."""
    from intake.models import Consent
    from intake.models.consent import CONSENT_STATEMENTS

    api.force_authenticate(team_counselor)
    payload = consent_payload()
    payload.pop("right_to_revoke_acknowledged")
    response = api.post(_url(patient), payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["statements"] == CONSENT_STATEMENTS
    assert Consent.objects.get(pk=response.json()["id"]).statements == CONSENT_STATEMENTS
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/consents/new/").content.decode()
    assert "revoke this consent at any time, in writing" in page


def test_a_chosen_signed_copy_is_not_dropped_silently_when_another_field_is_wrong(
    client, patient, team_counselor
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from intake.models import Consent

    client.force_login(team_counselor)
    payload = consent_payload(purpose="")
    payload["signed_copy"] = SimpleUploadedFile(
        "signed.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf"
    )
    payload["right_to_revoke_acknowledged"] = "on"
    response = client.post(f"/patients/{patient.pk}/consents/new/", payload)
    assert response.status_code == 200
    assert "choose it again" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_signed_copy_of_unknown_size_is_measured(settings):
    """An UploadedFile made by hand may leave its size None: the check measures the file rather
    than failing on the comparison with the limit."""
    from io import BytesIO

    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import UploadedFile

    from intake.services.consent import signed_copy_check

    unsized = UploadedFile(BytesIO(b"%PDF-1.4 signed"), name="consent.pdf", size=None)
    assert signed_copy_check(unsized) == "pdf"
    assert unsized.read() == b"%PDF-1.4 signed"  # left at the start for storing
    settings.CONSENT_UPLOAD_MAX_BYTES = 8
    with pytest.raises(ValidationError, match="larger than"):
        signed_copy_check(UploadedFile(BytesIO(b"%PDF-1.4 signed"), name="consent.pdf"))
