from django.conf import settings
from django.db import models

from intake.models.base import ClinicalModel


class TeamRole(models.TextChoices):
    COUNSELOR = "counselor", "Counselor"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"


class CareTeamMember(ClinicalModel):
    """A staff member on a patient's care team. Removal ends the membership; the row stays."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="care_team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_memberships"
    )
    team_role = models.CharField(max_length=20, choices=TeamRole.choices)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_role__in=TeamRole.values),
                name="intake_careteammember_team_role_valid",
            ),
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=models.Q(ended_at__isnull=True),
                name="intake_careteammember_one_active_per_user",
            ),
        ]
        indexes = [
            # "Patients visible to me": active memberships of one user.
            models.Index(
                fields=["user", "patient"],
                condition=models.Q(ended_at__isnull=True),
                name="intake_careteam_user_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_role} {self.user_id} on {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
