"""Personas, as in the style guide: a patient with a care team (counselor, nurse, physician),
an off-team nurse and counselor, a clinic administrator and a privacy officer."""

import pytest
from rest_framework.test import APIClient

from intake.models import TeamRole
from tests.browser_support import browser, reference_data  # noqa: F401 - shared fixtures
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory


@pytest.fixture
def team_counselor(db):
    return UserFactory(username="team-counselor", role="counselor")


@pytest.fixture
def team_nurse(db):
    return UserFactory(username="team-nurse", role="nurse")


@pytest.fixture
def team_physician(db):
    return UserFactory(username="team-physician", role="physician")


@pytest.fixture
def offteam_nurse(db):
    return UserFactory(username="offteam-nurse", role="nurse")


@pytest.fixture
def offteam_counselor(db):
    return UserFactory(username="offteam-counselor", role="counselor")


@pytest.fixture
def offteam_physician(db):
    return UserFactory(username="offteam-physician", role="physician")


@pytest.fixture
def clinic_admin(db):
    return UserFactory(username="clinic-admin", role="clinic-admin")


@pytest.fixture
def privacy_officer(db):
    return UserFactory(username="privacy-officer", role="privacy-officer")


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


def signed_in(client, user):
    client.force_login(user)
    return client
