"""Emergency access (§2.51 medical emergency, "break the glass")."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from intake.models.base import ClinicalModel


class EmergencyCategory(models.TextChoices):
    OVERDOSE = "overdose", "Overdose"
    MEDICAL_EMERGENCY = "medical-emergency", "Medical emergency"
    UNABLE_TO_CONSENT = "patient-unable-to-consent", "Patient unable to consent"
    OTHER = "other", "Other"


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate"
    NEEDS_FOLLOW_UP = "needs-follow-up", "Needs follow-up"


class BreakGlassGrant(ClinicalModel):
    """A clinician outside the care team opened a chart in an emergency, with a stated reason.
    Access lasts until `expires_at`; every audit row written meanwhile carries break_glass=True;
    the grant stays on the privacy officer's review list until `reviewed_at` is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    category = models.CharField(
        max_length=32, choices=EmergencyCategory.choices, default=EmergencyCategory.OTHER
    )
    reason = models.TextField()
    # A second request during an active grant extends it; how many times it was.
    extensions = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    review_outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    # Set when a privacy officer ended the access before it expired.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="intake_breakglass_expires_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="intake_breakglass_reason_present"
            ),
        ]
        indexes = [
            # access.py: "the active grants of this user" (once per request that needs it).
            models.Index(fields=["user", "-expires_at"], name="intake_breakglass_user"),
            # The privacy officer's review list: grants not yet reviewed, oldest first.
            models.Index(
                fields=["started_at"],
                condition=models.Q(reviewed_at__isnull=True),
                name="intake_breakglass_unreviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"Emergency access {self.pk} by {self.user_id} to {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.started_at <= timezone.now() < self.expires_at
