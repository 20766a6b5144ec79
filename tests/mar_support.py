"""Signed detox plans written straight to the database, and MAR helpers, for the medication
administration tests (the plan services are tested on their own)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from intake.mar_schedule import line_uid
from intake.models import PlanMedication, TreatmentPlan, VitalSigns
from tests.factories import AssessmentFactory, mark_signed

ROUTES = {"methadone": "oral", "clonidine": "oral", "lofexidine": "oral", "ondansetron": "oral"}


def signed_plan(patient, physician, lines, *, signed_at, previous=None, **plan_fields):
    """An active plan with `lines` ([{"drug", "dose", "frequency", "start_date", ...}]),
    signed by `physician` at `signed_at`; a previous version given is superseded."""
    if previous is not None:
        TreatmentPlan.objects.filter(pk=previous.pk).update(status="superseded")
    plan = TreatmentPlan.objects.create(
        patient=patient,
        setting="residential",
        medically_supervised_detox=plan_fields.pop("medically_supervised_detox", True),
        review_date=datetime.date(2027, 1, 30),
        version=previous.version + 1 if previous else 1,
        previous=previous,
        amendment_reason="Dose change" if previous else "",
        **plan_fields,
    )
    for i, line in enumerate(lines):
        PlanMedication.objects.create(
            plan=plan,
            position=i,
            drug=line["drug"],
            dose=Decimal(str(line["dose"])),
            route=line.get("route", ROUTES.get(line["drug"], "sublingual")),
            frequency=line.get("frequency", "daily"),
            start_date=line["start_date"],
            end_date=line.get("end_date"),
            indication=line.get("indication", ""),
            taper=line.get("taper", []),
        )
    mark_signed(plan, physician, signed_at=signed_at)
    plan.refresh_from_db()
    return plan


def med_id(plan, drug):
    """The opaque id of `plan`'s line for `drug` (as the plan API gives it)."""
    return str(line_uid(plan.medications.get(drug=drug).pk))


def vitals(patient, nurse, at, **measures):
    return VitalSigns.objects.create(
        patient=patient, taken_at=at, flags={}, created_by=nurse, **measures
    )


def cows(patient, nurse, at, total):
    band = "mild" if total < 13 else "moderate" if total < 25 else "moderately-severe"
    return AssessmentFactory(
        patient=patient,
        instrument="cows",
        answers={},
        total=total,
        band=band,
        administered_at=at,
        administered_by=nurse,
    )


def at(day, hh, mm=0):
    """A moment of a clinic day (America/New_York)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hh, mm)))


# The MAR API as the tests drive it ----------------------------------------------------------

DAY = datetime.date(2026, 11, 25)
ADMINISTRATIONS_URL = "/api/v1/patients/{}/administrations/"
MAR_URL = "/api/v1/patients/{}/mar/"


def line_id(plan, **match):
    """The opaque id of the plan's line matching `match` (e.g. frequency="daily")."""
    return str(line_uid(plan.medications.get(**match).pk))


def give(api, patient, medication, **body):
    """POST a dose of `medication` as given (the body's other fields as `body` says)."""
    return api.post(
        ADMINISTRATIONS_URL.format(patient.pk),
        {"medication": medication, "status": "given", **body},
        format="json",
    )


def mar(api, patient, day=DAY):
    """The MAR of `day` through the API (asserting it answered)."""
    response = api.get(MAR_URL.format(patient.pk), {"date": day.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()


def refused(response, rule):
    """A 400 naming the administration rule `rule`."""
    assert response.status_code == 400, response.content
    assert response.json()["rule"] == rule, response.json()
