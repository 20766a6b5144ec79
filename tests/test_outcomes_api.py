"""Program outcomes through the API, the page and its CSV export (docs/api.md#outcomes): who may
read them, the filters and their refusals, the audit events (no patient), and the replica."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from clinic.database import replica_database_config
from intake.db_router import REPLICA_ALIAS, PrimaryRouter, reports_alias
from intake.models import AuditEvent, Episode
from intake.selectors import outcomes as outcomes_selector
from intake.selectors.outcomes import OutcomeFilters, outcomes_report
from tests.outcomes_support import TODAY, days_ago, episode, give, medication, refresh_summary

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcomes/"


@pytest.fixture
def two_episodes(frozen_now):
    """One patient still in treatment 200 days after admission, on buprenorphine for 180 days;
    one who left on day 10, admitted 100 days ago to the opioid treatment program."""
    kept = episode(200)
    give(medication(kept), range(0, 180))
    left = episode(100, program="otp", discharged_after=10, reason="lost-to-follow-up")
    refresh_summary()
    return kept, left


def _as(api, user):
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("role", ["team_counselor", "team_nurse", "privacy_officer"])
def test_it_refuses_roles_without_the_permission(api, request, role):
    user = request.getfixturevalue(role)
    assert _as(api, user).get(URL).status_code == 403
    assert not AuditEvent.objects.filter(object_type="outcomes-report").exists()


@pytest.mark.parametrize("role", ["team_physician", "clinic_admin"])
def test_physicians_and_clinic_admins_read_the_figures(api, request, two_episodes, role):
    user = request.getfixturevalue(role)
    response = _as(api, user).get(URL)
    assert response.status_code == 200
    body = response.json()
    # Day 30 and 90: both measured, one retained (1 / 2); day 180: only the first measured.
    assert body["patients"] == 2
    assert body["retention"] == {"30": 0.5, "90": 0.5, "180": 1.0}
    assert body["continuity_180"] == 1.0
    assert body["days_to_first_dose_median"] == 0.0
    assert set(body) == {
        "patients",
        "retention",
        "continuity_180",
        "days_to_first_dose_median",
        "uds_negative_rate",
        "phq9_response",
        "phq9_remission",
        "counts",
        "computed_at",
        "as_of",
    }
    event = AuditEvent.objects.get(object_type="outcomes-report")
    assert (event.action, event.patient_id, event.actor_username) == ("read", None, user.username)


def test_it_filters_by_program_period_and_clinician(api, team_physician, two_episodes):
    api = _as(api, team_physician)
    assert api.get(URL, {"program": "otp"}).json()["patients"] == 1
    period = {"admitted_from": days_ago(150).isoformat(), "admitted_to": TODAY.isoformat()}
    assert api.get(URL, period).json()["retention"] == {"30": 0.0, "90": 0.0, "180": None}
    assert api.get(URL, {"clinician": team_physician.pk}).json()["patients"] == 0
    details = [e.detail for e in AuditEvent.objects.filter(object_type="outcomes-report")]
    assert {"filters": period} in details


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"program": "detox"}, "program"),
        ({"program": "otp\x00"}, "program"),
        ({"admitted_from": "2026-02-30"}, "admitted_from"),
        ({"admitted_to": "yesterday"}, "admitted_to"),
        ({"admitted_from": "1899-12-31"}, "admitted_from"),
        ({"clinician": "abc"}, "clinician"),
        ({"clinician": "999999"}, "clinician"),
        ({"admitted_from": "2026-11-02", "admitted_to": "2026-11-01"}, "admitted_to"),
    ],
)
def test_it_refuses_bad_filters_naming_the_field(api, team_physician, query, field):
    response = _as(api, team_physician).get(URL, query)
    assert response.status_code == 400
    assert field in response.content.decode()  # {field: [...]}, or the NUL guard's detail
    assert not AuditEvent.objects.filter(object_type="outcomes-report").exists()


def test_a_clinician_filter_takes_only_clinicians(api, team_physician, privacy_officer):
    api = _as(api, team_physician)
    assert api.get(URL, {"clinician": team_physician.pk}).status_code == 200
    assert api.get(URL, {"clinician": privacy_officer.pk}).status_code == 400


def test_the_page_shows_the_figures_in_clinical_words(client, team_physician, two_episodes):
    client.force_login(team_physician)
    response = client.get("/outcomes/", {"program": "outpatient"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Opioid treatment program" in html  # the program select speaks clinical words
    assert "Retention at 180 days: 100.0% (1 of 1)" in html
    assert 'id="outcomes-data"' in html and "chart.umd.min.js" in html
    assert "<script>" not in html  # data by json_script, code from files (CSP)
    for ep in Episode.objects.all():  # no patient, by name or id
        assert ep.patient.family_name not in html and str(ep.patient_id) not in html
    event = AuditEvent.objects.get(object_type="outcomes-report")
    assert (event.action, event.patient_id) == ("read", None)
    assert event.detail == {"filters": {"program": "outpatient"}}


def test_the_nav_links_the_page_for_those_who_may_open_it(client, team_physician, team_nurse):
    client.force_login(team_physician)
    assert b'data-testid="nav-outcomes"' in client.get("/").content
    client.force_login(team_nurse)
    assert b'data-testid="nav-outcomes"' not in client.get("/").content
    assert client.get("/outcomes/").status_code == 403


def test_the_page_shows_a_refused_filter_and_no_figures(client, clinic_admin, two_episodes):
    client.force_login(clinic_admin)
    response = client.get("/outcomes/", {"admitted_from": "2026-13-01"})
    assert response.status_code == 200
    assert b'data-testid="filter-refused"' in response.content
    assert b'data-testid="outcomes-table"' not in response.content


def test_the_csv_export_has_the_figures_and_is_audited(client, clinic_admin, two_episodes):
    client.force_login(clinic_admin)
    response = client.get("/outcomes/export.csv", {"program": "otp"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_measure = {r["measure"]: r for r in rows}
    assert by_measure["Patients"]["value"] == "1"
    # The otp patient left on day 10: measured at 30 and 90, not retained.
    assert by_measure["Retention at 30 days"] == {
        "measure": "Retention at 30 days",
        "period": "",
        "rate": "0.0",
        "numerator": "0",
        "denominator": "1",
        "value": "",
    }
    assert by_measure["Retention at 180 days"]["rate"] == ""  # not measured
    event = AuditEvent.objects.get(object_type="outcomes-report")
    assert (event.action, event.patient_id) == ("export", None)
    assert event.detail == {"filters": {"program": "otp"}, "format": "csv"}


def test_the_csv_export_refuses_a_bad_filter(client, team_physician):
    client.force_login(team_physician)
    response = client.get("/outcomes/export.csv", {"admitted_to": "soon"})
    assert response.status_code == 400
    assert b"admitted_to" in response.content
    assert not AuditEvent.objects.filter(object_type="outcomes-report").exists()


def test_the_csv_export_refuses_other_roles(client, team_counselor):
    client.force_login(team_counselor)
    assert client.get("/outcomes/export.csv").status_code == 403


def test_the_report_is_kept_for_a_while_per_filters(
    settings, two_episodes, django_assert_num_queries
):
    settings.OUTCOMES_CACHE_SECONDS = 300
    cache.clear()
    first = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    episode(40)  # admitted after the figures were computed
    refresh_summary()
    with django_assert_num_queries(0):
        assert outcomes_report(filters=OutcomeFilters(), today=TODAY) == first
    # Other filters are other figures: computed now, the new admission included.
    assert (
        outcomes_report(filters=OutcomeFilters(program="outpatient"), today=TODAY)["patients"] == 2
    )
    cache.clear()


# The replica (intake/db_router.py) -------------------------------------------------------------


def test_without_a_replica_the_reports_read_the_default_database():
    assert reports_alias() == DEFAULT_DB_ALIAS


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_replica_the_reports_read_it(monkeypatch, two_episodes):
    """With a "replica" alias (here: the test database again) the report's one query goes
    there, and nowhere else."""
    used = []

    class Spy:
        def __getitem__(self, alias):
            used.append(alias)
            return connections[DEFAULT_DB_ALIAS]

    monkeypatch.setattr(outcomes_selector, "connections", Spy())
    databases = {**connections.databases, REPLICA_ALIAS: {**connections.databases["default"]}}
    with override_settings(DATABASES=databases):
        assert reports_alias() == REPLICA_ALIAS
        assert outcomes_report(filters=OutcomeFilters(), today=TODAY)["patients"] == 2
    assert used == [REPLICA_ALIAS]
    assert outcomes_report(filters=OutcomeFilters(), today=TODAY)["patients"] == 2
    assert used == [REPLICA_ALIAS, DEFAULT_DB_ALIAS]


def test_the_router_keeps_every_model_query_and_migration_on_the_default():
    router = PrimaryRouter()
    assert router.db_for_read(Episode) == router.db_for_write(Episode) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "intake")
    assert not router.allow_migrate(REPLICA_ALIAS, "intake")


def test_the_replica_is_configured_from_its_variable(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    assert replica_database_config() is None
    monkeypatch.setenv(
        "DATABASE_REPLICA_URL", "postgres://reader:pw@replica.example.org:5433/clinic"
    )
    config = replica_database_config(conn_max_age=60)
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "replica.example.org",
        5433,
        "clinic",
    )
    assert config["CONN_MAX_AGE"] == 60
    assert config["TEST"] == {"MIRROR": "default"}
    monkeypatch.setenv("DATABASE_REPLICA_URL", "mysql://reader@replica/clinic")
    with pytest.raises(Exception, match="PostgreSQL only"):
        replica_database_config()
