"""Group sessions (docs/clinical-rules.md#group-sessions): one meeting, many patients.

The group keeps who was there; each attendee's own chart gets a session note of kind `group`
(the shared summary plus their own note). Nothing of the group that a chart, an export or a
disclosure shows names another attendee: the attendee list is read only through the group,
by its facilitator's team, never through a patient's record."""

from django.conf import settings
from django.db import models

from intake.models.base import ClinicalModel
from intake.models.treatment_plan import Modality


class GroupSession(ClinicalModel):
    title = models.CharField(max_length=200)
    modality = models.CharField(max_length=30, choices=Modality.choices)
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What the group worked on, written once for all attendees: it must not name anyone.
    summary = models.TextField()

    class Meta:
        ordering = ["-held_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(modality__in=Modality.values),
                name="intake_groupsession_modality_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="intake_groupsession_duration_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(title="") & ~models.Q(summary=""),
                name="intake_groupsession_title_and_summary",
            ),
        ]
        indexes = [
            models.Index(fields=["facilitator", "-held_on"], name="intake_groupsession_fac"),
        ]

    def __str__(self) -> str:
        return f"Group session {self.id} ({self.modality})"


class GroupAttendee(models.Model):
    """One patient on a group session's roll: present or absent."""

    group = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendees")
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField()

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "patient"], name="intake_groupattendee_once_per_group"
            ),
        ]
        indexes = [
            # Attendance counts on the chart.
            models.Index(fields=["patient", "attended"], name="intake_groupattendee_patient"),
        ]

    def __str__(self) -> str:
        return f"Attendee {self.patient_id} of group {self.group_id}"
