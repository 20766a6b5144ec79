"""The outcome report read from the materialized summary (migration 0031,
docs/clinical-rules.md#outcomes-summary): one statement that aggregates the per-episode rows of
the views for the episodes the filters select. The definitions are those of the direct statement
(intake/selectors/outcomes_sql.py, kept as the reference tests/test_outcomes_summary.py compares
with); what depends on today (retention's "too recent", coverage capped at today) is decided
here, when the report is read, so a summary refreshed yesterday is still right about it.

Parameters: `today`, the filters' own (`program`, `admitted_from`, `admitted_to`,
`clinician`)."""

from __future__ import annotations

# The direct statement's filters apply as they are: the episode view has the columns they name.
from intake.selectors.outcomes_sql import EPISODE_FILTERS, RETENTION_DAYS

_RETENTION = """
    count(*) FILTER (WHERE admitted_on + {n} <= %(today)s) AS r{n}_measured,
    count(*) FILTER (WHERE admitted_on + {n} <= %(today)s AND (status = 'active'
        OR discharge_reason = 'completed' OR discharged_on >= admitted_on + {n})) AS r{n}_retained
"""

# Retention, first dose and PHQ-9 in one pass over the selected episodes.
_EPISODES = """
episodes AS (
    SELECT count(*) AS episodes, count(DISTINCT patient_id) AS patients, {retention},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY first_dose_on - admitted_on)
            AS first_dose_median,
        count(first_dose_on) AS first_dose_episodes,
        count(*) FILTER (WHERE phq9_first >= 10 AND phq9_given >= 2) AS phq9_measured,
        count(*) FILTER (WHERE phq9_first >= 10 AND phq9_given >= 2
            AND phq9_latest * 2 <= phq9_first) AS phq9_response,
        count(*) FILTER (WHERE phq9_first >= 10 AND phq9_given >= 2 AND phq9_latest < 5)
            AS phq9_remission
    FROM intake_outcome_episode e WHERE {where}
)"""

# The selected episodes' covered periods, capped at today, joined again per patient (a period
# of one episode may run on into the next one's).
_CONTINUITY = """
covered AS (
    SELECT e.patient_id, e.first_day, LEAST(e.last_day, %(today)s) AS last_day
    FROM intake_outcome_cover e WHERE {where}
),
runs AS (
    SELECT patient_id, first_day, last_day,
        max(last_day) OVER (PARTITION BY patient_id ORDER BY first_day
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_until
    FROM covered
),
islands AS (
    SELECT patient_id, first_day, last_day,
        sum(CASE WHEN covered_until IS NULL OR first_day - covered_until > 8 THEN 1 ELSE 0 END)
            OVER (PARTITION BY patient_id ORDER BY first_day ROWS UNBOUNDED PRECEDING) AS island
    FROM runs
),
spans AS (
    SELECT patient_id, max(last_day) - min(first_day) + 1 AS span
    FROM islands GROUP BY patient_id, island
),
continuity AS (
    SELECT count(DISTINCT patient_id) AS patients,
        count(DISTINCT patient_id) FILTER (WHERE span >= 180) AS continuous
    FROM spans
)"""

# A screen in one episode counts with it; one in two (a readmission on its discharge day)
# counts once when either is selected.
_SCREENS = """
uds_month AS (
    SELECT month, sum(specimens)::bigint AS specimens, sum(negative)::bigint AS negative
    FROM (
        SELECT e.month, e.specimens, e.negative
        FROM intake_outcome_screens e WHERE NOT e.shared AND {where}
        UNION ALL
        SELECT month, specimens, negative FROM (
            SELECT DISTINCT ON (s.episode_ids, s.month) s.month, s.specimens, s.negative
            FROM intake_outcome_screens s CROSS JOIN LATERAL unnest(s.episode_ids) AS i (id)
            JOIN intake_outcome_episode e ON e.episode_id = i.id
            WHERE s.shared AND {where}
        ) shared
    ) u
    GROUP BY month
)"""

_SELECT = """
SELECT episodes.*, continuity.patients AS on_medication, continuity.continuous,
    (SELECT COALESCE(json_agg(json_build_object(
            'month', to_char(month, 'YYYY-MM'), 'specimens', specimens, 'negative', negative)
        ORDER BY month), '[]'::json) FROM uds_month) AS uds,
    (SELECT refreshed_at FROM intake_outcome_refresh) AS as_of
FROM episodes, continuity
"""

# Whether the summary was ever refreshed: reading an unpopulated materialized view is an error.
# In the same statement, JIT off for the rest of the transaction (the report's statement).
POPULATED = (
    "SELECT c.relispopulated, set_config('jit', 'off', true) FROM pg_class c"
    " WHERE c.oid = to_regclass('intake_outcome_refresh')"
)


def summary_statement(filters: list[str]) -> str:
    """The report's statement over the summary with the given `EPISODE_FILTERS` keys."""
    where = " AND ".join(EPISODE_FILTERS[name] for name in filters) or "TRUE"
    retention = ",".join(_RETENTION.format(n=n) for n in RETENTION_DAYS)
    ctes = ",".join(
        (
            _EPISODES.format(where=where, retention=retention),
            _CONTINUITY.format(where=where),
            _SCREENS.format(where=where),
        )
    )
    return f"WITH {ctes}{_SELECT}"
