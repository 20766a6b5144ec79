from django.db import models

from intake.models.base import ClinicalModel


class Program(models.TextChoices):
    OUTPATIENT = "outpatient", "Outpatient"
    INTENSIVE_OUTPATIENT = "intensive-outpatient", "Intensive outpatient"
    RESIDENTIAL = "residential", "Residential"
    INPATIENT = "inpatient", "Inpatient"
    OTP = "otp", "Opioid treatment program"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Treatment completed"
    TRANSFERRED = "transferred", "Transferred to another program"
    LEFT_AGAINST_ADVICE = "left-against-advice", "Left against clinical advice"
    LOST_TO_FOLLOW_UP = "lost-to-follow-up", "Lost to follow-up"
    INCARCERATED = "incarcerated", "Incarcerated"
    DECEASED = "deceased", "Deceased"
    OTHER = "other", "Other"


class Episode(ClinicalModel):
    """An admission to a program, from admission to discharge."""

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="episodes")
    program = models.CharField(max_length=30, choices=Program.choices)
    admitted_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=30, choices=DischargeReason.choices, blank=True)
    # Written once, by the physician's review that completes or transfers withdrawal management
    # (services/withdrawal_review.py, docs/clinical-rules.md#withdrawal-review): {"decision",
    # "outcome", "days", "first_dose_at", "last_dose_at", "doses": {drug: {"doses", "total",
    # "unit"}}, "last_scores": {instrument: {"total", "band", "at"}}, "completed_at",
    # "completed_by", "review"}. Empty while none.
    withdrawal_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-admitted_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(program__in=Program.values), name="intake_episode_program_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EpisodeStatus.values),
                name="intake_episode_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(discharge_reason__in=[*DischargeReason.values, ""]),
                name="intake_episode_discharge_reason_valid",
            ),
            # Discharged exactly when it has a discharge date and reason.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status=EpisodeStatus.ACTIVE,
                        discharged_on__isnull=True,
                        discharge_reason="",
                    )
                    | (
                        models.Q(status=EpisodeStatus.DISCHARGED, discharged_on__isnull=False)
                        & ~models.Q(discharge_reason="")
                    )
                ),
                name="intake_episode_discharge_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="intake_episode_discharge_after_admission",
            ),
            # One active episode per patient, whatever the program: plans, interviews and
            # assessments attach to "the" active episode, and a second one made that ambiguous.
            # The index (not only the service's check) stops two concurrent admissions.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status=EpisodeStatus.ACTIVE),
                name="intake_episode_one_active_per_patient",
            ),
        ]
        indexes = [
            # Chart header: the patient's episodes, newest first.
            models.Index(fields=["patient", "-admitted_on"], name="intake_episode_patient_recent"),
        ]

    def __str__(self) -> str:
        return f"Episode {self.id} ({self.program}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE
