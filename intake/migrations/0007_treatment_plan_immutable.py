"""Signed treatment plans never change, whoever asks: the application, the admin or SQL.

A signed version may only move on in its life cycle (active -> superseded or closed); every
other column, and its medication and behavioral rows, stay exactly as signed."""

from django.db import migrations

GUARD = """
CREATE FUNCTION intake_treatmentplan_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lifecycle text[] := ARRAY['status', 'closed_at', 'updated_at', 'updated_by_id'];
BEGIN
    IF OLD.status IN ('active', 'superseded', 'closed') THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'signed treatment plan % cannot be deleted', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT (
            (OLD.status = NEW.status OR (OLD.status = 'active' AND NEW.status IN ('superseded', 'closed')))
            AND (to_jsonb(OLD) - lifecycle) = (to_jsonb(NEW) - lifecycle)
        ) THEN
            RAISE EXCEPTION 'signed treatment plan % is immutable; amend it instead', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_treatmentplan_signed_immutable
    BEFORE UPDATE OR DELETE ON intake_treatmentplan
    FOR EACH ROW EXECUTE FUNCTION intake_treatmentplan_guard();

CREATE FUNCTION intake_plan_component_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    plan_status text;
BEGIN
    SELECT status INTO plan_status FROM intake_treatmentplan
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END);
    IF plan_status IN ('active', 'superseded', 'closed') THEN
        RAISE EXCEPTION 'components of a signed treatment plan are immutable'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.plan_id <> NEW.plan_id THEN
        SELECT status INTO plan_status FROM intake_treatmentplan WHERE id = OLD.plan_id;
        IF plan_status IN ('active', 'superseded', 'closed') THEN
            RAISE EXCEPTION 'components of a signed treatment plan are immutable'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intake_planmedication_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON intake_planmedication
    FOR EACH ROW EXECUTE FUNCTION intake_plan_component_guard();
CREATE TRIGGER intake_planbehavioral_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON intake_planbehavioral
    FOR EACH ROW EXECUTE FUNCTION intake_plan_component_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS intake_planbehavioral_signed_immutable ON intake_planbehavioral;
DROP TRIGGER IF EXISTS intake_planmedication_signed_immutable ON intake_planmedication;
DROP FUNCTION IF EXISTS intake_plan_component_guard();
DROP TRIGGER IF EXISTS intake_treatmentplan_signed_immutable ON intake_treatmentplan;
DROP FUNCTION IF EXISTS intake_treatmentplan_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_treatment_plans")]

    operations = [migrations.RunSQL(GUARD, REVERSE)]
