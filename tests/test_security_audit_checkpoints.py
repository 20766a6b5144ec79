"""Signed audit checkpoints catch what the hash chain alone cannot: the database owner
truncating the log, cutting its tail and resetting the head, or rewriting and re-hashing it
whole. `verify_audit` names the checkpoint that no longer matches."""

import datetime
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from intake.models import AuditCheckpoint, AuditEvent
from intake.services import audit_checkpoint as checkpoints
from intake.services.audit_chain import audit_chain_verify
from intake.services.audit_checkpoint import audit_checkpoint_write, checkpoint_line
from tests.db_support import as_table_owner

pytestmark = pytest.mark.django_db


def _activity(client, patient, user, reads=3):
    client.force_login(user)
    for _ in range(reads):
        client.get(f"/patients/{patient.pk}/")


def _owner_sql(statement: str, *params) -> None:
    with as_table_owner("intake_auditevent", "intake_auditchain", "intake_auditcheckpoint"):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(statement, params)


REHASH_ALL = """
DO $$
DECLARE
    r record;
    prev text := repeat('0', 64);
BEGIN
    FOR r IN SELECT id FROM intake_auditevent ORDER BY chain_seq LOOP
        UPDATE intake_auditevent SET prev_hash = prev,
            hash = encode(sha256(convert_to(
                prev || chr(30) || intake_auditevent_canonical(intake_auditevent), 'UTF8')), 'hex')
            WHERE id = r.id RETURNING hash INTO prev;
    END LOOP;
    UPDATE intake_auditchain SET head = prev WHERE id = 1;
END;
$$;
"""


def test_a_checkpoint_is_signed_stored_and_logged(client, patient, team_nurse, caplog, capsys):
    _activity(client, patient, team_nurse)
    with caplog.at_level(logging.INFO, logger="intake.audit.checkpoint"):
        call_command("audit_checkpoint")
    checkpoint = AuditCheckpoint.objects.get()
    last = AuditEvent.objects.order_by("-chain_seq").first()
    assert (checkpoint.chain_seq, checkpoint.head) == (last.chain_seq, last.hash)
    assert len(checkpoint.signature) == 64
    line = checkpoint_line(checkpoint)
    assert f"checkpoint={line}" in capsys.readouterr().out
    assert any(line in record.getMessage() for record in caplog.records)
    call_command("verify_audit")
    assert "1 signed checkpoint(s) match" in capsys.readouterr().out


def test_it_refuses_to_change_or_delete_a_checkpoint(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    checkpoint = audit_checkpoint_write()
    with pytest.raises(Exception, match="never changed"):
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(chain_seq=0)


def test_it_detects_a_truncated_log(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    checkpoint = audit_checkpoint_write()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE intake_auditevent")  # the trigger resets the chain head
    assert audit_chain_verify().ok  # the chain alone sees an empty, intact log
    with pytest.raises(CommandError, match=f"position {checkpoint.chain_seq} .* past the end"):
        call_command("verify_audit")


def test_it_detects_a_cut_tail_with_the_head_moved_back(client, patient, team_nurse):
    _activity(client, patient, team_nurse, reads=5)
    checkpoint = audit_checkpoint_write()
    events = list(AuditEvent.objects.order_by("chain_seq"))
    keep = events[-3]
    _owner_sql("DELETE FROM intake_auditevent WHERE chain_seq > %s", keep.chain_seq)
    _owner_sql(
        "UPDATE intake_auditchain SET seq = %s, head = %s WHERE id = 1", keep.chain_seq, keep.hash
    )
    assert audit_chain_verify().ok
    with pytest.raises(CommandError, match="removed \\(truncated, or the tail cut\\)"):
        call_command("verify_audit")
    assert checkpoint.chain_seq == events[-1].chain_seq


def test_it_detects_a_log_rewritten_and_rehashed_whole(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    audit_checkpoint_write()
    victim = AuditEvent.objects.order_by("chain_seq").first()
    _owner_sql(
        "UPDATE intake_auditevent SET actor_username = 'someone-else' WHERE id = %s", victim.pk
    )
    _owner_sql(REHASH_ALL)
    assert audit_chain_verify().ok  # re-hashed with the public formula: the chain links up
    with pytest.raises(CommandError, match="no longer matches the log"):
        call_command("verify_audit")


def test_it_detects_a_forged_checkpoint(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    last = AuditEvent.objects.order_by("-chain_seq").first()
    AuditCheckpoint.objects.create(
        at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        chain_seq=last.chain_seq,
        head=last.hash,
        key_id="deadbeef",
        signature="0" * 64,
    )
    with pytest.raises(CommandError, match="signature that does not verify"):
        call_command("verify_audit")


def test_a_line_kept_off_the_machine_catches_what_the_database_lost(
    client, patient, team_nurse, tmp_path
):
    _activity(client, patient, team_nurse)
    line = checkpoint_line(audit_checkpoint_write())
    # The owner removes the stored checkpoints and the log with them.
    _owner_sql("DELETE FROM intake_auditcheckpoint")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE intake_auditevent")
    call_command("verify_audit")  # nothing in the database says anything is missing
    with pytest.raises(CommandError, match="past the end of the log"):
        call_command("verify_audit", checkpoint=[line])
    archive = tmp_path / "app.log"
    archive.write_text(
        f"2026-12-02 INFO intake.audit.checkpoint audit checkpoint checkpoint={line}\n"
    )
    with pytest.raises(CommandError, match="past the end of the log"):
        call_command("verify_audit", checkpoints_from=archive)
    with pytest.raises(CommandError, match="Not an audit checkpoint line"):
        call_command("verify_audit", checkpoint=["nonsense"])


@override_settings(AUDIT_CHECKPOINT_MINUTES=15)
def test_a_checkpoint_is_written_periodically_after_a_response(
    client, patient, team_nurse, monkeypatch
):
    monkeypatch.setattr(checkpoints, "_next_due", 0.0)
    _activity(client, patient, team_nurse, reads=1)
    assert AuditCheckpoint.objects.count() == 1
    monkeypatch.setattr(checkpoints, "_next_due", 0.0)
    _activity(client, patient, team_nurse, reads=2)
    assert AuditCheckpoint.objects.count() == 1  # the last one is younger than 15 minutes
    call_command("verify_audit")


@override_settings(AUDIT_CHECKPOINT_KEY="")
def test_without_a_key_there_is_no_checkpoint_and_verify_says_so(client, patient, team_nurse):
    _activity(client, patient, team_nurse)
    with pytest.raises(CommandError, match="AUDIT_CHECKPOINT_KEY is not set"):
        call_command("audit_checkpoint")
    assert not AuditCheckpoint.objects.exists()
