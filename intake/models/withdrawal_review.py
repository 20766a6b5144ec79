"""The physician's daily review of a patient in withdrawal management (issue 13): continue,
amend the plan (opening an amendment draft), complete, or transfer, with a note
(docs/clinical-rules.md#withdrawal-review).

A review is final once written: a database trigger (migration 0025) refuses every UPDATE and
DELETE. Completing or transferring also writes the completion summary onto the episode
(`Episode.withdrawal_summary`)."""

from django.db import models
from django.db.models import Q

from intake.models.base import ClinicalModel


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    AMEND_PLAN = "amend-plan", "Amend the plan"
    COMPLETE = "complete", "Withdrawal management complete"
    TRANSFER = "transfer", "Transfer to another service"


class WithdrawalOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed withdrawal management"
    LEFT_AGAINST_ADVICE = "left-against-advice", "Left against clinical advice"
    TRANSFERRED = "transferred", "Transferred"
    STARTED_MAINTENANCE = "started-maintenance", "Started maintenance treatment"


# The decisions that end withdrawal management and write the episode's summary.
ENDING_DECISIONS = frozenset({ReviewDecision.COMPLETE, ReviewDecision.TRANSFER})


class WithdrawalReview(ClinicalModel):
    """One review, signed by `created_by` at `reviewed_at`: the decision on `plan` (the active
    plan at the time), the note, the outcome (with `complete`; `transferred` with `transfer`)
    and, for `amend-plan`, the amendment draft it opened (or the one already open)."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="withdrawal_reviews"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, related_name="withdrawal_reviews"
    )
    plan = models.ForeignKey("intake.TreatmentPlan", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    outcome = models.CharField(max_length=30, choices=WithdrawalOutcome.choices, blank=True)
    note = models.TextField()
    amendment = models.ForeignKey(
        "intake.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values),
                name="intake_withdrawalreview_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=[*WithdrawalOutcome.values, ""]),
                name="intake_withdrawalreview_outcome_valid",
            ),
            # An outcome with `complete` (required) and `transfer` (always `transferred`) only.
            models.CheckConstraint(
                condition=(Q(decision="complete") & ~Q(outcome=""))
                | Q(decision="transfer", outcome="transferred")
                | (Q(decision__in=["continue", "amend-plan"]) & Q(outcome="")),
                name="intake_withdrawalreview_outcome_with_decision",
            ),
            models.CheckConstraint(
                condition=Q(decision="amend-plan", amendment__isnull=False)
                | (~Q(decision="amend-plan") & Q(amendment__isnull=True)),
                name="intake_withdrawalreview_amendment_with_amend",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="intake_withdrawalreview_note"),
        ]
        indexes = [
            # The review page and the API list: a patient's reviews, newest first.
            models.Index(fields=["patient", "-reviewed_at"], name="intake_withdrawalreview_recent"),
        ]

    def __str__(self) -> str:
        return f"Withdrawal review {self.id} ({self.decision})"
