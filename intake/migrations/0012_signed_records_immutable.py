"""Signed and final records never change, whoever asks: the application, the admin or SQL.

Migration 0007 guards signed treatment plans. This does the same for the other records a
clinician signs or that leave the clinic: signed interviews (and their substance rows), interview
addenda, diagnoses, lab results, disclosures and consents. Each trigger allows only the
transitions the services make:

- a lab result may stop being current (`is_current` true -> false) when an amendment
  supersedes it, and nothing else;
- a consent may be revoked once (`revoked_on`, `revoked_by` from empty to set), and its signed
  copy may be attached once, in the transaction that records it; a revocation is never undone;
- `updated_at` / `updated_by` may move with an allowed transition, never alone.

Everything else, and every DELETE, is refused with SQLSTATE 42501 (insufficient_privilege)."""

from django.db import migrations

GUARD = r"""
CREATE FUNCTION intake_refuse_change(what text, row_id text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% % is final; record an amendment or addendum instead', what, row_id
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Interviews: a draft is edited freely; once signed, nothing changes and nothing is deleted.
CREATE FUNCTION intake_interview_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        PERFORM intake_refuse_change('signed interview', OLD.id::text);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_interview_signed_immutable
    BEFORE UPDATE OR DELETE ON intake_interview
    FOR EACH ROW EXECUTE FUNCTION intake_interview_guard();

-- The substance rows of a signed interview are part of what was signed.
CREATE FUNCTION intake_substanceuse_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    interview_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO interview_status FROM intake_interview WHERE id = OLD.interview_id;
        IF interview_status = 'signed' THEN
            PERFORM intake_refuse_change('substance use of signed interview', OLD.interview_id::text);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO interview_status FROM intake_interview WHERE id = NEW.interview_id;
        IF interview_status = 'signed' THEN
            PERFORM intake_refuse_change('substance use of signed interview', NEW.interview_id::text);
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER intake_substanceuse_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON intake_substanceuse
    FOR EACH ROW EXECUTE FUNCTION intake_substanceuse_guard();

-- Rows that are final from the moment they are written.
CREATE FUNCTION intake_final_row_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM intake_refuse_change(TG_ARGV[0], OLD.id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER intake_interviewaddendum_immutable
    BEFORE UPDATE OR DELETE ON intake_interviewaddendum
    FOR EACH ROW EXECUTE FUNCTION intake_final_row_guard('interview addendum');
CREATE TRIGGER intake_diagnosis_immutable
    BEFORE UPDATE OR DELETE ON intake_diagnosis
    FOR EACH ROW EXECUTE FUNCTION intake_final_row_guard('diagnosis');
CREATE TRIGGER intake_disclosure_immutable
    BEFORE UPDATE OR DELETE ON intake_disclosure
    FOR EACH ROW EXECUTE FUNCTION intake_final_row_guard('disclosure');

-- Lab results: an amendment supersedes a result (it stops being current); nothing else.
CREATE FUNCTION intake_labresult_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moving text[] := ARRAY['is_current', 'updated_at', 'updated_by_id'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM intake_refuse_change('lab result', OLD.id::text);
    END IF;
    IF NOT (
        OLD.is_current AND NOT NEW.is_current
        AND (to_jsonb(OLD) - moving) = (to_jsonb(NEW) - moving)
    ) THEN
        PERFORM intake_refuse_change('lab result', OLD.id::text);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_labresult_final
    BEFORE UPDATE OR DELETE ON intake_labresult
    FOR EACH ROW EXECUTE FUNCTION intake_labresult_guard();

-- Consents: revoked once (never un-revoked), the signed copy attached once; nothing else.
CREATE FUNCTION intake_consent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moving text[] := ARRAY['revoked_on', 'revoked_by_id', 'signed_copy', 'updated_at', 'updated_by_id'];
    revoking boolean;
    attaching boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM intake_refuse_change('consent', OLD.id::text);
    END IF;
    revoking := OLD.revoked_on IS NULL AND NEW.revoked_on IS NOT NULL
        AND OLD.revoked_by_id IS NULL AND NEW.revoked_by_id IS NOT NULL;
    attaching := OLD.signed_copy = '' AND NEW.signed_copy <> '';
    IF (to_jsonb(OLD) - moving) <> (to_jsonb(NEW) - moving)
        OR (NOT revoking AND (OLD.revoked_on IS DISTINCT FROM NEW.revoked_on
                              OR OLD.revoked_by_id IS DISTINCT FROM NEW.revoked_by_id))
        OR (NOT attaching AND OLD.signed_copy IS DISTINCT FROM NEW.signed_copy)
        OR NOT (revoking OR attaching)
    THEN
        PERFORM intake_refuse_change('consent', OLD.id::text);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_consent_final
    BEFORE UPDATE OR DELETE ON intake_consent
    FOR EACH ROW EXECUTE FUNCTION intake_consent_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS intake_consent_final ON intake_consent;
DROP FUNCTION IF EXISTS intake_consent_guard();
DROP TRIGGER IF EXISTS intake_labresult_final ON intake_labresult;
DROP FUNCTION IF EXISTS intake_labresult_guard();
DROP TRIGGER IF EXISTS intake_disclosure_immutable ON intake_disclosure;
DROP TRIGGER IF EXISTS intake_diagnosis_immutable ON intake_diagnosis;
DROP TRIGGER IF EXISTS intake_interviewaddendum_immutable ON intake_interviewaddendum;
DROP FUNCTION IF EXISTS intake_final_row_guard();
DROP TRIGGER IF EXISTS intake_substanceuse_signed_immutable ON intake_substanceuse;
DROP FUNCTION IF EXISTS intake_substanceuse_guard();
DROP TRIGGER IF EXISTS intake_interview_signed_immutable ON intake_interview;
DROP FUNCTION IF EXISTS intake_interview_guard();
DROP FUNCTION IF EXISTS intake_refuse_change(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("intake", "0011_break_glass_review_outcome")]

    operations = [migrations.RunSQL(GUARD, REVERSE)]
