"""The SQL of the program outcome report (docs/clinical-rules.md#outcomes), one statement over
the whole database: no row per patient leaves PostgreSQL, only the counts.

`EPISODE_FILTERS` are the only fragments put into the statement's WHERE clause; every value
travels as a parameter. Parameters: `today` (the clinic's date), `tz` (the clinic's time zone:
doses and specimens belong to the clinic's day and month), `oud` (the OUD medication codes),
`cover_drugs` / `cover_days` (days each dose of a long-acting injection covers), and the filters'
own `program`, `admitted_from`, `admitted_to`, `clinician`."""

from __future__ import annotations

EPISODE_FILTERS = {
    "program": "e.program = %(program)s",
    "admitted_from": "e.admitted_on >= %(admitted_from)s",
    "admitted_to": "e.admitted_on <= %(admitted_to)s",
    # On the patient's care team, now or before (an ended membership still counts: the episode
    # was theirs too).
    "clinician": (
        "EXISTS (SELECT 1 FROM intake_careteammember m"
        " WHERE m.patient_id = e.patient_id AND m.user_id = %(clinician)s)"
    ),
}

# Retained at day N: measured once admitted_on + N <= today; retained when still active,
# discharged on or after day N, or discharged as completed.
_RETENTION = """
    count(*) FILTER (WHERE admitted_on + {n} <= %(today)s) AS r{n}_measured,
    count(*) FILTER (WHERE admitted_on + {n} <= %(today)s AND (status = 'active'
        OR discharge_reason = 'completed' OR discharged_on >= admitted_on + {n})) AS r{n}_retained
"""

RETENTION_DAYS = (30, 90, 180)

_EPISODES = """
ep AS (
    SELECT e.id, e.patient_id, e.admitted_on, e.status, e.discharged_on, e.discharge_reason
    FROM intake_episode e
    WHERE {where}
),
retention AS (
    SELECT count(*) AS episodes, count(DISTINCT patient_id) AS patients, {retention}
    FROM ep
)"""

# Given OUD doses of the episodes' plans (an entry voided by a later `void` entry is no dose),
# on the clinic's calendar day.
_DOSES = """
dose AS (
    SELECT ep.id AS episode_id, ep.patient_id, ep.admitted_on,
        (a.given_at AT TIME ZONE %(tz)s)::date AS day, m.drug
    FROM ep
    JOIN intake_treatmentplan p ON p.episode_id = ep.id
    JOIN intake_medicationadministration a ON a.plan_id = p.id
    JOIN intake_planmedication m ON m.id = a.medication_id
    WHERE a.status = 'given' AND m.drug = ANY(%(oud)s)
        AND NOT EXISTS (
            SELECT 1 FROM intake_medicationadministration v WHERE v.voids_id = a.id)
),
first_dose AS (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median, count(*) AS episodes
    FROM (SELECT min(day) - min(admitted_on) AS days FROM dose GROUP BY episode_id) f
)"""

# Gaps and islands: each dose day covers itself (a long-acting injection more days, up to
# today); an island goes on while the next dose day is at most 8 days after the last covered
# day (a gap of up to 7 uncovered days). The running maximum generalises LAG to spans that
# overlap (daily doses inside an injection's month).
_CONTINUITY = """
cover AS (
    SELECT unnest(%(cover_drugs)s::text[]) AS drug, unnest(%(cover_days)s::int[]) AS days
),
covered AS (
    SELECT d.patient_id, d.day AS first_day,
        LEAST(d.day + max(COALESCE(c.days, 1)) - 1, %(today)s) AS last_day
    FROM dose d LEFT JOIN cover c ON c.drug = d.drug
    GROUP BY d.patient_id, d.day
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

# Valid urine screens collected during one of the episodes: negative unless an opioid analyte is
# positive without being `expected` (intake/labs/drug_screen.py: a positive the signed plan's
# medications predict is expected). A screen none of whose opioid analytes was read (all not
# tested or inconclusive) is no measurement. Both sets come from small partial indexes
# (migration 0030): unexpected positives and unread analytes are few among all results.
_SCREENS = """
uds_order AS (
    SELECT o.id, date_trunc('month', o.day)::date AS month
    FROM (
        SELECT id, patient_id, (collected_at AT TIME ZONE %(tz)s)::date AS day
        FROM intake_laborder
        WHERE panel_id = 'uds' AND status = 'resulted' AND specimen_status = 'valid'
    ) o
    WHERE EXISTS (SELECT 1 FROM ep WHERE ep.patient_id = o.patient_id
        AND o.day >= ep.admitted_on AND (ep.discharged_on IS NULL OR o.day <= ep.discharged_on))
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
uds_month AS (
    SELECT u.month, count(*) AS specimens, count(*) FILTER (WHERE x.order_id IS NULL) AS negative
    FROM uds_order u LEFT JOIN unexpected x ON x.order_id = u.id
    WHERE u.id NOT IN (SELECT order_id FROM unread)
    GROUP BY u.month
)"""

# PHQ-9 per episode: the first and the latest (by when given), and how many. One pass in the
# order of the partial index intake_assessment_phq9_episode (migration 0030): no sort.
_PHQ9 = """
phq AS (
    SELECT a.episode_id, a.total,
        row_number() OVER w AS n,
        count(*) OVER (PARTITION BY a.episode_id) AS given,
        first_value(a.total) OVER w AS first_total
    FROM intake_assessment a
    WHERE a.instrument = 'phq9' AND a.episode_id IS NOT NULL
    WINDOW w AS (PARTITION BY a.episode_id ORDER BY a.administered_at, a.created_at)
),
phq_episode AS (
    SELECT phq.first_total, phq.total AS latest_total, phq.given
    FROM phq JOIN ep ON ep.id = phq.episode_id
    WHERE phq.n = phq.given
),
phq_rates AS (
    SELECT count(*) AS measured,
        count(*) FILTER (WHERE latest_total * 2 <= first_total) AS response,
        count(*) FILTER (WHERE latest_total < 5) AS remission
    FROM phq_episode WHERE first_total >= 10 AND given >= 2
)"""

_SELECT = """
SELECT retention.*,
    continuity.patients AS on_medication, continuity.continuous,
    first_dose.median AS first_dose_median, first_dose.episodes AS first_dose_episodes,
    phq_rates.measured AS phq9_measured, phq_rates.response AS phq9_response,
    phq_rates.remission AS phq9_remission,
    (SELECT COALESCE(json_agg(json_build_object(
            'month', to_char(month, 'YYYY-MM'), 'specimens', specimens, 'negative', negative)
        ORDER BY month), '[]'::json) FROM uds_month) AS uds
FROM retention, continuity, first_dose, phq_rates
"""


def outcomes_statement(filters: list[str]) -> str:
    """The report's statement with the given `EPISODE_FILTERS` keys in its WHERE clause."""
    where = " AND ".join(EPISODE_FILTERS[name] for name in filters) or "TRUE"
    retention = ",".join(_RETENTION.format(n=n) for n in RETENTION_DAYS)
    ctes = ",".join(
        (_EPISODES.format(where=where, retention=retention), _DOSES, _CONTINUITY, _SCREENS, _PHQ9)
    )
    return f"WITH {ctes}{_SELECT}"
