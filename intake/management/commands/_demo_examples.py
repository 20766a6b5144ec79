"""The clinical content of the demo (`seed_demo`): one function per patient story, so every
page has something to show. The leading underscore keeps Django from listing this module as a
command."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from intake.models import Assessment, Patient
from intake.services.assessment import assessment_record, diagnosis_record
from intake.services.interview import interview_create, interview_sign
from intake.services.lab import lab_order_create, lab_results_record
from intake.services.treatment_plan import (
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HOURS = datetime.timedelta(hours=1)
# Aisha's PHQ-9: moderate, with item 9 (thoughts of self-harm) above zero, which raises the
# suicide-risk alert.
PHQ9_ANSWERS = {
    "1": "2",
    "2": "2",
    "3": "1",
    "4": "2",
    "5": "1",
    "6": "2",
    "7": "1",
    "8": "0",
    "9": "1",
}


def demo_code(user: User) -> str:
    """The current code of a demo account's authenticator (the secret is public)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _group_counseling() -> list[dict[str, Any]]:
    """The behavioral component every demo plan shares."""
    return [
        {
            "modality": "group-counseling",
            "setting": "outpatient",
            "frequency": "twice weekly",
            "targets": ["triggers", "coping-cravings", "relapse-plan", "emotional-discomfort"],
            "goals": [{"text": "Attend 8 of 8 groups", "target_date": None}],
        }
    ]


def _without_assessments(given: str, family: str) -> Patient | None:
    """The demo patient, unless their chart already has content (the command is idempotent)."""
    patient = Patient.objects.filter(given_name=given, family_name=family).first()
    if patient and not Assessment.objects.filter(patient=patient).exists():
        return patient
    return None


def clinical_examples(users: dict[str, User], password: str) -> None:
    """A few charts with clinical content: an OTP patient on methadone, a patient with a
    suicide-risk alert and a plan awaiting review, a diagnosed patient with a draft detox plan,
    a residential patient on the first day of a supervised detox.
    Skipped for charts that already have it."""
    marcus = _without_assessments("Marcus", "Delgado")
    if marcus:
        _marcus_on_methadone(users, marcus, password)
    aisha = _without_assessments("Aisha", "Thompson")
    if aisha:
        _aisha_plan_awaiting_review(users, aisha)
    daniel = _without_assessments("Daniel", "Kowalski")
    if daniel:
        _daniel_diagnosed_for_detox(users, daniel)
    jamal = _without_assessments("Jamal", "Washington")
    if jamal:
        from intake.management.commands._demo_detox import jamal_in_detox

        jamal_in_detox(users, jamal, password)


def _marcus_on_methadone(users: dict[str, User], marcus: Patient, password: str) -> None:
    """Interview, two COWS, a drug screen and an ECG, then a signed methadone plan."""
    now = timezone.now()
    _marcus_interview(users["counselor"], marcus, now)
    _marcus_withdrawal_and_labs(users["nurse"], marcus, now)
    _marcus_methadone_plan(users["physician"], marcus, password)


def _marcus_interview(counselor: User, marcus: Patient, now: datetime.datetime) -> None:
    interview = interview_create(
        actor=counselor,
        patient=marcus,
        data={
            "presenting_problem": "Daily heroin use for six years; wants methadone.",
            "patient_goals": "Keep my job and stop using.",
            "primary_substance": "heroin",
            "how_use_began": "prescribed-after-injury",
            "last_opioid_use_at": now - 20 * HOURS,
            "last_opioid_used": "heroin",
            "naloxone_at_home": False,
            "overdose_count": 1,
            "risk_factors": ["family-history-addiction", "high-risk-exposure"],
            "observed_signs": ["runny-nose", "agitation"],
            "current_medications": "None",
            "housing": "stable",
            "employment": "full-time",
            "readiness_to_change": "action",
        },
        substances=[
            {
                "substance": "heroin",
                "routes": ["injected", "sniffed"],
                "frequency": "several-daily",
                "typical_amount": "1 g",
                "age_first_use": 24,
                "last_use_at": now - 20 * HOURS,
                "tolerance": True,
            }
        ],
    )
    interview_sign(actor=counselor, interview=interview)


def _marcus_withdrawal_and_labs(nurse: User, marcus: Patient, now: datetime.datetime) -> None:
    for h, answers in ((18, "2,2,3,2,2,2,2,1,2,2,3"), (10, "1,1,1,1,1,1,2,1,1,2,0")):
        values = dict(zip([str(n) for n in range(1, 12)], answers.split(","), strict=True))
        assessment_record(
            actor=nurse,
            patient=marcus,
            instrument="cows",
            answers=values,
            administered_at=now - h * HOURS,
        )
    uds = lab_order_create(actor=nurse, patient=marcus, panel="uds")
    lab_results_record(
        actor=nurse,
        order=uds,
        collected_at=now - 9 * HOURS,
        observed=True,
        specimen_type="urine",
        entries=[
            {"test": "opiates", "value": 2400},
            {"test": "6-mam", "value": 40},
            {"test": "fentanyl", "value": 6},
            {"test": "norfentanyl", "value": 12},
            {"test": "specimen-temperature", "value": 35},
            {"test": "creatinine", "value": 80},
            {"test": "specific-gravity", "value": "1.015"},
            {"test": "ph", "value": 6},
        ],
    )
    ecg = lab_order_create(actor=nurse, patient=marcus, panel="ecg")
    lab_results_record(
        actor=nurse,
        order=ecg,
        collected_at=now - 8 * HOURS,
        observed=False,
        entries=[{"test": "qtc", "value": 432}],
    )


def _marcus_methadone_plan(physician: User, marcus: Patient, password: str) -> None:
    today = timezone.localdate()
    plan = treatment_plan_create(
        actor=physician,
        patient=marcus,
        data={
            "setting": "outpatient",
            "asam_level": "otp",
            "review_date": today + datetime.timedelta(days=90),
            "behavioral": _group_counseling(),
            "medications": [
                {"drug": "methadone", "dose": 30, "frequency": "daily", "start_date": today},
                {"drug": "naloxone", "dose": 4, "frequency": "once", "start_date": today},
            ],
        },
    )
    treatment_plan_submit(actor=physician, plan=plan)
    treatment_plan_approve(
        actor=physician,
        plan=plan,
        password=password,
        otp=demo_code(physician),
        acknowledged_warnings=[
            {"code": w["code"], "reason": "Reviewed at intake"} for w in plan.warnings
        ],
    )


def _aisha_plan_awaiting_review(users: dict[str, User], aisha: Patient) -> None:
    """PHQ-9 with a positive item 9 (suicide-risk alert), GAD-7, and a submitted plan."""
    counselor = users["counselor"]
    assessment_record(
        actor=counselor,
        patient=aisha,
        instrument="phq9",
        answers=PHQ9_ANSWERS,
    )
    assessment_record(
        actor=counselor,
        patient=aisha,
        instrument="gad7",
        answers={str(n): "1" for n in range(1, 8)},
    )
    plan = treatment_plan_create(
        actor=counselor,
        patient=aisha,
        data={
            "setting": "outpatient",
            "review_date": timezone.localdate() + datetime.timedelta(days=60),
            "behavioral": _group_counseling(),
        },
    )
    treatment_plan_submit(actor=counselor, plan=plan)


def _daniel_diagnosed_for_detox(users: dict[str, User], daniel: Patient) -> None:
    """DSM-5 checklist, the physician's diagnosis, and a draft inpatient detox plan."""
    counselor = users["counselor"]
    dsm = assessment_record(
        actor=counselor,
        patient=daniel,
        instrument="dsm5-oud",
        answers={
            **{str(n): "yes" for n in range(1, 9)},
            "9": "no",
            "10": "yes",
            "11": "yes",
            "supervised": "no",
        },
    )
    diagnosis_record(actor=users["physician"], patient=daniel, assessment=dsm)
    treatment_plan_create(
        actor=counselor,
        patient=daniel,
        data={
            "setting": "inpatient",
            "asam_level": "3.7",
            "medically_supervised_detox": True,
            "review_date": timezone.localdate() + datetime.timedelta(days=14),
            "behavioral": _group_counseling(),
        },
    )
