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
