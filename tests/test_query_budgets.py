"""Query budgets of the key pages and API calls (the ones `make bench` measures): each runs at
most BUDGET queries, and the same number whether it shows 2 related rows or 50 (no N+1).

Each test renders a page with 2 rows of what it lists, adds 48 more, and renders it again.
Counts are steady state: the session was renewed by an earlier request, as in the benchmark."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from intake.models import (
    Assessment,
    AuditEvent,
    CareTeamMember,
    Episode,
    GroupSession,
    Interview,
    LabOrder,
    LabPanel,
    LabResult,
    PlanBehavioral,
    PlanMedication,
    TeamRole,
    TreatmentPlan,
)
from tests.factories import IN_60_DAYS_DATE, PatientFactory

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.

pytestmark = pytest.mark.django_db

# 16 since the reassessment schedule (docs/clinical-rules.md#reassessment): the chart's
# "Reassessment" panel and the worklist's "Reassessments due" cost one query each, whatever
# the caseload; the chart (with an active plan) and the nurse's home page were at 15 before.
BUDGET = 15
SMALL, LARGE = 2, 50
_serial = itertools.count()


# Measuring -------------------------------------------------------------------------------------


def _counted(ctx) -> int:
    """The page's own queries: the audit sealer's one statement after every response
    (intake.middleware, services/audit_chain.py) is the same for every page, not the page's."""
    return sum("intake_audit_seal(" not in q["sql"] for q in ctx.captured_queries)


def _page_queries(client, method: str, url: str, data=None, status=200) -> int:
    client.get("/")  # the first request after sign-in renews the session: steady state after
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == status, response.content[:300]
    return _counted(ctx)


def _api_queries(client, user, method: str, url: str, data=None, status=200) -> int:
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    with CaptureQueriesContext(connection) as ctx:
        if method == "post":
            response = client.post(url, data, content_type="application/json", **headers)
        else:
            response = client.get(url, data or {}, **headers)
    assert response.status_code == status, response.content[:300]
    return _counted(ctx)


def _assert_budget(small: int, large: int) -> None:
    assert large == small, f"{small} queries with {SMALL} rows, {large} with {LARGE}"
    assert small <= BUDGET


# Rows ------------------------------------------------------------------------------------------


def _caseload(user, n, *, role=TeamRole.PHYSICIAN, family="Garcia"):
    patients = []
    for _ in range(n):
        p = PatientFactory(family_name=f"{family}{next(_serial)}")
        CareTeamMember.objects.create(patient=p, user=user, team_role=role)
        Episode.objects.create(
            patient=p, program="outpatient", admitted_on=datetime.date(2026, 9, 1)
        )
        patients.append(p)
    return patients


def _lab_orders(patient, nurse, n):
    """n resulted urine drug screens, every test of the panel reported."""
    tests = list(LabPanel.objects.get(code="uds").tests.all())
    now = timezone.now()
    orders = LabOrder.objects.bulk_create(
        [
            LabOrder(
                patient=patient,
                panel_id="uds",
                status="resulted",
                ordered_by=nurse,
                ordered_at=now - datetime.timedelta(days=7 * i + 1),
                collected_at=now - datetime.timedelta(days=7 * i + 1),
                collected_by=nurse,
                resulted_at=now - datetime.timedelta(days=7 * i),
                specimen_type="urine",
                specimen_status="valid",
                observed=False,
            )
            for i in range(n)
        ]
    )
    LabResult.objects.bulk_create(
        [
            LabResult(
                order=order,
                patient=patient,
                test=test,
                value=0 if not test.qualitative_only else None,
                qualitative="negative" if test.qualitative_only else "",
                interpretation="negative" if test.kind == "screen" else "",
                expected=True if test.kind == "screen" else None,
                unit=test.unit,
                resulted_at=order.resulted_at,
                created_by=nurse,
            )
            for order in orders
            for test in tests
        ]
    )


def _assessments(patient, user, n, instrument="phq9"):
    answers = {str(i): "1" for i in range(1, 10)}
    Assessment.objects.bulk_create(
        [
            Assessment(
                patient=patient,
                instrument=instrument,
                version="1",
                answers=answers,
                total=9,
                band="mild",
                administered_at=timezone.now() - datetime.timedelta(days=30 * i + 1),
                administered_by=user,
            )
            for i in range(n)
        ]
    )


def _interviews(patient, author, n):
    Interview.objects.bulk_create(
        [
            Interview(
                patient=patient,
                author=author,
                interviewed_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                primary_substance="fentanyl",
            )
            for i in range(n)
        ]
    )


def _plan(patient, author, *, status="draft", version=1, lines=2, previous=None):
    signed = status in ("active", "superseded", "closed")
    plan = TreatmentPlan.objects.create(
        patient=patient,
        version=version,
        previous=previous,
        amendment_reason="Review" if previous else "",
        setting="outpatient",
        review_date=IN_60_DAYS_DATE,
        status="draft",
        submitted_at=timezone.now() if status != "draft" else None,
        submitted_by=author if status != "draft" else None,
        signed_at=timezone.now() if signed else None,
        signed_by=author if signed else None,
        content_hash="0" * 64 if signed else "",
        created_by=author,
    )
    PlanMedication.objects.bulk_create(
        [
            PlanMedication(
                plan=plan,
                position=i,
                drug="buprenorphine-naloxone",
                dose=8,
                route="sublingual",
                frequency="daily",
                start_date=datetime.date(2026, 11, 1),
            )
            for i in range(lines)
        ]
    )
    PlanBehavioral.objects.bulk_create(
        [
            PlanBehavioral(
                plan=plan,
                position=i,
                modality="cbt",
                setting="outpatient",
                frequency="weekly",
                targets=["triggers"],
            )
            for i in range(lines)
        ]
    )
    if status != "draft":
        # Signed plans' lines are guarded by a trigger: sign after adding them.
        TreatmentPlan.objects.filter(pk=plan.pk).update(status=status)
        plan.refresh_from_db()
    return plan


def _audit_events(patient, actor, n):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_username=actor.username,
                role="nurse",
                action="read",
                patient=patient,
                object_type="chart",
                object_id=str(patient.pk),
                outcome="allowed",
            )
            for _ in range(n)
        ]
    )


# Pages -----------------------------------------------------------------------------------------


def test_it_searches_patients_on_the_page_in_a_fixed_budget(client, team_physician):
    _caseload(team_physician, SMALL)
    client.force_login(team_physician)
    small = _page_queries(client, "post", "/patients/", {"q": "garcia"})
    _caseload(team_physician, LARGE - SMALL)
    _assert_budget(small, _page_queries(client, "post", "/patients/", {"q": "garcia"}))


def test_it_searches_patients_in_the_api_in_a_fixed_budget(client, team_physician):
    _caseload(team_physician, SMALL)
    small = _api_queries(client, team_physician, "get", "/api/v1/patients/", {"q": "garcia"})
    _caseload(team_physician, LARGE - SMALL)
    large = _api_queries(client, team_physician, "get", "/api/v1/patients/", {"q": "garcia"})
    _assert_budget(small, large)


def _fill_chart(patient, counselor, nurse, physician, n):
    _interviews(patient, counselor, n)
    _assessments(patient, counselor, n)
    _assessments(patient, nurse, n, instrument="cows")
    _lab_orders(patient, nurse, n)
    for _ in range(n):
        _plan(patient, counselor)


def test_the_chart_summary_has_a_fixed_budget(
    client, patient, team_counselor, team_nurse, team_physician
):
    _fill_chart(patient, team_counselor, team_nurse, team_physician, SMALL)
    _plan(patient, team_physician, status="active", version=9)
    client.force_login(team_physician)
    url = f"/patients/{patient.pk}/"
    small = _page_queries(client, "get", url)
    _fill_chart(patient, team_counselor, team_nurse, team_physician, LARGE - SMALL)
    _assert_budget(small, _page_queries(client, "get", url))


def test_the_lab_list_has_a_fixed_budget(client, patient, team_nurse, team_physician):
    _lab_orders(patient, team_nurse, SMALL)
    client.force_login(team_physician)
    url = f"/patients/{patient.pk}/labs/"
    small = _page_queries(client, "get", url)
    _lab_orders(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _page_queries(client, "get", url))


def test_the_lab_results_api_has_a_fixed_budget(client, patient, team_nurse, team_physician):
    _lab_orders(patient, team_nurse, SMALL)
    url = f"/api/v1/patients/{patient.pk}/lab-results/"
    small = _api_queries(client, team_physician, "get", url)
    _lab_orders(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_physician, "get", url))


def test_the_instrument_history_has_a_fixed_budget(client, patient, team_counselor):
    _assessments(patient, team_counselor, SMALL)
    client.force_login(team_counselor)
    url = f"/patients/{patient.pk}/trends/phq9/"
    small = _page_queries(client, "get", url)
    _assessments(patient, team_counselor, LARGE - SMALL)
    _assert_budget(small, _page_queries(client, "get", url))


def _submitted_plans(physician, n):
    for p in _caseload(physician, n):
        _plan(p, physician, status="submitted")


def test_the_review_queue_api_has_a_fixed_budget(client, team_physician):
    _submitted_plans(team_physician, SMALL)
    small = _api_queries(client, team_physician, "get", "/api/v1/review-queue/")
    _submitted_plans(team_physician, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_physician, "get", "/api/v1/review-queue/"))


def test_the_physician_home_page_has_a_fixed_budget(client, team_physician):
    _submitted_plans(team_physician, SMALL)
    for p in _caseload(team_physician, SMALL):
        _plan(p, team_physician)
    client.force_login(team_physician)
    small = _page_queries(client, "get", "/")
    _submitted_plans(team_physician, LARGE - SMALL)
    for p in _caseload(team_physician, LARGE - SMALL):
        _plan(p, team_physician)
    _assert_budget(small, _page_queries(client, "get", "/"))


def _worklist_rows(physician, nurse, counselor, n):
    """n patients on all three's teams, each with a critical QTc, an open order, an adulterated
    urine specimen, a suicide-risk PHQ-9, drafts and plans submitted, returned and due."""
    from tests.worklist_support import every_kind_of_work, plan

    due = timezone.localdate() + datetime.timedelta(days=3)
    for p in _caseload(physician, n):
        for user, role in ((nurse, TeamRole.NURSE), (counselor, TeamRole.COUNSELOR)):
            CareTeamMember.objects.create(patient=p, user=user, team_role=role)
        every_kind_of_work(p, physician, nurse, counselor)
        plan(p, physician, status="changes-requested", comment="Add naloxone.")
        plan(p, counselor, status="changes-requested", comment="Add naloxone.")
        _detox_work(
            p, plan(p, counselor, status="active", review_date=due, **_detox_lines()), nurse
        )


def _detox_lines():
    """A detox plan signed yesterday: clonidine four times a day (yesterday's doses missed) and
    two PRN lines."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    oral = {"route": "oral", "start_date": yesterday}
    return {
        "signed_at": timezone.now() - datetime.timedelta(days=1),
        "lines": [
            {"drug": "clonidine", "dose": "0.1", "frequency": "qid", **oral},
            {"drug": "ondansetron", "dose": "4", "frequency": "q8h-prn", **oral},
            {"drug": "loperamide", "dose": "2", "frequency": "q4h-prn", **oral},
        ],
    }


def _detox_work(patient, active, nurse):
    """Every kind of withdrawal work: missed doses, a held dose, COWS rising despite a dose."""
    from intake.mar_schedule import line_uid
    from intake.services.medication_administration import administration_record
    from tests.mar_support import cows

    now = timezone.now()
    lines = {m.drug: str(line_uid(m.pk)) for m in active.medications.all()}
    cows(patient, nurse, now - datetime.timedelta(minutes=60), 11)
    given = {"medication": lines["ondansetron"], "status": "given"}
    minutes_ago = now - datetime.timedelta(minutes=30)
    administration_record(actor=nurse, patient=patient, data={**given, "given_at": minutes_ago})
    cows(patient, nurse, now - datetime.timedelta(minutes=10), 14)
    held = {"medication": lines["loperamide"], "status": "held", "reason": "No diarrhea"}
    administration_record(actor=nurse, patient=patient, data=held)


@pytest.mark.parametrize("role", ["physician", "nurse", "counselor"])
def test_each_roles_worklist_has_a_fixed_budget(
    client, team_physician, team_nurse, team_counselor, role
):
    user = {"physician": team_physician, "nurse": team_nurse, "counselor": team_counselor}[role]
    _worklist_rows(team_physician, team_nurse, team_counselor, SMALL)
    client.force_login(user)
    small = _page_queries(client, "get", "/")
    _worklist_rows(team_physician, team_nurse, team_counselor, LARGE - SMALL)
    response = client.get("/")
    page = response.content.decode()
    assert page.count('data-testid="work-row"') > LARGE / 2
    sections = {
        "physician": ("COWS rising", "Doses held", "Missed doses"),
        "nurse": ("Missed doses",),
    }
    for section in sections.get(role, ()):
        assert section in page, section
    _assert_budget(small, _page_queries(client, "get", "/"))


def test_the_top_bar_worklist_counts_cost_one_query(client, team_physician, team_nurse, patient):
    from tests.worklist_support import critical_qtc

    client.force_login(team_physician)
    url = f"/patients/{patient.pk}/care-team/"
    without = _page_queries(client, "get", url)
    critical_qtc(patient, team_nurse)
    assert _page_queries(client, "get", url) == without
    assert b'data-testid="nav-worklist-count">1<' in client.get(url).content


def _amended_plan(patient, physician, lines):
    """Version 2 (active, signed) of a plan, with `lines` medication and behavioral lines;
    the page shows it with its differences from version 1."""
    first = _plan(patient, physician, status="superseded", lines=lines)
    return _plan(patient, physician, status="active", version=2, lines=lines, previous=first)


def test_the_plan_page_has_a_fixed_budget(client, team_physician):
    small_patient, large_patient = _caseload(team_physician, 2)
    small_plan = _amended_plan(small_patient, team_physician, SMALL)
    large_plan = _amended_plan(large_patient, team_physician, LARGE)
    client.force_login(team_physician)
    small = _page_queries(client, "get", f"/patients/{small_patient.pk}/plans/{small_plan.pk}/")
    large = _page_queries(client, "get", f"/patients/{large_patient.pk}/plans/{large_plan.pk}/")
    _assert_budget(small, large)


def test_recording_an_assessment_in_the_api_has_a_fixed_budget(client, patient, team_nurse):
    body = {"instrument": "phq9", "answers": {str(i): "0" for i in range(1, 10)}}
    url = f"/api/v1/patients/{patient.pk}/assessments/"
    _assessments(patient, team_nurse, SMALL)
    small = _api_queries(client, team_nurse, "post", url, body, status=201)
    _assessments(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_nurse, "post", url, body, status=201))


def _audit_query(patient) -> dict:
    today = timezone.localdate()
    return {
        "patient": str(patient.pk),
        "since": (today - datetime.timedelta(days=30)).isoformat(),
        "until": today.isoformat(),
    }


def test_the_audit_report_page_has_a_fixed_budget(client, patient, team_nurse, privacy_officer):
    _audit_events(patient, team_nurse, SMALL)
    client.force_login(privacy_officer)
    small = _page_queries(client, "get", "/audit/", _audit_query(patient))
    _audit_events(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _page_queries(client, "get", "/audit/", _audit_query(patient)))


def test_the_audit_api_has_a_fixed_budget(client, patient, team_nurse, privacy_officer):
    _audit_events(patient, team_nurse, SMALL)
    url = "/api/v1/audit-events/"
    small = _api_queries(client, privacy_officer, "get", url, _audit_query(patient))
    _audit_events(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, privacy_officer, "get", url, _audit_query(patient)))


def test_the_bench_baselines_are_not_in_the_production_urls(client):
    assert client.get("/bench/bare/").status_code == 404
    assert client.get("/bench/admin/").status_code == 404


REAUTH_QUERIES = 5


def _group_of(counselor, n):
    from tests.group_support import run_group

    patients = _caseload(counselor, n, role=TeamRole.COUNSELOR)
    return run_group(counselor, patients, absent=patients[-1:])


def test_the_group_page_and_its_api_have_a_fixed_budget(client, team_counselor):
    small, large = _group_of(team_counselor, SMALL), _group_of(team_counselor, LARGE)
    client.force_login(team_counselor)
    pages = [_page_queries(client, "get", f"/groups/{g.pk}/") for g in (small, large)]
    _assert_budget(*pages)
    api = [
        _api_queries(client, team_counselor, "get", f"/api/v1/group-sessions/{g.pk}/")
        for g in (small, large)
    ]
    _assert_budget(*api)


def test_the_run_a_group_page_has_a_fixed_budget(client, team_counselor):
    roll = _caseload(team_counselor, SMALL, role=TeamRole.COUNSELOR)
    client.force_login(team_counselor)
    data = {
        "action": "search",
        "q": "Garcia",
        "roll-TOTAL_FORMS": "2",
        "roll-INITIAL_FORMS": "2",
        **{f"roll-{i}-patient": str(p.pk) for i, p in enumerate(roll)},
    }
    small = _page_queries(client, "post", "/groups/new/", data)
    _caseload(team_counselor, LARGE, role=TeamRole.COUNSELOR)
    _assert_budget(small, _page_queries(client, "post", "/groups/new/", data))


def test_running_and_signing_a_group_in_the_api_have_a_fixed_budget(client, team_counselor):
    import json

    from tests.factories import PASSWORD
    from tests.group_support import GROUPS_URL, group_body

    counts: dict[str, list[int]] = {"create": [], "sign": []}
    for n in (SMALL, LARGE):
        patients = _caseload(team_counselor, n, role=TeamRole.COUNSELOR)
        body = json.dumps(group_body(patients, absent=patients[-1:]))
        counts["create"].append(
            _api_queries(client, team_counselor, "post", GROUPS_URL, body, status=201)
        )
        group_id = GroupSession.objects.latest("created_at").pk
        sign = json.dumps({"password": PASSWORD})
        counts["sign"].append(
            _api_queries(client, team_counselor, "post", f"{GROUPS_URL}{group_id}/sign/", sign)
        )
    _assert_budget(*counts["create"])
    # Signing re-authenticates: the lockout check (django-axes, services/reauth.py) costs
    # REAUTH_QUERIES of its own, whatever is signed.
    sign_small, sign_large = counts["sign"]
    assert sign_small == sign_large, counts["sign"]
    assert sign_small <= BUDGET + REAUTH_QUERIES


def _self_reports(patient, user, n, item9=1):
    """n PHQ-9s the patient answered through self-report links, waiting for review."""
    from intake.services.self_report import self_report_submit
    from tests.self_report_support import issue, phq9

    for _ in range(n):
        link = issue(user, patient, ["phq9"]).link
        self_report_submit(link=link, answers={"phq9": phq9(item9=item9)}, via="link")


def test_the_pending_self_reports_api_has_a_fixed_budget(client, patient, team_nurse):
    url = f"/api/v1/patients/{patient.pk}/pending-assessments/"
    _self_reports(patient, team_nurse, SMALL)
    small = _api_queries(client, team_nurse, "get", url)
    _self_reports(patient, team_nurse, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_nurse, "get", url))


def test_the_chart_and_home_page_with_self_reports_have_a_fixed_budget(
    client, patient, team_nurse, team_counselor
):
    _self_reports(patient, team_nurse, SMALL)
    _self_reports(patient, team_nurse, SMALL, item9=0)
    client.force_login(team_counselor)
    chart, home = f"/patients/{patient.pk}/", "/"
    small = (_page_queries(client, "get", chart), _page_queries(client, "get", home))
    _self_reports(patient, team_nurse, LARGE - SMALL)
    _self_reports(patient, team_nurse, LARGE - SMALL, item9=0)
    _assert_budget(small[0], _page_queries(client, "get", chart))
    _assert_budget(small[1], _page_queries(client, "get", home))


def test_the_patients_self_report_page_has_a_fixed_budget(client, patient, team_nurse):
    from tests.self_report_support import issue, page_path

    small = _page_queries(Client(), "get", page_path(issue(team_nurse, patient, ["phq9"])))
    large = _page_queries(
        Client(), "get", page_path(issue(team_nurse, patient, ["phq9", "gad7", "sows", "dast10"]))
    )
    _assert_budget(small, large)


def _session_notes(patient, author, n, *, signed=True):
    """`n` session notes on the active plan, each with progress rows and (signed) an addendum."""
    from intake.models import SessionNote, SessionNoteAddendum, SessionNoteProgress

    plan = TreatmentPlan.objects.get(patient=patient, status="active")
    component = plan.behavioral.first()
    for i in range(n):
        note = SessionNote.objects.create(
            patient=patient,
            author=author,
            plan=plan,
            kind="individual",
            session_date=datetime.date(2026, 11, 1) + datetime.timedelta(days=i % 20),
            duration_minutes=45,
            data="Session",
        )
        for target in component.targets:
            SessionNoteProgress.objects.create(
                note=note, component=component, target=target, status="progressing"
            )
        if signed:
            SessionNote.objects.filter(pk=note.pk).update(
                status="signed", signed_at=timezone.now(), content_hash="x" * 64
            )
            SessionNoteAddendum.objects.create(
                note=note,
                author=author,
                text="Addendum",
                signed_at=timezone.now(),
                content_hash="y" * 64,
            )


def _plan_with_targets(patient, physician):
    from tests.session_note_support import active_plan

    return active_plan(patient, physician, (("cbt", ["triggers", "coping-cravings"]),))


def test_the_session_notes_api_has_a_fixed_budget(client, patient, team_counselor, team_physician):
    _plan_with_targets(patient, team_physician)
    _session_notes(patient, team_counselor, SMALL)
    url = f"/api/v1/patients/{patient.pk}/session-notes/"
    small = _api_queries(client, team_counselor, "get", url)
    _session_notes(patient, team_counselor, LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_counselor, "get", url))


def test_the_chart_with_session_notes_and_the_plan_page_have_a_fixed_budget(
    client, patient, team_counselor, team_physician
):
    plan = _plan_with_targets(patient, team_physician)
    _session_notes(patient, team_counselor, SMALL)
    client.force_login(team_counselor)
    urls = (f"/patients/{patient.pk}/", f"/patients/{patient.pk}/plans/{plan.pk}/")
    small = [_page_queries(client, "get", url) for url in urls]
    _session_notes(patient, team_counselor, LARGE - SMALL)
    for before, url in zip(small, urls, strict=True):
        _assert_budget(before, _page_queries(client, "get", url))


def test_the_session_note_page_has_a_fixed_budget(client, team_counselor, team_physician):
    from intake.models import SessionNote, SessionNoteAddendum

    small_patient, large_patient = _caseload(team_counselor, 2, role=TeamRole.COUNSELOR)
    counts = []
    for p, n in ((small_patient, SMALL), (large_patient, LARGE)):
        _plan_with_targets(p, team_physician)
        _session_notes(p, team_counselor, 1)
        note = SessionNote.objects.get(patient=p)
        for _ in range(n - 1):
            SessionNoteAddendum.objects.create(
                note=note, author=team_counselor, text="More", signed_at=timezone.now(),
                content_hash="z" * 64,
            )  # fmt: skip
        client.force_login(team_counselor)
        counts.append(_page_queries(client, "get", f"/patients/{p.pk}/session-notes/{note.pk}/"))
    _assert_budget(*counts)


# Program outcomes (issue 14): one statement over the summary, whatever its size.


def _outcome_episodes(n):
    import datetime as dt

    from tests.outcomes_support import at, episode, give, medication, phq9, refresh_summary, screen

    for i in range(n):
        ep = episode(40 + i)
        give(medication(ep), range(0, 3))
        phq9(ep, (0, 12), (20, 5))
        screen(ep, at(ep.admitted_on + dt.timedelta(days=1)), {"fentanyl": ("negative", True)})
    refresh_summary()  # the report reads the summary (docs/clinical-rules.md#outcomes-summary)


def test_the_outcomes_page_and_export_have_a_fixed_budget(client, clinic_admin):
    client.force_login(clinic_admin)
    _outcome_episodes(SMALL)
    page = _page_queries(client, "get", "/outcomes/", {"program": "outpatient"})
    export = _page_queries(client, "get", "/outcomes/export.csv")
    _outcome_episodes(LARGE - SMALL)
    _assert_budget(page, _page_queries(client, "get", "/outcomes/", {"program": "outpatient"}))
    _assert_budget(export, _page_queries(client, "get", "/outcomes/export.csv"))


def test_the_outcomes_api_has_a_fixed_budget(client, team_physician):
    _outcome_episodes(SMALL)
    small = _api_queries(client, team_physician, "get", "/api/v1/outcomes/")
    _outcome_episodes(LARGE - SMALL)
    _assert_budget(small, _api_queries(client, team_physician, "get", "/api/v1/outcomes/"))


# Reassessment (docs/clinical-rules.md#reassessment) -------------------------------------------


def _reassessment_caseload(physician, nurse, counselor, n):
    """n patients on all three's teams, admitted 40 days ago, each with a PHQ-9 overdue, a urine
    screen collected 10 days ago, a detox plan signed an hour ago (COWS due) and its review."""
    from tests.reassessment_support import detox_plan, scored, screen

    today = timezone.localdate()
    for p in _caseload(physician, n, family="Reyes"):
        for user, role in ((nurse, TeamRole.NURSE), (counselor, TeamRole.COUNSELOR)):
            CareTeamMember.objects.create(patient=p, user=user, team_role=role)
        Episode.objects.filter(patient=p).update(admitted_on=today - datetime.timedelta(days=40))
        scored(p, "phq9", timezone.now() - datetime.timedelta(days=35), total=14)
        screen(p, nurse, today - datetime.timedelta(days=10))
        detox_plan(p, physician, signed_at=timezone.now() - datetime.timedelta(hours=1))


@pytest.mark.parametrize("role", ["nurse", "counselor"])
def test_the_reassessment_worklist_has_a_fixed_budget(
    client, team_physician, team_nurse, team_counselor, role
):
    user = {"nurse": team_nurse, "counselor": team_counselor}[role]
    _reassessment_caseload(team_physician, team_nurse, team_counselor, SMALL)
    client.force_login(user)
    small_page = _page_queries(client, "get", "/")
    _api_queries(client, user, "get", "/api/v1/worklist/")  # the token's first use
    small_api = _api_queries(client, user, "get", "/api/v1/worklist/")
    _reassessment_caseload(team_physician, team_nurse, team_counselor, 20 - SMALL)
    page = client.get("/").content.decode()
    assert page.count("Reassessments due") >= 1
    what = {"counselor": "GAD-7 anxiety questionnaire", "nurse": "Urine drug screen"}[role]
    assert page.count(what) >= 20
    _assert_budget(small_page, _page_queries(client, "get", "/"))
    _assert_budget(small_api, _api_queries(client, user, "get", "/api/v1/worklist/"))


def test_the_reassessment_api_and_chart_panel_have_a_fixed_budget(
    client, patient, team_nurse, team_physician
):
    from tests.reassessment_support import admitted, scored, screen

    admitted(patient, timezone.localdate() - datetime.timedelta(days=60))
    scored(patient, "phq9", timezone.now() - datetime.timedelta(days=50))
    screen(patient, team_nurse, timezone.localdate() - datetime.timedelta(days=50))
    url = f"/api/v1/patients/{patient.pk}/reassessments/"
    chart = f"/patients/{patient.pk}/"
    client.force_login(team_nurse)
    _api_queries(client, team_nurse, "get", url)  # the token's first use
    small_api = _api_queries(client, team_nurse, "get", url)
    small_chart = _page_queries(client, "get", chart)
    for days in range(1, 40):
        scored(patient, "phq9", timezone.now() - datetime.timedelta(days=days))
        screen(patient, team_nurse, timezone.localdate() - datetime.timedelta(days=days))
    _assert_budget(small_api, _api_queries(client, team_nurse, "get", url))
    _assert_budget(small_chart, _page_queries(client, "get", chart))


# Every kind of work waiting at once (issue 14 consolidation) ------------------------------------


def _all_work(physician, nurse, counselor, n):
    """n patients on all three's teams with every kind of work waiting at once: results, open
    orders, recollections, a suicide-risk PHQ-9, draft interviews, plans and session notes (a
    group's too), plans submitted, returned and due, missed and held doses, COWS rising,
    reassessments due (a PHQ-9 35 days old, a urine screen 10 days old, admitted 40 days ago)
    and patient self-reports, urgent and routine."""
    from intake.services.session_note import session_note_create
    from tests.group_support import run_group
    from tests.reassessment_support import scored, screen

    today = timezone.localdate()
    patients = []
    before = set(Episode.objects.values_list("patient_id", flat=True))
    _worklist_rows(physician, nurse, counselor, n)
    for episode in Episode.objects.exclude(patient_id__in=before).select_related("patient"):
        p = episode.patient
        Episode.objects.filter(pk=episode.pk).update(admitted_on=today - datetime.timedelta(40))
        scored(p, "phq9", timezone.now() - datetime.timedelta(days=35), total=14)
        screen(p, nurse, today - datetime.timedelta(days=10))
        _self_reports(p, nurse, 1)
        _self_reports(p, nurse, 1, item9=0)
        for author in (physician, nurse, counselor):
            session_note_create(
                actor=author,
                patient=p,
                data={
                    "kind": "individual",
                    "session_date": today,
                    "duration_minutes": 30,
                    "data": "Session",
                },
            )
        patients.append(p)
    run_group(counselor, patients)
    return patients


@pytest.mark.parametrize("role", ["physician", "nurse", "counselor"])
def test_each_roles_home_page_and_the_chart_with_all_work_waiting_have_a_fixed_budget(
    client, team_physician, team_nurse, team_counselor, role
):
    user = {"physician": team_physician, "nurse": team_nurse, "counselor": team_counselor}[role]
    first = _all_work(team_physician, team_nurse, team_counselor, SMALL)[0]
    client.force_login(user)
    chart = f"/patients/{first.pk}/"
    small = (_page_queries(client, "get", "/"), _page_queries(client, "get", chart))
    _all_work(team_physician, team_nurse, team_counselor, LARGE - SMALL)
    page = client.get("/").content.decode()
    assert page.count('data-testid="work-row"') > LARGE / 2
    sections = ["Self-report: thoughts of self-harm reported", "Patient self-reports to review"]
    if role != "physician":
        sections.append("Reassessments due")
    for section in sections:
        assert section in page, section
    large = (_page_queries(client, "get", "/"), _page_queries(client, "get", chart))
    _assert_budget(small[0], large[0])
    _assert_budget(small[1], large[1])
