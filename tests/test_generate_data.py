"""`manage.py generate_data`: consistent, deterministic fictional data at scale."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from bench import generate as generate_data
from intake.models import (
    AuditEvent,
    CareTeamMember,
    Interview,
    LabPanel,
    LabTest,
    Patient,
    TreatmentPlan,
)
from intake.services.audit_chain import audit_chain_verify
from intake.services.interview import interview_verify_hash
from intake.services.treatment_plan import treatment_plan_verify

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
