"""Patient self-report (docs/clinical-rules.md#self-report, docs/api.md#patient-self-report):
a clinician on the team issues a one-time link and tablet code; the patient answers on their
own page (no staff sign-in) or at the tablet; the answers wait for a clinician to accept them
(an assessment with source "patient", scored and alerted like any other) or reject them."""

import datetime
import hashlib
import json

import pytest
import time_machine
from django.test import Client

from intake.models import (
    Assessment,
    AuditEvent,
    PendingAssessment,
    SelfReportLink,
)
from tests.self_report_support import form_data, gad7, issue, page_path, path_of, phq9

pytestmark = pytest.mark.django_db


def _issue_api(api, user, patient, instruments):
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/patients/{patient.pk}/self-report-links/",
        {"instruments": instruments},
        format="json",
    )


def _kiosk(path, answers, client=None):
    client = client or Client(enforce_csrf_checks=True)
    return client.post(path, json.dumps({"answers": answers}), content_type="application/json")


# Issuing ---------------------------------------------------------------------------------------


def test_it_issues_a_link_and_a_code_and_stores_only_their_hashes(
    api, patient, team_counselor, frozen_now
):
    response = _issue_api(api, team_counselor, patient, ["phq9", "gad7"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"].startswith("http://testserver/self-report/")
    token = path_of(body["url"]).rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    assert len(body["code"]) == 9 and body["code"][4] == "-"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires == frozen_now + datetime.timedelta(hours=24)
    link = SelfReportLink.objects.get(patient=patient)
    assert link.instruments == ["phq9", "gad7"]
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    code = body["code"].replace("-", "")
    assert link.code_hash == hashlib.sha256(code.encode()).hexdigest()
    stored = json.dumps(list(SelfReportLink.objects.values()), default=str)
    assert token not in stored and code not in stored
    assert AuditEvent.objects.filter(object_type="selfreportlink", action="create").exists()


@pytest.mark.parametrize(
    ("instruments", "named"),
    [(["phq9", "cows"], "cows"), ([], "at least one"), (["asam"], "asam"), ("phq9", None)],
)
def test_it_refuses_unknown_or_no_instruments_and_stores_nothing(
    api, patient, team_nurse, instruments, named
):
    response = _issue_api(api, team_nurse, patient, instruments)
    assert response.status_code == 400
    assert "instruments" in response.json()
    if named:
        assert named in json.dumps(response.json())
    assert not SelfReportLink.objects.exists()


def test_it_refuses_issuing_to_a_wrong_role_and_off_the_team(
    api, patient, clinic_admin, privacy_officer, offteam_physician
):
    assert _issue_api(api, clinic_admin, patient, ["phq9"]).status_code == 403
    assert _issue_api(api, privacy_officer, patient, ["phq9"]).status_code == 403
    assert _issue_api(api, offteam_physician, patient, ["phq9"]).status_code == 404
    assert not SelfReportLink.objects.exists()


# The patient's page ----------------------------------------------------------------------------


def test_the_patients_page_shows_the_first_name_and_the_questions_only(
    client, patient, team_counselor
):
    patient.preferred_name = "Mari"
    patient.save()
    response = client.get(page_path(issue(team_counselor, patient, ["phq9"])))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hello, Mari" in page
    for hidden in ("Maria", "Lopez", patient.mrn, str(patient.birth_date), str(patient.pk)):
        assert hidden not in page
    assert "Thoughts that you would be better off dead" in page
    assert page.count("<fieldset") == 9 and page.count("<legend") == 9
    assert "Nearly every day" in page
    assert "Sign out" not in page and "Worklist" not in page
    assert "no-store" in response["Cache-Control"]
    assert "default-src" in response["Content-Security-Policy"]
    assert 'src="http' not in page and 'href="http' not in page


def test_submitting_stores_one_pending_assessment_per_instrument_and_uses_the_link(
    patient, team_counselor, frozen_now
):
    issued = issue(team_counselor, patient, ["phq9", "gad7"])
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_path(issued))
    data = {
        **form_data({"phq9": phq9(), "gad7": gad7()}),
        "csrfmiddlewaretoken": page.context["csrf_token"],
    }
    response = client.post(page_path(issued), data)
    assert response.status_code == 200
    assert "Thank you, Maria" in response.content.decode()
    stored = {p.instrument: p for p in PendingAssessment.objects.filter(patient=patient)}
    assert set(stored) == {"phq9", "gad7"}
    assert stored["phq9"].answers == phq9() and stored["phq9"].status == "pending"
    assert stored["phq9"].submitted_at == frozen_now and not stored["phq9"].urgent
    issued.link.refresh_from_db()
    assert issued.link.used_at == frozen_now
    # Once only: the page, a second form and the kiosk all answer 410.
    again = client.get(page_path(issued))
    assert again.status_code == 410 and "no longer open" in again.content.decode()
    assert "Maria" not in again.content.decode()
    assert client.post(page_path(issued), data).status_code == 410
    assert _kiosk(page_path(issued), {"phq9": phq9()}).status_code == 410
    assert PendingAssessment.objects.count() == 2


def test_the_html_form_keeps_its_csrf_check(patient, team_counselor):
    issued = issue(team_counselor, patient, ["phq9"])
    response = Client(enforce_csrf_checks=True).post(page_path(issued), form_data({"phq9": phq9()}))
    assert response.status_code == 403
    assert not PendingAssessment.objects.exists()


def test_a_missing_answer_shows_the_form_again_and_stores_nothing(client, patient, team_nurse):
    issued = issue(team_nurse, patient, ["phq9"])
    answers = phq9()
    del answers["4"]
    response = client.post(page_path(issued), form_data({"phq9": answers}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please answer this question." in page
    assert 'value="1" checked' in page  # what was answered is kept
    assert not PendingAssessment.objects.exists()
    issued.link.refresh_from_db()
    assert issued.link.used_at is None


def test_the_kiosk_posts_json_without_a_csrf_token(patient, team_nurse):
    issued = issue(team_nurse, patient, ["phq9", "gad7"])
    response = _kiosk(page_path(issued), {"phq9": phq9(item9=2), "gad7": gad7()})
    assert response.status_code == 201, response.content
    assert sorted(response.json()["submitted"]) == ["gad7", "phq9"]
    assert PendingAssessment.objects.get(instrument="phq9").urgent


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"phq9": {**phq9(), "9": "7"}}, "phq9.9"),
        ({"phq9": {**phq9(), "10": "1"}}, "phq9.10"),
        ({}, "phq9"),
        ({"phq9": phq9(), "cows": {}}, "cows"),
        ({"phq9": "0"}, "phq9"),
    ],
)
def test_the_kiosk_refuses_bad_answers_naming_them_and_stores_nothing(
    patient, team_nurse, answers, key
):
    issued = issue(team_nurse, patient, ["phq9"])
    response = _kiosk(page_path(issued), answers)
    assert response.status_code == 400
    assert key in response.json()["answers"]
    assert not PendingAssessment.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"answers": 3}', b"\x00\xff"])
def test_the_kiosk_refuses_a_malformed_body(patient, team_nurse, body):
    issued = issue(team_nurse, patient, ["phq9"])
    response = Client().post(page_path(issued), body, content_type="application/json")
    assert response.status_code == 400
    assert not PendingAssessment.objects.exists()


def test_the_link_expires_at_exactly_24_hours(client, patient, team_counselor):
    start = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        issued = issue(team_counselor, patient, ["phq9"])
        clock.move_to(start + datetime.timedelta(hours=24) - datetime.timedelta(seconds=1))
        assert client.get(page_path(issued)).status_code == 200
        clock.move_to(start + datetime.timedelta(hours=24))
        assert client.get(page_path(issued)).status_code == 410
        assert _kiosk(page_path(issued), {"phq9": phq9()}).status_code == 410
    assert not PendingAssessment.objects.exists()


@pytest.mark.parametrize("token", ["A" * 43, "short", "x" * 200, "..%2F..", "caf%C3%A9" + "a" * 40])
def test_an_unknown_or_malformed_token_is_a_plain_404(client, patient, team_counselor, token):
    issue(team_counselor, patient, ["phq9"])
    response = client.get(f"/self-report/{token}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link does not work" in page
    assert "Maria" not in page and "Sign in" not in page
    assert _kiosk(f"/self-report/{token}/", {"phq9": phq9()}).status_code == 404


# The waiting-room tablet -----------------------------------------------------------------------


def test_the_tablet_takes_the_code_then_the_answers(patient, team_nurse):
    issued = issue(team_nurse, patient, ["phq9"])
    client = Client()
    typed = issued.code_display.lower().replace("-", " ")
    step = client.post("/self-report/", {"code": typed})
    assert step.status_code == 200
    assert "Hello, Maria" in step.content.decode()
    assert not PendingAssessment.objects.exists()
    done = client.post("/self-report/", {"code": typed, **form_data({"phq9": phq9()})})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert PendingAssessment.objects.get().link == issued.link
    assert client.post("/self-report/", {"code": typed}).status_code == 410


def test_wrong_codes_are_rate_limited_by_client_address(patient, team_nurse, settings):
    settings.SELF_REPORT_MAX_ATTEMPTS = 5
    issued = issue(team_nurse, patient, ["phq9"])
    tablet = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(4):
        response = tablet.post("/self-report/", {"code": f"WRNG-CD{n + 2}A"})
        assert response.status_code == 400
        assert "not recognised" in response.content.decode()
    assert tablet.post("/self-report/", {"code": "WRNG-CDZZ"}).status_code == 429
    # Locked for this address, even with the right code; another address is not.
    blocked = tablet.post("/self-report/", {"code": issued.code_display})
    assert blocked.status_code == 429 and "Maria" not in blocked.content.decode()
    assert tablet.get("/self-report/").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.8").post("/self-report/", {"code": issued.code_display})
    assert other.status_code == 200
    assert AuditEvent.objects.filter(object_type="self-report-code", outcome="denied").count() == 5


def test_the_rate_limit_window_passes(patient, team_nurse):
    issued = issue(team_nurse, patient, ["phq9"])
    start = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        tablet = Client(REMOTE_ADDR="10.0.0.9")
        for _ in range(5):
            tablet.post("/self-report/", {"code": "AAAA-AAAA"})
        assert tablet.post("/self-report/", {"code": issued.code_display}).status_code == 429
        clock.move_to(start + datetime.timedelta(minutes=16))
        assert tablet.post("/self-report/", {"code": issued.code_display}).status_code == 200


# Review ----------------------------------------------------------------------------------------


def _submitted(patient, user, answers=None):
    issued = issue(user, patient, list((answers or {"phq9": phq9()}).keys()))
    assert _kiosk(page_path(issued), answers or {"phq9": phq9()}).status_code == 201
    return PendingAssessment.objects.filter(link=issued.link)


def test_the_team_lists_the_pending_answers_with_what_they_would_score(
    api, patient, team_counselor, team_physician
):
    _submitted(patient, team_counselor, {"phq9": phq9(item9=1), "gad7": gad7()})
    api.force_authenticate(team_physician)
    response = api.get(f"/api/v1/patients/{patient.pk}/pending-assessments/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["instrument"] for r in rows] == ["phq9", "gad7"]  # urgent first
    assert rows[0]["urgent"] and rows[0]["total"] == 9 and rows[0]["alerts"] == ["suicide-risk"]
    assert rows[1]["total"] == 14 and rows[1]["band"] == "moderate"
    assert all(r["status"] == "pending" for r in rows)


def test_listing_pending_answers_is_for_the_team_and_clinical_roles(
    api, patient, team_counselor, offteam_nurse, clinic_admin
):
    _submitted(patient, team_counselor)
    url = f"/api/v1/patients/{patient.pk}/pending-assessments/"
    api.force_authenticate(offteam_nurse)
    assert api.get(url).status_code == 404
    api.force_authenticate(clinic_admin)
    assert api.get(url).status_code == 403


def test_accepting_records_the_assessment_as_the_patients_own_with_score_and_alert(
    api, patient, team_nurse, team_counselor
):
    pending = _submitted(patient, team_nurse, {"phq9": phq9(item9=2, each=2)}).get()
    api.force_authenticate(team_counselor)
    response = api.post(f"/api/v1/pending-assessments/{pending.pk}/accept/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "patient"
    assert body["total"] == 18 and body["band"] == "moderately-severe"
    assert body["alerts"] == ["suicide-risk"]
    assert body["administered_by"] == team_counselor.username
    assessment = Assessment.objects.get(pk=body["id"])
    assert assessment.administered_at == pending.submitted_at
    assert assessment.open_safety_alerts == ["suicide-risk"]
    pending.refresh_from_db()
    assert pending.status == "accepted" and pending.assessment == assessment
    assert pending.reviewed_by == team_counselor
    assert AuditEvent.objects.filter(
        object_type="pendingassessment", action="update", actor=team_counselor
    ).exists()
    # A second review of either kind is a conflict and changes nothing.
    again = api.post(f"/api/v1/pending-assessments/{pending.pk}/accept/")
    assert again.status_code == 409 and "already" in again.json()["detail"]
    reject = api.post(
        f"/api/v1/pending-assessments/{pending.pk}/reject/", {"reason": "x"}, format="json"
    )
    assert reject.status_code == 409
    assert Assessment.objects.count() == 1


def test_rejecting_needs_a_reason_and_keeps_the_answers_out_of_the_record(
    api, patient, team_nurse, team_physician
):
    pending = _submitted(patient, team_nurse).get()
    api.force_authenticate(team_physician)
    url = f"/api/v1/pending-assessments/{pending.pk}/reject/"
    for body in ({}, {"reason": "   "}, {"reason": 3}):
        response = api.post(url, body, format="json")
        assert response.status_code == 400 and "reason" in response.json()
    pending.refresh_from_db()
    assert pending.status == "pending"
    response = api.post(url, {"reason": "Answered by a relative, not the patient."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "Answered by a relative, not the patient."
    assert not Assessment.objects.exists()
    assert api.post(url, {"reason": "again"}, format="json").status_code == 409
    assert api.post(f"/api/v1/pending-assessments/{pending.pk}/accept/").status_code == 409


def test_reviewing_is_for_the_team_and_clinical_roles(
    api, patient, team_nurse, offteam_physician, privacy_officer
):
    pending = _submitted(patient, team_nurse).get()
    for user, status in ((offteam_physician, 404), (privacy_officer, 403)):
        api.force_authenticate(user)
        assert api.post(f"/api/v1/pending-assessments/{pending.pk}/accept/").status_code == status
        reject = api.post(
            f"/api/v1/pending-assessments/{pending.pk}/reject/", {"reason": "No"}, format="json"
        )
        assert reject.status_code == status
    api.force_authenticate(team_nurse)
    unknown = "00000000-0000-4000-8000-0000000000ab"
    assert api.post(f"/api/v1/pending-assessments/{unknown}/accept/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


# Worklist --------------------------------------------------------------------------------------


def test_an_urgent_phq9_is_at_the_top_of_every_team_clinicians_worklist_at_once(
    api, patient, team_counselor, team_nurse, team_physician, offteam_nurse
):
    from tests.worklist_support import critical_qtc

    critical_qtc(patient, team_nurse)
    _submitted(patient, team_nurse, {"gad7": gad7()})
    urgent = _submitted(patient, team_nurse, {"phq9": phq9(item9=1)}).get()
    for user in (team_counselor, team_nurse, team_physician):
        client = Client()
        client.force_login(user)
        page = client.get("/").content.decode()
        first_row = page.index('data-testid="work-row"')
        assert page.index("thoughts of death or self-harm (item 9)") < first_row + 2000
        assert page.index("Self-report: thoughts of self-harm reported") < page.index(
            "Patient self-reports to review"
        )
        api.force_authenticate(user)
        items = api.get("/api/v1/worklist/").json()["results"]
        assert items[0]["kind"] == "self-report-to-review"
        assert items[0]["severity"] == "critical"
        assert items[0]["object_id"] == str(urgent.pk)
        assert items[0]["object_type"] == "pending-assessment"
        routine = [i for i in items if i["kind"] == "self-report-to-review"][1]
        assert routine["severity"] == "routine"
    api.force_authenticate(offteam_nurse)
    assert not [
        i for i in api.get("/api/v1/worklist/").json()["results"] if "self-report" in i["kind"]
    ]


def test_a_reviewed_self_report_leaves_the_worklist(api, patient, team_nurse, team_counselor):
    pending = _submitted(patient, team_nurse, {"phq9": phq9(item9=1)}).get()
    api.force_authenticate(team_counselor)
    api.post(f"/api/v1/pending-assessments/{pending.pk}/accept/")
    items = api.get("/api/v1/worklist/").json()["results"]
    assert not [i for i in items if i["kind"] == "self-report-to-review"]
    # The accepted PHQ-9's suicide-risk alert now waits for a safety assessment instead.
    assert [i["kind"] for i in items if i["object_type"] == "assessment"] == ["safety-follow-up"]


# Staff pages -----------------------------------------------------------------------------------


def test_the_chart_issues_a_link_shown_once_and_lists_the_answers_to_review(
    client, patient, team_counselor
):
    client.force_login(team_counselor)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="chart-self-report"' in chart
    assert "No self-report answers waiting for review." in chart
    response = client.post(f"/patients/{patient.pk}/self-report/", {"instruments": ["phq9"]})
    assert response.status_code == 201
    page = response.content.decode()
    link = SelfReportLink.objects.get()
    token = page.split("/self-report/")[1].split("/")[0]
    assert hashlib.sha256(token.encode()).hexdigest() == link.token_hash
    assert "Shown this once" in page
    _kiosk(f"/self-report/{token}/", {"phq9": phq9(item9=1)})
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Thoughts of self-harm reported" in chart
    assert token not in chart


def test_the_issue_page_refuses_no_instrument(client, patient, team_counselor):
    client.force_login(team_counselor)
    response = client.post(f"/patients/{patient.pk}/self-report/", {})
    assert response.status_code == 400
    assert "Choose at least one questionnaire." in response.content.decode()
    assert not SelfReportLink.objects.exists()


def test_the_review_page_shows_answers_in_clinical_words_and_accepts(
    client, patient, team_nurse, team_physician
):
    pending = _submitted(patient, team_nurse, {"phq9": phq9(item9=1, each=3)}).get()
    client.force_login(team_physician)
    url = f"/patients/{patient.pk}/self-report/{pending.pk}/"
    page = client.get(url).content.decode()
    assert "Nearly every day" in page and "Several days" in page
    assert "Accepting scores it <strong>25</strong>: Severe (20-27)" in page
    assert "Assess their safety now" in page
    response = client.post(url + "accept/")
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/patients/{patient.pk}/assessments/{assessment.pk}/"
    assert assessment.source == "patient" and assessment.total == 25


def test_the_review_page_rejects_only_with_a_reason(client, patient, team_nurse, team_counselor):
    pending = _submitted(patient, team_nurse).get()
    client.force_login(team_counselor)
    url = f"/patients/{patient.pk}/self-report/{pending.pk}/reject/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"
    response = client.post(url, {"reason": "Patient asked to answer again with the nurse."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "rejected"
    # Accepting after the rejection is refused with a message; nothing is recorded.
    client.post(f"/patients/{patient.pk}/self-report/{pending.pk}/accept/")
    assert not Assessment.objects.exists()


def test_staff_pages_refuse_off_the_team_and_wrong_roles(
    client, patient, team_nurse, offteam_counselor, clinic_admin
):
    pending = _submitted(patient, team_nurse).get()
    urls = [
        f"/patients/{patient.pk}/self-report/",
        f"/patients/{patient.pk}/self-report/{pending.pk}/",
    ]
    for user, status in ((offteam_counselor, 404), (clinic_admin, 403)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == status, (user, url)
        assert client.post(urls[1] + "accept/").status_code == status
    pending.refresh_from_db()
    assert pending.status == "pending"
