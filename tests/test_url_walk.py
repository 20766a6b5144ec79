"""Walks every URL pattern: anonymous requests are refused, and a clinician outside the care
team gets 404 for another patient's pages and API endpoints. New views are covered by
construction: a pattern this walk cannot fill fails the test."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework.test import APIClient

from intake.models import Interview
from tests.factories import (
    AssessmentFactory,
    CareTeamMemberFactory,
    EpisodeFactory,
    TreatmentPlanFactory,
)

PUBLIC_NAMES = {"login", "logout", "api-token"}
# The patient's self-report page and the waiting-room tablet need no staff account: the link's
# token, or the tablet code, is what opens them (docs/clinical-rules.md#self-report).
PUBLIC_NAMES |= {"intake:self-report-page", "intake:self-report-tablet"}
# Emergency access (42 CFR 2.51) is the one patient URL meant for clinicians outside the care
# team: without a stated reason it answers 400 whether or not the patient exists.
EMERGENCY_ACCESS_NAMES = {"intake:break-glass", "api-break-glass"}
UNKNOWN_PATIENT = "00000000-0000-4000-8000-0000000000aa"
CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _walk(resolver, prefix="", namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p


def _patterns():
    return [
        (route, name, p)
        for route, name, p in _walk(get_resolver())
        if not name.startswith("admin:")
    ]


def _fill(route: str, values: dict) -> str:
    assert not route.startswith("^"), f"regex route {route!r}: teach the URL walk to fill it"
    return "/" + CONVERTER.sub(lambda m: str(values[m.group("name")]), route)


def _lab_values(patient) -> dict:
    """A resulted ECG with a critical QTc: an order to open and amend, an alert to acknowledge."""
    from intake.services.lab import lab_order_create, lab_results_record

    physician = patient.care_team.get(team_role="physician").user
    order = lab_order_create(actor=physician, patient=patient, panel="ecg", priority="stat")
    recording = lab_results_record(
        actor=physician,
        order=order,
        collected_at=order.ordered_at,
        observed=False,
        entries=[{"test": "qtc", "value": 520}],
    )
    return {"order_id": order.pk, "alert_id": recording.new_alerts[0].pk}


def _vital_sign_values(patient) -> dict:
    """A set of vital signs with a critical heart rate: a set to void, an alert to
    acknowledge."""
    from django.utils import timezone

    from intake.services.vital_signs import vital_signs_record

    nurse = patient.care_team.get(team_role="nurse").user
    vitals = vital_signs_record(
        actor=nurse, patient=patient, taken_at=timezone.now(), values={"heart_rate": 32}
    )
    return {"vitals_id": vitals.pk, "vital_alert_id": vitals.open_alerts[0].pk}


def _mar_values(patient, physician) -> dict:
    """A signed plan with a PRN line and one dose given: an entry to void."""
    import datetime

    from django.utils import timezone

    from intake.services.medication_administration import administration_record
    from tests.mar_support import med_id, signed_plan

    now = timezone.now()
    plan = signed_plan(
        patient,
        physician,
        [{"drug": "ondansetron", "dose": "4", "frequency": "q8h-prn", "start_date": now.date()}],
        signed_at=now - datetime.timedelta(hours=1),
    )
    entry = administration_record(
        actor=physician,
        patient=patient,
        data={"medication": med_id(plan, "ondansetron"), "status": "given"},
    )
    return {"entry_id": entry.pk}


def _privacy_values(patient, physician) -> dict:
    """A consent with a signed copy, a disclosure under it, an emergency-access grant (of
    someone else), a staff account and a pending reset of an administrator's credentials."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from intake.services.break_glass import break_glass_open
    from intake.services.consent import consent_create
    from intake.services.disclosure import disclosure_make
    from tests.factories import UserFactory

    consent = consent_create(
        actor=physician,
        patient=patient,
        data={
            "disclosing_party": "Riverside OTP",
            "recipient": "Dr. Ada Primary",
            "information": "Substance use disorder diagnosis and treatment summary",
            "content_kinds": ["patient-summary"],
            "purpose": "Coordination of care",
            "expires_on": datetime.date.today() + datetime.timedelta(days=365),
            "right_to_revoke_acknowledged": True,
            "signed_on": datetime.date.today(),
            "signed_by": "The patient",
        },
        signed_copy=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 walk", "application/pdf"),
    )
    disclosure = disclosure_make(
        actor=physician,
        patient=patient,
        consent_id=consent.pk,
        recipient="Dr. Ada Primary",
        purpose="Coordination of care",
        content="patient-summary",
    )
    grant, _ = break_glass_open(
        actor=UserFactory(role="nurse"),
        patient_id=patient.pk,
        reason="Overdose in the lobby, unresponsive",
        category="overdose",
    )
    from intake.services.staff import staff_mfa_reset

    # A reset of an administrator's second factor, awaiting a second administrator.
    reset = staff_mfa_reset(
        actor=UserFactory(role="clinic-admin"), user=UserFactory(role="clinic-admin")
    )
    return {
        "consent_id": consent.pk,
        "disclosure_id": disclosure.pk,
        "grant_id": grant.pk,
        "user_id": UserFactory(role="counselor").pk,
        "reset_id": reset.pk,
    }


def _session_note_values(patient, physician) -> dict:
    """A draft session note by the team physician (who walks the pages as its author)."""
    from django.utils import timezone

    from intake.services.session_note import session_note_create

    note = session_note_create(
        actor=physician,
        patient=patient,
        data={"kind": "medical", "session_date": timezone.localdate(), "duration_minutes": 20},
    )
    return {"session_note_id": note.pk}


@pytest.fixture
def values(patient, team_physician):
    member = patient.care_team.first()
    episode = EpisodeFactory(patient=patient)
    assessment = AssessmentFactory(patient=patient)
    return {
        "patient_id": patient.pk,
        "member_id": member.pk,
        "episode_id": episode.pk,
        "instrument": "dsm5-oud",
        "code": "cows",
        "assessment_id": assessment.pk,
        **_lab_values(patient),
        **_vital_sign_values(patient),
        **_privacy_values(patient, team_physician),
        **_plan_values(patient),
        **_mar_values(patient, team_physician),
        **_group_values(patient),
        **_self_report_values(patient, team_physician),
        **_session_note_values(patient, team_physician),
        # Drafted by the team physician, who walks the pages as its author.
        "interview_id": Interview.objects.create(
            patient=patient, author=team_physician, interviewed_on=episode.admitted_on
        ).pk,
    }


def _mar_values(patient, physician) -> dict:
    """An entry on the medication administration record: a dose of a signed plan's PRN line."""
    import datetime

    from django.utils import timezone

    from intake.services.medication_administration import administration_record
    from tests.mar_support import med_id, signed_plan

    now = timezone.now()
    plan = signed_plan(
        patient,
        physician,
        [
            {
                "drug": "ondansetron",
                "dose": "4",
                "frequency": "q8h-prn",
                "route": "oral",
                "start_date": now.date() - datetime.timedelta(days=1),
                "indication": "Nausea",
            }
        ],
        signed_at=now - datetime.timedelta(hours=1),
    )
    entry = administration_record(
        actor=patient.care_team.get(team_role="nurse").user,
        patient=patient,
        data={"medication": med_id(plan, "ondansetron"), "status": "given"},
    )
    return {"entry_id": entry.pk}


def _group_values(patient) -> dict:
    """A group the patient attended, run by their team counselor."""
    from tests.group_support import run_group

    counselor = patient.care_team.get(team_role="counselor").user
    return {"group_id": run_group(counselor, [patient]).pk}


def _self_report_values(patient, physician) -> dict:
    """A self-report link the patient answered: answers pending review; and an open link's
    token for the patient's page."""
    from intake.services.self_report import self_report_submit
    from tests.self_report_support import issue, phq9

    answered = issue(physician, patient, ["phq9"])
    (pending,) = self_report_submit(link=answered.link, answers={"phq9": phq9()}, via="link")
    return {"pending_id": pending.pk, "token": issue(physician, patient, ["gad7"]).token}


def _plan_values(patient):
    plan = TreatmentPlanFactory(patient=patient)
    component = plan.behavioral.create(
        modality="cbt", setting="outpatient", frequency="weekly", targets=["triggers"]
    )
    return {"plan_id": plan.pk, "component_id": component.pk}


def test_it_has_a_policy_on_every_view():
    for route, name, p in _patterns():
        view = p.callback
        cls = getattr(view, "cls", None)
        declared = (
            getattr(view, "access_perm", None)
            or getattr(view, "access_public", False)
            or (
                cls is not None
                and (
                    getattr(cls, "access_perm", None)
                    or getattr(cls, "access_perms", None)
                    or getattr(cls, "access_public", False)
                )
            )
        )
        assert declared, f"{name} ({route}) declares no access policy"
        if getattr(view, "access_public", False) or getattr(cls, "access_public", False):
            assert name in PUBLIC_NAMES, f"{name} is public but not in the reviewed list"


@pytest.mark.django_db
def test_it_refuses_anonymous_requests_everywhere(values):
    client, api = Client(), APIClient()
    for route, name, _p in _patterns():
        if name in PUBLIC_NAMES:
            continue
        url = _fill(route, values)
        for method in ("get", "post"):
            if url.startswith("/api/"):
                response = getattr(api, method)(url)
                assert response.status_code == 401, (method, name, response.status_code)
            elif getattr(_p.callback, "access_json", False):
                # A page's own background request (draft autosave, session check): JSON 401,
                # for the page to say "signed out" (a redirect would be followed unseen).
                response = getattr(client, method)(url)
                assert response.status_code == 401, (method, name, response.status_code)
                assert response.json()["code"] == "signed-out"
            else:
                response = getattr(client, method)(url)
                assert response.status_code == 302, (method, name, response.status_code)
                assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.django_db
def test_it_answers_404_outside_the_care_team(values, offteam_physician, offteam_nurse):
    patient_routes = [(r, n) for r, n, _p in _patterns() if "<uuid:patient_id>" in r]
    assert len(patient_routes) >= 8
    for user in (offteam_physician, offteam_nurse):
        client, api = Client(), APIClient()
        client.force_login(user)
        api.force_authenticate(user)
        for route, name in patient_routes:
            url = _fill(route, values)
            if name in EMERGENCY_ACCESS_NAMES:
                c = api if url.startswith("/api/") else client
                unknown = _fill(route, {**values, "patient_id": UNKNOWN_PATIENT})
                assert c.get(url).status_code == 405, name
                assert c.post(url).status_code == c.post(unknown).status_code == 400, name
                continue
            statuses = {}
            for method in ("get", "post", "patch"):
                c = api if url.startswith("/api/") else client
                statuses[method] = getattr(c, method)(url).status_code
            # 404 where the method exists; 405 for a method the view does not take; a role
            # that may never do it (a nurse managing a care team) is refused with 403 first.
            assert set(statuses.values()) <= {404, 405, 403}, (user, name, statuses)
            assert 404 in statuses.values() or (
                user == offteam_nurse and 403 in statuses.values()
            ), (user, name, statuses)


@pytest.mark.django_db
def test_it_shows_team_members_their_patient(values, team_nurse, team_physician):
    client = Client()
    client.force_login(team_physician)
    for route, name, _p in _patterns():
        if "<uuid:patient_id>" in route and not route.startswith("api/"):
            url = _fill(route, values)
            # 405: a POST-only action (remove, sign, ...), whose GET reveals nothing; 302: a
            # page that does not apply to the record's state sends back to the record.
            response = client.get(url)
            assert response.status_code in (200, 302, 405), name
            if response.status_code == 302:
                assert response["Location"].startswith(f"/patients/{values['patient_id']}/")


@pytest.mark.django_db
def test_it_answers_404_for_a_group_outside_the_care_team(values, offteam_physician, offteam_nurse):
    group_routes = [(r, n) for r, n, _p in _patterns() if "<uuid:group_id>" in r]
    assert len(group_routes) >= 4
    for user in (offteam_physician, offteam_nurse):
        client, api = Client(), APIClient()
        client.force_login(user)
        api.force_authenticate(user)
        for route, name in group_routes:
            url = _fill(route, values)
            c = api if url.startswith("/api/") else client
            statuses = {m: getattr(c, m)(url).status_code for m in ("get", "post", "patch")}
            assert set(statuses.values()) <= {404, 405}, (user, name, statuses)
            assert 404 in statuses.values(), (user, name, statuses)


def _undeclared(request):
    from django.http import HttpResponse

    return HttpResponse("secret")


urlpatterns = [path("undeclared/", _undeclared)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_it_refuses_a_view_that_declares_no_policy(client, team_physician):
    client.force_login(team_physician)
    response = client.get("/undeclared/")
    assert response.status_code == 403
    assert b"secret" not in response.content


@pytest.mark.django_db
def test_it_keeps_clinical_roles_out_of_the_admin(client, team_physician, clinic_admin):
    for user in (team_physician, clinic_admin):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    CareTeamMemberFactory()  # the admin changelist would list these; nobody above sees it
