"""Interview factories and request payloads shared by the interview test modules."""

import datetime

import factory
from django.utils import timezone

from intake.models import Interview, SubstanceUse
from tests.factories import PatientFactory, UserFactory


class InterviewFactory(factory.django.DjangoModelFactory):
    """A draft interview with a few sections filled in."""

    class Meta:
        model = Interview

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(UserFactory, role="counselor")
    interviewed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    presenting_problem = "Daily fentanyl use; wants to stop."
    primary_substance = "fentanyl"
    risk_factors = factory.LazyFunction(lambda: ["family-history-addiction"])
    observed_signs = factory.LazyFunction(lambda: ["constricted-pupils"])


class SubstanceUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubstanceUse

    interview = factory.SubFactory(InterviewFactory)
    substance = "heroin"
    routes = factory.LazyFunction(lambda: ["injected"])
    frequency = "daily"
    age_first_use = 19


def api_payload(**overrides) -> dict:
    """A complete interview as the API takes it."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    last_use = timezone.now() - datetime.timedelta(hours=14)
    payload = {
        "interviewed_on": yesterday.isoformat(),
        "presenting_problem": "Using fentanyl daily for two years; wants to stop.",
        "patient_goals": "Keep my job, get my kids back.",
        "primary_substance": "fentanyl",
        "last_opioid_used": "fentanyl",
        "last_opioid_use_at": last_use.isoformat(),
        "how_use_began": "prescribed-after-surgery",
        "onset_notes": "Oxycodone after knee surgery, then pills on the street, then fentanyl.",
        "overdose_count": 2,
        "last_overdose_on": (yesterday - datetime.timedelta(days=60)).isoformat(),
        "naloxone_at_home": False,
        "unsuccessful_quit_attempts": 3,
        "quit_attempts_outcome": "Withdrawal within a day each time.",
        "use_despite_consequences": True,
        "prior_treatment": ["detox"],
        "prior_treatment_outcome": "Detox 2024, relapsed in a week.",
        "risk_factors": ["family-history-addiction", "heavy-tobacco"],
        "observed_signs": ["constricted-pupils", "needle-marks"],
        "behavioral_signs": ["money-problems"],
        "mental_health_conditions": ["depression"],
        "medical_conditions": ["hepatitis-c"],
        "pregnancy_status": "not-pregnant",
        "psychiatric_history": "Depression treated by primary care.",
        "current_medications": "Sertraline 50 mg",
        "allergies": "None known",
        "housing": "unstable",
        "employment": "part-time",
        "legal_involvement": "none",
        "family_supports": "Sister nearby.",
        "readiness_to_change": "preparation",
        "impressions": "Severe OUD likely; candidate for buprenorphine induction.",
        "substances": [
            {
                "substance": "fentanyl",
                "routes": ["smoked", "injected"],
                "frequency": "several-daily",
                "typical_amount": "0.5 g",
                "age_first_use": 17,
                "last_use_at": last_use.isoformat(),
                "tolerance": True,
            },
            {"substance": "stimulant", "substance_name": "methamphetamine", "routes": ["smoked"]},
        ],
    }
    payload.update(overrides)
    return payload
