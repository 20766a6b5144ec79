"""Withdrawal management, pure rules (docs/clinical-rules.md#withdrawal-review): which plan
puts a patient in withdrawal management, what a physician's daily review may decide, and the
completion summary written onto the episode. No database: selectors gather the facts, the
service (intake/services/withdrawal_review.py) applies these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from intake.formulary import DRUGS, WITHDRAWAL, amount_text
from intake.mar_schedule import local_date
from intake.models import ENDING_DECISIONS, ReviewDecision, WithdrawalOutcome

# The medicines given for opioid withdrawal symptoms themselves (lofexidine, clonidine).
WITHDRAWAL_DRUGS = frozenset(code for code, drug in DRUGS.items() if drug.indication == WITHDRAWAL)
# The withdrawal scales whose last scores the summary keeps.
WITHDRAWAL_SCALES = ("cows", "sows", "ciwa-ar")
MAX_NOTE = 4000


def is_detox_line(drug: str, taper: Iterable[Any] | None) -> bool:
    """A medication line of withdrawal management: a withdrawal medicine, or an opioid
    agonist given on a taper (a buprenorphine or methadone taper to off)."""
    if drug in WITHDRAWAL_DRUGS:
        return True
    known = DRUGS.get(drug)
    return known is not None and known.agonist and bool(list(taper or ()))


def in_withdrawal_management(
    *, supervised_detox: bool, lines: Iterable[tuple[str, Iterable[Any] | None]]
) -> bool:
    """Is a patient whose active plan is this one in withdrawal management? The plan orders a
    medically supervised detox, or has a detox medication line (`lines`: (drug, taper))."""
    return supervised_detox or any(is_detox_line(drug, taper) for drug, taper in lines)


def decision_errors(decision: object, outcome: object, note: object) -> dict[str, list[str]]:
    """What is wrong with a review's fields, by field (empty when nothing): a known decision;
    an outcome with `complete` (required) and none with `continue` or `amend-plan`; with
    `transfer` the outcome is `transferred` (given or not); a note."""
    errors: dict[str, list[str]] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = ["Choose continue, amend the plan, complete or transfer."]
    outcome = outcome or ""
    if outcome and outcome not in WithdrawalOutcome.values:
        errors["outcome"] = [
            "Choose completed, left against advice, transferred or started maintenance."
        ]
    elif decision == ReviewDecision.COMPLETE and not outcome:
        errors["outcome"] = ["Say how withdrawal management ended (the outcome)."]
    elif decision == ReviewDecision.TRANSFER and outcome not in ("", WithdrawalOutcome.TRANSFERRED):
        errors["outcome"] = ["A transfer's outcome is transferred."]
    elif decision in (ReviewDecision.CONTINUE, ReviewDecision.AMEND_PLAN) and outcome:
        errors["outcome"] = ["An outcome is given only when completing withdrawal management."]
    if not isinstance(note, str) or not note.strip():
        errors["note"] = ["Write the review note."]
    elif len(note) > MAX_NOTE or "\x00" in note:
        errors["note"] = [f"At most {MAX_NOTE} characters of text."]
    return errors


def outcome_of(decision: str, outcome: str | None) -> str:
    """The outcome stored with a review: the one given with `complete`, `transferred` for a
    transfer, none otherwise."""
    if decision == ReviewDecision.TRANSFER:
        return WithdrawalOutcome.TRANSFERRED
    return (outcome or "") if decision in ENDING_DECISIONS else ""


@dataclass(frozen=True)
class GivenDose:
    drug: str
    dose: Decimal
    unit: str
    given_at: datetime.datetime


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    band: str
    at: datetime.datetime


def _iso(moment: datetime.datetime) -> str:
    """A stored moment, in UTC (as the database returns it), ISO 8601."""
    return moment.astimezone(datetime.UTC).isoformat()


def _doses(given: list[GivenDose]) -> dict[str, dict[str, Any]]:
    per_drug: dict[str, dict[str, Any]] = {}
    for dose in given:
        row = per_drug.setdefault(dose.drug, {"doses": 0, "total": Decimal(0), "unit": dose.unit})
        row["doses"] += 1
        row["total"] += dose.dose
    return {
        drug: {**row, "total": amount_text(row["total"])} for drug, row in sorted(per_drug.items())
    }


def _last_scores(scores: Iterable[Score]) -> dict[str, dict[str, Any]]:
    latest: dict[str, Score] = {}
    for score in scores:
        if score.instrument not in WITHDRAWAL_SCALES:
            continue
        if score.instrument not in latest or score.at > latest[score.instrument].at:
            latest[score.instrument] = score
    return {
        code: {"total": s.total, "band": s.band, "at": _iso(s.at)}
        for code, s in sorted(latest.items())
    }


def completion_summary(
    *,
    decision: str,
    outcome: str,
    given: Iterable[GivenDose],
    scores: Iterable[Score],
    completed_at: datetime.datetime,
    completed_by: str,
    review_id: str,
) -> Mapping[str, Any]:
    """The summary written onto the episode: the days from the first dose given to the day of
    completion (both counted; 0 when no dose was given), the first and last dose, the doses
    given and their total per drug (voided doses already left out by the caller), the last
    score of each withdrawal scale, the outcome, and who completed it when."""
    doses = sorted(given, key=lambda d: d.given_at)
    first = doses[0].given_at if doses else None
    last = doses[-1].given_at if doses else None
    days = (local_date(completed_at) - local_date(first)).days + 1 if first else 0
    return {
        "decision": decision,
        "outcome": outcome,
        "days": days,
        "first_dose_at": _iso(first) if first else None,
        "last_dose_at": _iso(last) if last else None,
        "doses": _doses(doses),
        "last_scores": _last_scores(scores),
        "completed_at": _iso(completed_at),
        "completed_by": completed_by,
        "review": review_id,
    }
