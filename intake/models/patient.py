import datetime

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from intake.models.base import ClinicalModel


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


# The fields a registration clerk or clinician fills in (form, API and services use this list).
REGISTRATION_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_language",
    "referral_source",
    "reason_for_visit",
)


class Patient(ClinicalModel):
    """A registered patient. Only `id` (a UUID) ever appears in a URL; the MRN is shown on pages."""

    mrn = models.CharField("MRN", max_length=12, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField("date of birth")
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    preferred_language = models.CharField(max_length=50, blank=True, default="English")
    referral_source = models.CharField(max_length=200, blank=True)
    reason_for_visit = models.TextField(blank=True)
    # Optimistic lock: every save bumps it; an edit made from an older copy is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex_at_birth__in=SexAtBirth.values),
                name="intake_patient_sex_at_birth_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_date__gte=datetime.date(1900, 1, 1)),
                name="intake_patient_birth_date_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(given_name="") & ~models.Q(family_name=""),
                name="intake_patient_names_present",
            ),
        ]
        indexes = [
            # Patient search: fuzzy and substring match on names (pg_trgm).
            GinIndex(
                fields=["family_name"],
                name="intake_patient_family_trgm",
                opclasses=["gin_trgm_ops"],
            ),
            GinIndex(
                fields=["given_name"], name="intake_patient_given_trgm", opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                fields=["preferred_name"],
                name="intake_patient_preferred_trgm",
                opclasses=["gin_trgm_ops"],
            ),
            # Patient search by date of birth, and the duplicate check at registration.
            models.Index(fields=["birth_date"], name="intake_patient_birth_date"),
            # Default list order.
            models.Index(
                Lower("family_name"), Lower("given_name"), name="intake_patient_name_order"
            ),
        ]

    def __str__(self) -> str:
        # Deliberately not the name: str() ends up in logs and admin messages.
        return f"Patient {self.mrn}"

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{self.given_name} ({self.preferred_name}) {self.family_name}"
        return f"{self.given_name} {self.family_name}"

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday
