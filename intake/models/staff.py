from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """Staff roles. Values are the API slugs; each maps to a Django group of the label's name."""

    COUNSELOR = "counselor", "Counselor"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"
    CLINIC_ADMIN = "clinic-admin", "Clinic administrator"
    PRIVACY_OFFICER = "privacy-officer", "Privacy officer"


CLINICAL_ROLES = frozenset({Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN})
GROUP_TO_ROLE = {role.label: role for role in Role}


class LicenseType(models.TextChoices):
    NONE = "", "None"
    MD = "md", "Physician (MD)"
    DO = "do", "Physician (DO)"
    NP = "np", "Nurse practitioner"
    RN = "rn", "Registered nurse"
    LPN = "lpn", "Licensed practical nurse"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    LADC = "ladc", "Licensed alcohol and drug counselor"
    LCSW = "lcsw", "Licensed clinical social worker"
    LPC = "lpc", "Licensed professional counselor"
    CADC = "cadc", "Certified alcohol and drug counselor"


class StaffProfile(models.Model):
    """Credentials of a staff member; the role itself is the user's group."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile"
    )
    license_type = models.CharField(max_length=20, choices=LicenseType.choices, blank=True)
    license_number = models.CharField(max_length=50, blank=True)
    may_diagnose = models.BooleanField(
        default=False,
        help_text="Licensed to make a DSM-5 diagnosis (physicians, psychologists, and licensed "
        "counselors where state law and COUNSELOR_MAY_DIAGNOSE allow).",
    )
    may_prescribe = models.BooleanField(
        default=False, help_text="Licensed to prescribe (physicians)."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(license_type__in=LicenseType.values),
                name="intake_staffprofile_license_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Credentials of user {self.user_id}"


class ResetKind(models.TextChoices):
    PASSWORD = "password", "Password"
    MFA = "mfa", "Second factor"


class ResetStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a second administrator"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Replaced by a newer request"


class StaffResetRequest(models.Model):
    """A clinic administrator's reset of an administrator's or a privacy officer's password or
    second factor: it takes effect only when a second, different administrator approves it,
    within STAFF_RESET_REQUEST_HOURS (services/staff.py). The new password is held here as a
    hash only while the request is pending."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reset_requests"
    )
    kind = models.CharField(max_length=20, choices=ResetKind.choices)
    password = models.CharField(max_length=128, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=ResetStatus.choices, default=ResetStatus.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ResetKind.values),
                name="intake_staffresetrequest_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ResetStatus.values),
                name="intake_staffresetrequest_status_valid",
            ),
            # The requester never approves their own request.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("requested_by")),
                name="intake_staffresetrequest_second_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ResetStatus.APPROVED)
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="intake_staffresetrequest_approved_has_approver",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(status=ResetStatus.PENDING),
                name="intake_staffresetrequest_one_pending",
            ),
        ]
        indexes = [
            # The staff page's list of resets awaiting a second administrator.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status=ResetStatus.PENDING),
                name="intake_resetrequest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reset of user {self.user_id} ({self.status})"
