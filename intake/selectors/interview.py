"""Reading intake interviews. Each function runs a fixed number of queries, whatever the number
of interviews, substance rows or addenda."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet, Window
from django.http import Http404

from intake import access
from intake.access import Perm
from intake.models import Interview, InterviewAddendum, Patient, SubstanceUse

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHART_LIMIT = 10


def interview_chart_section(*, patient: Patient, user: User) -> dict[str, Any]:
    """The chart's interview card: the patient's latest interviews with their addenda counts,
    and how many there are in all (one query: the total is a window count)."""
    interviews = list(
        Interview.objects.filter(patient=patient)
        .select_related("author")
        .annotate(addenda_count=Count("addenda"), total=Window(Count("pk")))
        .order_by("-interviewed_on", "-created_at")[:CHART_LIMIT]
    )
    total = interviews[0].total if interviews else 0
    return {
        "interviews": interviews,
        "total": total,
        "limit": CHART_LIMIT,
        # The care-team answer is cached on the user by resolve_patient: no query here.
        "can_write": access.can(user, Perm.INTERVIEW_WRITE, patient),
    }


def _with_content(qs: QuerySet[Interview]) -> QuerySet[Interview]:
    return qs.select_related("author", "episode", "updated_by").prefetch_related(
        Prefetch("substances", queryset=SubstanceUse.objects.order_by("substance", "id")),
        Prefetch(
            "addenda",
            queryset=InterviewAddendum.objects.select_related("author").order_by("signed_at"),
        ),
    )


def interview_list(*, patient: Patient) -> QuerySet[Interview]:
    """A patient's interviews, newest first, with substances and addenda (three queries)."""
    return _with_content(Interview.objects.filter(patient=patient)).order_by(
        "-interviewed_on", "-created_at"
    )


def interview_get(*, patient: Patient, interview_id: uuid.UUID | str) -> Interview:
    """One interview of this patient with everything the detail page shows (three queries);
    Http404 when it does not exist or belongs to another patient."""
    try:
        interview = _with_content(Interview.objects.filter(patient=patient)).get(pk=interview_id)
    except (Interview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such interview.") from None
    interview.patient = patient  # already loaded and access-checked by the caller
    return interview


def interview_patient_id(*, interview_id: uuid.UUID | str) -> uuid.UUID | None:
    """The patient behind an interview id, or None: the API resolves the patient (and the
    caller's access to them) before it loads the interview."""
    try:
        return (
            Interview.objects.filter(pk=interview_id).values_list("patient_id", flat=True).first()
        )
    except (ValueError, TypeError):
        return None


def interview_substance_count(*, interview: Interview) -> int:
    """How many substance rows the interview records (the discard page says what would go)."""
    return interview.substances.count()
