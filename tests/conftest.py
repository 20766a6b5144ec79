"""Personas, as in the style guide: a patient with a care team (counselor, nurse, physician),
an off-team nurse and counselor, a clinic administrator and a privacy officer."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from intake.models import TeamRole
from tests.browser_support import browser, reference_data  # noqa: F401 - shared fixtures
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory, staff_fixture

# A fixed instant for tests whose dates are a worked example around "now": 10:00 in New York on
# 25 November 2026. PostgreSQL's clock is not frozen, so tests that compare stored times with
# the database's own now() (the audit chain's sealing check) must not use it.
FROZEN_AT = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen_now():
    """Python's clock stopped at FROZEN_AT for the test (time.time, datetime.now,
    timezone.now and timezone.localdate all answer FROZEN_AT)."""
    with time_machine.travel(FROZEN_AT, tick=False):
        yield FROZEN_AT


# The personas: one account each, named as the style guide names them.
team_counselor = staff_fixture("team-counselor", "counselor")
team_nurse = staff_fixture("team-nurse", "nurse")
team_physician = staff_fixture("team-physician", "physician")
offteam_nurse = staff_fixture("offteam-nurse", "nurse")
offteam_counselor = staff_fixture("offteam-counselor", "counselor")
offteam_physician = staff_fixture("offteam-physician", "physician")
clinic_admin = staff_fixture("clinic-admin", "clinic-admin")
privacy_officer = staff_fixture("privacy-officer", "privacy-officer")


@pytest.fixture
def patient(db, team_counselor, team_nurse, team_physician):
    patient = PatientFactory(given_name="Maria", family_name="Lopez")
    CareTeamMemberFactory(patient=patient, user=team_counselor, team_role=TeamRole.COUNSELOR)
    CareTeamMemberFactory(patient=patient, user=team_nurse, team_role=TeamRole.NURSE)
    CareTeamMemberFactory(patient=patient, user=team_physician, team_role=TeamRole.PHYSICIAN)
    return patient


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` to act as someone."""
    return APIClient()


@pytest.fixture
def nurse_api(api, team_nurse):
    """The API as the patient's team nurse (the MAR tests document doses as her)."""
    api.force_authenticate(team_nurse)
    return api


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def operator(db):
    """A superuser (operator) with an authenticator: the only kind of account the admin admits."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(username="operator", is_superuser=True, is_staff=True)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


@pytest.fixture
def operator_client(client, operator):
    """`client` signed in as `operator`, the session verified by their authenticator, as the
    sign-in page leaves it (password, then code: django_otp.login)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = operator.totpdevice_set.get().persistent_id
    session.save()
    return client
