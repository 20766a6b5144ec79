"""List and chart pages run a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import TeamRole
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, method, url, data=None):
    client.get("/")  # the first request after sign-in renews the session; measure steady state
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _caseload(user, n):
    for i in range(n):
        p = PatientFactory(family_name=f"Garcia{i}")
        CareTeamMemberFactory(patient=p, user=user, team_role=TeamRole.COUNSELOR)
        EpisodeFactory(patient=p)


def test_home_list_does_not_grow_with_rows(client, team_counselor):
    _caseload(team_counselor, 2)
    client.force_login(team_counselor)
    small = _queries(client, "get", "/")
    _caseload(team_counselor, 48)
    assert _queries(client, "get", "/") == small
    # The caseload (two queries) and, since the worklist, one query per kind of work the
    # counselor acts on plus the top bar's counts (tests/test_query_budgets.py, per role).
    assert small <= 12


def test_search_does_not_grow_with_rows(client, team_counselor):
    _caseload(team_counselor, 2)
    client.force_login(team_counselor)
    small = _queries(client, "post", "/patients/", {"q": "garcia"})
    _caseload(team_counselor, 48)
    assert _queries(client, "post", "/patients/", {"q": "garcia"}) == small
    assert small <= 12


def test_chart_does_not_grow_with_rows(client, patient, team_counselor):
    client.force_login(team_counselor)
    EpisodeFactory(patient=patient)
    small = _queries(client, "get", f"/patients/{patient.pk}/")
    for _ in range(20):
        EpisodeFactory(
            patient=patient,
            program="outpatient",
            status="discharged",
            discharged_on="2026-10-02",
            discharge_reason="completed",
        )
        CareTeamMemberFactory(
            patient=patient, user=UserFactory(role="nurse"), team_role=TeamRole.NURSE
        )
    assert _queries(client, "get", f"/patients/{patient.pk}/") == small
    assert small <= 15
