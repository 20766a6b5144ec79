"""Reading a patient's care team, for the care-team page and the API alike.

The one list is `care_team_current`: the members who may open the chart now, as the API
answers `GET /patients/{id}/care-team/` (docs/api.md#care-teams) and as access.py counts
them. The page also shows who was on the team before, greyed out with the date their
membership ended (removal ends a membership and keeps the row: tests/test_care_team.py);
that history is a second, explicit selector, `care_team_ended`, so no reader gets ended
members without asking for them.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from intake.models import CareTeamMember, Patient

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def care_team_current(*, patient: Patient) -> QuerySet[CareTeamMember]:
    """Current members (not ended), by team role then when they joined. One query."""
    return (
        CareTeamMember.objects.filter(patient=patient, ended_at__isnull=True)
        .select_related("user")
        .order_by("team_role", "created_at")
    )


def care_team_ended(*, patient: Patient) -> QuerySet[CareTeamMember]:
    """Ended memberships in the order they ended (as the page has always listed them): the
    page's history under the current team. One query."""
    return (
        CareTeamMember.objects.filter(patient=patient, ended_at__isnull=False)
        .select_related("user")
        .order_by("ended_at", "team_role", "created_at")
    )


def care_team_member_get(*, patient: Patient, member_id: uuid.UUID) -> CareTeamMember | None:
    """One membership of this patient's team (current or ended), or None."""
    return CareTeamMember.objects.filter(pk=member_id, patient=patient).first()


def care_team_has_member(*, patient_id: uuid.UUID | str, user: User) -> bool:
    """Whether `user` is a current member of the team of the patient with this id (the 404
    page asks, to offer emergency access only to those outside the team)."""
    return CareTeamMember.objects.filter(
        patient_id=patient_id, user=user, ended_at__isnull=True
    ).exists()
