import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from intake.models import (
    Assessment,
    CareTeamMember,
    Episode,
    Patient,
    Role,
    StaffProfile,
    TeamRole,
    TreatmentPlan,
)

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.
_TODAY = timezone.localdate()
IN_60_DAYS_DATE = _TODAY + datetime.timedelta(days=60)

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


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    """A draft, behavioral-only plan."""

    class Meta:
        model = TreatmentPlan

    patient = factory.SubFactory(PatientFactory)
    setting = "outpatient"
    review_date = IN_60_DAYS_DATE


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
