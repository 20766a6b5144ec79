"""What a disclosure carries (the document), and the accounting of disclosures (§2.25)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from intake.labels import label
from intake.models import Disclosure, DisclosureContent, Patient
from intake.selectors.disclosure_counseling import private_notes_body

if TYPE_CHECKING:
    from intake.access import RequestUser

ACCOUNTING_YEARS = 3

# A document, or one of its parts, as plain JSON-shaped data: it is stored with the disclosure
# and returned by the API as it is, so its values are strings, lists and nested dicts.
Document = dict[str, Any]


def accounting_since(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year - ACCOUNTING_YEARS, day=28)


def disclosure_accounting(*, patient: Patient) -> QuerySet[Disclosure]:
    """Disclosures made with the patient's consent in the last three years, newest first."""
    return (
        Disclosure.objects.filter(patient=patient, disclosed_at__gte=accounting_since())
        .select_related("consent", "disclosed_by")
        .order_by("-disclosed_at")
    )


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _patient_header(patient: Patient) -> Document:
    return {
        "name": f"{patient.given_name} {patient.family_name}",
        "birth_date": _day(patient.birth_date),
        "mrn": patient.mrn,
        "sex_at_birth": patient.get_sex_at_birth_display(),
    }


def _summary(patient: Patient) -> Document:
    episodes = [
        {
            "program": e.get_program_display(),
            "admitted_on": _day(e.admitted_on),
            "discharged_on": _day(e.discharged_on),
            "status": e.get_status_display(),
        }
        for e in patient.episodes.order_by("-admitted_on")
    ]
    diagnoses = [
        {
            "diagnosis": f"Opioid use disorder, {d.get_severity_display().lower()}",
            "icd10": d.icd10,
            "remission": d.get_remission_display(),
            "diagnosed_on": _day(d.diagnosed_on),
        }
        for d in patient.diagnoses.order_by("-diagnosed_on")
    ]
    return {
        "sections": [
            {
                "title": "Episodes of care",
                "columns": ["Program", "Admitted", "Discharged", "Status"],
                "rows": [
                    [e["program"], e["admitted_on"], e["discharged_on"] or "—", e["status"]]
                    for e in episodes
                ],
            },
            {
                "title": "Diagnoses",
                "columns": ["Diagnosis", "ICD-10-CM", "Remission", "Diagnosed"],
                "rows": [
                    [d["diagnosis"], d["icd10"], d["remission"], d["diagnosed_on"]]
                    for d in diagnoses
                ],
            },
        ]
    }


def _treatment_plan(patient: Patient) -> Document:
    from intake.models import PlanStatus, TreatmentPlan

    plan = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .order_by("-signed_at")
        .prefetch_related("medications", "behavioral")
        .first()
    )
    if plan is None:
        return {"sections": [], "note": "No active (signed) treatment plan."}
    meds = [
        [
            m.get_drug_display(),
            f"{m.dose.normalize()} {m.unit}",
            label(m.route, "MedicationRoute"),
            m.get_frequency_display(),
            _day(m.start_date),
            _day(m.end_date) or "—",
        ]
        for m in plan.medications.all()
    ]
    behavioral = [
        [b.get_modality_display(), b.get_setting_display(), b.frequency]
        for b in plan.behavioral.all()
    ]
    return {
        "note": (
            f"Treatment plan version {plan.version}, setting {plan.get_setting_display()}, "
            f"signed {_day(plan.signed_at.date()) if plan.signed_at else '—'}, "
            f"review by {_day(plan.review_date)}."
        ),
        "sections": [
            {
                "title": "Medications",
                "columns": ["Medication", "Dose", "Route", "Frequency", "Start", "End"],
                "rows": meds,
            },
            {
                "title": "Behavioral treatment",
                "columns": ["Modality", "Setting", "Frequency"],
                "rows": behavioral,
            },
        ],
    }


def _lab_results(patient: Patient) -> Document:
    from intake.models import Interpretation, LabResult
    from intake.selectors.lab import result_display_value

    results = (
        LabResult.objects.filter(patient=patient, is_current=True)
        # An analyte marked not tested was not read: there is nothing to disclose about it.
        .exclude(interpretation=Interpretation.NOT_TESTED)
        .select_related("test")
        .order_by("-resulted_at")[:200]
    )
    rows = []
    for r in results:
        value = r.get_qualitative_display() if r.qualitative else ""
        if r.value is not None:
            # With the test's precision: normalize() printed 198.0000 as "1.98E+2".
            value = f"{result_display_value(r.test_id, r.value)} {r.unit}".strip()
        rows.append(
            [
                r.test.name,
                value or "—",
                r.get_interpretation_display() or r.get_flag_display() or "—",
                _day(timezone.localtime(r.resulted_at).date()),
            ]
        )
    return {
        "sections": [
            {
                "title": "Laboratory results",
                "columns": ["Test", "Result", "Interpretation", "Resulted"],
                "rows": rows,
            }
        ]
    }


BUILDERS = {
    DisclosureContent.PATIENT_SUMMARY: _summary,
    DisclosureContent.TREATMENT_PLAN: _treatment_plan,
    DisclosureContent.LAB_RESULTS: _lab_results,
}


def disclosure_document(
    *, patient: Patient, content: str, requester: RequestUser | None = None
) -> Document:
    """The document a disclosure sends: plain data (strings), rendered by the printable page
    and returned by the API; stored with the disclosure as the record of what was sent.

    No builder above reads counseling notes: they go out only as their own kind, and then
    only the requester's own (selectors/disclosure_counseling.py)."""
    if content == DisclosureContent.SUD_COUNSELING_NOTES:
        body = private_notes_body(patient=patient, requester=requester)
    else:
        body = BUILDERS[DisclosureContent(content)](patient)
    return {
        "title": DisclosureContent(content).label,
        "content": content,
        "patient": _patient_header(patient),
        "prepared_at": timezone.localtime().isoformat(timespec="seconds"),
        **body,
    }
