"""Reading treatment plans, the review queue, and the facts the safety rules need."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Max, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from intake.access import Perm, WorkItem, patients_visible_to, worklist_patients
from intake.models import (
    OPIOID_SUBSTANCES,
    Assessment,
    Interview,
    LabResult,
    Patient,
    PlanBehavioral,
    PlanMedication,
    PlanStatus,
    SubstanceUse,
    TreatmentPlan,
)
from intake.plan_rules import COWS_WINDOW, SEDATIVE_WINDOW, MedLine, PlanDraft, PlanFacts

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What the interview may record that makes an opioid agonist a sedative combination.
SEDATIVE_SUBSTANCES = ("benzodiazepine", "alcohol")

OPIOID_SCREEN_TESTS = ("opiates", "6-mam", "fentanyl", "oxycodone", "methadone", "buprenorphine")


def _with_lines(qs: QuerySet[TreatmentPlan], with_lines: bool) -> QuerySet[TreatmentPlan]:
    """Adds each plan's medication and behavioral lines (two queries per page), for readers
    that show the whole plan (the API's PlanSerializer)."""
    return qs.prefetch_related("medications", "behavioral") if with_lines else qs


def plan_list(*, patient: Patient, with_lines: bool = False) -> QuerySet[TreatmentPlan]:
    """Every version of the patient's plans, newest first; `with_lines` also reads their
    lines."""
    return _with_lines(
        TreatmentPlan.objects.filter(patient=patient)
        .select_related("signed_by", "submitted_by")
        .order_by("-version", "-created_at"),
        with_lines,
    )


# What the chart card shows of each line (it reads them with `.medications.all`, `.behavioral.all`).
# taper: whether the active plan is a detox (intake/withdrawal_rules.py is_detox_line).
_CHART_MEDICATION_FIELDS = ("position", "drug", "dose", "unit", "route", "frequency", "taper")
_CHART_BEHAVIORAL_FIELDS = ("position", "modality", "setting", "frequency")


def _lines(
    model: type[PlanMedication] | type[PlanBehavioral], fields: tuple[str, ...]
) -> ArraySubquery:
    return ArraySubquery(
        model.objects.filter(plan=OuterRef("pk"))
        .order_by("position")
        .values(row=JSONObject(**{f: f for f in fields}))
    )


def plan_chart_section(*, patient: Patient, user: User) -> dict[str, Any]:
    """The chart's plan card: the active version and any version in the works. One query: each
    plan comes with its medication and behavioral lines as JSON arrays, turned into (unsaved)
    line objects and put where `plan.medications.all` and `plan.behavioral.all` find them; only
    the fields the card shows are loaded."""
    plans = list(
        TreatmentPlan.objects.filter(
            patient=patient,
            status__in=[
                PlanStatus.ACTIVE,
                PlanStatus.DRAFT,
                PlanStatus.SUBMITTED,
                PlanStatus.CHANGES_REQUESTED,
            ],
        )
        .select_related("signed_by")
        .annotate(
            medication_rows=_lines(PlanMedication, _CHART_MEDICATION_FIELDS),
            behavioral_rows=_lines(PlanBehavioral, _CHART_BEHAVIORAL_FIELDS),
        )
        .order_by("-version")
    )
    for plan in plans:
        # Django's own prefetch cache (what `.medications.all` reads first); the stubs do not
        # declare it, and there is no public way to fill it without querying.
        plan._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "medications": [PlanMedication(plan=plan, **row) for row in plan.medication_rows],
            "behavioral": [PlanBehavioral(plan=plan, **row) for row in plan.behavioral_rows],
        }
    active = next((p for p in plans if p.status == PlanStatus.ACTIVE), None)
    return {"active": active, "open": [p for p in plans if p is not active]}


def review_queue(*, user: User, with_lines: bool = False) -> QuerySet[TreatmentPlan]:
    """Submitted plans of the physician's care teams' patients, oldest first (the home page's
    worklist and the API's queue). An emergency-access grant does not make its holder the
    plan's reviewer. `with_lines` also reads their lines."""
    return _with_lines(
        TreatmentPlan.objects.filter(
            status=PlanStatus.SUBMITTED,
            patient__in=worklist_patients(user, WorkItem.PLANS_TO_REVIEW),
        )
        .select_related("patient", "submitted_by")
        .order_by("submitted_at", "id"),
        with_lines,
    )


def plans_needing_author(*, user: User) -> QuerySet[TreatmentPlan]:
    """Drafts and plans returned with comments, on the person's care teams."""
    return (
        TreatmentPlan.objects.filter(
            status__in=[PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED],
            patient__in=patients_visible_to(user, Perm.PLAN_WRITE),
        )
        .select_related("patient", "reviewed_by")
        .order_by("-updated_at")
    )


def active_plan(*, patient: Patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .prefetch_related("medications")
        .first()
    )


def plan_draft_of(plan: TreatmentPlan) -> PlanDraft:
    return PlanDraft(
        medications=tuple(
            MedLine(
                drug=m.drug,
                dose=m.dose,
                frequency=m.frequency,
                start_date=m.start_date,
                end_date=m.end_date,
                taper=tuple(
                    sorted((int(t["day"]), Decimal(str(t["dose"]))) for t in (m.taper or []))
                ),
            )
            for m in plan.medications.all()
        ),
        medically_supervised_detox=plan.medically_supervised_detox,
    )


def plan_facts(
    *,
    patient: Patient,
    plan: TreatmentPlan | None = None,
    now: datetime.datetime | None = None,
) -> PlanFacts:
    """What the safety rules need to know about the patient, as of `now`."""
    now = now or timezone.now()
    facts = PlanFacts(now=now, today=timezone.localdate(now))
    facts.cows_totals_24h = list(
        Assessment.objects.filter(
            patient=patient,
            instrument="cows",
            administered_at__gte=now - COWS_WINDOW,
            administered_at__lte=now,
        ).values_list("total", flat=True)
    )
    auditc = (
        Assessment.objects.filter(patient=patient, instrument="auditc", administered_at__lte=now)
        .order_by("-administered_at")
        .values_list("band", flat=True)
        .first()
    )
    facts.latest_auditc_positive = auditc == "positive"
    _last_opioid_use(patient, facts)
    _lab_facts(patient, facts, now)
    active = active_plan(patient=patient)
    if active is not None and (plan is None or active.pk != plan.pk):
        facts.continuing_drugs = frozenset(m.drug for m in active.medications.all())
    return facts


def _last_opioid_use(patient: Patient, facts: PlanFacts) -> None:
    interview = (
        Interview.objects.filter(patient=patient)
        .order_by("-interviewed_on", "-created_at")
        .only("id", "last_opioid_use_at", "last_opioid_used", "pregnancy_status")
        .first()
    )
    if interview is None:
        return
    facts.pregnancy_reported = interview.pregnancy_status == "pregnant"
    facts.sedative_use_30d = frozenset(
        SubstanceUse.objects.filter(
            interview=interview,
            substance__in=SEDATIVE_SUBSTANCES,
            last_use_at__gte=facts.now - SEDATIVE_WINDOW,
            last_use_at__lte=facts.now,
        ).values_list("substance", flat=True)
    )
    candidates: list[tuple[datetime.datetime, str]] = []
    if interview.last_opioid_use_at:
        candidates.append((interview.last_opioid_use_at, interview.last_opioid_used))
    for at, substance in SubstanceUse.objects.filter(
        interview=interview, substance__in=OPIOID_SUBSTANCES, last_use_at__isnull=False
    ).values_list("last_use_at", "substance"):
        if at is not None:  # always (the query keeps only rows with a time); narrows the type
            candidates.append((at, substance))
    if candidates:
        at, substance = max(candidates, key=lambda c: c[0])
        facts.last_opioid_use_at = at
        facts.last_opioid = substance or "other-opioid"


def _lab_facts(patient: Patient, facts: PlanFacts, now: datetime.datetime) -> None:
    current = LabResult.objects.filter(patient=patient, is_current=True, resulted_at__lte=now)
    qtc = current.filter(test_id="qtc", value__isnull=False).order_by("-resulted_at").first()
    facts.latest_qtc = qtc.value if qtc else None
    recent = current.filter(resulted_at__gte=now - datetime.timedelta(days=90))
    rows = recent.filter(
        test_id__in=[*OPIOID_SCREEN_TESTS, "benzodiazepines", "hcg", "ast", "alt", "platelets"]
    ).values_list("test_id", "interpretation", "value", "resulted_at")
    liver: dict[str, Decimal] = {}
    for test, interpretation, value, at in rows:
        age = now - at
        if test in ("ast", "alt") and value is not None:
            liver[test] = max(liver.get(test, value), value)
        elif test == "platelets":
            if value is not None and age <= datetime.timedelta(days=30):
                low = facts.platelets_min_30d
                facts.platelets_min_30d = value if low is None else min(low, value)
        elif interpretation != "positive":
            continue
        elif test in OPIOID_SCREEN_TESTS and age <= datetime.timedelta(days=10):
            facts.opioid_positive_screens.append((test, at))
        elif test == "benzodiazepines" and age <= datetime.timedelta(days=30):
            facts.benzodiazepine_positive_30d = True
        elif test == "hcg" and age <= datetime.timedelta(days=30):
            facts.hcg_positive_30d = True
    facts.liver_max = liver


def review_evidence(*, patient: Patient) -> dict[str, Any]:
    """What the reviewing physician sees beside the plan: latest COWS, drug screen, QTc and
    liver tests."""
    cows = (
        Assessment.objects.filter(patient=patient, instrument="cows")
        .order_by("-administered_at")
        .first()
    )
    latest = (
        LabResult.objects.filter(patient=patient, is_current=True)
        .values("test_id")
        .annotate(at=Max("resulted_at"))
    )
    wanted = {
        "qtc",
        "ast",
        "alt",
        *OPIOID_SCREEN_TESTS,
        "norbuprenorphine",
        "eddp",
        "norfentanyl",
        "benzodiazepines",
        "cocaine",
        "amphetamines",
        "thc",
        "xylazine",
        "hcg",
    }
    latest_at = {row["test_id"]: row["at"] for row in latest if row["test_id"] in wanted}
    results = {
        r.test_id: r
        for r in LabResult.objects.filter(
            patient=patient, is_current=True, test_id__in=list(latest_at)
        ).select_related("test", "order")
        if r.resulted_at == latest_at.get(r.test_id)
    }
    screen_order = None
    screens = [r for r in results.values() if r.test.kind == "screen"]
    if screens:
        screen_order = max(screens, key=lambda r: r.resulted_at).order
    return {
        "cows": cows,
        "qtc": results.get("qtc"),
        "ast": results.get("ast"),
        "alt": results.get("alt"),
        "screen_order": screen_order,
        "screens": sorted(
            (r for r in screens if screen_order and r.order_id == screen_order.pk),
            key=lambda r: r.test.sort_order,
        ),
    }


def plan_component_get(*, plan: TreatmentPlan, component_id: int) -> PlanBehavioral | None:
    """One behavioral component of this plan version, or None."""
    return plan.behavioral.filter(pk=component_id).first()


def plan_line_counts(*, plan: TreatmentPlan) -> tuple[int, int]:
    """How many medication and behavioral lines the plan version has (the discard page says
    what would go). Two queries."""
    return plan.medications.count(), plan.behavioral.count()
