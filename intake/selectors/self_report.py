"""Reading patient self-report (docs/clinical-rules.md#self-report): a link by the hash of its
token or tablet code, what the patient's page may show (the first name and the questions,
nothing else), a patient's submitted answers in clinical words with the score each would get,
the chart panel, and the tablet's failed-code count per client address."""

from __future__ import annotations

import datetime
import enum
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from intake import access
from intake import self_report_codes as codes
from intake.labels import band_label
from intake.models import (
    AuditEvent,
    AuditOutcome,
    Patient,
    PendingAssessment,
    PendingStatus,
    SelfReportLink,
)
from intake.scoring import Instrument, ScoreResult, get_instrument

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.selectors.patient import Chart

# The audit rows of wrong tablet codes (the rate limit counts them per client address).
CODE_FAILURE = "self-report-code"
PENDING_SHOWN = 20


class LinkState(enum.StrEnum):
    OPEN = "open"
    GONE = "gone"  # used, or expired: 410
    UNKNOWN = "unknown"  # no such token or code: 404


def link_state(link: SelfReportLink | None, now: datetime.datetime | None = None) -> LinkState:
    """Open until used, and until `expires_at` (exactly SELF_REPORT_LINK_HOURS after issue)."""
    if link is None:
        return LinkState.UNKNOWN
    now = now or timezone.now()
    if link.used_at is not None or now >= link.expires_at:
        return LinkState.GONE
    return LinkState.OPEN


def link_by_token(token: str) -> SelfReportLink | None:
    """The link whose token hashes to this one's (see intake/self_report_codes.py on why a hash
    lookup needs no constant-time comparison); None for a malformed token, without a query."""
    if not codes.token_looks_valid(token):
        return None
    return (
        SelfReportLink.objects.select_related("patient")
        .filter(token_hash=codes.digest(token))
        .first()
    )


def link_by_code(typed: str) -> SelfReportLink | None:
    code = codes.normalized_code(typed)
    if code is None:
        return None
    return (
        SelfReportLink.objects.select_related("patient")
        .filter(code_hash=codes.digest(code))
        .first()
    )


def code_failures(address: str | None, now: datetime.datetime | None = None) -> int:
    """Wrong tablet codes from this client address in the last CODE_WINDOW (each one is an
    audit row: the audit is the counter, and no migration was needed for one)."""
    now = now or timezone.now()
    return AuditEvent.objects.filter(
        object_type=CODE_FAILURE,
        outcome=AuditOutcome.DENIED,
        ip_address=address,
        at__gte=now - codes.CODE_WINDOW,
    ).count()


def first_name(patient: Patient) -> str:
    """All the patient's page shows of the record: the name the patient goes by."""
    return patient.preferred_name or patient.given_name


def link_instruments(link: SelfReportLink) -> list[Instrument]:
    return [get_instrument(code) for code in link.instruments]


# Review ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    key: str
    question: str
    answer: str
    points: int


@dataclass(frozen=True)
class PendingView:
    """Submitted answers as the reviewer reads them: each question and answer in the
    instrument's words, and what accepting would score."""

    pending: PendingAssessment
    instrument: Instrument
    lines: list[AnswerLine]
    result: ScoreResult | None
    band: str

    @property
    def total(self) -> int | None:
        return self.result.total if self.result else None

    @property
    def alerts(self) -> list[str]:
        return list(self.result.alerts) if self.result else []


def pending_view(pending: PendingAssessment) -> PendingView:
    """Scored as accepting would score it (the same definition, pure: no query)."""
    instrument = get_instrument(pending.instrument)
    answers = pending.answers if isinstance(pending.answers, dict) else {}
    lines = []
    for item in instrument.items:
        value = str(answers.get(item.key, ""))
        try:
            option = item.option(value)
            answer, points = option.label, option.points
        except KeyError:
            answer, points = "(not answered)", 0
        lines.append(AnswerLine(item.key, item.text, answer, points))
    try:
        result: ScoreResult | None = instrument.score(
            answers, sex_at_birth=pending.patient.sex_at_birth
        )
    except ValueError:  # AnswerError: stored answers always validate; shown, never a 500
        result = None
    band = band_label(result.band, instrument.code) if result else ""
    return PendingView(pending, instrument, lines, result, band)


def pending_assessments(*, patient: Patient) -> QuerySet[PendingAssessment]:
    """A patient's self-report answers: those waiting for review first (urgent first), then
    the reviewed, newest first."""
    waiting = Case(
        When(status=PendingStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        PendingAssessment.objects.filter(patient=patient)
        .select_related("patient", "reviewed_by", "assessment")
        .annotate(waiting=waiting)
        .order_by("waiting", "-urgent", "-submitted_at", "id")
    )


def pending_assessment_row(pending: PendingAssessment) -> dict[str, Any]:
    """One pending assessment in the API's words (docs/api.md#patient-self-report)."""
    view = pending_view(pending)
    reviewer = pending.reviewed_by
    return {
        "id": pending.pk,
        "instrument": pending.instrument,
        "answers": pending.answers,
        "submitted_at": pending.submitted_at,
        "urgent": pending.urgent,
        "status": pending.status,
        "total": view.total,
        "band": view.result.band if view.result else None,
        "alerts": view.alerts,
        "reviewed_at": pending.reviewed_at,
        "reviewed_by": reviewer.get_username() if reviewer else None,
        "rejection_reason": pending.rejection_reason,
        "assessment": pending.assessment_id,
    }


def waiting_self_reports_array() -> ArraySubquery:
    """A patient's answers waiting for review (urgent first, then the oldest), the first
    PENDING_SHOWN, as a JSON array for the chart's one query (selectors/patient.py)."""
    rows = PendingAssessment.objects.filter(
        patient=OuterRef("pk"), status=PendingStatus.PENDING
    ).order_by("-urgent", "submitted_at", "id")[:PENDING_SHOWN]
    return ArraySubquery(
        rows.values(
            json=JSONObject(
                id="id",
                instrument="instrument",
                answers="answers",
                submitted_at="submitted_at",
                urgent="urgent",
            )
        )
    )


def waiting_self_reports_from(
    patient: Patient, rows: list[dict[str, Any]]
) -> list[PendingAssessment]:
    """The rows of `waiting_self_reports_array`, as (unsaved) pending assessments."""
    return [
        PendingAssessment(
            id=uuid.UUID(str(r["id"])),
            patient=patient,
            instrument=r["instrument"],
            answers=r["answers"],
            submitted_at=parse_datetime(str(r["submitted_at"])) or timezone.now(),
            urgent=bool(r["urgent"]),
            status=PendingStatus.PENDING,
        )
        for r in rows or []
    ]


def self_report_chart_section(*, chart: Chart, user: User) -> dict[str, Any]:
    """The chart's "Patient self-report" panel: may the person issue a link, and the answers
    waiting for review (read with the chart: no query of its own)."""
    patient = chart.patient
    can_review = access.can_review_self_report(user, patient)
    waiting = [pending_view(p) for p in chart.waiting_self_reports] if can_review else []
    return {
        "can_issue": access.can_issue_self_report(user, patient),
        "can_review": can_review,
        "waiting": waiting,
    }
