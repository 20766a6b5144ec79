"""Concurrent writers on one patient never deadlock (issue 11): 4 clinicians recording
assessments and 4 nurses entering lab panels at once, each in its own connection. Before the
audit chain was sealed after commit, this mix deadlocked on the chain-head row, the patient
row lab entry locks, and the foreign-key checks at COMMIT."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from intake.models import Assessment, AuditEvent, LabOrder
from intake.services.assessment import assessment_record
from intake.services.audit_chain import audit_chain_verify, audit_seal
from intake.services.lab import lab_order_create, lab_results_record
from tests.browser_support import reference_data  # noqa: F401 - the fixture
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory
from tests.lab_support import uds_entries

ROUNDS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")  # a transactional test before may have flushed them
def test_assessments_and_lab_panels_on_one_patient_at_once():
    patient = PatientFactory()
    counselors = [UserFactory(role="counselor") for _ in range(4)]
    nurses = [UserFactory(role="nurse") for _ in range(4)]
    for user in counselors:
        CareTeamMemberFactory(patient=patient, user=user, team_role="counselor")
    for user in nurses:
        CareTeamMemberFactory(patient=patient, user=user, team_role="nurse")
    errors: list[BaseException] = []
    start = threading.Barrier(len(counselors) + len(nurses))

    def record_assessments(user):
        try:
            start.wait()
            for _ in range(ROUNDS):
                assessment_record(
                    actor=user,
                    patient=patient,
                    instrument="phq9",
                    answers={str(n): 1 for n in range(1, 10)},
                )
                audit_seal()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def enter_labs(user):
        try:
            start.wait()
            for _ in range(ROUNDS):
                order = lab_order_create(actor=user, patient=patient, panel="uds")
                lab_results_record(
                    actor=user,
                    order=order,
                    collected_at=timezone.now(),
                    observed=True,
                    entries=uds_entries(),
                )
                audit_seal()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record_assessments, args=(u,)) for u in counselors]
    threads += [threading.Thread(target=enter_labs, args=(u,)) for u in nurses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert Assessment.objects.filter(patient=patient).count() == 4 * ROUNDS
    assert LabOrder.objects.filter(patient=patient, status="resulted").count() == 4 * ROUNDS
    audit_seal()
    assert not AuditEvent.objects.filter(chain_seq__isnull=True).exists()
    report = audit_chain_verify()
    assert report.ok, report


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_physicians_acknowledging_one_finding_at_once_do_not_deadlock():
    """A QTc of 520 ms raises two alerts (critical value, QTc prolonged) that are one finding.
    Two physicians acknowledging one each at the same moment used to lock their own alert and
    then wait for the other's: a deadlock. Now the finding is locked in key order: one
    acknowledges both, the other is told it was already acknowledged."""
    from intake.exceptions import RecordSigned
    from intake.services.lab import lab_alert_acknowledge
    from tests.test_lab_alerts import ecg

    patient = PatientFactory()
    nurse = UserFactory(role="nurse")
    physicians = [UserFactory(role="physician") for _ in range(2)]
    CareTeamMemberFactory(patient=patient, user=nurse, team_role="nurse")
    for user in physicians:
        CareTeamMemberFactory(patient=patient, user=user, team_role="physician")
    for _ in range(5):
        _order, recording = ecg(patient, nurse, 520)
        alerts = sorted(recording.new_alerts, key=lambda a: a.pk)
        assert len(alerts) == 2
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def acknowledge(user, alert, start=start, outcomes=outcomes):
            try:
                start.wait()
                lab_alert_acknowledge(actor=user, alert=alert, note="Repeat ECG, cardiology told")
                outcomes.append("acknowledged")
            except RecordSigned:
                outcomes.append("already")
            except BaseException as exc:  # noqa: BLE001 - reported below
                outcomes.append(repr(exc))
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=acknowledge, args=(physicians[0], alerts[0])),
            threading.Thread(target=acknowledge, args=(physicians[1], alerts[1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["acknowledged", "already"], outcomes
        for alert in alerts:
            alert.refresh_from_db()
            assert alert.acknowledged_at is not None
