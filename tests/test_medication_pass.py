"""The nurse's medication pass (docs/clinical-rules.md#medication-administration): every dose due
to their care teams' patients from two hours ago to the chosen hours ahead, grouped by time, with
the latest vital signs and COWS, documented from the row; the service's refusals beside the row;
the same number of queries whatever the number of patients."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.mar_schedule import due_dose_uid, line_uid
from intake.models import AuditEvent, MedicationAdministration, TeamRole
from intake.services.medication_administration import administration_record
from intake.services.vital_signs import vital_signs_record
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.mar_support import at, cows, signed_plan

D = datetime.date(2026, 11, 25)
PASS = "/medication-pass/"
LINES = [
    {"drug": "ondansetron", "dose": "4", "frequency": "tid", "start_date": D},
    {"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D},
]


@pytest.fixture(autouse=True)
def ten_oclock():
    with time_machine.travel(at(D, 10), tick=False):
        yield


def team_patient(nurse, physician, **names):
    patient = PatientFactory(**names)
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    return patient


def detox(patient, physician, lines=LINES):
    return signed_plan(patient, physician, lines, signed_at=at(D, 7))


def line(plan, drug):
    return plan.medications.get(drug=drug)


def row_body(patient, plan, drug, hh, **extra):
    med = line(plan, drug)
    return {
        "patient": str(patient.pk),
        "medication": str(line_uid(med.pk)),
        "due_dose": str(due_dose_uid(med.pk, at(D, hh))),
        "hours": "4",
        **extra,
    }


@pytest.fixture
def plan(patient, team_physician):
    return detox(patient, team_physician)


@pytest.fixture
def nurse(client, team_nurse):
    client.force_login(team_nurse)
    return client


def text(response):
    return response.content.decode()


def test_it_lists_the_due_doses_of_team_patients_by_time(
    nurse, patient, plan, team_nurse, offteam_physician, offteam_nurse
):
    outsider = team_patient(offteam_nurse, offteam_physician, family_name="Outsider")
    detox(outsider, offteam_physician)
    vital_signs_record(
        actor=team_nurse,
        patient=patient,
        taken_at=at(D, 9, 40),
        values={"systolic": 118, "diastolic": 76, "heart_rate": 55},
    )
    cows(patient, team_nurse, at(D, 9, 30), 9)
    page = text(nurse.get(PASS))
    # 08:00 to 14:00: the 09:00 doses (overdue) and the 13:00 clonidine; 14:00 is past the end.
    assert page.index(">09:00 <") < page.index(">13:00 <")
    assert ">14:00 <" not in page
    assert page.count('data-testid="pass-dose"') == 3
    assert "Maria Lopez" in page and f"MRN {patient.mrn}" in page
    assert "Outsider" not in page and outsider.mrn not in page
    assert "Ondansetron" in page and "Clonidine" in page and "Oral" in page
    assert "BP 118/76 mmHg" in page and "HR 55 /min" in page
    assert "Heart rate: low" in page  # the flag in words, not colour alone
    assert "COWS 9 — Mild" in page
    assert f'href="/patients/{patient.pk}/mar/"' in page


def test_the_hours_window_is_chosen(nurse, patient, plan):
    two = text(nurse.get(PASS, {"hours": 2}))
    assert ">09:00 <" in two and ">13:00 <" not in two
    eight = text(nurse.get(PASS, {"hours": 8}))
    assert ">17:00 <" in eight and ">14:00 <" in eight
    assert ">13:00 <" in text(nurse.get(PASS, {"hours": "nonsense"}))  # back to 4 hours


@pytest.mark.parametrize("hours", ["²", "٤", "0004", "-4", " 4"])
def test_hours_that_are_not_a_choice_fall_back_to_four(nurse, patient, plan, hours):
    # Unicode digits pass str.isdigit() but not int(): the page answered 500.
    response = nurse.get(PASS, {"hours": hours})
    assert response.status_code == 200
    assert ">13:00 <" in text(response) and ">14:00 <" not in text(response)


def test_a_counselor_may_not_open_it(client, patient, plan, team_counselor):
    client.force_login(team_counselor)
    assert client.get(PASS).status_code == 403
    assert (
        client.post(PASS, row_body(patient, plan, "ondansetron", 9, status="given")).status_code
        == 403
    )
    assert not MedicationAdministration.objects.exists()


def test_the_nav_links_it_for_nurses_only(nurse, client, team_counselor):
    assert 'data-testid="nav-medication-pass"' in text(nurse.get("/"))
    client.force_login(team_counselor)
    assert 'data-testid="nav-medication-pass"' not in text(client.get("/"))


def test_a_dose_is_given_from_its_row(nurse, patient, plan, team_nurse):
    response = nurse.post(PASS, row_body(patient, plan, "ondansetron", 9, status="given"))
    assert response.status_code == 302
    assert response["Location"] == "/medication-pass/?hours=4"
    assert patient.mrn not in response["Location"]
    entry = MedicationAdministration.objects.get()
    assert (entry.status, entry.due_at, entry.created_by) == ("given", at(D, 9), team_nurse)
    page = text(nurse.get(response["Location"]))
    assert f"Given: Ondansetron (nausea, vomiting) 4 mg — ML (MRN {patient.mrn})." in page
    assert page.count('data-testid="pass-entry"') == 1
    assert page.count('data-testid="dose-form"') == 2


def test_a_dose_is_held_with_a_reason_the_server_requires(nurse, patient, plan):
    body = row_body(patient, plan, "ondansetron", 9, status="held")
    page = text(nurse.post(PASS, body))
    assert "Say why the dose was not given." in page
    assert 'data-testid="reason-error"' in page
    assert not MedicationAdministration.objects.exists()
    assert nurse.post(PASS, {**body, "reason": "Vomiting, nil by mouth"}).status_code == 302
    held = MedicationAdministration.objects.get()
    assert (held.status, held.reason, held.dose) == ("held", "Vomiting, nil by mouth", None)


def test_a_rule_refusal_shows_beside_its_row_and_stores_nothing(nurse, patient, plan):
    body = row_body(patient, plan, "clonidine", 9, status="given", reason="patient asked")
    response = nurse.post(PASS, body)
    assert response.status_code == 200
    page = text(response)
    assert page.count('data-testid="row-refusal"') == 1
    assert "Not recorded — " in page and "blood pressure" in page.lower()
    assert 'value="patient asked"' in page  # what was typed is kept
    assert not MedicationAdministration.objects.exists()


def test_a_dose_documented_meanwhile_is_a_409_message(nurse, patient, plan, team_physician):
    body = row_body(patient, plan, "ondansetron", 9, status="given")
    administration_record(
        actor=team_physician,
        patient=patient,
        data={"medication": body["medication"], "due_dose": body["due_dose"], "status": "given"},
    )
    response = nurse.post(PASS, body, follow=True)
    assert "someone has already documented this dose" in text(response)
    assert MedicationAdministration.objects.count() == 1


def test_an_off_team_patient_cannot_be_documented(nurse, offteam_nurse, offteam_physician):
    outsider = team_patient(offteam_nurse, offteam_physician)
    plan = detox(outsider, offteam_physician)
    response = nurse.post(PASS, row_body(outsider, plan, "ondansetron", 9, status="given"))
    assert response.status_code == 404
    assert not MedicationAdministration.objects.exists()


def test_every_listed_patient_is_audited(nurse, patient, plan, team_nurse, team_physician):
    other = team_patient(team_nurse, team_physician)
    detox(other, team_physician)
    no_plan = team_patient(team_nurse, team_physician)
    nurse.get(PASS)
    audited = set(
        AuditEvent.objects.filter(object_type="medication-pass").values_list(
            "patient_id", flat=True
        )
    )
    assert audited == {patient.pk, other.pk}
    assert no_plan.pk not in audited


def _patients(n, nurse_user, physician):
    for _ in range(n):
        p = team_patient(nurse_user, physician)
        detox(
            p,
            physician,
            [*LINES, {"drug": "loperamide", "dose": "2", "frequency": "q6h-prn", "start_date": D}],
        )
        vital_signs_record(
            actor=nurse_user, patient=p, taken_at=at(D, 9, 30), values={"heart_rate": 72}
        )
        cows(p, nurse_user, at(D, 9, 20), 6)
        # Documented doses come with their author: a scheduled one and an as-needed one.
        for drug, due in (("ondansetron", at(D, 9)), ("loperamide", None)):
            med = p.treatment_plans.get().medications.get(drug=drug)
            data = {"medication": str(line_uid(med.pk)), "status": "given"}
            if due is not None:
                data["due_dose"] = str(due_dose_uid(med.pk, due))
            administration_record(actor=nurse_user, patient=p, data=data)


def _count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PASS)
    assert response.status_code == 200
    return len(ctx.captured_queries), text(response).count('data-testid="pass-dose"')


def test_the_query_count_does_not_grow_with_the_patients(
    nurse, team_nurse, team_physician, django_assert_max_num_queries
):
    nurse.get("/")  # the session's first request writes the session: not the page's cost
    _patients(2, team_nurse, team_physician)
    two, rows_two = _count(nurse)
    _patients(4, team_nurse, team_physician)
    six, rows_six = _count(nurse)
    assert (rows_two, rows_six) == (6, 18)
    assert two == six
    with django_assert_max_num_queries(15):
        nurse.get(PASS)


def test_prn_lines_show_when_they_may_be_given_next(nurse, patient, team_physician):
    prn = {"drug": "loperamide", "dose": "2", "frequency": "q6h-prn", "start_date": D}
    plan = detox(patient, team_physician, [*LINES, {**prn, "route": "oral"}])
    page = text(nurse.get(PASS))
    assert page.count('data-testid="pass-prn"') == 1
    assert "Available now" in page and "Given today 0 of 8 mg a day" in page
    administration_record(
        actor=team_physician,
        patient=patient,
        data={"medication": str(line_uid(line(plan, "loperamide").pk)), "status": "given"},
    )
    page = text(nurse.get(PASS))
    assert "Next allowed 16:00" in page and "Given today 2 of 8 mg a day" in page


def test_an_emergency_grant_adds_no_patient_to_the_round(client, patient, plan, offteam_nurse):
    from intake.services.break_glass import break_glass_open

    break_glass_open(
        actor=offteam_nurse,
        patient_id=patient.pk,
        reason="Overdose in the lobby, unresponsive",
        category="overdose",
    )
    client.force_login(offteam_nurse)
    page = text(client.get(PASS))
    assert "Maria Lopez" not in page and 'data-testid="pass-empty"' in page


def test_only_patients_with_doses_to_give_are_read_for_the_pass(patient, team_physician):
    """A caseload is mostly patients without medication: the pass and the worklist read the
    signed plans only of those with a line in force, or one that stopped recently."""
    import datetime

    from django.utils import timezone

    from intake.selectors.mar import signed_plans_for
    from tests.factories import CareTeamMemberFactory, PatientFactory
    from tests.mar_support import signed_plan

    now = timezone.now()
    behavioral_only = PatientFactory()
    CareTeamMemberFactory(patient=behavioral_only, user=team_physician, team_role="physician")
    signed_plan(behavioral_only, team_physician, [], signed_at=now - datetime.timedelta(days=3))
    signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": now.date()}],
        signed_at=now - datetime.timedelta(hours=3),
    )
    both = [patient, behavioral_only]
    assert set(signed_plans_for(both)) == {patient.pk, behavioral_only.pk}
    since = now - datetime.timedelta(hours=4)
    assert set(signed_plans_for(both, dosed_since=since)) == {patient.pk}
