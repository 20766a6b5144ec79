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
from intake.services.patient import patient_register
from intake.services.treatment_plan import (
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
    treatment_plan_verify,
)
from tests.factories import PASSWORD, UserFactory

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
    }
    services = _service_event_shapes()
    for kind, key_sets in sorted(generated.items()):
        assert kind in services, kind
        assert key_sets <= services[kind], (kind, key_sets, services[kind])
