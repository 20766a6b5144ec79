"""`manage.py generate_data`: consistent, deterministic fictional data at scale."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from bench import generate as generate_data
from intake.models import (
    AuditEvent,
    CareTeamMember,
    Interview,
    LabAlert,
    LabPanel,
    LabTest,
    Patient,
    TeamRole,
    TreatmentPlan,
)
from intake.services.assessment import assessment_record, diagnosis_record
from intake.services.audit_chain import audit_chain_verify
from intake.services.care_team import care_team_add
from intake.services.episode import episode_admit, episode_discharge
from intake.services.interview import (
    interview_add_addendum,
    interview_create,
    interview_sign,
    interview_verify_hash,
)
from intake.services.lab import lab_order_create, lab_results_record
from intake.services.lab_alert import lab_alert_acknowledge
from intake.services.lab_amend import lab_results_amend
from intake.services.medication_administration import administration_record
from intake.services.patient import patient_register
from intake.services.treatment_plan import (
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
    treatment_plan_verify,
)
from intake.services.vital_signs import vital_signs_record
from tests.factories import PASSWORD, PatientFactory, UserFactory
from tests.mar_support import med_id, signed_plan

pytestmark = pytest.mark.django_db


def _generate(patients=120, seed=3) -> str:
    out = io.StringIO()
    call_command("generate_data", patients=patients, seed=seed, check=True, stdout=out)
    return out.getvalue()


def test_it_fills_a_consistent_network():
    output = _generate()
    assert "foreign keys checked: all hold" in output
    assert Patient.objects.count() == 120
    # Staffing: no counselor above ~40 patients, no physician above ~150.
    loads = Counter(
        CareTeamMember.objects.filter(ended_at__isnull=True).values_list("team_role", "user")
    )
    assert max(n for (role, _), n in loads.items() if role == "counselor") <= 40
    assert max(n for (role, _), n in loads.items() if role == "physician") <= 150
    # Every patient has a counselor, a nurse and a physician on the team.
    assert not Patient.objects.annotate(
        team=Count("care_team", filter=Q(care_team__ended_at__isnull=True))
    ).exclude(team=3)
    # Signed records carry hashes the application verifies; the audit chain is intact.
    signed = Interview.objects.filter(status="signed").prefetch_related("substances")
    assert signed and all(interview_verify_hash(interview=i) for i in signed)
    plans = TreatmentPlan.objects.filter(status__in=["active", "superseded", "closed"])
    plans = plans.prefetch_related("medications", "behavioral")
    assert plans and all(treatment_plan_verify(p) for p in plans)
    assert AuditEvent.objects.exists() and audit_chain_verify().ok
    # MRNs came from the sequence, which was moved past them.
    last = max(int(m) for m in Patient.objects.values_list("mrn", flat=True))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('intake_patient_mrn_seq')")
        assert cursor.fetchone()[0] == last + 1


def test_it_uses_only_reference_codes():
    _generate(patients=60)
    assert set(AuditEvent.objects.values_list("action", flat=True).distinct()) <= {
        "create",
        "update",
        "sign",
    }
    from intake.models import Assessment, LabResult

    assert set(Assessment.objects.values_list("instrument", flat=True).distinct()) <= {
        "dsm5-oud", "cows", "sows", "phq9", "gad7", "dast10", "auditc", "asam"
    }  # fmt: skip
    assert set(LabResult.objects.values_list("test_id", flat=True).distinct()) <= set(
        LabTest.objects.values_list("code", flat=True)
    )


def test_the_same_seed_builds_the_same_rows():
    tests = {t.code: t.as_reference() for t in LabTest.objects.all()}
    panels = {
        p.code: [t.code for t in p.tests.order_by("sort_order", "code")]
        for p in LabPanel.objects.prefetch_related("tests")
    }

    def build(seed):
        clinic = generate_data.Clinic(
            index=0,
            patients=40,
            counselors=[1, 2],
            physicians=[3],
            nurses=[4],
            admin=5,
            usernames={u: f"u{u}" for u in range(1, 6)},
            roles=dict.fromkeys(range(1, 6), "nurse"),
        )
        ctx = generate_data.Context(
            seed=seed,
            patients=40,
            mrn_start=1,
            clinics=[clinic],
            answers=generate_data.AnswerPool(seed),
            labs=generate_data.LabPool(seed, tests, panels),
        )
        builder = generate_data.ClinicBuilder(ctx, clinic)
        builder.build(0)

        def plain(row):
            if hasattr(row, "_meta"):  # a model instance (interviews, substance rows)
                return repr({k: v for k, v in vars(row).items() if k != "_state"})
            return repr(row)

        return {table: [plain(r) for r in rows] for table, rows in builder.rows.items()}

    first, again, other = build(11), build(11), build(12)
    assert first == again
    assert first["intake_labresult"] and first != other


def test_it_refuses_to_generate_the_same_seed_twice():
    _generate(patients=5, seed=9)
    with pytest.raises(CommandError, match="already"):
        _generate(patients=5, seed=9)


class _StrictBuilder(generate_data.ClinicBuilder):
    """Also checks that each row a builder gives names every column of its table, and no other."""

    def add(self, table, row):
        from bench.generate.columns import row_keys

        assert set(row) == set(row_keys(table)), (table, set(row) ^ set(row_keys(table)))
        super().add(table, row)


def _built_clinic(
    patients: int = 500, seed: int = 3, builder_class: type = generate_data.ClinicBuilder
) -> generate_data.ClinicBuilder:
    """One clinic built in Python (nothing written), as a worker of the command builds it."""
    tests = {t.code: t.as_reference() for t in LabTest.objects.all()}
    panels = {
        p.code: [t.code for t in p.tests.order_by("sort_order", "code")]
        for p in LabPanel.objects.prefetch_related("tests")
    }
    users = range(1, 26)
    clinic = generate_data.Clinic(
        index=0,
        patients=patients,
        counselors=list(range(1, 14)),
        physicians=list(range(14, 18)),
        nurses=list(range(18, 25)),
        admin=25,
        usernames={u: f"u{u}" for u in users},
        roles=dict.fromkeys(users, "nurse"),
    )
    ctx = generate_data.Context(
        seed=seed,
        patients=patients,
        mrn_start=1,
        clinics=[clinic],
        answers=generate_data.AnswerPool(seed),
        labs=generate_data.LabPool(seed, tests, panels),
    )
    builder = builder_class(ctx, clinic)
    builder.build(0)
    return builder


def test_the_copy_columns_are_the_models_and_every_built_row_fills_them():
    """COPY writes every column of each table but a serial key, named as the model names them
    (db_column), and every row the builders make has a value for each of them (the lab results
    and audit events, assembled as tuples, check their slices against the model on import)."""
    from django.db import connection

    from bench.generate.columns import copy_columns, row_keys
    from bench.generate.tables import MODELS, STAGE

    def stored(table: str) -> dict[str, bool]:
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, table)
        return {c.name: c.is_autofield for c in description}

    for table, model in MODELS.items():
        columns = stored(table)
        assert set(copy_columns(table)) == {c for c, serial in columns.items() if not serial}
        fields = [f for f in model._meta.concrete_fields if not columns[f.column]]
        assert list(copy_columns(table)) == [f.column for f in fields], table
        assert row_keys(table) == tuple(f.attname for f in fields), table
    audit = stored("intake_auditevent")
    staged = copy_columns(STAGE)
    assert staged[:2] == ("clinic", "rn")
    # The chain columns are the database's: the trigger hashes, the sealer numbers.
    chain = {"prev_hash", "hash", "chain_seq"}
    assert set(staged[2:]) == {c for c, serial in audit.items() if not serial} - chain

    for table, rows in _built_clinic(patients=60, builder_class=_StrictBuilder).rows.items():
        assert rows, table
        assert {len(row) for row in rows} == {len(copy_columns(table))}, table


def _chart_with_interview(counselor, nurse, physician, admin, today):
    """A registered patient with a care team, an episode, a signed interview with an addendum
    and a diagnosis from a DSM-5 checklist."""
    patient = patient_register(
        actor=counselor,
        data={
            "given_name": "Ada",
            "family_name": "Generated",
            "birth_date": datetime.date(1990, 5, 17),
            "sex_at_birth": "female",
        },
    )
    care_team_add(actor=admin, patient=patient, user=nurse, team_role=TeamRole.NURSE)
    care_team_add(actor=admin, patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    episode = episode_admit(
        actor=counselor,
        patient=patient,
        program="outpatient",
        admitted_on=today - datetime.timedelta(days=10),
    )
    interview = interview_create(
        actor=counselor,
        patient=patient,
        data={"primary_substance": "heroin"},
        substances=[{"substance": "heroin", "routes": ["injected"], "frequency": "daily"}],
    )
    interview = interview_sign(actor=counselor, interview=interview)
    interview_add_addendum(actor=counselor, interview=interview, reason="Late", text="Also uses")
    answers = {str(n): "yes" if n <= 6 else "no" for n in range(1, 12)} | {"supervised": "no"}
    dsm5 = assessment_record(
        actor=physician, patient=patient, instrument="dsm5-oud", answers=answers
    )
    diagnosis_record(actor=physician, patient=patient, assessment=dsm5)
    return patient, episode


def _ecg_amended_and_acknowledged(nurse, physician, patient):
    order = lab_order_create(actor=nurse, patient=patient, panel="ecg")
    collected = timezone.now() - datetime.timedelta(hours=1)
    entries = [{"test": "qtc", "value": 520}]
    lab_results_record(
        actor=nurse, order=order, collected_at=collected, observed=True, entries=entries
    )
    corrections = [{"test": "qtc", "value": 530}]
    lab_results_amend(actor=nurse, order=order, corrections=corrections, reason="Re-read")
    alert = LabAlert.objects.filter(order=order, acknowledged_at__isnull=True).first()
    lab_alert_acknowledge(actor=physician, alert=alert, note="Cardiology called")


def _plan_signed_and_amended(counselor, patient, today):
    plan = treatment_plan_create(
        actor=counselor,
        patient=patient,
        data={
            "setting": "outpatient",
            "review_date": (today + datetime.timedelta(days=60)).isoformat(),
            "behavioral": [
                {
                    "modality": "cbt",
                    "setting": "outpatient",
                    "frequency": "weekly",
                    "targets": ["triggers"],
                }
            ],
        },
    )
    treatment_plan_submit(actor=counselor, plan=plan)
    signed = treatment_plan_approve(actor=counselor, plan=plan, password=PASSWORD)
    treatment_plan_amend(actor=counselor, plan=signed, reason="Scheduled review")


def _vitals_and_a_dose(nurse, physician, today):
    """A set of vital signs and a PRN dose of a signed detox plan, through their services."""
    patient = PatientFactory()
    lines = [{"drug": "ondansetron", "dose": 4, "frequency": "q8h-prn", "start_date": today}]
    plan = signed_plan(patient, physician, lines, signed_at=timezone.now())
    vital_signs_record(
        actor=nurse,
        patient=patient,
        taken_at=timezone.now(),
        values={"systolic": 120, "diastolic": 80, "heart_rate": 88},
    )
    data = {"medication": med_id(plan, "ondansetron"), "status": "given"}
    administration_record(actor=nurse, patient=patient, data=data)


def _service_event_shapes() -> dict[tuple[str, str], set[frozenset[str]]]:
    """Each audited write the generator imitates, made once through its service: the detail
    keys per action and object type."""
    counselor = UserFactory(role="counselor")
    nurse = UserFactory(role="nurse")
    physician = UserFactory(role="physician")
    admin = UserFactory(role="clinic-admin")
    today = timezone.localdate()
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    patient, episode = _chart_with_interview(counselor, nurse, physician, admin, today)
    _ecg_amended_and_acknowledged(nurse, physician, patient)
    _plan_signed_and_amended(counselor, patient, today)
    episode_discharge(actor=counselor, episode=episode, discharged_on=today, reason="completed")
    _vitals_and_a_dose(nurse, physician, today)

    shapes: dict[tuple[str, str], set[frozenset[str]]] = {}
    for action, object_type, detail in AuditEvent.objects.filter(id__gt=first).values_list(
        "action", "object_type", "detail"
    ):
        shapes.setdefault((action, object_type), set()).add(frozenset(detail))
    return shapes


def test_generated_audit_events_have_the_services_shape():
    """Action, object type and detail keys of every event the generator writes are those the
    service that makes that write gives it (so the audit report and the privacy officer's
    reviews read generated history as they read real history)."""
    import json

    from bench.generate.columns import row_keys
    from bench.generate.tables import STAGE

    generated: dict[tuple[str, str], set[frozenset[str]]] = {}
    for values in _built_clinic().rows[STAGE]:
        row = dict(zip(row_keys(STAGE), values, strict=True))
        detail = json.loads(row["detail"].obj)
        generated.setdefault((row["action"], row["object_type"]), set()).add(frozenset(detail))
    # The clinic holds every kind the generator writes (the rare ones too: an addendum, an
    # amended result), so that none escapes the comparison.
    assert set(generated) == {
        ("create", "patient"),
        ("create", "careteammember"),
        ("create", "episode"),
        ("update", "episode"),
        ("create", "interview"),
        ("sign", "interview"),
        ("create", "interviewaddendum"),
        ("create", "assessment"),
        ("create", "diagnosis"),
        ("create", "lab-order"),
        ("create", "lab-result"),
        ("update", "lab-result"),
        ("update", "lab-alert"),
        ("create", "treatmentplan"),
        ("update", "treatmentplan"),
        ("sign", "treatmentplan"),
        ("create", "vital-signs"),
        ("create", "administration"),
    }
    services = _service_event_shapes()
    for kind, key_sets in sorted(generated.items()):
        assert kind in services, kind
        assert key_sets <= services[kind], (kind, key_sets, services[kind])


# Supervised detoxes (bench/generate/detox.py) ------------------------------------------------


@pytest.fixture
def detox_network():
    """A small network (about 5% of its patients in a supervised detox at BASE)."""
    _generate(patients=200, seed=5)
    plans = list(
        TreatmentPlan.objects.filter(status="active", withdrawal_monitoring__every_hours=4)
        .select_related("patient")
        .prefetch_related("medications", "behavioral")
    )
    assert len(plans) >= 4
    return plans


def test_detox_patients_have_a_signed_plan_monitoring_and_administrations(detox_network):
    from intake import vital_signs_rules
    from intake.models import Assessment, Episode, MedicationAdministration, VitalSigns

    for plan in detox_network:
        assert plan.medically_supervised_detox and treatment_plan_verify(plan)
        assert plan.withdrawal_monitoring == {"instrument": "cows", "every_hours": 4, "notes": ""}
        drugs = {m.drug for m in plan.medications.all()}
        assert {"buprenorphine", "clonidine", "ondansetron", "loperamide"} <= drugs
        assert Episode.objects.filter(patient=plan.patient, status="active").exists()
        assert MedicationAdministration.objects.filter(plan=plan).exists()
        # COWS every 4 hours from the morning of admission, totals falling over the days.
        cows = list(
            Assessment.objects.filter(patient=plan.patient, instrument="cows")
            .order_by("administered_at")
            .values_list("administered_at", "total")
        )
        assert cows and cows[0][0] > plan.signed_at
        gaps = [b[0] - a[0] for a, b in zip(cows, cows[1:], strict=False)]
        assert all(datetime.timedelta(hours=3.5) < g < datetime.timedelta(hours=4.5) for g in gaps)
        if len(cows) >= 24:
            assert sum(t for _, t in cows[-6:]) < sum(t for _, t in cows[:6])
        # A set of vital signs with each COWS, its flags as the rules compute them.
        sets = VitalSigns.objects.filter(patient=plan.patient)
        assert sets.count() == len(cows)
        for v in sets:
            values = {code: getattr(v, code) for code in vital_signs_rules.MEASURE_CODES}
            assert v.flags == vital_signs_rules.flags(values)
            assert not vital_signs_rules.alerts(v.flags)
    statuses = set(MedicationAdministration.objects.values_list("status", flat=True))
    assert statuses == {"given", "held", "refused"}
    assert Assessment.objects.filter(instrument="ciwa-ar").exists()


def test_detox_due_doses_point_at_their_entries_and_prn_doses_keep_their_interval(
    detox_network,
):
    from intake import mar_schedule
    from intake.mar_rules import HOLD_BELOW, VITALS_WITHIN
    from intake.models import Assessment, DueDose, MedicationAdministration, VitalSigns

    documented = DueDose.objects.select_related("entry", "medication")
    assert documented
    for due in documented:
        entry = due.entry
        assert entry is not None and entry.due_dose_id == due.id
        assert (entry.medication_id, entry.due_at, entry.patient_id) == (
            due.medication_id,
            due.due_at,
            due.patient_id,
        )
        assert due.id == mar_schedule.due_dose_uid(due.medication_id, due.due_at)
        assert not mar_schedule.is_prn(due.medication.frequency)
    scheduled = MedicationAdministration.objects.filter(due_dose_id__isnull=False)
    assert scheduled.count() == documented.count()
    given = MedicationAdministration.objects.filter(status="given").select_related("medication")
    by_line: dict[int, list[datetime.datetime]] = {}
    for entry in given:
        assert entry.dose == entry.medication.dose or entry.medication.taper
        if mar_schedule.is_prn(entry.medication.frequency):
            assert entry.due_dose_id is None
            by_line.setdefault(entry.medication_id, []).append(entry.given_at)
        if entry.medication.drug in HOLD_BELOW:  # given on a set within the hour, above holds
            latest = (
                VitalSigns.objects.filter(patient=entry.patient_id, taken_at__lte=entry.given_at)
                .order_by("-taken_at")
                .first()
            )
            assert latest and entry.given_at - latest.taken_at <= VITALS_WITHIN
            for measure, limit in HOLD_BELOW[entry.medication.drug]:
                assert getattr(latest, measure) >= limit
    assert by_line
    frequency = {e.medication_id: e.medication.frequency for e in given}
    for line, times in by_line.items():
        interval = datetime.timedelta(hours=mar_schedule.PRN_INTERVAL_HOURS[frequency[line]])
        times.sort()
        assert all(b - a >= interval for a, b in zip(times, times[1:], strict=False))
    assert not MedicationAdministration.objects.exclude(status="given").filter(reason="")
    # The first buprenorphine dose of each detox followed a COWS of 8 or more within the hour.
    for plan in detox_network:
        first = given.filter(plan=plan, medication__drug="buprenorphine").order_by("given_at")
        if first:
            at = first[0].given_at
            assert Assessment.objects.filter(
                patient=plan.patient,
                instrument="cows",
                total__gte=8,
                administered_at__range=(at - datetime.timedelta(hours=1), at),
            ).exists()


def test_the_mar_api_shows_a_generated_detox_given_held_and_missed(detox_network, api):
    from intake.models import CareTeamMember

    seen = set()
    for plan in detox_network:
        nurse = CareTeamMember.objects.get(
            patient=plan.patient, team_role="nurse", ended_at__isnull=True
        ).user
        api.force_authenticate(nurse)
        day = timezone.localdate(plan.signed_at)
        while day <= generate_data.BASE.date():
            response = api.get(f"/api/v1/patients/{plan.patient_id}/mar/", {"date": day})
            assert response.status_code == 200, response.content
            for row in response.json()["scheduled"]:
                seen.add(row["status"])
                assert (row["entry"] is None) == (row["status"] == "missed")
            day += datetime.timedelta(days=1)
    assert {"given", "held", "missed"} <= seen
