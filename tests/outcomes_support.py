"""Records for the program outcome tests (docs/clinical-rules.md#outcomes), written straight to
the database: episodes, given doses, urine screens and PHQ-9s on chosen days, relative to TODAY
(the clinic's date at conftest.FROZEN_AT)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from intake.models import (
    Episode,
    LabOrder,
    LabResult,
    MedicationAdministration,
    Patient,
    PlanMedication,
    TreatmentPlan,
)
from tests.factories import IN_60_DAYS_DATE, AssessmentFactory, PatientFactory, UserFactory

TODAY = datetime.date(2026, 11, 25)
CLINIC = ZoneInfo(settings.TIME_ZONE)

ROUTES = {"methadone": "oral", "naltrexone-xr": "intramuscular", "ondansetron": "oral"}


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """`day` at hour:minute on the clinic's clock."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CLINIC)


def episode(
    admitted_days_ago: int,
    *,
    program: str = "outpatient",
    discharged_after: int | None = None,
    reason: str = "",
    patient: Patient | None = None,
) -> Episode:
    """A new patient's episode (or `patient`'s) admitted that many days before TODAY;
    discharged `discharged_after` days after admission with `reason` when given."""
    admitted = days_ago(admitted_days_ago)
    discharged = admitted + datetime.timedelta(days=discharged_after) if reason else None
    return Episode.objects.create(
        patient=patient or PatientFactory(),
        program=program,
        admitted_on=admitted,
        status="discharged" if reason else "active",
        discharged_on=discharged,
        discharge_reason=reason,
    )


def medication(ep: Episode, drug: str = "buprenorphine", dose: str = "8") -> PlanMedication:
    """A medication line of a plan of the episode (a draft: the report reads the MAR)."""
    plan = TreatmentPlan.objects.create(
        patient=ep.patient, episode=ep, setting="outpatient", review_date=IN_60_DAYS_DATE
    )
    return PlanMedication.objects.create(
        plan=plan,
        drug=drug,
        dose=dose,
        route=ROUTES.get(drug, "sublingual"),
        frequency="daily",
        start_date=ep.admitted_on,
    )


def give(line: PlanMedication, days: range | list[int], *, hour: int = 9) -> list:
    """Doses of `line` given on these days after the episode's admission (day 0 = admitted)."""
    ep = line.plan.episode
    assert ep is not None
    return MedicationAdministration.objects.bulk_create(
        MedicationAdministration(
            patient=ep.patient,
            plan=line.plan,
            medication=line,
            status="given",
            dose=line.dose,
            unit="mg",
            route=line.route,
            given_at=at(ep.admitted_on + datetime.timedelta(days=d), hour),
        )
        for d in days
    )


def void(entry: MedicationAdministration) -> None:
    MedicationAdministration.objects.create(
        patient=entry.patient,
        plan=entry.plan,
        medication=entry.medication,
        status="void",
        given_at=entry.given_at,
        voids=entry,
        reason="Entered in error",
    )


def screen(
    ep: Episode,
    collected: datetime.datetime,
    results: dict[str, tuple[str, bool | None]],
    *,
    specimen_status: str = "valid",
) -> LabOrder:
    """A resulted urine drug screen with `results` {test: (interpretation, expected)}, as the
    lab services store them (intake/labs/drug_screen.py decides `expected`)."""
    nurse = UserFactory(role="nurse")
    order = LabOrder.objects.create(
        patient=ep.patient,
        panel_id="uds",
        status="resulted",
        ordered_by=nurse,
        ordered_at=collected - datetime.timedelta(hours=1),
        specimen_type="urine",
        collected_at=collected,
        collected_by=nurse,
        resulted_at=collected + datetime.timedelta(hours=2),
        specimen_status=specimen_status,
    )
    for code, (interpretation, expected) in results.items():
        LabResult.objects.create(
            order=order,
            patient=ep.patient,
            test_id=code,
            qualitative=interpretation,
            interpretation=interpretation,
            expected=expected,
            resulted_at=order.resulted_at,
        )
    return order


def phq9(ep: Episode, *totals_by_day: tuple[int, int]) -> None:
    """PHQ-9s of the episode: (days after admission, total) each."""
    counselor = UserFactory(role="counselor")
    for day, total in totals_by_day:
        AssessmentFactory(
            patient=ep.patient,
            episode=ep,
            instrument="phq9",
            answers={},
            total=total,
            band="recorded",
            administered_at=at(ep.admitted_on + datetime.timedelta(days=day)),
            administered_by=counselor,
        )


def refresh_summary() -> datetime.datetime:
    """Refresh the outcome summary's materialized views (the task's body), so that the report
    sees the records a test wrote."""
    from intake.services.outcomes_summary import refresh_summary as refresh

    return refresh()
