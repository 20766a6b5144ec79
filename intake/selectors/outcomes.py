"""Program outcomes for clinic leadership (docs/clinical-rules.md#outcomes, docs/api.md#outcomes):
counts and rates over the episodes admitted in a period, never a list of patients.

One SQL statement over the materialized summary (migration 0031,
intake/selectors/outcomes_summary_sql.py, docs/clinical-rules.md#outcomes-summary), which a task
refreshes (intake/tasks.py); read from the replica where one is configured (intake/db_router.py).
The direct statement over every table (intake/selectors/outcomes_sql.py) stays the reference the
summary is checked against."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from intake import access
from intake.db_router import reports_alias
from intake.formulary import DRUGS, OUD, RELAPSE
from intake.selectors.outcomes_sql import EPISODE_FILTERS, RETENTION_DAYS, outcomes_statement
from intake.selectors.outcomes_summary_sql import POPULATED, summary_statement

# The OUD medications (intake/models/treatment_plan.py DrugCode): those the formulary gives for
# opioid use disorder or its relapse prevention.
OUD_DRUGS = tuple(
    sorted(code for code, d in DRUGS.items() if d.indication.startswith((OUD, RELAPSE)))
)
assert set(OUD_DRUGS) == {
    "buprenorphine",
    "buprenorphine-naloxone",
    "buprenorphine-xr",
    "methadone",
    "naltrexone",
    "naltrexone-xr",
}

# Days one given dose covers (its own day included): the injections the formulary doses monthly
# (buprenorphine-xr) and every 4 weeks (naltrexone-xr) cover 28 days; every other dose its day.
DAYS_COVERED = {"buprenorphine-xr": 28, "naltrexone-xr": 28}

CONTINUITY_DAYS = 180


@dataclass(frozen=True)
class OutcomeFilters:
    """Which episodes the report covers: admitted to `program`, from `admitted_from` to
    `admitted_to` (inclusive), of patients with `clinician` (a staff user id) on their care
    team. None: no such filter."""

    program: str | None = None
    admitted_from: datetime.date | None = None
    admitted_to: datetime.date | None = None
    clinician: int | None = None


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _params(filters: OutcomeFilters, today: datetime.date) -> tuple[list[str], dict[str, Any]]:
    values = {
        "program": filters.program,
        "admitted_from": filters.admitted_from,
        "admitted_to": filters.admitted_to,
        "clinician": filters.clinician,
    }
    used = [name for name in EPISODE_FILTERS if values[name] is not None]
    params = {
        **{name: values[name] for name in used},
        "today": today,
        "tz": settings.TIME_ZONE,
        "oud": list(OUD_DRUGS),
        "cover_drugs": list(DAYS_COVERED),
        "cover_days": list(DAYS_COVERED.values()),
    }
    return used, params


def _report(row: dict[str, Any]) -> dict[str, Any]:
    retention = {
        str(n): {"measured": row[f"r{n}_measured"], "retained": row[f"r{n}_retained"]}
        for n in RETENTION_DAYS
    }
    median = row["first_dose_median"]
    return {
        "patients": row["patients"],
        "retention": {n: _rate(c["retained"], c["measured"]) for n, c in retention.items()},
        "continuity_180": _rate(row["continuous"], row["on_medication"]),
        "days_to_first_dose_median": None if median is None else float(median),
        "uds_negative_rate": [
            {**m, "rate": _rate(m["negative"], m["specimens"])} for m in row["uds"]
        ],
        "phq9_response": _rate(row["phq9_response"], row["phq9_measured"]),
        "phq9_remission": _rate(row["phq9_remission"], row["phq9_measured"]),
        "counts": {
            "episodes": row["episodes"],
            "retention": retention,
            "continuity": {"patients": row["on_medication"], "continuous": row["continuous"]},
            "first_dose": {"episodes": row["first_dose_episodes"]},
            "phq9": {
                "measured": row["phq9_measured"],
                "response": row["phq9_response"],
                "remission": row["phq9_remission"],
            },
        },
    }


def _as_of(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def not_refreshed_report() -> dict[str, Any]:
    """The answer while the summary was never refreshed: every figure null, `as_of` null."""
    return {
        "patients": None,
        "retention": {str(n): None for n in RETENTION_DAYS},
        "continuity_180": None,
        "days_to_first_dose_median": None,
        "uds_negative_rate": [],
        "phq9_response": None,
        "phq9_remission": None,
        "counts": None,
        "computed_at": timezone.now().isoformat(),
        "as_of": None,
    }


def _computed(filters: OutcomeFilters, today: datetime.date) -> dict[str, Any]:
    used, params = _params(filters, today)
    connection = connections[reports_alias()]
    # One transaction, so that JIT stays off for the statement (POPULATED): it takes well
    # under a second, compiling it could take seconds.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(POPULATED)
        populated = cursor.fetchone()
        if not populated or not populated[0]:
            return not_refreshed_report()
        cursor.execute(summary_statement(used), params)
        columns = [c.name for c in cursor.description or ()]
        values = cursor.fetchone()
    row = dict(zip(columns, values or (), strict=True))
    report = _report(row)
    return {**report, "computed_at": timezone.now().isoformat(), "as_of": _as_of(row["as_of"])}


def outcomes_report_direct(
    *, filters: OutcomeFilters, today: datetime.date | None = None
) -> dict[str, Any]:
    """The same figures computed straight from every table (the reference the summary is
    checked against, never cached): `as_of` is now."""
    used, params = _params(filters, today or timezone.localdate())
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(outcomes_statement(used), params)
        columns = [c.name for c in cursor.description or ()]
        values = cursor.fetchone()
    now = timezone.now().isoformat()
    return {
        **_report(dict(zip(columns, values or (), strict=True))),
        "computed_at": now,
        "as_of": now,
    }


def outcomes_report(
    *, filters: OutcomeFilters, today: datetime.date | None = None
) -> dict[str, Any]:
    """The figures of docs/api.md#outcomes for the episodes `filters` select, measured on
    `today` (default: the clinic's date), from the summary as last refreshed ("as_of"; null,
    with every figure null, while it never was). One query over the summary; the answer is kept
    for settings.OUTCOMES_CACHE_SECONDS per filters and day (0: never kept), so that leadership
    reloading the page does not run it again ("computed_at" says when it ran)."""
    day = today or timezone.localdate()
    seconds = settings.OUTCOMES_CACHE_SECONDS
    key = "outcomes:" + ":".join(
        str(v)
        for v in (day, filters.program, filters.admitted_from, filters.admitted_to)
        + (filters.clinician,)
    )
    if seconds:
        kept = cache.get(key)
        if kept is not None:
            return dict(kept)
    report = _computed(filters, day)
    if seconds and report["as_of"] is not None:
        cache.set(key, report, seconds)
    return report


def outcomes_clinicians() -> list[tuple[int, str]]:
    """(user id, name) of the clinicians the report can be filtered by: active counselors,
    nurses and physicians, by name. Staff names only, no patient data."""
    users = (
        access.outcome_clinicians()
        .order_by("last_name", "first_name", "username")
        .values_list("id", "first_name", "last_name", "username")
    )
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in users]
