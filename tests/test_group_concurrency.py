"""Two groups written at the same moment with the same patients, listed in opposite orders,
both complete: the service locks the roll's patient rows in one statement in key order
(docs/concurrency.md), so neither waits on a row the other holds while holding one it wants."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from intake.models import GroupSession, SessionNote
from intake.services.group_session import Attendee, group_session_create
from tests.browser_support import reference_data  # noqa: F401 - the fixture
from tests.factories import UserFactory
from tests.group_support import caseload

ROUNDS = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")  # a transactional test before may have flushed them
def test_two_groups_with_the_same_patients_in_opposite_orders_do_not_deadlock():
    counselors = [UserFactory(role="counselor") for _ in range(2)]
    patients = caseload(counselors[0], [(f"Given{i}", f"Family{i}") for i in range(6)])
    from intake.models import CareTeamMember

    for patient in patients:
        CareTeamMember.objects.create(patient=patient, user=counselors[1], team_role="counselor")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for _ in range(ROUNDS):
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def run(user, roll, start=start, outcomes=outcomes):
            try:
                start.wait()
                group_session_create(
                    actor=user,
                    title="Coping with cravings",
                    modality="cbt",
                    held_on=yesterday,
                    duration_minutes=60,
                    summary="Urge surfing practised together.",
                    attendees=[Attendee(patient=str(p.pk), attended=True) for p in roll],
                )
                outcomes.append("created")
            except BaseException as exc:  # noqa: BLE001 - reported below
                outcomes.append(repr(exc))
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=run, args=(counselors[0], patients)),
            threading.Thread(target=run, args=(counselors[1], list(reversed(patients)))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert outcomes == ["created", "created"], outcomes
    assert GroupSession.objects.count() == 2 * ROUNDS
    assert SessionNote.objects.count() == 2 * ROUNDS * len(patients)
