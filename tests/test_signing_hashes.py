"""The fingerprints of signed records are pinned: a change to how content is made canonical
(dates, decimals, lists, key order) would make every record signed before it fail to verify.
The digests below were computed with the code as it stood before the canonical-JSON helpers were
merged into `intake.signing` (issue 16) and must never change."""

import datetime
import uuid
from decimal import Decimal

import pytest

from intake.models import (
    Interview,
    InterviewAddendum,
    Patient,
    PlanBehavioral,
    PlanMedication,
    SubstanceUse,
    TreatmentPlan,
)
from intake.services.interview import addendum_compute_hash, interview_compute_hash
from intake.services.treatment_plan import content_hash, treatment_plan_content
from intake.signing import canonical_json, content_sha256, json_ready

INTERVIEW_ID = uuid.UUID("11111111-2222-4333-8444-555555555555")
PATIENT_ID = uuid.UUID("66666666-7777-4888-9999-aaaaaaaaaaaa")
ADDENDUM_ID = uuid.UUID("bbbbbbbb-cccc-4ddd-8eee-ffffffffffff")
SIGNED_AT = datetime.datetime(2026, 3, 4, 15, 6, 7, 89, tzinfo=datetime.UTC)

INTERVIEW_HASH = "4d697e0165b58e17ae8b63cf9b52c7b72ddf05c0d286e6520b400d4a12721466"
# The hash of the interview an addendum is chained to (any fixed value does).
CHAINED_HASH = "13a4cb1d0a6f0a4c3e4e1f4f8f2d1a6e9e8e0c0c8c4e4b5a3d2f1e0d9c8b7a6f"
ADDENDUM_HASH = "503b9573e7ae8be3a1edf52647600df25017ac802f285415115c3d36ce25cab8"
OUD, WITHDRAWAL = "Opioid use disorder", "Withdrawal symptoms"
TAPER = [{"day": 1, "dose": "0.1"}, {"day": 4, "dose": "0.05"}]
PLAN_HASH = "627c5630ec71921862dde72d4dcdec98a19dd81f9ffd1248c3497e3fe94e057d"


def _interview() -> tuple[Interview, list[SubstanceUse]]:
    interview = Interview(
        id=INTERVIEW_ID,
        patient_id=PATIENT_ID,
        author_id=42,
        episode_id=None,
        signed_at=SIGNED_AT,
        interviewed_on=datetime.date(2026, 3, 3),
        presenting_problem="Daily fentanyl use; wants to stop. «Naïve» text kept as is.",
        primary_substance="fentanyl",
        last_opioid_use_at=datetime.datetime(2026, 3, 2, 22, 30, tzinfo=datetime.UTC),
        overdose_count=1,
        last_overdose_on=datetime.date(2025, 12, 24),
        risk_factors=["trauma-history", "family-history-addiction"],
        observed_signs=["constricted-pupils"],
    )
    rows = [
        SubstanceUse(
            substance="heroin",
            routes=["smoked", "injected"],
            frequency="daily",
            age_first_use=19,
            last_use_at=datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC),
        ),
        SubstanceUse(substance="alcohol", routes=["oral"], frequency="weekends"),
    ]
    return interview, rows


def test_an_interviews_fingerprint_is_pinned():
    interview, rows = _interview()
    assert interview_compute_hash(interview=interview, substances=rows) == INTERVIEW_HASH


def test_an_addendums_fingerprint_is_pinned():
    addendum = InterviewAddendum(
        id=ADDENDUM_ID,
        interview_id=INTERVIEW_ID,
        author_id=7,
        signed_at=SIGNED_AT,
        reason="Late entry",
        text="Patient reports a second overdose in 2025.",
    )
    assert addendum_compute_hash(addendum=addendum, interview_hash=CHAINED_HASH) == ADDENDUM_HASH


def test_the_canonical_json_is_pinned():
    content = {"b": ["1.5", None], "a": "Ünïcode", "c": {"z": 1}}
    assert canonical_json(content) == '{"a":"Ünïcode","b":["1.5",null],"c":{"z":1}}'
    assert content_sha256(content) == content_sha256(dict(reversed(list(content.items()))))


@pytest.mark.django_db
def test_a_plan_versions_fingerprint_is_pinned(team_physician):
    patient = Patient.objects.create(
        id=PATIENT_ID,
        mrn="99999999",
        given_name="Pin",
        family_name="Hash",
        birth_date=datetime.date(1980, 1, 1),
        sex_at_birth="female",
    )
    plan = TreatmentPlan.objects.create(
        patient=patient,
        version=1,
        setting="outpatient",
        asam_level="1",
        medically_supervised_detox=True,
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
        problems=[
            {
                "code": "oud",
                "description": "Opioid use disorder",
                "goals": [{"text": "Stop use", "objectives": [{"target_date": "2026-06-01"}]}],
            }
        ],
        review_date=datetime.date(2026, 5, 1),
        created_by=team_physician,
        updated_by=team_physician,
    )
    # drug, dose, route, frequency, end date, indication, taper
    lines = [
        ("buprenorphine-naloxone", "16.000", "sublingual", "daily", None, OUD, []),
        ("clonidine", "0.100", "oral", "q6h-prn", datetime.date(2026, 3, 12), WITHDRAWAL, TAPER),
    ]
    for position, (drug, dose, route, frequency, end_date, indication, taper) in enumerate(lines):
        PlanMedication.objects.create(
            plan=plan,
            position=position,
            drug=drug,
            dose=Decimal(dose),
            unit="mg",
            route=route,
            frequency=frequency,
            start_date=datetime.date(2026, 3, 5),
            end_date=end_date,
            indication=indication,
            taper=taper,
        )
    PlanBehavioral.objects.create(
        plan=plan,
        position=0,
        modality="cbt",
        setting="outpatient",
        frequency="weekly",
        targets=["triggers"],
        goals=[{"text": "Name three triggers", "target_date": "2026-04-01"}],
    )
    assert content_hash(treatment_plan_content(plan)) == PLAN_HASH


def test_json_ready_writes_values_as_signed_records_hold_them():
    east = datetime.timezone(datetime.timedelta(hours=5))
    assert json_ready(Decimal("16.000")) == "16"
    assert json_ready(Decimal("0.050")) == "0.05"
    assert json_ready(datetime.date(2026, 3, 5)) == "2026-03-05"
    moment = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=east)
    assert json_ready(moment) == "2026-03-04T05:00:00.000000+00:00"
    goals = [{"text": "Walk", "target_date": datetime.date(2026, 4, 1), "n": 2, "done": None}]
    assert json_ready({"goals": goals}) == {
        "goals": [{"text": "Walk", "target_date": "2026-04-01", "n": 2, "done": None}]
    }
