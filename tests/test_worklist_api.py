"""`GET /api/v1/worklist/`: the home page's worklist as ids, for the signed-in person's care
teams' patients only, most urgent first, audited, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import AuditEvent, TeamRole
from intake.selectors.worklist import worklist_sections
from intake.services.break_glass import break_glass_open
from intake.services.vital_signs import vital_signs_record
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.worklist_support import (
    adulterated_uds,
    critical_qtc,
    open_order,
    plan,
    suicide_risk_phq9,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/worklist/"
PHYSICIAN_KINDS = {"critical-result", "critical-vital", "plan-to-review", "plan-returned"}
NURSE_KINDS = {"critical-vital", "order-open", "recollect"}
COUNSELOR_KINDS = {"safety-follow-up", "plan-returned"}


def critical_vital(patient, nurse):
    return vital_signs_record(
        actor=nurse, patient=patient, taken_at=timezone.now(), values={"heart_rate": 32}
    )


def all_work(patient, physician, nurse, counselor) -> None:
    """One of every kind the API serves, for the patient's team."""
    critical_qtc(patient, nurse)
    critical_vital(patient, nurse)
    open_order(patient, nurse)
    adulterated_uds(patient, nurse)
    suicide_risk_phq9(patient, counselor)
    plan(patient, counselor, status="submitted")
    plan(patient, physician, status="changes-requested", comment="Add a taper", reviewer=physician)
    plan(patient, counselor, status="changes-requested", comment="Add goals", reviewer=physician)


def _items(api, user) -> list[dict]:
    api.force_authenticate(user)
    response = api.get(URL)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def team_patient_with_work(physician, nurse, counselor, **names):
    """A new patient of these three's care team, with every kind of work waiting."""
    other = PatientFactory(**names)
    team = {physician: TeamRole.PHYSICIAN, nurse: TeamRole.NURSE, counselor: TeamRole.COUNSELOR}
    for user, role in team.items():
        CareTeamMemberFactory(patient=other, user=user, team_role=role)
    all_work(other, physician, nurse, counselor)
    return other


@pytest.fixture
def elsewhere(offteam_physician, offteam_nurse, offteam_counselor):
    return team_patient_with_work(
        offteam_physician, offteam_nurse, offteam_counselor, family_name="Offteamson"
    )


@pytest.mark.parametrize(
    ("who", "kinds"),
    [
        ("team_physician", PHYSICIAN_KINDS),
        ("team_nurse", NURSE_KINDS),
        ("team_counselor", COUNSELOR_KINDS),
    ],
)
def test_each_role_gets_its_own_kinds_of_its_own_patients(
    request, api, patient, team_physician, team_nurse, team_counselor, elsewhere, who, kinds
):
    all_work(patient, team_physician, team_nurse, team_counselor)
    items = _items(api, request.getfixturevalue(who))
    assert {item["kind"] for item in items} == kinds
    # Never the other team's patient, whatever kind.
    assert {item["patient"] for item in items} == {str(patient.pk)}


def test_each_item_is_ids_only(api, patient, team_physician, team_nurse, team_counselor):
    all_work(patient, team_physician, team_nurse, team_counselor)
    api.force_authenticate(team_physician)
    body = api.get(URL).content.decode()
    assert "Lopez" not in body and "Maria" not in body
    for item in _items(api, team_physician):
        assert set(item) <= {"kind", "patient", "object_type", "object_id", "due_at", "severity"}
        assert item["severity"] in {"critical", "urgent", "routine"}


def test_the_most_urgent_come_first(api, patient, team_physician, team_nurse, team_counselor):
    all_work(patient, team_physician, team_nurse, team_counselor)
    open_order(patient, team_nurse, panel="pregnancy", priority="stat")
    items = _items(api, team_nurse)
    ranks = {"critical": 0, "urgent": 1, "routine": 2}
    assert [ranks[i["severity"]] for i in items] == sorted(ranks[i["severity"]] for i in items)
    assert items[0]["kind"] == "critical-vital" and items[0]["severity"] == "critical"
    stat = [i for i in items if i["kind"] == "order-open" and i["severity"] == "urgent"]
    assert len(stat) == 1
    # The physician: the critical result and vital sign ahead of the plans.
    kinds = [i["kind"] for i in _items(api, team_physician)]
    assert set(kinds[:2]) == {"critical-result", "critical-vital"}


def test_one_finding_is_one_item(api, patient, team_physician, team_nurse):
    order = critical_qtc(patient, team_nurse)  # two alerts, one finding
    items = _items(api, team_physician)
    assert len(items) == 1
    assert items[0]["object_type"] == "lab-alert" and items[0]["severity"] == "critical"
    assert items[0]["object_id"] in {str(a.pk) for a in order.alert_rows.all()}


@pytest.mark.parametrize("who", ["team_physician", "team_nurse", "team_counselor"])
def test_the_api_and_the_page_name_the_same_work(
    request, api, patient, team_physician, team_nurse, team_counselor, who
):
    all_work(patient, team_physician, team_nurse, team_counselor)
    user = request.getfixturevalue(who)
    items = _items(api, user)
    rows = [
        row
        for section in worklist_sections(user=user)
        if section.item.value not in ("drafts", "plan-reviews-due")
        for row in section.rows
    ]
    assert len(items) == len(rows)
    page_urls = " ".join(row.url for row in rows)
    for item in items:
        if item["kind"] != "recollect":  # the page links to the new order or a new one's form
            assert item["object_id"] in page_urls, item


def test_the_read_is_audited(api, patient, team_physician, team_nurse, team_counselor):
    all_work(patient, team_physician, team_nurse, team_counselor)
    _items(api, team_physician)
    event = AuditEvent.objects.get(actor=team_physician, object_type="worklist")
    assert event.patient_id == patient.pk and event.action == "read"


def test_nothing_waiting_is_an_empty_list_and_no_audit(api, team_physician):
    assert _items(api, team_physician) == []
    assert not AuditEvent.objects.filter(object_type="worklist").exists()


@pytest.mark.parametrize("who", ["clinic_admin", "privacy_officer"])
def test_roles_without_a_worklist_get_an_empty_list(
    request, api, patient, team_physician, team_nurse, team_counselor, who
):
    # As the home page: no section for them, not a refusal.
    all_work(patient, team_physician, team_nurse, team_counselor)
    CareTeamMemberFactory(patient=patient, user=request.getfixturevalue(who))
    assert _items(api, request.getfixturevalue(who)) == []


def test_an_anonymous_request_is_refused(api):
    assert api.get(URL).status_code == 401


def test_an_emergency_grant_patient_stays_off(api, team_physician, elsewhere):
    break_glass_open(
        actor=team_physician,
        patient_id=elsewhere.pk,
        reason="Patient collapsed in the waiting room, unresponsive",
    )
    assert _items(api, team_physician) == []


def test_an_ended_membership_takes_the_patient_off(api, patient, team_nurse, team_physician):
    critical_qtc(patient, team_nurse)
    patient.care_team.filter(user=team_physician).update(ended_at=timezone.now())
    assert _items(api, team_physician) == []


def _queries(api, user) -> int:
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(URL).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["team_physician", "team_nurse", "team_counselor"])
def test_the_query_count_does_not_grow_with_the_work(
    request, api, team_physician, team_nurse, team_counselor, who
):
    user = request.getfixturevalue(who)
    counts = []
    for n in (1, 10):
        for _ in range(n if not counts else n - 1):
            team_patient_with_work(team_physician, team_nurse, team_counselor)
        counts.append(_queries(api, user))
    assert counts[0] == counts[1]
    assert counts[0] <= 8, counts


def test_pages_are_bounded(api, team_nurse, team_physician, team_counselor):
    for _ in range(3):
        p = PatientFactory()
        CareTeamMemberFactory(patient=p, user=team_nurse, team_role=TeamRole.NURSE)
        for _ in range(20):
            open_order(p, team_nurse)
    api.force_authenticate(team_nurse)
    body = api.get(URL).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]
    assert len(api.get(URL + "?page=2").json()["results"]) == 10
