"""Each clinician's worklist on the home page: what waits for them, for their care teams'
patients only, with a link to where it is done and the counts in the top bar."""

import datetime
import re

import pytest
from django.utils import timezone

from intake.models import AuditEvent, CareTeamMember, Patient, TeamRole
from intake.services.break_glass import break_glass_open
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.worklist_support import (
    adulterated_uds,
    critical_qtc,
    draft_interview,
    every_kind_of_work,
    open_order,
    plan,
    suicide_risk_phq9,
)

pytestmark = pytest.mark.django_db


def _section(html: str, item: str) -> str:
    """The HTML of one worklist section (up to the next one)."""
    start = html.index(f'data-testid="worklist-{item}"')
    ends = [html.find(mark, start + 1) for mark in ('data-testid="worklist-', "</section>")]
    return html[start : min(e for e in ends if e != -1)]


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def elsewhere(offteam_physician, offteam_nurse, offteam_counselor):
    """A patient of another team, with the same kinds of work waiting."""
    other = PatientFactory(given_name="Quentin", family_name="Offteamson")
    for user, role in (
        (offteam_physician, TeamRole.PHYSICIAN),
        (offteam_nurse, TeamRole.NURSE),
        (offteam_counselor, TeamRole.COUNSELOR),
    ):
        CareTeamMemberFactory(patient=other, user=user, team_role=role)
    critical_qtc(other, offteam_nurse)
    open_order(other, offteam_nurse)
    suicide_risk_phq9(other, offteam_counselor)
    return other


def test_it_brings_a_critical_result_to_the_team_physician_only(
    client, patient, team_nurse, team_physician, elsewhere
):
    order = critical_qtc(patient, team_nurse)
    html = _home(client, team_physician)
    results = _section(html, "results-to-acknowledge")
    assert "Lopez, Maria" in results
    assert "Critical value · QTc prolonged (over 450 ms): QTc interval 520 ms" in results
    assert "Urgent" in results
    alert = order.alert_rows.order_by("created_at").first()
    assert f"/patients/{patient.pk}/labs/alerts/" in results and "Acknowledge" in results
    # One finding (two alerts) is one row and counts once.
    assert results.count('data-testid="work-row"') == 1
    assert alert.patient_id == patient.pk
    # The other team's critical result never reaches this physician.
    assert "Offteamson" not in html
    assert str(elsewhere.pk) not in html


def test_it_keeps_an_emergency_grant_patient_off_the_worklist(client, team_physician, elsewhere):
    break_glass_open(
        actor=team_physician,
        patient_id=elsewhere.pk,
        reason="Patient collapsed in the waiting room, unresponsive",
    )
    html = _home(client, team_physician)
    assert "Offteamson" not in _section(html, "results-to-acknowledge")
    assert "No critical or unexpected results waiting." in html


def test_it_shows_the_physician_plans_to_review_and_plans_returned(
    client, patient, team_counselor, team_physician
):
    plan(patient, team_counselor, status="submitted")
    plan(
        patient,
        team_physician,
        status="changes-requested",
        comment="Add naloxone to the plan, please.",
        reviewer=team_counselor,
    )
    html = _home(client, team_physician)
    review = _section(html, "plans-to-review")
    assert "Lopez, Maria" in review and ">Review</a>" in review
    assert re.search(r"/patients/[0-9a-f-]+/plans/[0-9a-f-]+/review/", review)
    returned = _section(html, "plans-returned")
    assert "Add naloxone to the plan, please." in returned and "Revise" in returned


def test_the_nurse_sees_orders_waiting_and_specimens_to_recollect(
    client, patient, team_nurse, elsewhere
):
    order = open_order(patient, team_nurse, panel="intake-blood", priority="stat")
    adulterated_uds(patient, team_nurse)
    critical_qtc(patient, team_nurse)
    html = _home(client, team_nurse)
    assert 'data-testid="worklist-results-to-acknowledge"' not in html
    orders = _section(html, "orders-awaiting-results")
    assert '">STAT</span>' in orders and "not yet collected" in orders
    assert f"/patients/{patient.pk}/labs/{order.pk}/results/" in orders
    recollect = _section(html, "specimens-to-recollect")
    assert "Observed urine recollection" in recollect and "was adulterated" in recollect
    assert "?panel=uds&amp;priority=stat" in recollect
    assert "Offteamson" not in html


def test_a_recollection_already_ordered_links_to_its_result_entry(client, patient, team_nurse):
    adulterated_uds(patient, team_nurse)
    again = open_order(patient, team_nurse)
    recollect = _section(_home(client, team_nurse), "specimens-to-recollect")
    assert f"/patients/{patient.pk}/labs/{again.pk}/results/" in recollect


def test_a_valid_later_specimen_clears_the_recollection(client, patient, team_nurse):
    from intake.services.lab import lab_results_record
    from tests.lab_support import uds_entries

    adulterated_uds(patient, team_nurse)
    again = open_order(patient, team_nurse)
    lab_results_record(
        actor=team_nurse,
        order=again,
        collected_at=timezone.now() - datetime.timedelta(minutes=5),
        observed=True,
        entries=uds_entries(),
    )
    html = _home(client, team_nurse)
    assert "No specimen to recollect." in html


def test_the_counselor_sees_safety_follow_ups_drafts_and_reviews_due(
    client, patient, team_counselor, offteam_counselor, elsewhere
):
    today = timezone.localdate()
    phq9 = suicide_risk_phq9(patient, team_counselor)
    interview = draft_interview(patient, team_counselor)
    draft_interview(patient, offteam_counselor)  # someone else's draft
    plan(patient, team_counselor)
    plan(patient, team_counselor, status="active", review_date=today - datetime.timedelta(days=3))
    html = _home(client, team_counselor)

    safety = _section(html, "safety-follow-ups")
    assert "Suicide risk on item 9 of the PHQ-9" in safety and "Assess safety" in safety
    assert f"/patients/{patient.pk}/assessments/{phq9.pk}/" in safety
    drafts = _section(html, "drafts")
    assert f"/patients/{patient.pk}/interviews/{interview.pk}/" in drafts
    assert drafts.count('data-testid="work-row"') == 2  # the interview and the plan
    due = _section(html, "plan-reviews-due")
    assert "Overdue: the review was due" in due and "(3 days ago)" in due
    assert '">Overdue</span>' in due
    assert "Offteamson" not in html


@pytest.mark.parametrize(
    ("days", "shown", "words"),
    [
        (-1, True, "Overdue"),
        (0, True, "Review due today"),
        (14, True, "Review due "),
        (15, False, ""),
    ],
)
def test_it_lists_plan_reviews_due_within_fourteen_days_or_overdue(
    client, patient, team_counselor, days, shown, words
):
    day = timezone.localdate() + datetime.timedelta(days=days)
    plan(patient, team_counselor, status="active", review_date=day)
    due = _section(_home(client, team_counselor), "plan-reviews-due")
    assert ("Lopez, Maria" in due) is shown
    assert words in due


def test_the_top_bar_counts_the_work_on_every_page(client, patient, team_nurse, team_physician):
    critical_qtc(patient, team_nurse)
    plan(patient, team_nurse, status="submitted")
    client.force_login(team_physician)
    for url in ("/", "/patients/", f"/patients/{patient.pk}/"):
        html = client.get(url).content.decode()
        count = re.search(r'data-testid="nav-worklist-count">(\d+)<', html)
        assert count and count.group(1) == "2", url
        assert re.search(r'data-testid="nav-worklist-urgent"[^>]*>1 urgent<', html), url


def test_roles_without_a_worklist_see_none(client, clinic_admin, privacy_officer):
    for user in (clinic_admin, privacy_officer):
        html = _home(client, user)
        assert 'data-testid="worklist"' not in html
        assert 'data-testid="nav-worklist"' not in html


def test_the_worklist_rows_are_audited_as_reads(client, team_nurse, team_physician):
    # 100 patients fill the caseload's first page; the one with the critical result comes
    # after them, so only the worklist shows it.
    filler = Patient.objects.bulk_create(
        PatientFactory.build(family_name=f"Aaron{i:03d}", mrn=f"{80000000 + i:08d}")
        for i in range(100)
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(patient=p, user=team_physician, team_role=TeamRole.PHYSICIAN) for p in filler
    )
    late = PatientFactory(given_name="Zoe", family_name="Zylstra")
    for user, role in ((team_physician, TeamRole.PHYSICIAN), (team_nurse, TeamRole.NURSE)):
        CareTeamMemberFactory(patient=late, user=user, team_role=role)
    critical_qtc(late, team_nurse)
    html = _home(client, team_physician)
    assert "Zylstra, Zoe" in _section(html, "results-to-acknowledge")
    assert 'data-testid="my-patients"' in html and "Zylstra" not in html.split("my-patients")[-1]
    reads = AuditEvent.objects.filter(
        patient=late, action="read", object_type="home", actor=team_physician
    )
    assert reads.count() == 1


def test_the_review_queue_api_leaves_out_emergency_grant_patients(
    api, team_physician, offteam_counselor, elsewhere
):
    plan(elsewhere, offteam_counselor, status="submitted")
    break_glass_open(
        actor=team_physician,
        patient_id=elsewhere.pk,
        reason="Patient collapsed in the waiting room, unresponsive",
    )
    api.force_authenticate(team_physician)
    body = api.get("/api/v1/review-queue/").json()
    assert body["results"] == []


def test_every_row_links_to_a_page_its_reader_may_open(
    client, patient, team_physician, team_nurse, team_counselor
):
    every_kind_of_work(patient, team_physician, team_nurse, team_counselor)
    plan(patient, team_counselor, status="changes-requested", comment="Add goals.")
    plan(
        patient,
        team_counselor,
        status="active",
        review_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    for user, expected in (
        (team_physician, 4),
        (team_nurse, 3),
        (team_counselor, 4),
    ):
        html = _home(client, user)
        links = re.findall(
            r'<a class="btn btn-sm [^"]*text-nowrap" href="([^"]+)"',
            html.split('id="my-patients"')[0],
        )
        assert len(links) >= expected, (user, links)
        for url in links:
            assert client.get(url.replace("&amp;", "&")).status_code == 200, (user.username, url)


def test_an_ended_membership_takes_the_patient_off_the_worklist(
    client, patient, team_nurse, team_physician
):
    critical_qtc(patient, team_nurse)
    CareTeamMember.objects.filter(patient=patient, user=team_physician).update(
        ended_at=timezone.now()
    )
    html = _home(client, team_physician)
    assert "Lopez, Maria" not in html
    assert re.search(r'data-testid="nav-worklist-count">0<', html)


def test_no_role_gets_a_section_its_permissions_do_not_allow(
    team_physician, team_nurse, team_counselor, clinic_admin, privacy_officer
):
    from intake import access

    for user in (team_physician, team_nurse, team_counselor, clinic_admin, privacy_officer):
        for item in access.worklist_items(user):
            assert access.has_perm(user, access.WORK_ITEM_PERM[item]), (user.username, item)
    assert access.worklist_items(clinic_admin) == access.worklist_items(privacy_officer) == ()
