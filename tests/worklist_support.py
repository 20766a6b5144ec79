"""Work waiting for someone, made through the services that make it in the clinic: a critical
QTc, an open order, an adulterated urine specimen, a positive PHQ-9 item 9, drafts, plans
submitted, returned and due for review."""

import datetime

from django.utils import timezone

from intake.models import Interview, TreatmentPlan
from intake.services.assessment import assessment_record
from intake.services.lab import lab_order_create, lab_results_record
from tests.factories import IN_60_DAYS_DATE
from tests.lab_support import uds_entries


def critical_qtc(patient, nurse, qtc=520):
    """An ECG with a critical QTc: two alerts (critical value, QTc prolonged), one finding."""
    order = lab_order_create(actor=nurse, patient=patient, panel="ecg", priority="stat")
    lab_results_record(
        actor=nurse,
        order=order,
        collected_at=timezone.now() - datetime.timedelta(minutes=20),
        observed=False,
        entries=[{"test": "qtc", "value": qtc}],
    )
    return order


def open_order(patient, nurse, panel="uds", priority="routine"):
    return lab_order_create(actor=nurse, patient=patient, panel=panel, priority=priority)


def adulterated_uds(patient, nurse):
    order = lab_order_create(actor=nurse, patient=patient, panel="uds")
    lab_results_record(
        actor=nurse,
        order=order,
        collected_at=timezone.now() - datetime.timedelta(hours=2),
        observed=False,
        entries=uds_entries(validity={"ph": 3.2}),
    )
    return order


def suicide_risk_phq9(patient, counselor):
    """A PHQ-9 with item 9 answered "several days": the suicide-risk alert."""
    answers = {str(i): "0" for i in range(1, 9)} | {"9": "1"}
    return assessment_record(actor=counselor, patient=patient, instrument="phq9", answers=answers)


def draft_interview(patient, author):
    return Interview.objects.create(
        patient=patient,
        author=author,
        interviewed_on=timezone.localdate(),
        created_by=author,
        updated_by=author,
    )


def plan(
    patient,
    author,
    *,
    status="draft",
    review_date=None,
    comment="",
    reviewer=None,
    lines=(),
    signed_at=None,
):
    """A plan in `status`, behavioral-only unless `lines` ([{"drug", "dose", "frequency",
    "route", "start_date"}]) are given (signed statuses set straight on the row, as the
    query-budget tests do: the signing itself is tested elsewhere)."""
    signed = status == "active"
    row = TreatmentPlan.objects.create(
        patient=patient,
        setting="outpatient",
        review_date=review_date or IN_60_DAYS_DATE,
        status="draft",
        created_by=author,
        updated_by=author,
    )
    for i, line in enumerate(lines):
        row.medications.create(position=i, **line)
    TreatmentPlan.objects.filter(pk=row.pk).update(
        status=status,
        submitted_at=timezone.now() - datetime.timedelta(days=2) if status != "draft" else None,
        submitted_by=author if status != "draft" else None,
        review_comment=comment,
        reviewed_by=reviewer,
        signed_at=(signed_at or timezone.now()) if signed else None,
        signed_by=reviewer or author if signed else None,
        content_hash="0" * 64 if signed else "",
    )
    row.refresh_from_db()
    return row


def every_kind_of_work(patient, physician, nurse, counselor) -> None:
    """A critical QTc, an open order, an adulterated urine specimen and a suicide-risk PHQ-9; a
    draft interview and a draft plan by each of the three; a plan the counselor submitted."""
    critical_qtc(patient, nurse)
    open_order(patient, nurse)
    adulterated_uds(patient, nurse)
    suicide_risk_phq9(patient, counselor)
    for author in (physician, nurse, counselor):
        draft_interview(patient, author)
        plan(patient, author)
    plan(patient, counselor, status="submitted")
