"""Factories, request payloads and valid records shared by the test modules."""

import datetime
from collections.abc import Callable

import factory
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from intake.models import (
    Assessment,
    CareTeamMember,
    CounselingNote,
    Episode,
    Interview,
    Patient,
    PlanMedication,
    Role,
    SessionNote,
    SessionNoteStatus,
    StaffProfile,
    SubstanceUse,
    TeamRole,
    TreatmentPlan,
)
from intake.services.consent import consent_create

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.
_TODAY = timezone.localdate()
IN_60_DAYS_DATE = _TODAY + datetime.timedelta(days=60)


def in_days(days: int) -> str:
    """Today plus `days`, as the API and the forms take a date."""
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


IN_60_DAYS = IN_60_DAYS_DATE.isoformat()

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    # Staff surnames from their own list: a random one could be a patient's name that a test
    # checks is absent from a page ("Lopez" made a privacy test fail now and then).
    last_name = factory.Iterator(["Okafor", "Brennan", "Novak", "Haddad", "Lindqvist", "Tanaka"])
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            role = Role(extracted)
            self.groups.add(Group.objects.get_or_create(name=role.label)[0])
            StaffProfile.objects.create(
                user=self,
                may_diagnose=role == Role.PHYSICIAN,
                may_prescribe=role == Role.PHYSICIAN,
            )


def staff_fixture(username: str, role: str) -> Callable:
    """A fixture giving one staff account: `username` in the clinic role `role`."""

    @pytest.fixture
    def account(db):
        return UserFactory(username=username, role=role)

    return account


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"{90000000 + n:08d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = factory.Faker(
        "date_between", start_date=datetime.date(1950, 1, 1), end_date=datetime.date(2005, 1, 1)
    )
    sex_at_birth = "female"


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    patient = factory.SubFactory(PatientFactory)
    user = factory.SubFactory(UserFactory, role="counselor")
    team_role = TeamRole.COUNSELOR


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    program = "outpatient"
    admitted_on = datetime.date(2026, 10, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A recorded DSM-5 criteria assessment: severe (criteria 1-6 met, unsupervised)."""

    class Meta:
        model = Assessment

    patient = factory.SubFactory(PatientFactory)
    instrument = "dsm5-oud"
    version = "1"
    answers = factory.LazyFunction(
        lambda: {**{str(n): "yes" if n <= 6 else "no" for n in range(1, 12)}, "supervised": "no"}
    )
    total = 6
    band = "severe"
    administered_at = factory.LazyFunction(timezone.now)
    administered_by = factory.SubFactory(UserFactory, role="counselor")


class SessionNoteFactory(factory.django.DjangoModelFactory):
    """A draft individual-counseling note; `signed=True` stores it as signed (status,
    signed_at and content_hash set directly, no signing service)."""

    class Meta:
        model = SessionNote

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(UserFactory, role="counselor")
    kind = "individual"
    session_date = factory.LazyFunction(timezone.localdate)
    duration_minutes = 50
    data = "Talked about the week; attended two groups."
    assessment = "Engaged, cravings lower."
    plan_text = "Meet again next week."

    class Params:
        signed = factory.Trait(
            status=SessionNoteStatus.SIGNED,
            signed_at=factory.LazyFunction(timezone.now),
            content_hash="0" * 64,
        )


class CounselingNoteFactory(factory.django.DjangoModelFactory):
    """The counseling notes of a session note, by its author. A signed note takes no new parts
    (a database trigger), so `sign_note=True` signs the draft note after they are written."""

    class Meta:
        model = CounselingNote
        skip_postgeneration_save = True

    note = factory.SubFactory(SessionNoteFactory)
    author = factory.SelfAttribute("note.author")
    text = "Private: explored the grief behind the relapse."

    @factory.post_generation
    def sign_note(self, create, extracted, **kwargs):
        if create and extracted:
            SessionNote.objects.filter(pk=self.note_id).update(
                status=SessionNoteStatus.SIGNED, signed_at=timezone.now(), content_hash="0" * 64
            )
            self.note.refresh_from_db()


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    """A draft, behavioral-only plan."""

    class Meta:
        model = TreatmentPlan

    patient = factory.SubFactory(PatientFactory)
    setting = "outpatient"
    review_date = IN_60_DAYS_DATE


def medication_row(index: int, drug: str, dose: str, **fields: str) -> dict[str, str]:
    """Row `index` of the plan page's medication formset: `drug` at `dose`, daily from
    2026-11-25 unless `fields` say otherwise (frequency, start_date, taper, ...)."""
    row = {"drug": drug, "dose": dose, "frequency": "daily", "start_date": "2026-11-25", **fields}
    return {f"med-{index}-{name}": value for name, value in row.items()}


def methadone_plan(patient, *, dose, start_date, end_date=None, review_date=None):
    """A draft outpatient plan with one daily oral methadone line, written straight to the
    database: no service checks, so a test can store what the services would refuse."""
    plan = TreatmentPlan.objects.create(
        patient=patient, setting="outpatient", review_date=review_date or IN_60_DAYS_DATE
    )
    PlanMedication.objects.create(
        plan=plan,
        drug="methadone",
        dose=dose,
        route="oral",
        frequency="daily",
        start_date=start_date,
        end_date=end_date,
    )
    return plan


def mark_signed(plan, physician, signed_at=None) -> None:
    """Make `plan` active as if `physician` had signed it (at `signed_at`, default now)."""
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        status="active",
        signed_at=signed_at or timezone.now(),
        signed_by=physician,
        content_hash="x" * 64,
    )


def second_factor(user) -> str:
    """A one-time code proving `user`'s second factor: enrols an authenticator if needed and
    returns a fresh single-use recovery code (TOTP codes cannot be replayed within their
    30-second step, so tests that sign twice use these)."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery codes", defaults={"confirmed": True}
    )
    token = secrets.token_hex(4)
    StaticToken.objects.create(device=device, token=token)
    return token


# Interviews
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


# 42 CFR 2.31 consents and disclosures
RECIPIENT = "Dr. Ada Primary, Northside Family Practice"
PURPOSE = "Coordination of care with the primary care physician"


def consent_payload(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "disclosing_party": "Riverside Opioid Treatment Program",
        "recipient": RECIPIENT,
        "recipient_is_general_designation": False,
        "information": "Substance use disorder diagnosis, treatment plan and drug screen results "
        "from the last 12 months",
        "content_kinds": ["patient-summary", "treatment-plan", "lab-results"],
        "purpose": PURPOSE,
        "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
        "expiry_event": "",
        "right_to_revoke_acknowledged": True,
        "signed_on": today.isoformat(),
        "signed_by": "Maria Lopez (patient)",
    }
    data.update(overrides)
    return data


def make_consent(patient, actor, **overrides):
    data = consent_payload(**overrides)
    for key in ("expires_on", "signed_on"):
        if isinstance(data.get(key), str) and data[key]:
            data[key] = datetime.date.fromisoformat(data[key])
    return consent_create(actor=actor, patient=patient, data=data)
