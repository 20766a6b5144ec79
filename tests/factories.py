import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from intake.models import CareTeamMember, Episode, Patient, Role, StaffProfile, TeamRole

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            role = Role(extracted)
            self.groups.add(Group.objects.get(name=role.label))
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
