"""42 CFR Part 2 written consent to disclose (§2.31), and its revocation."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from intake.models.base import ClinicalModel


class DisclosureContent(models.TextChoices):
    """What a disclosure may carry; a consent names the kinds it covers."""

    PATIENT_SUMMARY = "patient-summary", "Patient summary (registration, episodes, diagnoses)"
    TREATMENT_PLAN = "treatment-plan", "Current treatment plan"
    LAB_RESULTS = "lab-results", "Laboratory results, drug screens included"
    # 42 CFR 2.31(b) (2024 rule): SUD counseling notes go out only under a consent that names
    # them and nothing else (docs/clinical-rules.md#counseling-notes).
    SUD_COUNSELING_NOTES = "sud-counseling-notes", "SUD counseling notes"


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


# "Naming substance use disorder information explicitly" (§2.31(a)(3)): the description of the
# information must say that it is SUD information, in one of these words.
SUD_WORDS = re.compile(
    r"substance[\s-]+use|\bSUD\b|opioid|alcohol|drug|addiction|methadone|buprenorphine",
    re.IGNORECASE,
)

# Words in the description that name each kind, for clients that send only `information`.
CONTENT_WORDS = {
    DisclosureContent.PATIENT_SUMMARY: re.compile(r"summary", re.IGNORECASE),
    DisclosureContent.TREATMENT_PLAN: re.compile(r"treatment[\s-]+plan", re.IGNORECASE),
    DisclosureContent.LAB_RESULTS: re.compile(
        r"\blab|laborator|drug[\s-]+(screen|test)|toxicolog|urine", re.IGNORECASE
    ),
}


# SUD counseling notes are never read from a description: only a consent whose content_kinds
# name them explicitly covers them (42 CFR 2.31(b); docs/clinical-rules.md#counseling-notes).
# A description that speaks of them, sent without content_kinds, is refused and the client
# asked to name the kind, rather than guessing either way (CONTENT_WORDS has no entry for it).
COUNSELING_NOTES_WORDS = re.compile(
    r"counsel+ing[\s-]+notes?|psychotherapy[\s-]+notes?", re.IGNORECASE
)


def content_kinds_named_in(text: str) -> list[str]:
    return [kind.value for kind, pattern in CONTENT_WORDS.items() if pattern.search(text or "")]


def normalized(text: str) -> str:
    """How recipients and purposes are compared: case and spacing do not matter."""
    return " ".join((text or "").split()).casefold()


CONSENT_STATEMENTS = (
    "You may revoke this consent at any time, in writing, except to the extent that the "
    "program or others have already acted in reliance on it (42 CFR 2.31(a)(6)). Revoking it "
    "does not affect disclosures made before the revocation. Your treatment does not depend on "
    "whether you sign this consent; refusing to sign it means the information named here is "
    "not disclosed to the recipient, except where 42 CFR part 2 permits disclosure without "
    "consent (for example a medical emergency)."
)


def signed_copy_path(instance: Consent, filename: str) -> str:
    # Never the uploaded file name: it may carry the patient's name.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"consents/{instance.patient_id}/{instance.pk}.{suffix}"


class Consent(ClinicalModel):
    """A patient's written consent to disclose Part 2 records. Every element of §2.31 is a
    column; a consent lacking one is refused (services/consent.py names what is missing).

    Status is derived from the dates: revoked from `revoked_on`, expired after `expires_on`.
    A consent that expires on an event (`expiry_event`) stays active until revoked."""

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="consents")
    # Who may disclose: the program's name or a general designation of it.
    disclosing_party = models.CharField(max_length=200)
    recipient = models.CharField(max_length=200)
    recipient_is_general_designation = models.BooleanField(default=False)
    # What and how much, naming SUD information explicitly.
    information = models.TextField()
    content_kinds = ArrayField(
        models.CharField(max_length=30, choices=DisclosureContent.choices), default=list
    )
    purpose = models.CharField(max_length=300)
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=300, blank=True)
    right_to_revoke_acknowledged = models.BooleanField(
        default=False,
        help_text="The patient was told of the right to revoke in writing and its exceptions.",
    )
    # The §2.31 statements the patient signed under (CONSENT_STATEMENTS at the time): the
    # system's own text, shown on the form and kept with the consent.
    statements = models.TextField(blank=True)
    signed_on = models.DateField()
    signed_by = models.CharField(
        max_length=200, help_text="The patient, or the person authorised to sign for them."
    )
    signed_copy = models.FileField(upload_to=signed_copy_path, blank=True, max_length=200)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(disclosing_party="")
                & ~models.Q(recipient="")
                & ~models.Q(information="")
                & ~models.Q(purpose="")
                & ~models.Q(signed_by="")
                & ~models.Q(content_kinds=[]),
                name="intake_consent_elements_present",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=False) | ~models.Q(expiry_event=""),
                name="intake_consent_has_expiry",
            ),
            models.CheckConstraint(
                condition=models.Q(right_to_revoke_acknowledged=True) & ~models.Q(statements=""),
                name="intake_consent_revocation_acknowledged",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("signed_on")),
                name="intake_consent_expires_after_signing",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True)
                | models.Q(revoked_on__gte=models.F("signed_on")),
                name="intake_consent_revoked_after_signing",
            ),
        ]
        indexes = [
            # The consents list of a patient's chart and the disclosure form's consent choices.
            models.Index(fields=["patient", "-signed_on"], name="intake_consent_patient"),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} for {self.patient_id}"

    def status_on(self, day: datetime.date) -> ConsentStatus:
        if self.revoked_on is not None and self.revoked_on <= day:
            return ConsentStatus.REVOKED
        if self.expires_on is not None and self.expires_on < day:
            return ConsentStatus.EXPIRED
        return ConsentStatus.ACTIVE

    @property
    def status(self) -> ConsentStatus:
        return self.status_on(timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.status == ConsentStatus.ACTIVE

    def covers_recipient(self, recipient: str) -> bool:
        if not normalized(recipient):
            return False
        # A general designation ("my treating providers at ...") names no one entity: each
        # disclosure records the specific recipient, who appears in the accounting.
        return self.recipient_is_general_designation or normalized(recipient) == normalized(
            self.recipient
        )

    def covers_purpose(self, purpose: str) -> bool:
        return bool(normalized(purpose)) and normalized(purpose) == normalized(self.purpose)

    def get_content_kinds_display(self) -> list[str]:
        return [DisclosureContent(k).label for k in self.content_kinds]
