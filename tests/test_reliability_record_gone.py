"""A record that vanishes between the request's fetch and the service's row lock (two clinicians
discarding one draft at once, or a discard racing a submit) answers the one 404, never a 500:
intake/api/errors.py for the API, RecordGoneMiddleware for pages."""

import threading

import pytest
from django.db import connections
from django.test import RequestFactory

from intake.api.errors import NOT_FOUND, exception_handler
from intake.middleware import RecordGoneMiddleware
from intake.models import TreatmentPlan
from intake.services.record_discard import plan_discard
from tests.browser_support import reference_data  # noqa: F401 - the fixture
from tests.factories import CareTeamMemberFactory, PatientFactory, TreatmentPlanFactory, UserFactory


def test_the_api_answers_a_vanished_record_with_its_404():
    response = exception_handler(TreatmentPlan.DoesNotExist(), {})
    assert (response.status_code, response.data) == (404, {"detail": NOT_FOUND})


@pytest.mark.django_db
def test_a_page_answers_a_vanished_record_with_the_404_page(team_counselor):
    request = RequestFactory().post("/patients/x/plans/y/discard/")
    request.user = team_counselor
    response = RecordGoneMiddleware(lambda r: None).process_exception(
        request, TreatmentPlan.DoesNotExist()
    )
    assert response.status_code == 404
    assert RecordGoneMiddleware(lambda r: None).process_exception(request, ValueError()) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_discards_of_one_draft_plan_at_once_give_one_discard_and_a_not_found():
    patient = PatientFactory()
    nurses = [UserFactory(role="nurse") for _ in range(2)]
    for user in nurses:
        CareTeamMemberFactory(patient=patient, user=user, team_role="nurse")
    plan = TreatmentPlanFactory(patient=patient, created_by=nurses[0], updated_by=nurses[0])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def discard(user):
        try:
            stale = TreatmentPlan.objects.get(pk=plan.pk)  # what the resolver fetched
            start.wait()
            plan_discard(actor=user, plan=stale)
            outcomes.append("discarded")
        except TreatmentPlan.DoesNotExist:
            outcomes.append("not-found")  # mapped to the 404 above
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=discard, args=(u,)) for u in nurses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["discarded", "not-found"], outcomes
    assert not TreatmentPlan.objects.filter(pk=plan.pk).exists()
