"""The audit chain is built after commit, not inside the writers' transactions.

Until now a BEFORE INSERT trigger chained every audit row by locking the one chain-head row
until the writing transaction ended: every request that audited anything queued behind every
other, and with the row locks of lab entry and the foreign-key checks at COMMIT, concurrent
writers deadlocked (issue 11). Now:

- a request only INSERTs its events, unsealed (`chain_seq` NULL; whatever a writer puts in the
  chain columns is cleared);
- `intake_audit_seal(n)` (SECURITY DEFINER, the owner's rights; the application role may only
  EXECUTE it) takes a try-lock, so sealers never wait on each other, and gives up to n unsealed
  events, in id order, their chain position, the previous hash and their own hash, by the same
  public formula as before, advancing the head once;
- the append-only guard lets exactly that through: the chain columns of an unsealed row set
  once, nothing else.

`verify_audit` reports events left unsealed for longer than AUDIT_SEAL_MAX_SECONDS."""

from django.db import migrations

SEALER = """
DROP TRIGGER IF EXISTS intake_auditevent_chain ON intake_auditevent;
DROP FUNCTION IF EXISTS intake_auditevent_chain();

CREATE FUNCTION intake_auditevent_unsealed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.chain_seq := NULL;
    NEW.prev_hash := '';
    NEW.hash := '';
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_auditevent_insert_unsealed
    BEFORE INSERT ON intake_auditevent
    FOR EACH ROW EXECUTE FUNCTION intake_auditevent_unsealed();

CREATE OR REPLACE FUNCTION intake_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    chain text[] := ARRAY['chain_seq', 'prev_hash', 'hash'];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
        AND (to_jsonb(OLD) - chain) = (to_jsonb(NEW) - chain) THEN
        RETURN NEW;  -- the sealer
    END IF;
    RAISE EXCEPTION 'intake_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION intake_auditchain_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'intake_auditchain only moves forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE INDEX intake_auditevent_unsealed_idx ON intake_auditevent (id) WHERE chain_seq IS NULL;

CREATE FUNCTION intake_audit_seal(max_rows integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r intake_auditevent;
    last_seq bigint;
    last_hash text;
    n integer := 0;
BEGIN
    -- One sealer at a time, and nobody waits: a second caller returns at once (-1).
    IF NOT pg_try_advisory_xact_lock(1096107081) THEN
        RETURN -1;
    END IF;
    SELECT seq, head INTO last_seq, last_hash FROM intake_auditchain WHERE id = 1 FOR UPDATE;
    FOR r IN SELECT * FROM intake_auditevent WHERE chain_seq IS NULL ORDER BY id LIMIT max_rows
    LOOP
        last_seq := last_seq + 1;
        r.chain_seq := last_seq;
        r.prev_hash := last_hash;
        r.hash := encode(sha256(convert_to(
            last_hash || chr(30) || intake_auditevent_canonical(r), 'UTF8')), 'hex');
        UPDATE intake_auditevent
            SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, hash = r.hash
            WHERE id = r.id;
        last_hash := r.hash;
        n := n + 1;
    END LOOP;
    IF n > 0 THEN
        UPDATE intake_auditchain SET seq = last_seq, head = last_hash WHERE id = 1;
    END IF;
    RETURN n;
END;
$$;
ALTER FUNCTION intake_audit_seal(integer) SET search_path FROM CURRENT;
"""

REVERSE = """
DROP FUNCTION IF EXISTS intake_audit_seal(integer);
DROP INDEX IF EXISTS intake_auditevent_unsealed_idx;
DROP TRIGGER IF EXISTS intake_auditevent_insert_unsealed ON intake_auditevent;
DROP FUNCTION IF EXISTS intake_auditevent_unsealed();
CREATE OR REPLACE FUNCTION intake_auditchain_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'intake_auditchain only moves forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE FUNCTION intake_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE FUNCTION intake_auditevent_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    SELECT seq, head INTO last_seq, last_hash FROM intake_auditchain WHERE id = 1 FOR UPDATE;
    NEW.chain_seq := last_seq + 1;
    NEW.prev_hash := last_hash;
    NEW.hash := encode(sha256(convert_to(
        NEW.prev_hash || chr(30) || intake_auditevent_canonical(NEW), 'UTF8')), 'hex');
    UPDATE intake_auditchain SET seq = NEW.chain_seq, head = NEW.hash WHERE id = 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_auditevent_chain
    BEFORE INSERT ON intake_auditevent
    FOR EACH ROW EXECUTE FUNCTION intake_auditevent_chain();
"""


class Migration(migrations.Migration):
    dependencies = [("intake", "0014_staff_reset_request")]

    operations = [migrations.RunSQL(SEALER, REVERSE)]
