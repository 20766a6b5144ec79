"""The demo's withdrawal-management story (`seed_demo`): a residential patient starting a
supervised detox today, so the MAR, the medication pass, the flowsheet and the physician's
daily review have something to show. Everything goes through the services, as a nurse and a
physician would enter it, so every rule applies (the induction dose follows a COWS of 8 or
more; clonidine follows vital signs)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from intake.mar_schedule import line_uid
from intake.models import Patient
from intake.services.assessment import assessment_record
from intake.services.medication_administration import administration_record
from intake.services.treatment_plan import (
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
)
from intake.services.vital_signs import vital_signs_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MINUTES = datetime.timedelta(minutes=1)
# A moderate withdrawal: COWS 13 (pulse 1, sweating 2, restlessness 1, pupils 2, aches 1,
# runny nose 2, GI 2, tremor 1, yawning 1, anxiety 0, gooseflesh 0).
COWS_ANSWERS = dict(
    zip([str(n) for n in range(1, 12)], "1,2,1,2,1,2,2,1,1,0,0".split(","), strict=True)
)


def _lines(today: datetime.date) -> list[dict[str, object]]:
    return [
        {
            "drug": "buprenorphine-naloxone",
            "dose": 4,
            "frequency": "q4h-prn",
            "start_date": today,
            "end_date": today + datetime.timedelta(days=6),
            "indication": "Opioid withdrawal, COWS 8 or more",
        },
        {
            "drug": "clonidine",
            "dose": "0.1",
            "frequency": "qid",
            "start_date": today,
            "end_date": today + datetime.timedelta(days=6),
        },
        {
            "drug": "ondansetron",
            "dose": 4,
            "frequency": "q8h-prn",
            "start_date": today,
            "end_date": today + datetime.timedelta(days=6),
            "indication": "Nausea or vomiting",
        },
        {"drug": "naloxone", "dose": 4, "frequency": "once", "start_date": today},
    ]


def jamal_in_detox(users: dict[str, User], jamal: Patient, password: str) -> None:
    """COWS 13 and vital signs, a signed residential detox plan with PRN buprenorphine,
    scheduled clonidine and symptom medicines, and the induction dose given."""
    nurse, physician = users["nurse"], users["physician"]
    now = timezone.now()
    assessment_record(
        actor=nurse,
        patient=jamal,
        instrument="cows",
        answers=COWS_ANSWERS,
        administered_at=now - 20 * MINUTES,
    )
    vital_signs_record(
        actor=nurse,
        patient=jamal,
        taken_at=now - 15 * MINUTES,
        values={
            "systolic": 138,
            "diastolic": 88,
            "heart_rate": 96,
            "respiratory_rate": 18,
            "temperature_c": 37.2,
            "spo2": 97,
        },
    )
    today = timezone.localdate()
    plan = treatment_plan_create(
        actor=physician,
        patient=jamal,
        data={
            "setting": "residential",
            "asam_level": "3.7",
            "medically_supervised_detox": True,
            "withdrawal_monitoring": {"instrument": "cows", "every_hours": 4},
            "review_date": today + datetime.timedelta(days=14),
            "medications": _lines(today),
        },
    )
    treatment_plan_submit(actor=physician, plan=plan)
    # Marcus's plan was signed with the authenticator's current code a moment ago, and a code
    # is never accepted twice: this signature uses a single-use code made for it.
    device = StaticDevice.objects.create(user=physician, name="demo signature", confirmed=True)
    code = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=code)
    treatment_plan_approve(
        actor=physician,
        plan=plan,
        password=password,
        otp=code,
        acknowledged_warnings=[
            {"code": w["code"], "reason": "Reviewed on admission"} for w in plan.warnings
        ],
    )
    device.delete()
    induction = plan.medications.get(drug="buprenorphine-naloxone")
    administration_record(
        actor=nurse,
        patient=jamal,
        data={"medication": str(line_uid(induction.pk)), "status": "given"},
    )
