"""Forms that lose nothing (docs/drafts.md): the typing kept as a draft is the owner's alone,
only while they may still write that form for the patient; bounded; audited; gone when the form
is saved or the draft discarded, or when it is past keeping. Autosave does not keep a session
alive; "Stay signed in" does. A form sent while the database is away comes back with what was
typed."""

import datetime
import json
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from intake.models import AuditAction, AuditEvent, FormDraft, Interview
from intake.services.form_draft import (
    form_draft_discard,
    form_draft_load,
    form_draft_save,
    form_drafts_purge,
)
from tests.factories import PASSWORD, InterviewFactory, PatientFactory, TreatmentPlanFactory
from tests.lab_support import results_form
from tests.test_interview_pages import _form

pytestmark = pytest.mark.django_db

TYPED = "Started oxycodone after a back injury in 2019; now buys fentanyl."


def _url(patient, suffix=""):
    return f"/patients/{patient.pk}/drafts/{suffix}"


def _save(client, patient, key, fields):
    return client.post(
        _url(patient), json.dumps({"key": key, "fields": fields}), content_type="application/json"
    )


def _load(client, patient, key):
    return client.get(_url(patient), {"key": key})


@pytest.fixture
def interview(patient, team_counselor):
    return InterviewFactory(patient=patient, author=team_counselor)


# --- keeping, bringing back, discarding --------------------------------------------------------


def test_typing_is_kept_and_brought_back_for_its_owner(client, patient, team_counselor, interview):
    client.force_login(team_counselor)
    key = f"interview:{interview.pk}"
    saved = _save(client, patient, key, {"onset_notes": TYPED, "risk_factors": ["unemployment"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["saved_at_label"]
    draft = _load(client, patient, key).json()["draft"]
    assert draft["fields"] == {"onset_notes": TYPED, "risk_factors": ["unemployment"]}
    # Saved again: one draft per form, replaced.
    assert _save(client, patient, key, {"onset_notes": TYPED + " More."}).status_code == 200
    assert FormDraft.objects.filter(owner=team_counselor).count() == 1
    assert _load(client, patient, key).json()["draft"]["fields"] == {
        "onset_notes": TYPED + " More."
    }
    listed = client.get(_url(patient)).json()["drafts"]
    assert [d["key"] for d in listed] == [key] and listed[0]["form"] == "Intake interview"
    assert TYPED not in json.dumps(listed)  # the list names forms, never content


def test_each_save_read_and_discard_is_audited_without_content(patient, team_counselor):
    key = "plan:new"
    draft = form_draft_save(actor=team_counselor, patient=patient, key=key, fields={"a": TYPED})
    form_draft_save(actor=team_counselor, patient=patient, key=key, fields={"a": TYPED + "!"})
    assert form_draft_load(actor=team_counselor, patient=patient, key=key).pk == draft.pk
    assert form_draft_discard(actor=team_counselor, patient=patient, key=key)
    events = AuditEvent.objects.filter(object_type="form-draft", object_id=str(draft.pk))
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.READ,
        AuditAction.DELETE,
    ]
    assert all(e.patient_id == patient.pk and e.actor == team_counselor for e in events)
    assert TYPED not in json.dumps(list(events.values_list("detail", flat=True)))
    assert not FormDraft.objects.exists()
    assert form_draft_load(actor=team_counselor, patient=patient, key=key) is None


def test_a_draft_is_its_owners_alone(client, patient, team_counselor, team_physician):
    form_draft_save(actor=team_counselor, patient=patient, key="plan:new", fields={"a": TYPED})
    client.force_login(team_physician)  # same care team, same form: not their typing
    assert _load(client, patient, "plan:new").json() == {"draft": None}
    assert client.get(_url(patient)).json() == {"drafts": []}
    discarded = client.post(
        _url(patient, "discard/"), {"key": "plan:new"}, content_type="application/json"
    )
    assert discarded.json() == {"discarded": False}
    assert FormDraft.objects.filter(owner=team_counselor).count() == 1


def test_outside_the_care_team_it_is_the_one_404(
    client, patient, team_counselor, offteam_counselor
):
    form_draft_save(actor=team_counselor, patient=patient, key="plan:new", fields={"a": TYPED})
    client.force_login(offteam_counselor)
    for response in (
        _load(client, patient, "plan:new"),
        _save(client, patient, "plan:new", {"a": "x"}),
        _save(client, patient, "no-such-form:new", {"a": "x"}),  # a bad key is no tell
        client.post(_url(patient), "not json", content_type="application/json"),
        client.get(_url(patient)),
    ):
        assert response.status_code == 404
        assert TYPED not in response.content.decode()
    assert not FormDraft.objects.filter(owner=offteam_counselor).exists()
    assert AuditEvent.objects.filter(
        actor=offteam_counselor, outcome="denied", object_type="form-draft"
    ).exists()


def test_leaving_the_care_team_hides_the_draft(client, patient, team_counselor):
    form_draft_save(actor=team_counselor, patient=patient, key="plan:new", fields={"a": TYPED})
    patient.care_team.filter(user=team_counselor).update(ended_at=timezone.now())
    client.force_login(team_counselor)
    assert _load(client, patient, "plan:new").status_code == 404


def test_the_form_own_permission_decides(client, patient, team_counselor):
    """Lab results are entered by nurses and physicians: a counselor keeps no draft of them."""
    from intake.services.lab import lab_order_create

    physician = patient.care_team.get(team_role="physician").user
    order = lab_order_create(actor=physician, patient=patient, panel="ecg", priority="routine")
    client.force_login(team_counselor)
    assert _save(client, patient, f"lab-panel:{order.pk}", {"x": "1"}).status_code == 403
    assert not FormDraft.objects.filter(owner=team_counselor).exists()
    client.force_login(physician)
    assert _save(client, patient, f"lab-panel:{order.pk}", {"x": "1"}).status_code == 200
    assert FormDraft.objects.get(owner=physician).fields == {"x": "1"}


def test_a_draft_for_another_patients_record_is_refused(client, patient, team_counselor):
    elsewhere = InterviewFactory(patient=PatientFactory(), author=team_counselor)
    client.force_login(team_counselor)
    response = _save(client, patient, f"interview:{elsewhere.pk}", {"a": TYPED})
    assert response.status_code == 404
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"key": "interview", "fields": {}}, "key"),
        ({"key": "notes:new", "fields": {}}, "key"),
        ({"key": "interview:NOT-A-UUID", "fields": {}}, "key"),
        ({"key": 7, "fields": {}}, "key"),
        ({"key": "plan:new", "fields": ["a"]}, "fields"),
        ({"key": "plan:new", "fields": {"a": 1}}, "fields"),
        ({"key": "plan:new", "fields": {"a": {"b": "c"}}}, "fields"),
        ({"key": "plan:new", "fields": {"a": ["b", 2]}}, "fields"),
        ({"key": "plan:new", "fields": {"a": "nul \x00 byte"}}, "fields"),
        ({"key": "plan:new", "fields": {"x" * 500: "a"}}, "fields"),
        ({"key": "plan:new", "fields": {f"f{i}": "" for i in range(401)}}, "fields"),
        ({"key": "plan:new", "fields": {"a": "x" * (200 * 1024 + 1)}}, "fields"),
    ],
)
def test_what_cannot_be_kept_is_a_400_naming_the_field(
    client, patient, team_counselor, body, field
):
    client.force_login(team_counselor)
    response = client.post(_url(patient), json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not FormDraft.objects.exists()


def test_a_body_that_is_not_json_is_a_400(client, patient, team_counselor):
    client.force_login(team_counselor)
    for response in (
        client.post(_url(patient), "{not json", content_type="application/json"),
        client.post(_url(patient), {"key": "plan:new"}),  # a form post, not JSON
        client.post(_url(patient, "discard/"), "[]", content_type="application/json"),
    ):
        assert response.status_code == 400 and "body" in response.json()["errors"]
    assert not FormDraft.objects.exists()


def test_the_size_limit_is_a_setting(patient, team_counselor, settings):
    settings.FORM_DRAFT_MAX_BYTES = 1000
    form_draft_save(actor=team_counselor, patient=patient, key="plan:new", fields={"a": "x" * 900})
    with pytest.raises(ValidationError) as refused:
        form_draft_save(
            actor=team_counselor, patient=patient, key="plan:new", fields={"a": "x" * 1001}
        )
    assert refused.value.message_dict["fields"] == [
        "Too much to keep as a draft (at most 1000 bytes): save the form."
    ]
    assert FormDraft.objects.get().size < 1000


# --- gone when no longer needed -----------------------------------------------------------------


def test_saving_the_interview_deletes_its_draft(client, patient, team_counselor, interview):
    form_draft_save(
        actor=team_counselor, patient=patient, key=f"interview:{interview.pk}", fields={"a": "b"}
    )
    form_draft_save(actor=team_counselor, patient=patient, key="interview:new", fields={"a": "b"})
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/interviews/{interview.pk}/edit/",
        _form(revision=interview.revision, onset_notes=TYPED),
    )
    assert response.status_code == 302, response.content
    assert list(FormDraft.objects.values_list("key", flat=True)) == ["interview:new"]
    response = client.post(f"/patients/{patient.pk}/interviews/new/", _form())
    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_a_refused_save_keeps_the_draft(client, patient, team_counselor, interview):
    key = f"interview:{interview.pk}"
    form_draft_save(actor=team_counselor, patient=patient, key=key, fields={"a": "b"})
    client.force_login(team_counselor)
    page = client.post(
        f"/patients/{patient.pk}/interviews/{interview.pk}/edit/",
        _form(revision=interview.revision, interviewed_on="not a date"),
    )
    assert page.status_code == 200
    assert FormDraft.objects.filter(key=key).exists()
    # The page shows what was just sent: the script keeps that rather than the older draft.
    assert 'data-draft-posted="1"' in page.content.decode()


def test_saving_a_plan_consent_or_lab_results_deletes_their_drafts(client, patient, team_physician):
    """Each form's page names its draft; a successful save of that form deletes it."""
    from intake.services.lab import lab_order_create

    order = lab_order_create(actor=team_physician, patient=patient, panel="ecg", priority="routine")
    client.force_login(team_physician)
    pages = {
        "plan:new": f"/patients/{patient.pk}/plans/new/",
        "consent:new": f"/patients/{patient.pk}/consents/new/",
        f"lab-panel:{order.pk}": f"/patients/{patient.pk}/labs/{order.pk}/results/",
    }
    for key, url in pages.items():
        html = client.get(url).content.decode()
        assert f'data-draft-key="{key}"' in html, url
        assert f'data-draft-url="{_url(patient)}"' in html
        form_draft_save(actor=team_physician, patient=patient, key=key, fields={"a": "b"})
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    saved = client.post(
        pages["consent:new"],
        {
            "disclosing_party": "Riverside OTP",
            "recipient": "Dr. Ada Primary",
            "information": "Substance use disorder diagnosis and treatment summary",
            "content_kinds": ["patient-summary"],
            "purpose": "Coordination of care",
            "expires_on": (timezone.localdate() + datetime.timedelta(days=365)).isoformat(),
            "right_to_revoke_acknowledged": "on",
            "signed_on": yesterday,
            "signed_by": "The patient",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert not FormDraft.objects.filter(key="consent:new").exists()
    saved = client.post(
        pages[f"lab-panel:{order.pk}"],
        results_form(order.specimen_type, {"qtc": "420"}),
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert not FormDraft.objects.filter(key=f"lab-panel:{order.pk}").exists()
    assert FormDraft.objects.filter(key="plan:new").exists()  # not saved: still kept


def test_drafts_past_keeping_are_purged(patient, team_counselor, settings):
    old = form_draft_save(actor=team_counselor, patient=patient, key="plan:new", fields={"a": "b"})
    FormDraft.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=settings.FORM_DRAFT_KEEP_DAYS + 1)
    )
    # Never shown meanwhile.
    assert form_draft_load(actor=team_counselor, patient=patient, key="plan:new") is None
    fresh = form_draft_save(actor=team_counselor, patient=patient, key="consent:new", fields={})
    assert list(FormDraft.objects.all()) == [fresh]  # the owner's old ones go on a new save
    FormDraft.objects.filter(pk=fresh.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=settings.FORM_DRAFT_KEEP_DAYS + 1)
    )
    assert form_drafts_purge() == 1
    call_command("purge_drafts")
    assert not FormDraft.objects.exists()


# --- the session: autosave is not activity; "Stay signed in" is ---------------------------------


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _age_session(client, seconds):
    """As if the last renewal was `seconds` ago."""
    session = client.session
    session["_renewed"] = int(time.time()) - seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=15 * 60 - seconds)
    )


def test_autosave_and_the_status_check_do_not_renew_the_session(client, patient, team_counselor):
    client.force_login(team_counselor)
    _age_session(client, 600)
    before = _expiry(client)
    assert _save(client, patient, "plan:new", {"a": TYPED}).status_code == 200
    status = client.get("/session/").json()
    assert _expiry(client) == before
    assert 290 <= status["seconds_left"] <= 300 and status["warning_seconds"] == 120


def test_stay_signed_in_and_pages_renew_it(client, patient, team_counselor, settings):
    client.force_login(team_counselor)
    _age_session(client, 600)
    before = _expiry(client)
    state = client.post("/session/keep-alive/", "{}", content_type="application/json").json()
    assert state["seconds_left"] == settings.SESSION_COOKIE_AGE
    assert _expiry(client) > before + datetime.timedelta(seconds=500)
    _age_session(client, 600)
    before = _expiry(client)
    client.get(f"/patients/{patient.pk}/")
    assert _expiry(client) > before + datetime.timedelta(seconds=500)


def test_the_page_knows_when_the_session_ends(client, patient, team_counselor):
    client.force_login(team_counselor)
    client.get("/")
    _age_session(client, 60)
    html = client.get(f"/patients/{patient.pk}/plans/new/").content.decode()
    # This page view renewed it: the full idle time is left (a second may tick away between
    # the renewal and the rendering on a loaded machine).
    left = int(re.search(r'data-session-seconds="(\d+)"', html).group(1))
    assert 899 <= left <= 900
    assert 'data-session-warning="120"' in html and "intake/drafts.js" in html
    assert 'data-session-keep-alive-url="/session/keep-alive/"' in html


def test_a_signed_out_page_gets_401_json_not_the_sign_in_page(client, patient, team_counselor):
    client.force_login(team_counselor)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    for response in (
        _save(client, patient, "plan:new", {"a": TYPED}),
        client.get("/session/"),
        client.post("/session/keep-alive/", "{}", content_type="application/json"),
    ):
        assert response.status_code == 401 and response.json()["code"] == "signed-out"
    assert not FormDraft.objects.exists()


def test_the_form_is_back_after_signing_in_again(client, patient, team_counselor, interview):
    """Save after the session ended: the sign-in page, then the form (next= kept); the typing
    kept before the end is there to bring back."""
    client.force_login(team_counselor)
    key = f"interview:{interview.pk}"
    assert _save(client, patient, key, {"onset_notes": TYPED}).status_code == 200
    Session.objects.all().delete()
    edit = f"/patients/{patient.pk}/interviews/{interview.pk}/edit/"
    response = client.post(edit, _form(revision=interview.revision, onset_notes=TYPED + " lost?"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    client.force_login(team_counselor)
    assert _load(client, patient, key).json()["draft"]["fields"] == {"onset_notes": TYPED}
    assert Interview.objects.get(pk=interview.pk).onset_notes != TYPED + " lost?"


# --- the database away -------------------------------------------------------------------------


def test_a_form_sent_while_the_database_is_away_comes_back_with_the_typing(
    client, patient, team_counselor, interview
):
    from unittest import mock

    from tests.test_reliability_db_errors import _db_error

    client.raise_request_exception = False
    client.force_login(team_counselor)
    edit = f"/patients/{patient.pk}/interviews/{interview.pk}/edit/"
    typed = _form(revision=interview.revision, onset_notes='<script>alert("x")</script> ' + TYPED)
    with mock.patch(
        "intake.views.interview.interview_update", side_effect=_db_error(None, "connection refused")
    ):
        page = client.post(edit, typed)
    assert page.status_code == 503 and page["Retry-After"] == "5"
    html = page.content.decode()
    assert 'data-testid="send-again"' in html and f'action="{edit}"' in html
    assert TYPED in html and "<script>alert" not in html  # escaped, as everywhere
    assert 'name="risk_factors" value="unemployment"' in html  # every value of a list
    assert 'name="csrfmiddlewaretoken"' in html  # a fresh token, not the one sent
    # Sent again once the database is back: saved.
    resend = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    resend["risk_factors"] = ["family-history-addiction", "unemployment"]
    resend["observed_signs"] = ["needle-marks"]
    resend["onset_notes"] = typed["onset_notes"]
    resend.pop("csrfmiddlewaretoken")
    assert client.post(edit, resend).status_code == 302
    assert Interview.objects.get(pk=interview.pk).onset_notes == typed["onset_notes"]


def test_the_unavailable_page_never_carries_back_a_password(client):
    from unittest import mock

    from tests.test_reliability_db_errors import _db_error

    client.raise_request_exception = False
    with mock.patch(
        "intake.views.auth.SignInForm.is_valid", side_effect=_db_error(None, "connection refused")
    ):
        page = client.post("/accounts/login/", {"username": "someone", "password": "secret-pass"})
    assert page.status_code == 503
    assert "secret-pass" not in page.content.decode() and "send-again" not in page.content.decode()


# --- back to the form after signing in again, through the second factor -------------------------


@pytest.mark.parametrize(
    "next_url, lands_on_form",
    [("form", True), ("https://evil.example/phish", False), ("//evil.example/", False)],
)
def test_sign_in_again_through_the_second_factor_lands_on_the_form(
    client, patient, team_counselor, interview, next_url, lands_on_form
):
    from intake.services.mfa import totp_device_from_secret
    from tests.test_mfa import SECRET, code

    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    edit = f"/patients/{patient.pk}/interviews/{interview.pk}/edit/"
    wanted = edit if next_url == "form" else next_url
    # The sign-in page the expired session was sent to carries the form's address along.
    login_page = client.get("/accounts/login/", {"next": wanted}).content.decode()
    if lands_on_form:
        assert f'name="next" value="{edit}"' in login_page
    first = client.post(
        "/accounts/login/", {"username": "team-counselor", "password": PASSWORD, "next": wanted}
    )
    assert first.status_code == 200 and b"Second step" in first.content
    done = client.post("/accounts/login/", {"step": "otp", "otp_token": code(device)})
    assert done.status_code == 302
    assert done["Location"] == (edit if lands_on_form else "/")


def test_a_body_past_the_upload_limit_is_a_400_not_a_500(client, patient, team_counselor):
    client.force_login(team_counselor)
    client.raise_request_exception = False
    huge = json.dumps({"key": "plan:new", "fields": {"a": "x" * (3 * 1024 * 1024)}})
    response = client.post(_url(patient), huge, content_type="application/json")
    assert response.status_code == 400
    assert not FormDraft.objects.exists()


def test_a_key_of_any_length_is_refused_cleanly(client, patient, team_counselor):
    client.force_login(team_counselor)
    assert _load(client, patient, "plan:" + "9" * 5000).status_code == 400
    response = _save(client, patient, "interview:" + str(PatientFactory().pk).upper(), {})
    assert response.status_code == 400 and "key" in response.json()["errors"]  # one spelling
    assert not FormDraft.objects.exists()


def test_the_unavailable_page_never_carries_back_a_signing_code(client, patient, team_physician):
    """The plan signature dialog sends the password and the second-factor code with the plan."""
    from unittest import mock

    from tests.test_reliability_db_errors import _db_error

    plan = TreatmentPlanFactory(patient=patient, status="submitted")
    client.raise_request_exception = False
    client.force_login(team_physician)
    with mock.patch(
        "intake.resolvers.resolve_plan", side_effect=_db_error(None, "connection refused")
    ):
        page = client.post(
            f"/patients/{patient.pk}/plans/{plan.pk}/review/",
            {"password": "secret-pass", "otp": "123456", "comment": "Looks right to me"},
        )
    html = page.content.decode()
    assert page.status_code == 503 and 'data-testid="send-again"' in html
    assert "secret-pass" not in html and "123456" not in html
    assert 'name="comment" value="Looks right to me"' in html
