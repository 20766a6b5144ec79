"""Withdrawal-management work on the worklist (docs/clinical-rules.md#worklist-alerts): doses
due in the next hour and missed after 2 hours for the nurse, missed and held doses and COWS
rising despite doses for the physician, each at its boundary; care teams only; a fixed number of
queries whatever the caseload; the API (docs/api.md#worklist) and the home page."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.mar_schedule import due_dose_uid
from intake.models import AuditEvent, CareTeamMember, TeamRole
from intake.selectors.worklist_mar import mar_work
from intake.services.medication_administration import (
    administration_record,
    administration_void,
)
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.mar_support import at, cows, med_id, signed_plan

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 25)
URL = "/api/v1/worklist/"
MAR_KINDS = {"dose-due", "dose-missed", "dose-held", "cows-rising"}


def methadone(patient, physician, frequency="daily"):
    return signed_plan(
        patient,
        physician,
        [{"drug": "methadone", "dose": "30", "frequency": frequency, "start_date": D}],
        signed_at=at(D, 7),
    )


def clonidine(patient, physician):
    return signed_plan(
        patient,
        physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D}],
        signed_at=at(D, 7),
    )


def document(nurse, patient, plan, drug, status, when, **data):
    with time_machine.travel(when, tick=False):
        return administration_record(
            actor=nurse,
            patient=patient,
            data={"medication": med_id(plan, drug), "status": status, **data},
        )


def due_id(plan, drug, when):
    return str(due_dose_uid(plan.medications.get(drug=drug).pk, when))


def items(api, user, when, kinds=MAR_KINDS):
    api.force_authenticate(user)
    with time_machine.travel(when, tick=False):
        response = api.get(URL)
    assert response.status_code == 200, response.content
    return [i for i in response.json()["results"] if i["kind"] in kinds]


def kinds(api, user, when):
    return sorted(i["kind"] for i in items(api, user, when))


# Due and missed ---------------------------------------------------------------------------------


def test_a_dose_is_missed_at_exactly_two_hours(api, patient, team_nurse, team_physician):
    plan = methadone(patient, team_physician)
    before = items(api, team_nurse, at(D, 10, 59))
    assert [(i["kind"], i["severity"]) for i in before] == [("dose-due", "routine")]
    assert before[0]["object_type"] == "due-dose"
    assert before[0]["object_id"] == due_id(plan, "methadone", at(D, 9))
    missed = items(api, team_nurse, at(D, 11))
    assert missed == [
        {
            "kind": "dose-missed",
            "patient": str(patient.pk),
            "object_type": "due-dose",
            "object_id": due_id(plan, "methadone", at(D, 9)),
            "due_at": missed[0]["due_at"],
            "severity": "urgent",
        }
    ]
    assert datetime.datetime.fromisoformat(missed[0]["due_at"]) == at(D, 9)
    assert [i["kind"] for i in items(api, team_physician, at(D, 11))] == ["dose-missed"]


def test_a_dose_is_due_within_the_next_hour(api, patient, team_nurse, team_physician):
    plan = methadone(patient, team_physician, frequency="bid")
    document(team_nurse, patient, plan, "methadone", "given", at(D, 9, 5))
    assert items(api, team_nurse, at(D, 19, 59)) == []
    due = items(api, team_nurse, at(D, 20))
    assert [(i["kind"], i["object_id"]) for i in due] == [
        ("dose-due", due_id(plan, "methadone", at(D, 21)))
    ]
    assert datetime.datetime.fromisoformat(due[0]["due_at"]) == at(D, 21)


def test_a_missed_dose_leaves_the_worklist_after_24_hours(api, patient, team_nurse, team_physician):
    methadone(patient, team_physician)
    day_after = D + datetime.timedelta(days=1)
    assert kinds(api, team_nurse, at(day_after, 9)) == ["dose-due", "dose-missed"]
    assert kinds(api, team_nurse, at(day_after, 9, 1)) == ["dose-due"]


def test_a_documented_dose_is_off_and_voiding_it_makes_it_missed_again(
    api, patient, team_nurse, team_physician
):
    plan = methadone(patient, team_physician)
    given = document(team_nurse, patient, plan, "methadone", "given", at(D, 9, 10))
    assert items(api, team_nurse, at(D, 11, 30)) == []
    with time_machine.travel(at(D, 11, 20), tick=False):
        administration_void(actor=team_nurse, entry=given, reason="Wrong patient")
    missed = items(api, team_nurse, at(D, 11, 30))
    assert [(i["kind"], i["object_id"]) for i in missed] == [
        ("dose-missed", due_id(plan, "methadone", at(D, 9)))
    ]


def test_refused_and_omitted_doses_are_documented_not_missed(
    api, patient, team_nurse, team_physician
):
    plan = methadone(patient, team_physician)
    document(team_nurse, patient, plan, "methadone", "refused", at(D, 9, 10), reason="Declined")
    assert items(api, team_nurse, at(D, 12)) == []


# Held -------------------------------------------------------------------------------------------


def test_a_held_dose_reaches_the_physician_for_24_hours(api, patient, team_nurse, team_physician):
    plan = clonidine(patient, team_physician)
    held = document(team_nurse, patient, plan, "clonidine", "held", at(D, 9, 5), reason="BP 84/52")
    found = items(api, team_physician, at(D, 10), {"dose-held"})
    assert found == [
        {
            "kind": "dose-held",
            "patient": str(patient.pk),
            "object_type": "administration",
            "object_id": str(held.pk),
            "severity": "urgent",
        }
    ]
    assert items(api, team_nurse, at(D, 10), {"dose-held"}) == []
    assert items(api, team_physician, at(D + datetime.timedelta(days=1), 9, 5), {"dose-held"})
    assert not items(api, team_physician, at(D + datetime.timedelta(days=1), 9, 6), {"dose-held"})


def test_a_voided_held_entry_is_off(api, patient, team_nurse, team_physician):
    plan = clonidine(patient, team_physician)
    held = document(team_nurse, patient, plan, "clonidine", "held", at(D, 9, 5), reason="BP 84/52")
    with time_machine.travel(at(D, 9, 20), tick=False):
        administration_void(actor=team_nurse, entry=held, reason="Wrong line")
    assert items(api, team_physician, at(D, 10), {"dose-held"}) == []


# COWS rising ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "latest", "previous_at", "dose_between", "rising"),
    [
        (12, 13, at(D, 8), True, True),  # to moderate, above the previous, a dose between
        (11, 12, at(D, 8), True, False),  # still mild
        (12, 13, at(D, 8), False, False),  # no dose between them
        (12, 13, at(D, 11) - datetime.timedelta(hours=12), True, True),  # 12 hours before
        (12, 13, at(D, 11) - datetime.timedelta(hours=12, minutes=1), True, False),
        (13, 13, at(D, 8), True, False),  # not higher
        (16, 14, at(D, 8), True, False),  # falling
    ],
)
def test_cows_rising_at_its_boundaries(
    api, patient, team_nurse, team_physician, previous, latest, previous_at, dose_between, rising
):
    plan = methadone(patient, team_physician)
    cows(patient, team_nurse, previous_at, previous)
    if dose_between:
        document(team_nurse, patient, plan, "methadone", "given", at(D, 9, 5))
    else:
        document(team_nurse, patient, plan, "methadone", "given", at(D, 7, 30))
    score = cows(patient, team_nurse, at(D, 11), latest)
    found = items(api, team_physician, at(D, 12), {"cows-rising"})
    if rising:
        assert found == [
            {
                "kind": "cows-rising",
                "patient": str(patient.pk),
                "object_type": "assessment",
                "object_id": str(score.pk),
                "severity": "urgent",
            }
        ]
    else:
        assert found == []
    assert items(api, team_nurse, at(D, 12), {"cows-rising"}) == []


def test_only_the_latest_cows_counts(api, patient, team_nurse, team_physician):
    plan = methadone(patient, team_physician)
    cows(patient, team_nurse, at(D, 8), 10)
    document(team_nurse, patient, plan, "methadone", "given", at(D, 9, 5))
    cows(patient, team_nurse, at(D, 11), 15)
    assert items(api, team_physician, at(D, 12), {"cows-rising"})
    cows(patient, team_nurse, at(D, 14), 9)  # settling: no longer rising
    assert items(api, team_physician, at(D, 15), {"cows-rising"}) == []


def test_a_voided_dose_between_does_not_count(api, patient, team_nurse, team_physician):
    plan = methadone(patient, team_physician)
    cows(patient, team_nurse, at(D, 8), 12)
    given = document(team_nurse, patient, plan, "methadone", "given", at(D, 9, 5))
    with time_machine.travel(at(D, 9, 30), tick=False):
        administration_void(actor=team_nurse, entry=given, reason="Wrong patient")
    cows(patient, team_nurse, at(D, 11), 14)
    assert items(api, team_physician, at(D, 12), {"cows-rising"}) == []


# Who sees what ----------------------------------------------------------------------------------


def all_mar_work(patient, physician, nurse):
    """As of NOW (13:30): the 09:00 loperamide dose missed, the 09:00 clonidine dose held and
    its 13:00 dose due, COWS rising after the 09:00 methadone dose."""
    plan = signed_plan(
        patient,
        physician,
        [
            {"drug": "methadone", "dose": "30", "frequency": "bid", "start_date": D},
            {"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D},
            {"drug": "loperamide", "dose": "2", "route": "oral", "start_date": D},
        ],
        signed_at=at(D, 7),
    )
    cows(patient, nurse, at(D, 8), 11)
    document(nurse, patient, plan, "clonidine", "held", at(D, 9, 5), reason="Heart rate 52")
    document(nurse, patient, plan, "methadone", "given", at(D, 9, 10))
    cows(patient, nurse, at(D, 12), 17)
    return plan


NOW = at(D, 13, 30)


def test_each_role_sees_its_own_kinds(
    api, patient, team_nurse, team_physician, team_counselor, clinic_admin
):
    all_mar_work(patient, team_physician, team_nurse)
    assert kinds(api, team_nurse, NOW) == ["dose-due", "dose-missed"]
    assert kinds(api, team_physician, NOW) == ["cows-rising", "dose-held", "dose-missed"]
    assert kinds(api, team_counselor, NOW) == []
    assert kinds(api, clinic_admin, NOW) == []


def test_off_team_patients_are_absent(
    api, patient, team_nurse, team_physician, offteam_nurse, offteam_physician
):
    all_mar_work(patient, team_physician, team_nurse)
    assert kinds(api, offteam_nurse, NOW) == []
    assert kinds(api, offteam_physician, NOW) == []
    CareTeamMember.objects.filter(patient=patient, user=team_nurse).update(ended_at=NOW)
    assert kinds(api, team_nurse, NOW) == []


def test_the_most_urgent_come_first(api, patient, team_nurse, team_physician):
    all_mar_work(patient, team_physician, team_nurse)
    api.force_authenticate(team_nurse)
    with time_machine.travel(NOW, tick=False):
        body = api.get(URL).json()["results"]
    assert [(i["kind"], i["severity"]) for i in body] == [
        ("dose-missed", "urgent"),  # loperamide 09:00
        ("dose-due", "routine"),  # clonidine 13:00
    ]


def test_the_read_is_audited(api, patient, team_nurse, team_physician):
    all_mar_work(patient, team_physician, team_nurse)
    items(api, team_physician, NOW)
    assert AuditEvent.objects.filter(
        patient=patient, actor=team_physician, action="read", object_type="worklist"
    ).exists()


# Queries ----------------------------------------------------------------------------------------


def _caseload(physician, nurse, n):
    for _ in range(n):
        p = PatientFactory()
        for user, role in ((physician, TeamRole.PHYSICIAN), (nurse, TeamRole.NURSE)):
            CareTeamMemberFactory(patient=p, user=user, team_role=role)
        all_mar_work(p, physician, nurse)


def _queries(fn):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["team_physician", "team_nurse"])
def test_the_query_count_does_not_grow_with_the_caseload(
    request, api, client, team_physician, team_nurse, who
):
    user = request.getfixturevalue(who)
    _caseload(team_physician, team_nurse, 2)
    api.force_authenticate(user)
    client.force_login(user)
    small = (_queries(lambda: mar_work(user)), _queries(lambda: api.get(URL)))
    _queries(lambda: client.get("/"))  # the first request of a session writes it
    small_home = _queries(lambda: client.get("/"))
    with time_machine.travel(NOW, tick=False):
        assert len(mar_work(user).missed) == 2
    _caseload(team_physician, team_nurse, 4)
    with time_machine.travel(NOW, tick=False):
        work = mar_work(user)
    assert len(work.missed) == 6
    assert (_queries(lambda: mar_work(user)), _queries(lambda: api.get(URL))) == small
    assert _queries(lambda: client.get("/")) == small_home
    assert small[0] <= 4


# The home page ----------------------------------------------------------------------------------


def _section(html: str, item: str) -> str:
    start = html.index(f'data-testid="worklist-{item}"')
    ends = [html.find(mark, start + 1) for mark in ('data-testid="worklist-', "</section>")]
    return html[start : min(e for e in ends if e != -1)]


def _home(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_nurse_home_page_lists_missed_and_due_doses(
    client, patient, team_nurse, team_physician
):
    all_mar_work(patient, team_physician, team_nurse)
    html = _home(client, team_nurse)
    missed = _section(html, "doses-missed")
    assert "Missed doses" in missed and "Lopez, Maria" in missed
    assert "Loperamide 2 mg, oral" in missed and "not given or documented" in missed
    assert f'href="/patients/{patient.pk}/"' in missed
    due = _section(html, "doses-due")
    assert "Doses due in the next hour" in due and "Clonidine 0.1 mg, oral" in due
    assert "Methadone" not in due  # its 21:00 dose is not within the hour
    assert 'data-testid="worklist-cows-rising"' not in html
    assert 'data-testid="worklist-doses-held"' not in html
    assert AuditEvent.objects.filter(
        patient=patient, actor=team_nurse, action="read", object_type="home"
    ).exists()


def test_the_physician_home_page_lists_cows_rising_and_held_doses(
    client, patient, team_nurse, team_physician
):
    all_mar_work(patient, team_physician, team_nurse)
    html = _home(client, team_physician)
    rising = _section(html, "cows-rising")
    assert "COWS rising despite doses" in rising
    assert "COWS 17 (moderate) withdrawal, up from 11 despite Methadone given" in rising
    held = _section(html, "doses-held")
    assert "Doses held" in held and "Clonidine 0.1 mg, oral: dose held" in held
    assert "Heart rate 52" in held
    assert "Missed doses" in _section(html, "doses-missed")
    assert 'data-testid="worklist-doses-due"' not in html
    assert f'href="/patients/{patient.pk}/"' in rising and "Open the chart" in held


def test_empty_sections_say_so(client, patient, team_nurse, team_physician):
    html = _home(client, team_physician)
    assert "No COWS rising despite doses." in _section(html, "cows-rising")
    assert "No dose held in the last 24 hours." in _section(html, "doses-held")


def test_a_line_starting_later_adds_nothing(api, patient, team_nurse, team_physician):
    later = D + datetime.timedelta(days=3)
    signed_plan(
        patient,
        team_physician,
        [{"drug": "methadone", "dose": "30", "frequency": "daily", "start_date": later}],
        signed_at=at(D, 7),
    )
    assert items(api, team_nurse, at(D, 11)) == []
