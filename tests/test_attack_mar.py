"""Attacks on the medication administration record's API (docs/api.md#medication-administration):
wrong roles and patients, malformed and hostile bodies, impossible dates, plans not in force,
double documentation (sequential and concurrent) and voids. Every refusal is a 4xx naming the
field or rule, stores nothing, and nothing answers 500."""

import datetime
import json
import logging
import threading
import uuid

import pytest
import time_machine
from django.db import connections

from intake.mar_schedule import line_uid
from intake.models import AuditEvent, DueDose, MedicationAdministration, TreatmentPlan
from tests.mar_support import ADMINISTRATIONS_URL, MAR_URL, at, med_id, refused, signed_plan

D = datetime.date(2026, 11, 25)
URL, MAR = ADMINISTRATIONS_URL, MAR_URL
VOID = "/api/v1/administrations/{}/void/"


def lines(start=D):
    return [
        {"drug": "ondansetron", "dose": "4", "frequency": "tid", "start_date": start},
        {
            "drug": "acetaminophen",
            "dose": "500",
            "frequency": "q4h-prn",
            "route": "oral",
            "start_date": start,
            "indication": "Pain",
        },
    ]


@pytest.fixture
def plan(patient, team_physician):
    return signed_plan(patient, team_physician, lines(), signed_at=at(D, 0, 5))


def post(api, patient, body, **kw):
    return api.post(URL.format(patient.pk), body, format="json", **kw)


def counts():
    return (
        MedicationAdministration.objects.count(),
        DueDose.objects.count(),
        AuditEvent.objects.filter(object_type="administration", outcome="allowed").count(),
    )


class Stored:
    """Asserts nothing of the MAR was stored inside the block."""

    def __enter__(self):
        self.before = counts()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert counts() == self.before


def refused_field(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in json.dumps(body), body


# --- roles and patients -------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, read, write",
    [
        ("team_counselor", 200, 403),
        ("team_nurse", 200, 201),
        ("team_physician", 200, 201),
        ("offteam_nurse", 404, 404),
        ("offteam_physician", 404, 404),
        ("clinic_admin", 403, 403),
        ("privacy_officer", 403, 403),
    ],
)
def test_who_may_read_and_record(request, api, patient, plan, persona, read, write):
    api.force_authenticate(request.getfixturevalue(persona))
    with time_machine.travel(at(D, 9), tick=False):
        assert api.get(MAR.format(patient.pk), {"date": D.isoformat()}).status_code == read
        before = counts()
        response = post(
            api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"}
        )
    assert response.status_code == write, response.content
    if write != 201:
        assert counts()[:2] == before[:2]


def test_outsiders_and_unknown_ids_read_the_same_404(api, patient, plan, team_nurse, offteam_nurse):
    api.force_authenticate(team_nurse)
    with time_machine.travel(at(D, 9), tick=False):
        entry = post(api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"})
    assert entry.status_code == 201
    api.force_authenticate(offteam_nurse)
    with Stored():
        theirs = api.post(VOID.format(entry.json()["id"]), {"reason": "x"}, format="json")
        unknown = api.post(VOID.format(uuid.uuid4()), {"reason": "x"}, format="json")
        mar_theirs = api.get(MAR.format(patient.pk))
        mar_unknown = api.get(MAR.format(uuid.uuid4()))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content
    assert mar_theirs.status_code == mar_unknown.status_code == 404
    assert mar_theirs.content == mar_unknown.content
    assert not MedicationAdministration.objects.filter(status="void").exists()


def test_outsiders_posting_doses_read_the_same_404_as_unknown_patients(
    api, patient, plan, offteam_nurse, clinic_admin
):
    body = {"medication": med_id(plan, "ondansetron"), "status": "given"}
    with time_machine.travel(at(D, 9), tick=False), Stored():
        api.force_authenticate(offteam_nurse)
        theirs = post(api, patient, body)
        unknown = api.post(URL.format(uuid.uuid4()), body, format="json")
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.content == unknown.content
        api.force_authenticate(clinic_admin)
        mar_theirs = api.get(MAR.format(patient.pk))
        mar_unknown = api.get(MAR.format(uuid.uuid4()))
        assert mar_theirs.status_code == mar_unknown.status_code == 403
        assert mar_theirs.content == mar_unknown.content


def test_the_counselor_may_not_void(api, patient, plan, team_nurse, team_counselor):
    api.force_authenticate(team_nurse)
    with time_machine.travel(at(D, 9), tick=False):
        entry = post(api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"})
    api.force_authenticate(team_counselor)
    with Stored():
        response = api.post(VOID.format(entry.json()["id"]), {"reason": "x"}, format="json")
    assert response.status_code == 403, response.content


def test_another_patients_line_is_not_on_this_patients_plan(
    nurse_api, patient, plan, team_physician, team_nurse
):
    from tests.factories import CareTeamMemberFactory, PatientFactory

    other = PatientFactory()
    CareTeamMemberFactory(patient=other, user=team_nurse, team_role="nurse")
    theirs = signed_plan(other, team_physician, lines(), signed_at=at(D, 0, 5))
    with time_machine.travel(at(D, 9), tick=False), Stored():
        for drug in ("ondansetron", "acetaminophen"):
            response = post(
                nurse_api, patient, {"medication": med_id(theirs, drug), "status": "given"}
            )
            refused(response, "not-on-active-plan")


def test_unauthenticated_is_refused(api, patient, plan):
    with Stored():
        assert api.get(MAR.format(patient.pk)).status_code in (401, 403)
        response = post(
            api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"}
        )
        assert response.status_code in (401, 403)


# --- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "medication"),
        ({"status": "given"}, "medication"),
        ({"medication": 5, "status": "given"}, "medication"),
        ({"medication": [], "status": "given"}, "medication"),
        ({"medication": {"id": "x"}, "status": "given"}, "medication"),
        ({"medication": None, "status": "given"}, "medication"),
        ({"medication": "not-a-uuid", "status": "given"}, "medication"),
        ({"status": ["given"]}, "status"),
        ({"status": "void"}, "status"),
        ({"status": "GIVEN"}, "status"),
        ({"status": None}, "status"),
        ({"status": "given", "dose": "abc"}, "dose"),
        ({"status": "given", "dose": True}, "dose"),
        ({"status": "given", "dose": -1}, "dose"),
        ({"status": "given", "dose": 0}, "dose"),
        ({"status": "given", "dose": "1e400"}, "dose"),
        ({"status": "given", "dose": "NaN"}, "dose"),
        ({"status": "given", "dose": "Infinity"}, "dose"),
        ({"status": "given", "dose": "-Infinity"}, "dose"),
        ({"status": "given", "dose": [4]}, "dose"),
        ({"status": "given", "dose": {"v": 4}}, "dose"),
        ({"status": "given", "dose": "4", "unit": 4}, "unit"),
        ({"status": "given", "dose": "4", "unit": "m" * 11}, "unit"),
        ({"status": "given", "unit": ["mg"]}, "unit"),
        ({"status": "given", "given_at": "yesterday"}, "given_at"),
        ({"status": "given", "given_at": 1764082800}, "given_at"),
        ({"status": "given", "given_at": ["2026-11-25T09:00:00-05:00"]}, "given_at"),
        ({"status": "given", "given_at": "2026-02-30T09:00:00-05:00"}, "given_at"),
        ({"status": "given", "given_at": "1900-01-01T09:00:00Z"}, "given_at"),
        ({"status": "given", "given_at": "0001-01-01T00:00:00Z"}, "given_at"),
        ({"status": "given", "given_at": "9999-12-31T23:59:59Z"}, "given_at"),
        ({"status": "given", "given_at": "2026-11-25T09:10:00-05:00"}, "given_at"),
        ({"status": "given", "given_at": "2026-11-23T20:59:00-05:00"}, "given_at"),
        ({"status": "given", "due_dose": "garbage"}, "due_dose"),
        ({"status": "given", "due_dose": 7}, "due_dose"),
        ({"status": "given", "due_dose": str(uuid.uuid4())}, "due_dose"),
        ({"status": "held"}, "reason"),
        ({"status": "held", "reason": "   "}, "reason"),
        ({"status": "held", "reason": 5}, "reason"),
        ({"status": "held", "reason": ["asleep"]}, "reason"),
        ({"status": "held", "reason": "x" * 501}, "reason"),
        ({"status": "held", "reason": "asleep\x00"}, "NUL"),
    ],
)
def test_malformed_bodies_name_their_field_and_store_nothing(nurse_api, patient, plan, body, field):
    if field != "medication":
        body = {"medication": med_id(plan, "ondansetron"), **body}
    with time_machine.travel(at(D, 9, 5), tick=False), Stored():
        response = post(nurse_api, patient, body)
    refused_field(response, field)


def test_a_huge_or_deeply_nested_body_is_refused(nurse_api, patient, plan):
    medication = med_id(plan, "ondansetron")
    nested: object = "x"
    for _ in range(200):
        nested = {"a": nested}
    with time_machine.travel(at(D, 9), tick=False), Stored():
        deep = post(
            nurse_api, patient, {"medication": medication, "status": "held", "reason": nested}
        )
        assert 400 <= deep.status_code < 500, deep.content
        huge = post(
            nurse_api,
            patient,
            {"medication": medication, "status": "held", "reason": "x" * 200_000},
        )
        assert 400 <= huge.status_code < 500
        assert "reason" in huge.content.decode()
        text = nurse_api.post(URL.format(patient.pk), "not json", content_type="application/json")
        assert text.status_code == 400
        array = post(nurse_api, patient, [{"medication": medication, "status": "given"}])
        assert array.status_code == 400


def test_a_replayed_body_documents_one_due_dose_then_409(nurse_api, patient, plan):
    body = {"medication": med_id(plan, "ondansetron"), "status": "given"}
    with time_machine.travel(at(D, 9, 5), tick=False):
        due = nurse_api.get(MAR.format(patient.pk)).json()["scheduled"][0]["id"]
        body["due_dose"] = due
        assert post(nurse_api, patient, body).status_code == 201
        with Stored():
            again = post(nurse_api, patient, body)
    assert again.status_code == 409, again.content
    assert MedicationAdministration.objects.count() == 1


def test_without_a_due_dose_a_replay_is_refused_naming_due_dose(nurse_api, patient, plan):
    body = {"medication": med_id(plan, "ondansetron"), "status": "given"}
    with time_machine.travel(at(D, 9, 5), tick=False):
        assert post(nurse_api, patient, body).status_code == 201
        with Stored():
            refused_field(post(nurse_api, patient, body), "due_dose")


def test_a_due_dose_of_another_line_or_of_a_superseded_plan_is_refused(
    nurse_api, patient, plan, team_physician
):
    more = lines() + [{"drug": "loperamide", "dose": "2", "frequency": "tid", "start_date": D}]
    with time_machine.travel(at(D, 8), tick=False):
        old_due = nurse_api.get(MAR.format(patient.pk)).json()["scheduled"][0]
    amended = signed_plan(patient, team_physician, more, signed_at=at(D, 8, 30), previous=plan)
    with time_machine.travel(at(D, 9, 5), tick=False):
        rows = nurse_api.get(MAR.format(patient.pk)).json()["scheduled"]
        loperamide = next(r for r in rows if r["drug"] == "loperamide" and r["status"] == "due")
        with Stored():
            other_line = post(
                nurse_api,
                patient,
                {
                    "medication": med_id(amended, "ondansetron"),
                    "status": "given",
                    "due_dose": loperamide["id"],
                },
            )
            refused_field(other_line, "due_dose")
            superseded = post(
                nurse_api,
                patient,
                {
                    "medication": med_id(amended, "ondansetron"),
                    "status": "given",
                    "due_dose": old_due["id"],
                },
            )
            refused_field(superseded, "due_dose")
            old_line = post(
                nurse_api,
                patient,
                {"medication": med_id(plan, "ondansetron"), "status": "given"},
            )
            refused(old_line, "not-on-active-plan")


def test_a_prn_line_given_with_a_due_dose(nurse_api, patient, plan):
    """A PRN line has no due doses: naming one is refused, naming the field."""
    with time_machine.travel(at(D, 9, 5), tick=False):
        due = nurse_api.get(MAR.format(patient.pk)).json()["scheduled"][0]["id"]
        with Stored():
            response = post(
                nurse_api,
                patient,
                {"medication": med_id(plan, "acetaminophen"), "status": "given", "due_dose": due},
            )
    refused_field(response, "due_dose")


@pytest.mark.parametrize("status", ["closed", "superseded"])
def test_a_plan_not_in_force_orders_nothing(nurse_api, patient, plan, status):
    TreatmentPlan.objects.filter(pk=plan.pk).update(status=status)
    with time_machine.travel(at(D, 9), tick=False), Stored():
        for drug in ("ondansetron", "acetaminophen"):
            response = post(
                nurse_api, patient, {"medication": med_id(plan, drug), "status": "given"}
            )
            refused(response, "not-on-active-plan")


def test_a_draft_amendments_line_orders_nothing(nurse_api, patient, plan):
    from intake.models import PlanMedication

    draft = TreatmentPlan.objects.create(
        patient=patient,
        setting="residential",
        medically_supervised_detox=True,
        review_date=datetime.date(2027, 1, 30),
        version=2,
        previous=plan,
        amendment_reason="Dose change",
    )
    for old in plan.medications.all():
        PlanMedication.objects.create(
            plan=draft,
            position=old.position,
            drug=old.drug,
            dose=old.dose,
            route=old.route,
            frequency=old.frequency,
            start_date=old.start_date,
            indication=old.indication,
        )
    with time_machine.travel(at(D, 9), tick=False), Stored():
        for drug in ("ondansetron", "acetaminophen"):
            response = post(
                nurse_api, patient, {"medication": med_id(draft, drug), "status": "given"}
            )
            refused(response, "not-on-active-plan")


def test_a_dose_given_before_the_plan_was_signed_is_refused(nurse_api, patient, team_physician):
    """The plan orders doses from its signature (docs/clinical-rules.md#administration-times):
    a PRN dose, or a `once` dose, back-dated to before the signature was never ordered."""
    plan = signed_plan(
        patient,
        team_physician,
        lines() + [{"drug": "loperamide", "dose": "2", "frequency": "once", "start_date": D}],
        signed_at=at(D, 10),
    )
    with time_machine.travel(at(D, 10, 30), tick=False), Stored():
        for drug in ("acetaminophen", "loperamide"):
            response = post(
                nurse_api,
                patient,
                {
                    "medication": med_id(plan, drug),
                    "status": "given",
                    "given_at": at(D, 8, 30).isoformat(),
                },
            )
            refused_field(response, "given_at")


# --- the MAR's dates and audit --------------------------------------------------------------


@pytest.mark.parametrize(
    "date",
    [
        "0000-01-01",
        "9999-12-31",
        "2026-02-30",
        "1999-12-31",
        "2101-01-01",
        "x",
        "2026-11-25T00:00",
        " ",
    ],
)
def test_impossible_dates_are_400_naming_date(nurse_api, patient, plan, date):
    response = nurse_api.get(MAR.format(patient.pk), {"date": date})
    refused_field(response, "date")


def test_reading_the_mar_is_audited(nurse_api, patient, plan, team_nurse):
    before = AuditEvent.objects.filter(patient=patient, action="read").count()
    with time_machine.travel(at(D, 9), tick=False):
        assert nurse_api.get(MAR.format(patient.pk)).status_code == 200
    events = AuditEvent.objects.filter(patient=patient, action="read").order_by("-id")
    assert events.count() == before + 1
    assert events[0].object_type == "mar" and events[0].actor == team_nurse


def test_no_phi_in_the_logs_of_a_refused_and_an_accepted_dose(nurse_api, patient, plan, caplog):
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(at(D, 9), tick=False):
        post(nurse_api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"})
        post(nurse_api, patient, {"medication": med_id(plan, "ondansetron"), "status": "held"})
        nurse_api.get(MAR.format(patient.pk))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Lopez" not in text and "Maria" not in text
    assert str(patient.birth_date) not in text


# --- voids ----------------------------------------------------------------------------------


def test_void_bodies(nurse_api, patient, plan):
    with time_machine.travel(at(D, 9), tick=False):
        entry = post(
            nurse_api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"}
        )
    url = VOID.format(entry.json()["id"])
    with Stored():
        for body in (
            {},
            {"reason": ""},
            {"reason": "  "},
            {"reason": 5},
            {"reason": ["x"]},
            {"reason": "x" * 501},
            {"reason": "bad\x00"},
            {"reason": None},
        ):
            response = nurse_api.post(url, body, format="json")
            assert response.status_code == 400, (body, response.content)
            assert "reason" in response.content.decode() or "NUL" in response.content.decode()
        assert (
            nurse_api.post(VOID.format("not-a-uuid"), {"reason": "x"}, format="json").status_code
            == 404
        )


def test_a_void_of_a_void_is_409(nurse_api, patient, plan):
    with time_machine.travel(at(D, 9), tick=False):
        entry = post(
            nurse_api, patient, {"medication": med_id(plan, "ondansetron"), "status": "given"}
        )
        void = nurse_api.post(VOID.format(entry.json()["id"]), {"reason": "Wrong"}, format="json")
        assert void.status_code == 201
        with Stored():
            again = nurse_api.post(VOID.format(void.json()["id"]), {"reason": "x"}, format="json")
    assert again.status_code == 409 and "void" in again.json()["detail"]


# --- real concurrency -----------------------------------------------------------------------


def _race(calls):
    """Run `calls` at once, each in its own thread and database connection."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            start.wait()
            outcomes[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def two_nurses(patient):
    from tests.factories import CareTeamMemberFactory, UserFactory

    nurses = [UserFactory(role="nurse") for _ in range(2)]
    for nurse in nurses:
        CareTeamMemberFactory(patient=patient, user=nurse, team_role="nurse")
    return nurses


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("name_the_due_dose", [True, False])
def test_two_nurses_documenting_one_due_dose_at_once(patient, plan, two_nurses, name_the_due_dose):
    medication = med_id(plan, "ondansetron")
    with time_machine.travel(at(D, 9, 5), tick=False):
        body = {"medication": medication, "status": "given"}
        if name_the_due_dose:
            body["due_dose"] = (
                _client(two_nurses[0]).get(MAR.format(patient.pk)).json()["scheduled"][0]["id"]
            )
        outcomes = _race([lambda n=n: post(_client(n), patient, body) for n in two_nurses])
    codes = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert codes == ([201, 409] if name_the_due_dose else [201, 400]), outcomes
    assert MedicationAdministration.objects.filter(patient=patient).count() == 1
    assert DueDose.objects.filter(patient=patient, entry__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_prn_doses_at_once_only_one_passes_the_interval(patient, plan, two_nurses):
    medication = med_id(plan, "acetaminophen")
    with time_machine.travel(at(D, 9), tick=False):
        outcomes = _race(
            [
                lambda n=n: post(_client(n), patient, {"medication": medication, "status": "given"})
                for n in two_nurses
            ]
        )
    codes = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert codes == [201, 400], outcomes
    assert [o.json()["rule"] for o in outcomes if o.status_code == 400] == ["prn-interval"]
    assert MedicationAdministration.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_voids_of_one_entry_at_once(patient, plan, two_nurses):
    with time_machine.travel(at(D, 9), tick=False):
        entry = post(
            _client(two_nurses[0]),
            patient,
            {"medication": med_id(plan, "ondansetron"), "status": "given"},
        )
        assert entry.status_code == 201
        url = VOID.format(entry.json()["id"])
        outcomes = _race(
            [
                lambda n=n: _client(n).post(url, {"reason": "Wrong"}, format="json")
                for n in two_nurses
            ]
        )
    codes = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert codes == [201, 409], outcomes
    assert MedicationAdministration.objects.filter(status="void").count() == 1
    assert DueDose.objects.get().entry_id is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_prn_lines_of_one_drug_at_once_only_one_passes_the_interval(
    patient, team_physician, two_nurses
):
    """The interval is the drug's: two nurses giving acetaminophen at once through its two PRN
    lines (for pain, for fever) used to lock one line each and both pass."""
    fever = {**lines()[1], "dose": "1000", "frequency": "q6h-prn", "indication": "Fever"}
    plan = signed_plan(patient, team_physician, [lines()[1], fever], signed_at=at(D, 0, 5))
    ids = [str(line_uid(m.pk)) for m in plan.medications.order_by("pk")]
    with time_machine.travel(at(D, 9), tick=False):
        outcomes = _race(
            [
                lambda n=n, m=m: post(_client(n), patient, {"medication": m, "status": "given"})
                for n, m in zip(two_nurses, ids, strict=True)
            ]
        )
    codes = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert codes == [201, 400], outcomes
    assert MedicationAdministration.objects.filter(patient=patient).count() == 1


def test_the_mar_reads_in_the_same_queries_however_many_doses(nurse_api, patient, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def read():
        with CaptureQueriesContext(connection) as queries:
            assert nurse_api.get(MAR.format(patient.pk), {"date": D.isoformat()}).status_code == 200
        return len(queries)

    with time_machine.travel(at(D, 9, 30), tick=False):
        few = read()
    for hh in (9, 14, 21):
        with time_machine.travel(at(D, hh, 5), tick=False):
            body = {"medication": med_id(plan, "ondansetron"), "status": "given"}
            assert post(nurse_api, patient, body).status_code == 201
    for hh in (0, 4, 8, 12, 16, 20):
        with time_machine.travel(at(D, hh, 30), tick=False):
            body = {"medication": med_id(plan, "acetaminophen"), "status": "given"}
            assert post(nurse_api, patient, body).status_code == 201
    with time_machine.travel(at(D, 23), tick=False):
        assert read() == few
