"""Patient self-report (docs/clinical-rules.md#self-report): a one-time link or a waiting-room
tablet code for chosen instruments, and the answers it brings back, pending a clinician's review.

Only a hash of the link's token and of the code is stored: a database reader cannot open a
patient's page, and a guessed token matches nothing. Answers are not an assessment until a
clinician on the team accepts them (they then score, alert and trend like any other, with
`source: patient`) or rejects them with a reason."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intake.models.base import ClinicalModel

# The instruments a patient may answer alone (the clinician-rated ones are not offered).
SELF_REPORT_INSTRUMENTS = ("phq9", "gad7", "sows", "dast10", "auditc")


class SelfReportLink(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="self_report_links"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instruments = ArrayField(models.CharField(max_length=20))
    # SHA-256 (hex) of the URL token and of the tablet code; neither is kept in clear.
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instruments__contained_by=list(SELF_REPORT_INSTRUMENTS))
                & ~models.Q(instruments=[]),
                name="intake_selfreportlink_instruments_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="intake_selfreport_patient"),
        ]

    def __str__(self) -> str:
        return f"Self-report link {self.id}"


class PendingStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted into the record"
    REJECTED = "rejected", "Rejected"


class PendingAssessment(ClinicalModel):
    """One instrument's answers as the patient submitted them."""

    link = models.ForeignKey(SelfReportLink, on_delete=models.PROTECT, related_name="submissions")
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="pending_assessments"
    )
    instrument = models.CharField(max_length=20)
    answers = models.JSONField()
    submitted_at = models.DateTimeField()
    # PHQ-9 item 9 above 0 as submitted: the team hears of it before anyone reviews it.
    urgent = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=PendingStatus.choices, default=PendingStatus.PENDING
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    assessment = models.OneToOneField(
        "intake.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_report",
    )

    class Meta:
        ordering = ["-urgent", "submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instrument__in=list(SELF_REPORT_INSTRUMENTS)),
                name="intake_pendingassessment_instrument_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PendingStatus.values),
                name="intake_pendingassessment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", reviewed_at__isnull=True)
                | models.Q(status="accepted", reviewed_at__isnull=False, assessment__isnull=False)
                | (
                    models.Q(status="rejected", reviewed_at__isnull=False)
                    & ~models.Q(rejection_reason="")
                ),
                name="intake_pendingassessment_review_consistent",
            ),
            models.UniqueConstraint(
                fields=["link", "instrument"], name="intake_pendingassessment_once_per_link"
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient"],
                condition=models.Q(status="pending"),
                name="intake_pendingassessment_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Pending {self.instrument} {self.id} ({self.status})"
