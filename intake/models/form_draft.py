"""What a clinician has typed into a form and not yet saved (docs/drafts.md).

A session can end while someone is typing (the idle timeout); the page keeps their typing here
every few seconds so that signing in again brings it back. A draft is the owner's own and no one
else's: it is not part of the record, it is deleted when the form is saved or discarded, and one
older than FORM_DRAFT_KEEP_DAYS is purged."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DraftKind(models.TextChoices):
    """The forms that keep drafts. The key of a draft is "<kind>:<object id or new>"."""

    INTERVIEW = "interview", "Intake interview"
    PLAN = "plan", "Treatment plan"
    CONSENT = "consent", "Consent to disclose"
    LAB_PANEL = "lab-panel", "Lab results"


class FormDraft(models.Model):
    id = models.BigAutoField(primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    patient = models.ForeignKey("intake.Patient", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DraftKind.choices)
    # "interview:<uuid>", "plan:new", "lab-panel:<order uuid>": which form, not what was typed.
    key = models.CharField(max_length=80)
    # {field name: value or [values]}, as the browser had them. PHI: never logged.
    fields = models.JSONField(default=dict)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "patient", "key"], name="form_draft_one_per_owner_form"
            )
        ]
        indexes = [models.Index(fields=["updated_at"], name="form_draft_updated_at")]

    def __str__(self) -> str:  # never the content
        return f"draft {self.key}"
