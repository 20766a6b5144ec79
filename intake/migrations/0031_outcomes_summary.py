"""The program outcome summary (issue 14, docs/clinical-rules.md#outcomes-summary): materialized
views holding, per episode, what the outcome report aggregates, refreshed by a task
(intake/tasks.py) through `intake_refresh_outcomes`, never inside a request.

- `intake_outcome_episode`: one row per episode: its program, admission and discharge facts (the
  retention rule's "too recent" is decided when the report is read, from admitted_on and today),
  the date of its first given OUD dose, its first and latest PHQ-9 and how many it has.
- `intake_outcome_cover`: per episode, its periods of covered days (gaps of up to 7 days joined),
  each period's last day not capped at today (the report caps it when read, and joins the
  periods of a patient's episodes).
- `intake_outcome_screens`: valid, read urine screens by collection month and by the set of
  episodes they were collected in (almost always one; a screen on the day one episode ends and
  the next begins lies in two and is counted once).
The last two carry the patient, program and admission date of their (first) episode, so that
the report filters them without a join.
- `intake_outcome_refresh`: one row, when the views were last refreshed.

Clinic time zone, OUD medications and the days a long-acting dose covers come from the Python
that defines them (intake/selectors/outcomes.py), passed to the refresh function and read by the
views as transaction-local settings. Only the owner may REFRESH a materialized view (PostgreSQL
15 has no MAINTAIN privilege): the function runs with its owner's rights (SECURITY DEFINER,
search_path pinned), like the audit chain trigger (migration 0013), and the application role may
execute it (intake/db_roles.py grants EXECUTE on the schema's functions), not PUBLIC."""

from django.db import migrations

_DOSE = """
    SELECT p.episode_id, ep.patient_id,
        (a.given_at AT TIME ZONE current_setting('intake.outcomes_tz'))::date AS day, m.drug
    FROM intake_episode ep
    JOIN intake_treatmentplan p ON p.episode_id = ep.id
    JOIN intake_medicationadministration a ON a.plan_id = p.id
    JOIN intake_planmedication m ON m.id = a.medication_id
    WHERE a.status = 'given' AND m.drug = ANY(current_setting('intake.outcomes_oud')::text[])
        AND NOT EXISTS (
            SELECT 1 FROM intake_medicationadministration v WHERE v.voids_id = a.id)
"""

EPISODE = f"""
CREATE MATERIALIZED VIEW intake_outcome_episode AS
WITH dose AS ({_DOSE}),
first_dose AS (SELECT episode_id, min(day) AS day FROM dose GROUP BY episode_id),
phq AS (
    SELECT a.episode_id, a.total,
        row_number() OVER w AS n,
        count(*) OVER (PARTITION BY a.episode_id) AS given,
        first_value(a.total) OVER w AS first_total
    FROM intake_assessment a
    WHERE a.instrument = 'phq9' AND a.episode_id IS NOT NULL
    WINDOW w AS (PARTITION BY a.episode_id ORDER BY a.administered_at, a.created_at)
)
SELECT e.id AS episode_id, e.patient_id, e.program, e.admitted_on, e.status, e.discharged_on,
    e.discharge_reason, f.day AS first_dose_on,
    phq.first_total AS phq9_first, phq.total AS phq9_latest, COALESCE(phq.given, 0) AS phq9_given
FROM intake_episode e
LEFT JOIN first_dose f ON f.episode_id = e.id
LEFT JOIN phq ON phq.episode_id = e.id AND phq.n = phq.given
WITH NO DATA;
CREATE UNIQUE INDEX intake_outcome_episode_pk ON intake_outcome_episode (episode_id);
CREATE INDEX intake_outcome_episode_admitted ON intake_outcome_episode (admitted_on);
CREATE INDEX intake_outcome_episode_patient ON intake_outcome_episode (patient_id);
"""

# Gaps and islands within each episode, as the report did over all doses
# (intake/selectors/outcomes_sql.py _CONTINUITY): a period goes on while the next dose day is at
# most 8 days after the last covered day.
COVER = f"""
CREATE MATERIALIZED VIEW intake_outcome_cover AS
WITH dose AS ({_DOSE}),
cover AS (
    SELECT unnest(current_setting('intake.outcomes_cover_drugs')::text[]) AS drug,
        unnest(current_setting('intake.outcomes_cover_days')::int[]) AS days
),
covered AS (
    SELECT d.episode_id, d.patient_id, d.day AS first_day,
        d.day + max(COALESCE(c.days, 1)) - 1 AS last_day
    FROM dose d LEFT JOIN cover c ON c.drug = d.drug
    GROUP BY d.episode_id, d.patient_id, d.day
),
runs AS (
    SELECT episode_id, patient_id, first_day, last_day,
        max(last_day) OVER (PARTITION BY episode_id ORDER BY first_day
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_until
    FROM covered
),
islands AS (
    SELECT episode_id, patient_id, first_day, last_day,
        sum(CASE WHEN covered_until IS NULL OR first_day - covered_until > 8 THEN 1 ELSE 0 END)
            OVER (PARTITION BY episode_id ORDER BY first_day ROWS UNBOUNDED PRECEDING) AS island
    FROM runs
)
SELECT i.episode_id, i.patient_id, ep.program, ep.admitted_on,
    min(i.first_day) AS first_day, max(i.last_day) AS last_day
FROM islands i JOIN intake_episode ep ON ep.id = i.episode_id
GROUP BY i.episode_id, i.patient_id, ep.program, ep.admitted_on, i.island
WITH NO DATA;
CREATE UNIQUE INDEX intake_outcome_cover_pk ON intake_outcome_cover (episode_id, first_day);
"""

# The report's _SCREENS (intake/selectors/outcomes_sql.py), placed in the episodes that contain
# each screen's collection day.
SCREENS = """
CREATE MATERIALIZED VIEW intake_outcome_screens AS
WITH uds_order AS (
    SELECT id, patient_id, (collected_at AT TIME ZONE current_setting('intake.outcomes_tz'))::date
        AS day
    FROM intake_laborder
    WHERE panel_id = 'uds' AND status = 'resulted' AND specimen_status = 'valid'
),
opioid AS (SELECT code FROM intake_labtest WHERE is_opioid),
unexpected AS (
    SELECT DISTINCT r.order_id FROM intake_labresult r
    WHERE r.interpretation = 'positive' AND r.is_current
        AND (NOT r.expected OR r.expected IS NULL)
        AND r.test_id IN (SELECT code FROM opioid)
),
unread AS (
    SELECT r.order_id FROM intake_labresult r
    WHERE r.interpretation IN ('not-tested', 'inconclusive') AND r.is_current
        AND r.test_id IN (SELECT code FROM opioid)
    GROUP BY r.order_id
    HAVING NOT EXISTS (SELECT 1 FROM intake_labresult x
        WHERE x.order_id = r.order_id AND x.is_current
            AND x.interpretation IN ('positive', 'negative')
            AND x.test_id IN (SELECT code FROM opioid))
),
placed AS (
    SELECT o.id, date_trunc('month', o.day)::date AS month, x.order_id IS NULL AS negative,
        array_agg(ep.id ORDER BY ep.id) AS episode_ids
    FROM uds_order o
    JOIN intake_episode ep ON ep.patient_id = o.patient_id AND o.day >= ep.admitted_on
        AND (ep.discharged_on IS NULL OR o.day <= ep.discharged_on)
    LEFT JOIN unexpected x ON x.order_id = o.id
    WHERE o.id NOT IN (SELECT order_id FROM unread)
    GROUP BY o.id, o.day, x.order_id
)
SELECT p.episode_ids, p.episode_ids[1] AS episode_id, cardinality(p.episode_ids) > 1 AS shared,
    ep.patient_id, ep.program, ep.admitted_on, p.month,
    count(*) AS specimens, count(*) FILTER (WHERE p.negative) AS negative
FROM placed p JOIN intake_episode ep ON ep.id = p.episode_ids[1]
GROUP BY p.episode_ids, ep.patient_id, ep.program, ep.admitted_on, p.month
WITH NO DATA;
CREATE UNIQUE INDEX intake_outcome_screens_pk ON intake_outcome_screens (episode_ids, month);
"""

REFRESH = """
CREATE MATERIALIZED VIEW intake_outcome_refresh AS SELECT 1 AS id, now() AS refreshed_at
WITH NO DATA;
CREATE UNIQUE INDEX intake_outcome_refresh_pk ON intake_outcome_refresh (id);

CREATE FUNCTION intake_refresh_outcomes(
    tz text, oud text[], cover_drugs text[], cover_days int[]
) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    view_name text;
    populated boolean;
BEGIN
    PERFORM set_config('intake.outcomes_tz', tz, true);
    PERFORM set_config('intake.outcomes_oud', oud::text, true);
    PERFORM set_config('intake.outcomes_cover_drugs', cover_drugs::text, true);
    PERFORM set_config('intake.outcomes_cover_days', cover_days::text, true);
    -- The first refresh fills the views (CONCURRENTLY needs them populated); later ones do not
    -- block readers. The refresh time last, in the same transaction.
    FOREACH view_name IN ARRAY ARRAY['intake_outcome_episode', 'intake_outcome_cover',
            'intake_outcome_screens', 'intake_outcome_refresh'] LOOP
        SELECT c.relispopulated INTO populated FROM pg_class c
        WHERE c.oid = view_name::regclass;
        IF populated THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', view_name);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %I', view_name);
        END IF;
        -- Fresh statistics, so that the report's plan fits the rows (a never-analyzed view is
        -- estimated badly enough to compile the statement with JIT, seconds for nothing).
        EXECUTE format('ANALYZE %I', view_name);
    END LOOP;
    RETURN (SELECT refreshed_at FROM intake_outcome_refresh);
END;
$$;
ALTER FUNCTION intake_refresh_outcomes(text, text[], text[], int[]) SET search_path FROM CURRENT;
REVOKE EXECUTE ON FUNCTION intake_refresh_outcomes(text, text[], text[], int[]) FROM PUBLIC;
"""

DROP = """
DROP FUNCTION IF EXISTS intake_refresh_outcomes(text, text[], text[], int[]);
DROP MATERIALIZED VIEW IF EXISTS intake_outcome_refresh;
DROP MATERIALIZED VIEW IF EXISTS intake_outcome_screens;
DROP MATERIALIZED VIEW IF EXISTS intake_outcome_cover;
DROP MATERIALIZED VIEW IF EXISTS intake_outcome_episode;
"""


class Migration(migrations.Migration):
    dependencies = [("intake", "0030_outcomes_indexes")]

    operations = [migrations.RunSQL(EPISODE + COVER + SCREENS + REFRESH, DROP)]
