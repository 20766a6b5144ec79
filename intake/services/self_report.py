"""Patient self-report (docs/clinical-rules.md#self-report): issuing a one-time link and tablet
code, the patient's submission, a wrong tablet code, and the clinician's review.

Lock order (docs/concurrency.md): a submission locks its link (the record), then inserts one
row per instrument; a review locks the pending row (the record), then records the assessment
through intake/services/assessment.py like a clinician's entry. Neither locks the patient."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import self_report_codes as codes
from intake.exceptions import InvalidAnswers, SelfReportLinkGone, SelfReportReviewed
from intake.models import (
    SELF_REPORT_INSTRUMENTS,
    AssessmentSource,
    AuditAction,
    AuditOutcome,
    Patient,
    PendingAssessment,
    PendingStatus,
    SelfReportLink,
)
from intake.scoring import AnswerError, get_instrument
from intake.selectors.patient import episode_current
from intake.selectors.self_report import CODE_FAILURE, LinkState, link_state
from intake.services.assessment import assessment_record
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.models import Assessment

GONE = "This link has already been used or has expired."
MAX_REASON = 2000
# The alerts that put a self-report at the top of the team's worklist on arrival.
URGENT_ALERTS = frozenset({"suicide-risk"})


@dataclass(frozen=True)
class IssuedLink:
    """The link and, this once, its secrets in clear: only their hashes are stored."""

    link: SelfReportLink
    token: str
    code: str

    @property
    def code_display(self) -> str:
        return codes.code_display(self.code)


def _instruments(instruments: object) -> list[str]:
    if not isinstance(instruments, Sequence) or isinstance(instruments, str):
        raise ValidationError({"instruments": ["Give a list of instrument codes."]})
    chosen: list[str] = []
    for code in instruments:
        if not isinstance(code, str) or code not in SELF_REPORT_INSTRUMENTS:
            raise ValidationError(
                {
                    "instruments": [
                        f"Unknown instrument '{str(code)[:40]}': a patient may answer "
                        f"{', '.join(SELF_REPORT_INSTRUMENTS)}."
                    ]
                }
            )
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise ValidationError({"instruments": ["Choose at least one instrument."]})
    return chosen


def _unused_code() -> str:
    while True:  # 8.5 * 10**11 codes: a second draw is already unlikely
        code = codes.new_code()
        if not SelfReportLink.objects.filter(code_hash=codes.digest(code)).exists():
            return code


@transaction.atomic
def self_report_link_issue(*, actor: User, patient: Patient, instruments: object) -> IssuedLink:
    """A link and tablet code for the chosen instruments, open for SELF_REPORT_LINK_HOURS."""
    chosen = _instruments(instruments)
    token, code = codes.new_token(), _unused_code()
    link = SelfReportLink(
        patient=patient,
        episode=episode_current(patient=patient),
        issued_by=actor,
        instruments=chosen,
        token_hash=codes.digest(token),
        code_hash=codes.digest(code),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.SELF_REPORT_LINK_HOURS),
        created_by=actor,
        updated_by=actor,
    )
    link.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=link,
        detail={"instruments": chosen},
    )
    return IssuedLink(link, token, code)


def _cleaned(link: SelfReportLink, answers: object) -> dict[str, dict[str, str]]:
    """Each instrument's answers checked by its own definition (as a clinician's entry is);
    InvalidAnswers keyed `<instrument>.<item>` (or the instrument alone) otherwise."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"answers": ["Expected an object mapping instruments to answers."]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for code in answers:
        if code not in link.instruments:
            errors[str(code)[:40]] = ["This link does not ask this instrument."]
    for code in link.instruments:
        if code not in answers:
            errors[code] = ["Answer this questionnaire."]
            continue
        try:
            cleaned[code] = get_instrument(code).validate(answers[code])
        except AnswerError as exc:
            for key, msgs in exc.errors.items():
                errors[code if key == "answers" else f"{code}.{key}"] = list(msgs)
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


@transaction.atomic
def self_report_submit(
    *, link: SelfReportLink, answers: object, via: str
) -> list[PendingAssessment]:
    """The patient's answers, one pending assessment per instrument; the link is then used.
    `via`: "link" or "tablet" (audited). Nothing is stored when any answer is refused."""
    locked = SelfReportLink.objects.select_for_update(no_key=True).get(pk=link.pk)
    if link_state(locked) is not LinkState.OPEN:
        raise SelfReportLinkGone(GONE)
    cleaned = _cleaned(locked, answers)
    now = timezone.now()
    stored = []
    for code, values in cleaned.items():
        result = get_instrument(code).score_cleaned(values, sex_at_birth=link.patient.sex_at_birth)
        pending = PendingAssessment.objects.create(
            link=locked,
            patient_id=locked.patient_id,
            instrument=code,
            answers=values,
            submitted_at=now,
            urgent=bool(URGENT_ALERTS.intersection(result.alerts)),
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            patient_id=locked.patient_id,
            obj=pending,
            detail={"instrument": code, "via": via, "urgent": pending.urgent},
        )
        stored.append(pending)
    locked.used_at = now
    locked.save(update_fields=["used_at", "updated_at"])
    return stored


def self_report_code_refused(*, reason: str) -> None:
    """A wrong (or unusable) tablet code: audited with the client address, which is what the
    rate limit counts (intake/selectors/self_report.py, code_failures)."""
    audit_record(
        actor=None,
        action=AuditAction.READ,
        outcome=AuditOutcome.DENIED,
        object_type=CODE_FAILURE,
        detail={"reason": reason},
    )


def _locked_pending(pending: PendingAssessment) -> PendingAssessment:
    locked = (
        PendingAssessment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient")
        .get(pk=pending.pk)
    )
    if locked.status != PendingStatus.PENDING:
        raise SelfReportReviewed(
            f"These answers were already {locked.get_status_display().lower()}."
        )
    return locked


def _reviewed(
    actor: User, locked: PendingAssessment, status: str, field: str, **detail: str
) -> None:
    """Close the review of the locked pending answers as `status` (accepted or rejected), by
    `actor` now, saving `field` (set by the caller) with the review; audited."""
    locked.status = status
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.updated_by = actor
    locked.save(
        update_fields=["status", "reviewed_at", "reviewed_by", field, "updated_by", "updated_at"]
    )
    change = "accepted" if status == PendingStatus.ACCEPTED else "rejected"
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"change": change, **detail},
    )


@transaction.atomic
def pending_assessment_accept(*, actor: User, pending: PendingAssessment) -> Assessment:
    """Into the record through the clinician's own path (scored, alerted, trended), marked as
    the patient's: administered when submitted, by the clinician who accepted it."""
    locked = _locked_pending(pending)
    assessment = assessment_record(
        actor=actor,
        patient=locked.patient,
        instrument=locked.instrument,
        answers=locked.answers,
        administered_at=locked.submitted_at,
        source=AssessmentSource.PATIENT,
    )
    locked.assessment = assessment
    _reviewed(actor, locked, PendingStatus.ACCEPTED, "assessment", assessment=str(assessment.pk))
    return assessment


@transaction.atomic
def pending_assessment_reject(
    *, actor: User, pending: PendingAssessment, reason: object
) -> PendingAssessment:
    """Kept out of the record, with the reason (required)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": ["Say why these answers are not taken into the record."]})
    if len(text) > MAX_REASON:
        raise ValidationError({"reason": [f"At most {MAX_REASON} characters."]})
    locked = _locked_pending(pending)
    locked.rejection_reason = text
    _reviewed(actor, locked, PendingStatus.REJECTED, "rejection_reason")
    return locked
