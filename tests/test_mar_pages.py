"""A patient's MAR page (docs/clinical-rules.md#medication-administration): the day's due doses
with who documented each and when, day by day; PRN lines given now with their limits; an entry
voided with a reason. Read by the care team, written by its nurses and physicians."""

import datetime

import pytest
import time_machine

from intake.mar_schedule import due_dose_uid, line_uid
from intake.models import DueDose, MedicationAdministration
from tests.mar_support import at, signed_plan

D = datetime.date(2026, 11, 25)
LINES = [
    {"drug": "ondansetron", "dose": "4", "frequency": "bid", "start_date": D},
    {
        "drug": "loperamide",
        "dose": "2",
        "frequency": "q6h-prn",
        "start_date": D,
        "indication": "diarrhea",
        "route": "oral",
    },
]


@pytest.fixture(autouse=True)
def ten_oclock():
    with time_machine.travel(at(D, 10), tick=False):
        yield


@pytest.fixture
def plan(patient, team_physician):
    return signed_plan(patient, team_physician, LINES, signed_at=at(D, 7))


@pytest.fixture
def nurse(client, team_nurse):
    client.force_login(team_nurse)
    return client


def mar_url(patient):
    return f"/patients/{patient.pk}/mar/"


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def uid(plan, drug):
    return str(line_uid(plan.medications.get(drug=drug).pk))


def due(plan, drug, day, hh):
    return str(due_dose_uid(plan.medications.get(drug=drug).pk, at(day, hh)))


def test_the_day_shows_its_due_doses_and_navigates(nurse, patient, plan):
    page = text(nurse.get(mar_url(patient)))
    assert "Wednesday 25 November 2026" in page
    assert page.count('data-testid="mar-dose"') == 2  # 09:00 and 21:00
    assert 'data-status="missed"' not in page and page.count('data-status="due"') == 2
    assert "Ondansetron (nausea, vomiting)" in page and "twice a day" in page
    assert "?date=2026-11-24" in page and "?date=2026-11-26" in page
    tomorrow = text(nurse.get(mar_url(patient), {"date": "2026-11-26"}))
    assert "Thursday 26 November 2026" in tomorrow and tomorrow.count('data-testid="mar-dose"') == 2
    before = text(nurse.get(mar_url(patient), {"date": "2026-11-24"}))
    assert "No scheduled dose on this day." in before
    # A date that is no date is today.
    assert "Wednesday 25 November 2026" in text(nurse.get(mar_url(patient), {"date": "x"}))


def test_the_team_counselor_reads_it_without_forms(client, patient, plan, team_counselor):
    client.force_login(team_counselor)
    page = text(client.get(mar_url(patient)))
    assert page.count('data-testid="mar-dose"') == 2
    assert 'data-testid="dose-form"' not in page and 'data-testid="prn-form"' not in page
    response = client.post(
        f"{mar_url(patient)}record/", {"medication": uid(plan, "ondansetron"), "status": "given"}
    )
    assert response.status_code == 403
    assert not MedicationAdministration.objects.exists()


def test_an_outsider_gets_404(client, patient, plan, offteam_nurse):
    client.force_login(offteam_nurse)
    assert client.get(mar_url(patient)).status_code == 404
    body = {"medication": uid(plan, "ondansetron"), "status": "given"}
    assert client.post(f"{mar_url(patient)}record/", body).status_code == 404
    assert not MedicationAdministration.objects.exists()


def test_the_chart_links_the_mar(nurse, patient, plan):
    page = text(nurse.get(f"/patients/{patient.pk}/"))
    assert f'href="/patients/{patient.pk}/mar/"' in page


def test_a_scheduled_dose_is_documented_and_shows_who_and_when(nurse, patient, plan, team_nurse):
    body = {
        "medication": uid(plan, "ondansetron"),
        "due_dose": due(plan, "ondansetron", D, 9),
        "status": "given",
        "date": "2026-11-25",
    }
    response = nurse.post(f"{mar_url(patient)}record/", body)
    assert response.status_code == 302
    assert response["Location"] == f"{mar_url(patient)}?date=2026-11-25"
    page = text(nurse.get(response["Location"]))
    assert 'data-status="given"' in page
    who = team_nurse.get_full_name() or team_nurse.username
    assert f"at 25 Nov 2026 10:00 EST · documented by {who}" in page
    assert page.count('data-testid="void-form"') == 1


def test_a_prn_dose_is_given_now_with_its_limits(nurse, patient, plan):
    page = text(nurse.get(mar_url(patient)))
    assert "Available now" in page and "Given today: 0 of 8 mg a day" in page
    assert 'name="dose" class="form-control prn-dose" value="2"' in page  # prefilled
    body = {"medication": uid(plan, "loperamide"), "status": "given", "dose": "2"}
    assert nurse.post(f"{mar_url(patient)}record/", body).status_code == 302
    entry = MedicationAdministration.objects.get()
    assert (entry.status, entry.dose, entry.due_dose_id) == ("given", 2, None)
    page = text(nurse.get(mar_url(patient)))
    assert "Next allowed 16:00" in page and "Given today: 2 of 8 mg a day" in page
    # Too soon: the rule's refusal beside the line, nothing stored.
    again = text(nurse.post(f"{mar_url(patient)}record/", {**body, "reason": "still loose"}))
    assert 'data-testid="row-refusal"' in again and "Not given — " in again
    assert 'value="still loose"' in again
    assert MedicationAdministration.objects.count() == 1


def test_an_entry_is_voided_with_a_reason(nurse, patient, plan, team_nurse):
    dose = due(plan, "ondansetron", D, 9)
    nurse.post(
        f"{mar_url(patient)}record/",
        {"medication": uid(plan, "ondansetron"), "due_dose": dose, "status": "given"},
    )
    entry = MedicationAdministration.objects.get()
    page = text(nurse.post(f"{mar_url(patient)}void/", {"entry": str(entry.pk), "reason": " "}))
    assert "Say why this entry was made in error." in page
    assert MedicationAdministration.objects.count() == 1
    response = nurse.post(
        f"{mar_url(patient)}void/",
        {"entry": str(entry.pk), "reason": "Wrong patient's cup", "date": "2026-11-25"},
        follow=True,
    )
    page = text(response)
    assert "Entry voided" in page
    void = MedicationAdministration.objects.get(status="void")
    assert (void.voids, void.reason, void.created_by) == (entry, "Wrong patient's cup", team_nurse)
    assert DueDose.objects.get(pk=dose).entry is None
    assert "(voided by" in page and "Wrong patient&#x27;s cup" in page
    assert page.count('data-status="due"') == 2  # the 09:00 dose is undocumented again


def test_an_entry_of_another_patient_cannot_be_voided_here(
    nurse, patient, plan, team_nurse, team_physician
):
    from tests.factories import CareTeamMemberFactory, PatientFactory

    other = PatientFactory()
    CareTeamMemberFactory(patient=other, user=team_nurse, team_role="nurse")
    other_plan = signed_plan(other, team_physician, LINES, signed_at=at(D, 7))
    nurse.post(
        f"{mar_url(other)}record/",
        {"medication": uid(other_plan, "loperamide"), "status": "given"},
    )
    entry = MedicationAdministration.objects.get()
    response = nurse.post(f"{mar_url(patient)}void/", {"entry": str(entry.pk), "reason": "x"})
    assert response.status_code == 404
    assert not MedicationAdministration.objects.filter(status="void").exists()


def test_an_offteam_nurse_cannot_void_or_record_by_posting_ids(
    client, nurse, patient, plan, offteam_nurse
):
    nurse.post(
        f"{mar_url(patient)}record/", {"medication": uid(plan, "loperamide"), "status": "given"}
    )
    entry = MedicationAdministration.objects.get()
    client.force_login(offteam_nurse)
    void = client.post(f"{mar_url(patient)}void/", {"entry": str(entry.pk), "reason": "x"})
    record = client.post(
        f"{mar_url(patient)}record/", {"medication": uid(plan, "loperamide"), "status": "given"}
    )
    assert (void.status_code, record.status_code) == (404, 404)
    assert MedicationAdministration.objects.count() == 1


def test_the_team_counselor_may_not_record_or_void(client, nurse, patient, plan, team_counselor):
    nurse.post(
        f"{mar_url(patient)}record/", {"medication": uid(plan, "loperamide"), "status": "given"}
    )
    entry = MedicationAdministration.objects.get()
    client.force_login(team_counselor)
    body = {"medication": uid(plan, "ondansetron"), "due_dose": due(plan, "ondansetron", D, 9)}
    assert client.post(f"{mar_url(patient)}record/", {**body, "status": "given"}).status_code == 403
    void = client.post(f"{mar_url(patient)}void/", {"entry": str(entry.pk), "reason": "x"})
    assert void.status_code == 403
    assert MedicationAdministration.objects.count() == 1


def test_a_refused_dose_or_void_shows_the_mar_again_as_an_audited_read(nurse, patient, plan):
    from intake.models import AuditEvent

    def reads():
        return AuditEvent.objects.filter(
            patient=patient, action="read", object_type="mar", outcome="allowed"
        ).count()

    body = {"medication": uid(plan, "ondansetron"), "due_dose": due(plan, "ondansetron", D, 9)}
    page = text(nurse.post(f"{mar_url(patient)}record/", {**body, "status": "held"}))
    assert "Say why the dose was not given." in page  # the whole day shown again ...
    assert reads() == 1  # ... and read like a GET
    nurse.post(f"{mar_url(patient)}record/", {**body, "status": "given"})
    entry = MedicationAdministration.objects.get()
    text(nurse.post(f"{mar_url(patient)}void/", {"entry": str(entry.pk), "reason": " "}))
    assert reads() == 2


def test_a_voided_prn_dose_stays_on_the_day_marked(nurse, patient, plan, team_nurse):
    # The MAR is the legal record: a PRN dose voided as entered in error is still shown, marked
    # (docs/clinical-rules.md#administration-rules), not dropped from the page.
    body = {"medication": uid(plan, "loperamide"), "status": "given", "dose": "2"}
    assert nurse.post(f"{mar_url(patient)}record/", body).status_code == 302
    entry = MedicationAdministration.objects.get()
    reason = {"entry": str(entry.pk), "reason": "Charted on the wrong patient"}
    assert nurse.post(f"{mar_url(patient)}void/", reason).status_code == 302
    page = text(nurse.get(mar_url(patient)))
    prn = page[page.index('id="prn"') :]
    assert "(voided by" in prn and "Charted on the wrong patient" in prn
    assert 'class="small mar-voided"' in prn
    assert "Given today: 0 of 8 mg a day" in prn  # not counted
    assert prn.count('data-testid="void-form"') == 0  # a voided entry is not voided again


def test_prn_doses_of_a_line_an_amendment_dropped_stay_on_their_day(nurse, patient, plan):
    body = {"medication": uid(plan, "loperamide"), "status": "given", "dose": "2"}
    assert nurse.post(f"{mar_url(patient)}record/", body).status_code == 302
    with time_machine.travel(at(D, 10, 5), tick=False):
        signed_plan(patient, plan.signed_by, LINES[:1], signed_at=at(D, 10, 5), previous=plan)
        page = text(nurse.get(mar_url(patient)))
    earlier = page[page.index('data-testid="mar-prn-earlier"') :]
    assert "Loperamide" in earlier and "2 mg at 25 Nov 2026 10:00 EST" in earlier
    assert 'data-testid="mar-prn"' not in page  # the active plan has no PRN line now
