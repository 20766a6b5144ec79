"""Existence is not disclosed (issue 10, item 11): an unknown record and one outside the care
team get the same 404 text, whatever the object."""

import uuid

import pytest

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_unknown_and_not_yours_read_the_same(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    off_team = PatientFactory()
    unknown = uuid.uuid4()
    bodies = [
        api.get(f"/api/v1/patients/{off_team.pk}/").json(),
        api.get(f"/api/v1/patients/{unknown}/").json(),
        api.post(f"/api/v1/consents/{unknown}/revoke/", {}, format="json").json(),
        api.get(f"/api/v1/treatment-plans/{unknown}/").json(),
        api.get(f"/api/v1/interviews/{unknown}/").json(),
    ]
    assert all(body == {"detail": "Not found."} for body in bodies), bodies
