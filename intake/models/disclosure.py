"""Disclosures of Part 2 records made with the patient's consent (the accounting, §2.24/§2.25)."""

from django.conf import settings
from django.db import models

from intake.models.base import ClinicalModel
from intake.models.consent import DisclosureContent

# §2.32(a)(1): the notice that accompanies every disclosure made with the patient's consent.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided "
    "at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, the federal rules prohibit you from making any other use or disclosure of "
    "this record unless at least one of the following applies: (i) further use or disclosure "
    "is expressly permitted by the written consent of the individual whose information is "
    "being disclosed in this record or as otherwise permitted by 42 CFR part 2; (ii) you are a "
    "covered entity or business associate and have received the record for treatment, payment, "
    "or health care operations, or (iii) you have received the record from a covered entity or "
    "business associate as permitted by 45 CFR part 164, subparts A and E. A general "
    "authorization for the release of medical or other information is NOT sufficient to meet "
    "the required elements of written consent to further use or redisclose the record (see 42 "
    "CFR 2.31). Use or disclosure of this record without authorization is prohibited."
)


class Disclosure(ClinicalModel):
    """One disclosure: what, to whom, for what purpose, under which consent, by whom, when.
    Written once, never edited. `document` is what was sent (the snapshot the printable copy
    shows), `document_sha256` its digest."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(
        "intake.Consent", on_delete=models.PROTECT, related_name="disclosures"
    )
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    content = models.CharField(max_length=30, choices=DisclosureContent.choices)
    notice = models.TextField()
    document = models.JSONField(default=dict)
    document_sha256 = models.CharField(max_length=64)
    disclosed_at = models.DateTimeField()
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-disclosed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content__in=DisclosureContent.values),
                name="intake_disclosure_content_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(notice="") & ~models.Q(recipient=""),
                name="intake_disclosure_notice_and_recipient",
            ),
        ]
        indexes = [
            # Accounting of disclosures: one patient's, newest first, last three years.
            models.Index(fields=["patient", "-disclosed_at"], name="intake_disclosure_patient"),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk} of {self.patient_id}"
