"""Cross-patient access: a clinician on one patient's team reaches nothing of another patient
through any API endpoint, whether addressed by patient id or by the id of a record (a consent,
an order, a plan...). The answer is 404, as for a record that does not exist."""

import pytest
from rest_framework.test import APIClient

from intake.models import TeamRole
from tests import test_url_walk as walk
from tests.factories import CareTeamMemberFactory, PatientFactory

values = walk.values  # ids of the `patient` fixture's records, for every URL parameter


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "nurse", "counselor"])
def test_no_api_endpoint_reaches_another_patient(values, role):
    from tests.factories import UserFactory

    mine = PatientFactory()
    user = UserFactory(username=f"other-team-{role}", role=role)
    CareTeamMemberFactory(patient=mine, user=user, team_role=TeamRole(role))
    api = APIClient()
    api.force_authenticate(user)
    routes = [
        (route, name)
        for route, name, _p in walk._patterns()
        if route.startswith("api/") and "<uuid:" in route
    ]
    assert len(routes) >= 10
    for route, name in routes:
        url = walk._fill(route, values)
        statuses = {
            m: getattr(api, m)(url, {}, format="json").status_code
            for m in ("get", "post", "patch", "put", "delete")
        }
        if name in walk.EMERGENCY_ACCESS_NAMES:
            assert statuses["post"] == 400, (name, statuses)  # no reason stated: nothing opened
            continue
        assert not any(200 <= s < 300 for s in statuses.values()), (role, name, statuses)
        assert set(statuses.values()) <= {403, 404, 405}, (role, name, statuses)
        assert 404 in statuses.values() or 403 in statuses.values(), (role, name, statuses)
