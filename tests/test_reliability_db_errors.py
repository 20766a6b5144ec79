"""A database that says "try again", or is not there: the request is retried, then answered
503 with Retry-After (JSON for the API, a plain page otherwise), never a traceback; the app
recovers on its own (issue 11)."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from intake.models import Assessment
from intake.services import assessment as assessment_services

pytestmark = pytest.mark.django_db

PHQ9 = {"instrument": "phq9", "answers": {str(n): 1 for n in range(1, 10)}}


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _db_error(sqlstate: str | None, message: str) -> OperationalError:
    try:
        raise OperationalError(message) from (_PgError(sqlstate) if sqlstate else None)
    except OperationalError as exc:
        return exc


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/assessments/"


def _client(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)  # as served: no transaction around the request
def test_a_deadlock_is_retried_before_the_client_sees_anything(patient, team_counselor):
    real = assessment_services.assessment_record
    calls = []

    def deadlock_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _db_error("40P01", "deadlock detected")
        return real(**kwargs)

    with mock.patch("intake.api.assessment.assessment_record", side_effect=deadlock_once):
        response = _client(team_counselor).post(_url(patient), PHQ9, format="json")
    assert response.status_code == 201, response.content
    assert len(calls) == 2
    assert Assessment.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_conflict_that_persists_is_a_503_with_retry_after(patient, team_counselor, settings):
    error = _db_error("40001", "could not serialize access")
    with mock.patch("intake.api.assessment.assessment_record", side_effect=error) as record:
        response = _client(team_counselor).post(_url(patient), PHQ9, format="json")
    assert response.status_code == 503
    assert record.call_count == 1 + settings.DB_RETRY_ATTEMPTS
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "temporarily-unavailable"
    assert "Traceback" not in response.content.decode()
    assert not Assessment.objects.exists()


def test_other_database_errors_are_not_retried(patient, team_counselor):
    error = _db_error("23505", "duplicate key")
    with mock.patch("intake.api.assessment.assessment_record", side_effect=error) as record:
        response = _client(team_counselor).post(_url(patient), PHQ9, format="json")
    assert record.call_count == 1
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Something went wrong")


def test_an_unreachable_database_is_a_503_page_and_json(client, patient, team_nurse):
    error = _db_error(None, "connection refused")
    client.raise_request_exception = False
    client.force_login(team_nurse)
    with mock.patch("intake.resolvers.resolve_patient", side_effect=error):
        page = client.get(f"/patients/{patient.pk}/")
        api = _client(team_nurse).get(f"/api/v1/patients/{patient.pk}/")
    assert page.status_code == 503 and b"Temporarily unavailable" in page.content
    assert page["Retry-After"] == "5"
    assert api.status_code == 503 and api.json()["code"] == "temporarily-unavailable"


@pytest.mark.django_db(transaction=True)
def test_the_app_recovers_when_the_database_comes_back(patient, team_nurse):
    api = _client(team_nurse)
    url = f"/api/v1/patients/{patient.pk}/"
    assert api.get(url).status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: PostgreSQL is "down"
    try:
        down = api.get(url)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert down.status_code == 503
    assert down.json()["code"] == "temporarily-unavailable"
    assert api.get(url).status_code == 200  # no restart
