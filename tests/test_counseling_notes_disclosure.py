"""SUD counseling notes under 42 CFR Part 2 (docs/clinical-rules.md#counseling-notes): a consent
that names them names nothing else; they are never read from a description; a disclosure of them
holds only the disclosing clinician's own notes from signed session notes, with the §2.32
notice; every other kind of disclosure leaves them out; emergency access never reaches them."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from intake import access
from intake.models import (
    AuditEvent,
    BreakGlassGrant,
    CareTeamMember,
    Consent,
    Disclosure,
    DisclosureContent,
)
from intake.selectors.disclosure import disclosure_document
from intake.selectors.disclosure_counseling import private_notes_to_disclose
from tests.factories import (
    PURPOSE,
    RECIPIENT,
    CounselingNoteFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    consent_payload,
    make_consent,
)

pytestmark = pytest.mark.django_db

OWN_SIGNED = "Private: the counselor reads shame behind the relapse."
OWN_DRAFT = "Private: draft thoughts, not yet signed."
COLLEAGUE = "Private: the physician writes counseling notes too."
RULE = "A consent to disclose SUD counseling notes must name them and nothing else (42 CFR 2.31(b))"
NOTES = "sud-counseling-notes"


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/disclosures/"


def _body(consent, content=NOTES, **overrides):
    return {
        "consent": str(consent.pk),
        "recipient": RECIPIENT,
        "purpose": PURPOSE,
        "content": content,
        **overrides,
    }


def _notes_consent(patient, actor, **overrides):
    return make_consent(
        patient,
        actor,
        information="SUD counseling notes from individual sessions",
        content_kinds=[NOTES],
        **overrides,
    )


@pytest.fixture
def notes(patient, team_counselor, team_physician):
    """The counselor's counseling notes on a signed note and on a draft; the physician's own on
    a signed note."""
    own = CounselingNoteFactory(
        note__patient=patient, note__author=team_counselor, text=OWN_SIGNED, sign_note=True
    )
    CounselingNoteFactory(note__patient=patient, note__author=team_counselor, text=OWN_DRAFT)
    CounselingNoteFactory(
        note__patient=patient,
        note__author=team_physician,
        note__kind="medical",
        text=COLLEAGUE,
        sign_note=True,
    )
    return own


# The consent ---------------------------------------------------------------------------


@pytest.mark.parametrize("others", [["patient-summary"], ["treatment-plan", "lab-results"]])
def test_a_consent_naming_counseling_notes_and_more_is_refused(
    api, patient, team_counselor, others
):
    api.force_authenticate(team_counselor)
    payload = consent_payload(content_kinds=[NOTES, *others])
    response = api.post(f"/api/v1/patients/{patient.pk}/consents/", payload, format="json")
    assert response.status_code == 400
    assert RULE in " ".join(response.json()["content_kinds"])
    assert not Consent.objects.exists()


def test_a_consent_naming_counseling_notes_alone_is_recorded(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    payload = consent_payload(
        information="SUD counseling notes from individual sessions", content_kinds=[NOTES]
    )
    response = api.post(f"/api/v1/patients/{patient.pk}/consents/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["content_kinds"] == [NOTES]


@pytest.mark.parametrize(
    "information",
    [
        "SUD counseling notes from individual sessions",
        "Substance use disorder summary, including counselling notes",
    ],
)
def test_counseling_notes_are_never_read_from_the_description(
    api, patient, team_counselor, information
):
    """A description alone never brings them in, nor silently leaves them out: the clinician
    is asked to name the kind."""
    api.force_authenticate(team_counselor)
    payload = consent_payload(information=information)
    del payload["content_kinds"]
    response = api.post(f"/api/v1/patients/{patient.pk}/consents/", payload, format="json")
    assert response.status_code == 400
    assert "only when content_kinds names them" in " ".join(response.json()["content_kinds"])
    assert not Consent.objects.exists()


def test_a_general_description_infers_other_kinds_but_never_counseling_notes(
    api, patient, team_counselor
):
    api.force_authenticate(team_counselor)
    payload = consent_payload(information="Substance use disorder summary and lab results")
    del payload["content_kinds"]
    response = api.post(f"/api/v1/patients/{patient.pk}/consents/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["content_kinds"] == ["patient-summary", "lab-results"]


def test_the_consent_page_offers_the_kind_and_explains_it(client, patient, team_counselor):
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/consents/new/").content.decode()
    assert 'value="sud-counseling-notes"' in page
    assert "names them and nothing else" in page
    assert "Only the clinician who wrote them can disclose them" in page


def test_the_consent_page_refuses_a_mixed_consent_and_stores_nothing(
    client, patient, team_counselor
):
    client.force_login(team_counselor)
    form = {k: v for k, v in consent_payload().items() if v not in (None, False)}
    form["content_kinds"] = [NOTES, "lab-results"]
    response = client.post(f"/patients/{patient.pk}/consents/new/", form)
    assert response.status_code == 200
    assert RULE in response.content.decode()
    assert not Consent.objects.exists()


# The disclosure ------------------------------------------------------------------------


def test_it_discloses_only_the_requesters_own_signed_counseling_notes(
    api, patient, team_counselor, notes
):
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(team_counselor)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "42 CFR part 2" in body["notice"]
    assert "without authorization is prohibited" in body["notice"]
    [section] = body["document"]["sections"]
    assert section["rows"] == [
        [notes.note.session_date.isoformat(), "Individual counseling", OWN_SIGNED]
    ]
    stored = json.dumps(Disclosure.objects.get(pk=body["id"]).document)
    assert OWN_SIGNED in stored
    # Not the draft's, not a colleague's, nothing of the session note itself.
    for absent in (OWN_DRAFT, COLLEAGUE, notes.note.data, notes.note.assessment):
        assert absent not in stored
    event = AuditEvent.objects.get(action="export", object_id=body["id"])
    assert (event.outcome, event.actor, event.detail["content"]) == (
        "allowed",
        team_counselor,
        NOTES,
    )


def test_a_clinician_without_counseling_notes_of_their_own_is_refused(
    api, patient, team_counselor, team_nurse, notes
):
    """The nurse wrote none: refused with the rule, the same whether or not colleagues wrote
    some, and nothing stored."""
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(team_nurse)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 403
    assert "only by the clinician who wrote them" in response.json()["detail"]
    assert "42 CFR 2.11" in response.json()["detail"]
    assert not Disclosure.objects.exists()
    denied = AuditEvent.objects.get(action="export", outcome="denied")
    assert denied.detail["reason"] == "no-own-counseling-notes"


def test_draft_counseling_notes_alone_are_not_disclosed(api, patient, team_counselor):
    CounselingNoteFactory(note__patient=patient, note__author=team_counselor, text=OWN_DRAFT)
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(team_counselor)
    assert api.post(_url(patient), _body(consent), format="json").status_code == 403
    assert not Disclosure.objects.exists()


def test_a_general_consent_does_not_cover_counseling_notes(api, patient, team_counselor, notes):
    consent = make_consent(patient, team_counselor)  # summary, plan and labs
    api.force_authenticate(team_counselor)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 403
    assert "does not cover this information (sud counseling notes)" in response.json()["detail"]
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    "content", [k for k in DisclosureContent.values if k != DisclosureContent.SUD_COUNSELING_NOTES]
)
def test_every_other_kind_of_disclosure_leaves_counseling_notes_out(
    api, patient, team_counselor, notes, content
):
    TreatmentPlanFactory(patient=patient)
    consent = make_consent(patient, team_counselor, content_kinds=[content])
    api.force_authenticate(team_counselor)
    response = api.post(_url(patient), _body(consent, content=content), format="json")
    assert response.status_code == 201, response.json()
    document = Disclosure.objects.get(pk=response.json()["id"]).document
    assert response.json()["document"] == document
    stored = json.dumps(document)
    for text in (OWN_SIGNED, OWN_DRAFT, COLLEAGUE):
        assert text not in stored


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_a_revoked_or_expired_consent_is_refused(api, patient, team_counselor, notes, state):
    today = timezone.localdate()
    dates = {}
    if state == "expired":
        dates = {
            "signed_on": (today - datetime.timedelta(days=60)).isoformat(),
            "expires_on": (today - datetime.timedelta(days=1)).isoformat(),
        }
    consent = _notes_consent(patient, team_counselor, **dates)
    api.force_authenticate(team_counselor)
    if state == "revoked":
        api.post(f"/api/v1/consents/{consent.pk}/revoke/", {"revoked_on": today.isoformat()})
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 403
    assert state in response.json()["detail"]
    assert not Disclosure.objects.exists()


def test_off_team_is_not_found(api, patient, team_counselor, offteam_counselor, notes):
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(offteam_counselor)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 404
    assert not Disclosure.objects.exists()


def test_the_printable_copy_is_the_disclosers_alone(
    client, api, patient, team_counselor, team_physician, notes
):
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(team_counselor)
    disclosure_id = api.post(_url(patient), _body(consent), format="json").json()["id"]
    url = f"/patients/{patient.pk}/disclosures/{disclosure_id}/"
    client.force_login(team_counselor)
    page = client.get(url)
    assert page.status_code == 200
    assert OWN_SIGNED in page.content.decode()
    assert "42 CFR part 2" in page.content.decode()
    client.force_login(team_physician)
    refused = client.get(url)
    assert refused.status_code == 403
    assert OWN_SIGNED not in refused.content.decode()
    assert AuditEvent.objects.filter(
        actor=team_physician, outcome="denied", detail__reason="counseling-notes-author-only"
    ).exists()
    # The accounting still lists it for the team.
    listing = client.get(f"/patients/{patient.pk}/disclosures/").content.decode()
    assert RECIPIENT in listing and OWN_SIGNED not in listing
    assert url not in listing and "Discloser only" in listing


def test_the_audit_export_has_the_disclosure_row_and_no_counseling_text(
    client, api, patient, team_counselor, privacy_officer, notes
):
    consent = _notes_consent(patient, team_counselor)
    api.force_authenticate(team_counselor)
    disclosure_id = api.post(_url(patient), _body(consent), format="json").json()["id"]
    client.force_login(privacy_officer)
    response = client.get("/audit/export/", {"patient": str(patient.pk)})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(
        r["action"] == "export" and r["object_id"] == disclosure_id and r["outcome"] == "allowed"
        for r in rows
    )
    for absent in (OWN_SIGNED, OWN_DRAFT, COLLEAGUE):
        assert absent not in text


# Emergency access: the document level --------------------------------------------------


def test_emergency_access_reaches_no_counseling_notes(api, patient, team_counselor, notes):
    """The counselor who wrote them leaves the team and comes back through a break-glass grant:
    the document built for them holds none, and they may not disclose them."""
    consent = _notes_consent(patient, team_counselor)
    CareTeamMember.objects.filter(patient=patient, user=team_counselor).update(
        ended_at=timezone.now()
    )
    api.force_authenticate(team_counselor)
    opened = api.post(
        f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": "Overdose in the waiting room"}
    )
    assert opened.status_code == 201, opened.json()
    assert BreakGlassGrant.objects.filter(user=team_counselor).exists()
    access.forget_cached(team_counselor)
    assert access.is_on_care_team(team_counselor, patient)
    assert not access.can_disclose_counseling_notes(team_counselor, patient)
    assert not private_notes_to_disclose(patient=patient, requester=team_counselor)
    document = disclosure_document(patient=patient, content=NOTES, requester=team_counselor)
    assert document["sections"][0]["rows"] == []
    assert OWN_SIGNED not in json.dumps(document)
    response = api.post(_url(patient), _body(consent), format="json")
    assert response.status_code == 404
    assert not Disclosure.objects.exists()


def test_the_document_without_a_requester_holds_none(patient, notes):
    document = disclosure_document(patient=patient, content=NOTES)
    assert document["sections"][0]["rows"] == []


def test_a_session_note_without_counseling_notes_adds_no_row(api, patient, team_counselor):
    SessionNoteFactory(patient=patient, author=team_counselor, signed=True)
    assert not private_notes_to_disclose(patient=patient, requester=team_counselor)
