"""The audit log is tamper-evident: a hash chain built by the database on insert, checked by
`manage.py verify_audit`, which names the first broken event."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from intake.models import AuditEvent
from intake.services.audit import audit_record, audit_record_many
from intake.services.audit_chain import GENESIS, audit_chain_verify, audit_seal
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _activity(client, patient, user):
    client.force_login(user)
    for _ in range(3):
        client.get(f"/patients/{patient.pk}/")
    client.post("/patients/", {"q": patient.family_name})


def _as_superuser_bypassing_the_guard(sql: str, params=()):
    """What a database superuser can do: lift the append-only trigger, write, put it back."""
    with connection.cursor() as cursor:
        # (Deferred foreign-key checks of this test's transaction would block ALTER TABLE.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE intake_auditevent DISABLE TRIGGER intake_auditevent_no_update_delete"
        )
        cursor.execute(sql, params)
        cursor.execute(
            "ALTER TABLE intake_auditevent ENABLE TRIGGER intake_auditevent_no_update_delete"
        )


def test_it_chains_every_event(client, patient, team_nurse, capsys):
    _activity(client, patient, team_nurse)
    events = list(AuditEvent.objects.order_by("chain_seq"))
    assert len(events) >= 4
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.chain_seq == before.chain_seq + 1
        assert after.prev_hash == before.hash
    call_command("verify_audit")
    assert f"Audit chain intact: {len(events)} events" in capsys.readouterr().out


def test_bulk_inserts_are_chained_too(team_nurse):
    patients = [PatientFactory() for _ in range(5)]
    audit_record(actor=team_nurse, action="read", patient=patients[0])
    audit_record_many(
        actor=team_nurse, action="read", patients=patients, object_type="patient-search-result"
    )
    assert audit_seal() == 6
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 7))
    assert audit_chain_verify().ok


def test_it_detects_a_row_changed_behind_the_triggers_back(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    victim = AuditEvent.objects.filter(patient=patient).order_by("chain_seq")[1]
    # The guard still refuses the change...
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE intake_auditevent SET outcome='denied' WHERE id=%s", [victim.pk])
    # ...but a superuser can lift it. The chain shows what happened.
    _as_superuser_bypassing_the_guard(
        "UPDATE intake_auditevent SET actor_username = 'someone-else' WHERE id = %s", [victim.pk]
    )
    with pytest.raises(CommandError, match=f"BROKEN at event {victim.pk}: it was changed"):
        call_command("verify_audit")


def test_it_detects_a_rehashed_row(client, patient, team_nurse):
    """Recomputing the changed row's own hash breaks the link from the next one."""
    _activity(client, patient, team_nurse)
    first, second = AuditEvent.objects.order_by("chain_seq")[:2]
    _as_superuser_bypassing_the_guard(
        "UPDATE intake_auditevent SET object_type = 'nothing' WHERE id = %s", [first.pk]
    )
    _as_superuser_bypassing_the_guard(
        "UPDATE intake_auditevent SET hash = encode(sha256(convert_to(prev_hash || chr(30) || "
        "intake_auditevent_canonical(intake_auditevent), 'UTF8')), 'hex') WHERE id = %s",
        [first.pk],
    )
    report = audit_chain_verify()
    assert (report.ok, report.broken_event_id) == (False, second.pk)


def test_it_detects_deleted_rows(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    events = list(AuditEvent.objects.order_by("chain_seq"))
    _as_superuser_bypassing_the_guard("DELETE FROM intake_auditevent WHERE id = %s", [events[1].pk])
    report = audit_chain_verify()
    assert (report.ok, report.broken_event_id) == (False, events[2].pk)
    assert "deleted" in report.problem


def test_it_detects_rows_deleted_from_the_end(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    last = AuditEvent.objects.order_by("-chain_seq").first()
    _as_superuser_bypassing_the_guard("DELETE FROM intake_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="removed from the end"):
        call_command("verify_audit")


def test_it_detects_rows_slipped_into_the_chain(client, patient, team_nurse):
    """The database owner, triggers off, inserts a row with a chain position of its own."""
    _activity(client, patient, team_nurse)
    last = AuditEvent.objects.order_by("-chain_seq").first()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE intake_auditevent DISABLE TRIGGER intake_auditevent_insert_unsealed"
        )
        cursor.execute(
            "INSERT INTO intake_auditevent (at, actor_username, role, action, object_type, "
            "object_id, outcome, break_glass, detail, chain_seq, prev_hash, hash) VALUES (now(), "
            "'x', 'nurse', 'read', 'chart', '', 'allowed', false, '{}', %s, %s, %s) RETURNING id",
            [last.chain_seq + 1, last.hash, "f" * 64],
        )
        forged = cursor.fetchone()[0]
        cursor.execute(
            "ALTER TABLE intake_auditevent ENABLE TRIGGER intake_auditevent_insert_unsealed"
        )
    report = audit_chain_verify()
    assert (report.ok, report.broken_event_id) == (False, forged)


def test_it_reports_events_left_unsealed(client, patient, team_nurse, settings):
    _activity(client, patient, team_nurse)
    event = audit_record(actor=team_nurse, action="read", patient=patient)
    assert audit_chain_verify().ok  # just written: waiting for the sealer is normal
    settings.AUDIT_SEAL_MAX_SECONDS = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.01)")
    report = audit_chain_verify()
    assert (report.ok, report.broken_event_id) == (False, event.pk)
    assert "unsealed" in report.problem
    audit_seal()
    assert audit_chain_verify().ok


def test_writers_only_insert_and_sealing_takes_no_lock_they_wait_for(team_nurse, patient):
    """A sealer holding its lock makes a second sealer return at once, never wait."""
    audit_record(actor=team_nurse, action="read", patient=patient)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(1096107081)")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
            cursor.execute("SELECT intake_audit_seal(10)")
            assert cursor.fetchone()[0] == -1
    finally:
        other.close()


def test_the_application_cannot_set_the_chain_itself(team_nurse):
    event = AuditEvent(action="read", outcome="allowed", prev_hash="f" * 64, hash="e" * 64)
    event.chain_seq = 99
    event.save()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.chain_seq, stored.prev_hash, stored.hash) == (None, "", "")
    audit_seal()
    stored.refresh_from_db()
    assert stored.prev_hash == GENESIS and stored.chain_seq == 1
    assert stored.hash not in ("", "e" * 64)
    assert audit_chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    users = [UserFactory(role="nurse") for _ in range(4)]
    patients = [PatientFactory() for _ in range(3)]
    errors = []

    def writer(user):
        try:
            for _ in range(15):
                with transaction.atomic():
                    audit_record(actor=user, action="read", patient=patients[0])
                    audit_record_many(
                        actor=user, action="read", patients=patients, object_type="search"
                    )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert AuditEvent.objects.count() == 4 * 15 * 4
    audit_seal()
    report = audit_chain_verify()
    assert report.ok, report
    assert report.checked == 4 * 15 * 4
