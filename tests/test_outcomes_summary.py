"""The program outcome summary (docs/clinical-rules.md#outcomes-summary, migration 0031): the
report read from the materialized views equals the direct computation over every table; it is
as of its last refresh (a new record shows only after one) and says so; never refreshed, the
page says so and the API answers 200 with nulls; a stale read enqueues a refresh task, which
the worker runs; the application role reads the views and may refresh them only through the
refresh function."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from intake.db_roles import grant_app_role
from intake.models import CareTeamMember, TeamRole
from intake.selectors.outcomes import OutcomeFilters, outcomes_report, outcomes_report_direct
from intake.services.outcomes_summary import summary_is_stale
from tests.outcomes_support import (
    TODAY,
    at,
    days_ago,
    episode,
    give,
    medication,
    phq9,
    refresh_summary,
    screen,
)
from tests.test_outcomes import BUP, clinic  # noqa: F401 - the nine-episode fixture

pytestmark = pytest.mark.django_db

VIEWS = (
    "intake_outcome_episode",
    "intake_outcome_cover",
    "intake_outcome_screens",
    "intake_outcome_refresh",
)
ROLE = "clinic_app_test"


def _figures(report):
    return {k: v for k, v in report.items() if k not in ("computed_at", "as_of")}


def _never_refreshed():
    with connection.cursor() as cursor:
        for view in VIEWS:
            cursor.execute(f"REFRESH MATERIALIZED VIEW {view} WITH NO DATA")


def _queued():
    return DBTaskResult.objects.filter(task_path="intake.tasks.refresh_outcomes_summary")


@pytest.fixture
def more_records(clinic, team_physician):  # noqa: F811
    """The nine episodes with urine screens and PHQ-9s; and a tenth patient readmitted on the
    day they were discharged, screened that day (in both episodes: one screen) and dosed across
    both episodes (one continuous period)."""
    e = clinic
    screen(e[1], at(datetime.date(2026, 10, 5)), {**BUP, "fentanyl": ("negative", True)})
    screen(e[1], at(datetime.date(2026, 10, 20)), {"fentanyl": ("positive", False)})
    screen(e[9], at(datetime.date(2026, 10, 31), 23, 30), {"opiates": ("negative", True)})
    screen(e[5], at(datetime.date(2026, 11, 15)), {"fentanyl": ("not-tested", None)})
    screen(e[2], at(datetime.date(2026, 9, 1)), {"fentanyl": ("positive", False)})
    phq9(e[1], (0, 20), (60, 10))
    phq9(e[9], (0, 12), (30, 8), (60, 4))
    phq9(e[2], (40, 5), (0, 14))
    first = episode(250, discharged_after=100, reason="transferred")
    second = episode(150, patient=first.patient)
    give(medication(first), range(20, 101))
    give(medication(second), range(0, 120))
    screen(second, at(days_ago(150)), {"fentanyl": ("positive", False)})
    CareTeamMember.objects.create(
        patient=first.patient, user=team_physician, team_role=TeamRole.PHYSICIAN
    )
    return {**e, 10: first, 11: second}


def test_the_summary_gives_the_direct_figures_for_every_filter(more_records, team_physician):
    refresh_summary()
    for filters in (
        OutcomeFilters(),
        OutcomeFilters(program="outpatient"),
        OutcomeFilters(program="otp"),
        OutcomeFilters(admitted_from=days_ago(100), admitted_to=days_ago(29)),
        OutcomeFilters(admitted_from=days_ago(150)),
        OutcomeFilters(clinician=team_physician.pk),
    ):
        summary = outcomes_report(filters=filters, today=TODAY)
        assert _figures(summary) == _figures(
            outcomes_report_direct(filters=filters, today=TODAY)
        ), filters
        assert summary["as_of"] is not None


def test_a_screen_on_a_readmission_day_counts_once_and_doses_join_across_episodes(more_records):
    refresh_summary()
    r = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    # The readmitted patient: days 20-100 of the first episode and 0-119 of the second (100
    # days later) are one period of 230 days: continuous.
    assert r["counts"]["continuity"]["continuous"] == 3  # E1, E8 and the readmitted patient
    month = days_ago(150).strftime("%Y-%m")
    (shared,) = [m for m in r["uds_negative_rate"] if m["month"] == month]
    assert shared["specimens"] == 1
    # Either episode alone still counts that screen (once).
    only_second = outcomes_report(filters=OutcomeFilters(admitted_from=days_ago(150)), today=TODAY)
    assert [m["specimens"] for m in only_second["uds_negative_rate"] if m["month"] == month] == [1]


def test_the_report_is_as_of_the_last_refresh(client, clinic_admin, more_records):
    as_of = refresh_summary()
    before = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    assert before["as_of"] == as_of.isoformat()
    episode(40)  # admitted after the refresh
    stale = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    assert stale["patients"] == before["patients"]
    client.force_login(clinic_admin)
    html = client.get("/outcomes/").content.decode()
    assert 'data-testid="computed-at">Figures as of' in html
    assert "records entered since then are not counted yet" in html
    refresh_summary()
    assert outcomes_report(filters=OutcomeFilters(), today=TODAY)["patients"] == (
        before["patients"] + 1
    )


def test_a_stale_summary_is_still_right_about_today(more_records):
    """Retention's "admitted too recently" and coverage up to today are decided when the report
    is read: a day later, E6 (29 days ago yesterday) is measured at day 30."""
    refresh_summary()
    today = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    tomorrow = TODAY + datetime.timedelta(days=1)
    later = outcomes_report(filters=OutcomeFilters(), today=tomorrow)
    assert later["counts"]["retention"]["30"]["measured"] == (
        today["counts"]["retention"]["30"]["measured"] + 1
    )
    assert _figures(later) == _figures(
        outcomes_report_direct(filters=OutcomeFilters(), today=tomorrow)
    )


def test_never_refreshed_the_api_answers_nulls_and_the_page_says_so(
    api, client, team_physician, more_records
):
    _never_refreshed()
    api.force_authenticate(team_physician)
    response = api.get("/api/v1/outcomes/")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] is None
    assert body["patients"] is None and body["counts"] is None
    assert body["retention"] == {"30": None, "90": None, "180": None}
    assert body["uds_negative_rate"] == []
    # The read asked the worker for a refresh, once: a second read finds it queued.
    assert _queued().filter(status=TaskResultStatus.READY).count() == 1
    client.force_login(team_physician)
    response = client.get("/outcomes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The outcome figures have not been computed yet" in html
    assert 'data-testid="outcomes-table"' not in html
    assert _queued().count() == 1
    assert client.get("/outcomes/export.csv").status_code == 409


def test_a_fresh_summary_enqueues_nothing_an_old_one_does(settings, api, team_physician, clinic):  # noqa: F811
    as_of = refresh_summary()
    api.force_authenticate(team_physician)
    assert api.get("/api/v1/outcomes/").status_code == 200
    assert not _queued().exists()
    settings.OUTCOMES_SUMMARY_MAX_AGE_MINUTES = 60
    assert not summary_is_stale(as_of.isoformat(), as_of + datetime.timedelta(minutes=60))
    assert summary_is_stale(as_of.isoformat(), as_of + datetime.timedelta(minutes=61))
    assert summary_is_stale(None)
    settings.OUTCOMES_SUMMARY_MAX_AGE_MINUTES = -1  # any summary is too old
    assert api.get("/api/v1/outcomes/").status_code == 200
    assert _queued().count() == 1


def test_the_refresh_task_is_enqueued_by_the_command_and_run_by_the_worker(clinic):  # noqa: F811
    _never_refreshed()
    call_command("refresh_outcomes")
    (row,) = _queued()
    assert row.status == TaskResultStatus.READY
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    row.claim("test-worker")
    worker.run_task(row)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
    report = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    assert report["as_of"] == row.return_value
    assert report["patients"] == 9


def test_the_command_refreshes_now_when_asked(clinic, capsys):  # noqa: F811
    _never_refreshed()
    call_command("refresh_outcomes", "--now")
    assert "Outcome summary refreshed" in capsys.readouterr().out
    assert outcomes_report(filters=OutcomeFilters(), today=TODAY)["patients"] == 9
    assert not _queued().exists()


@pytest.fixture
def as_app_role():
    grant_app_role(ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _refused(statement):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as exc:
        return str(exc)
    return ""


def test_the_app_role_reads_the_summary_and_refreshes_it_only_through_the_function(
    clinic,  # noqa: F811
    team_physician,
    as_app_role,
):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == ROLE
    as_of = refresh_summary()  # the SECURITY DEFINER function, as the application role
    report = outcomes_report(filters=OutcomeFilters(), today=TODAY)
    assert (report["patients"], report["as_of"]) == (9, as_of.isoformat())
    for view in VIEWS:
        assert _refused(f"SELECT count(*) FROM {view}") == ""
        assert "must be owner" in _refused(f"REFRESH MATERIALIZED VIEW {view}")
    # The task queue's table: the app enqueues and the worker claims as this role.
    call_command("refresh_outcomes")
    assert _queued().count() == 1
    api = APIClient()
    api.force_authenticate(team_physician)
    assert api.get("/api/v1/outcomes/").json()["patients"] == 9
