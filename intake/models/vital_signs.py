"""Vital signs as taken at the bedside, and the alerts their critical values raise.

A recorded set of vital signs is final (a database trigger, migration 0023, refuses every
DELETE and every UPDATE but one): a set entered in error (the wrong patient, a misread
device) is voided once, with a reason, and stays in the record marked so; the right reading is
a new set. Each column holds one
measure of docs/clinical-rules.md#vital-signs, empty when not taken; the plausible limits are also
CHECK constraints, so no path (admin, SQL, a future service) can store a reading §8 refuses.

Alerts: a model of their own (VitalSignAlert) rather than a generalised LabAlert: a lab alert
belongs to an order and often to a result row, is closed by a physician or superseded by an
amendment; a vital-sign alert belongs to one measure of one set of vital signs, and a nurse or
a physician acknowledges it. One row per critical measure, so "open alerts" stays the single
condition `acknowledged_at IS NULL`, as for lab alerts, and the worklist reads both alike.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from intake.models.base import ClinicalModel


class VitalMeasure(models.TextChoices):
    """The measures, by their API field names (the columns of VitalSigns)."""

    SYSTOLIC = "systolic", "Systolic blood pressure"
    DIASTOLIC = "diastolic", "Diastolic blood pressure"
    HEART_RATE = "heart_rate", "Heart rate"
    RESPIRATORY_RATE = "respiratory_rate", "Respiratory rate"
    TEMPERATURE_C = "temperature_c", "Temperature"
    SPO2 = "spo2", "Oxygen saturation (SpO2)"
    WEIGHT_KG = "weight_kg", "Weight"
    HEIGHT_CM = "height_cm", "Height"
    PAIN = "pain", "Pain score"


class VitalFlag(models.TextChoices):
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class VitalAlertCode(models.TextChoices):
    CRITICAL_VITAL = "critical-vital", "Critical vital sign"


# (column, plausible low, plausible high) as §8 gives them; the rules module holds the same.
PLAUSIBLE = (
    ("systolic", 40, 300),
    ("diastolic", 20, 200),
    ("heart_rate", 20, 300),
    ("respiratory_rate", 2, 80),
    ("temperature_c", 25, 45),
    ("spo2", 50, 100),
    ("weight_kg", 2, 350),
    ("height_cm", 40, 250),
    ("pain", 0, 10),
)


def _plausible(column: str, low: int, high: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{column}__isnull": True})
        | Q(**{f"{column}__gte": low, f"{column}__lte": high}),
        name=f"intake_vitalsigns_{column}_plausible",
    )


class VitalSigns(ClinicalModel):
    """One set of vital signs taken at `taken_at` (by `created_by`), with the flag of each
    flagged measure and the alert codes it raised, as recorded."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="vital_signs"
    )
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    # {measure: flag} for each flagged measure taken (weight, height and pain have no flag).
    flags = models.JSONField(default=dict, blank=True)
    # Entered in error: when, by whom, why (all three or none; set once, never cleared).
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-taken_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic__isnull=True, diastolic__isnull=True)
                | Q(systolic__isnull=False, diastolic__isnull=False),
                name="intake_vitalsigns_blood_pressure_together",
            ),
            models.CheckConstraint(
                condition=Q(systolic__isnull=False)
                | Q(heart_rate__isnull=False)
                | Q(respiratory_rate__isnull=False)
                | Q(temperature_c__isnull=False)
                | Q(spo2__isnull=False)
                | Q(weight_kg__isnull=False)
                | Q(height_cm__isnull=False)
                | Q(pain__isnull=False),
                name="intake_vitalsigns_at_least_one_measure",
            ),
            *(_plausible(column, low, high) for column, low, high in PLAUSIBLE),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="intake_vitalsigns_void_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-taken_at"], name="intake_vitalsigns_patient_at"),
        ]

    # Not a column: the open alerts of the set, prefetched by selectors.vital_signs.
    open_alerts: list["VitalSignAlert"]

    def __str__(self) -> str:
        return f"Vital signs {self.pk} taken {self.taken_at:%Y-%m-%d %H:%M}"


class VitalSignAlert(ClinicalModel):
    """A critical value of one measure, open on the chart and the worklist until a nurse or a
    physician acknowledges it with a note of what was done."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="vital_sign_alerts"
    )
    vital_signs = models.ForeignKey(VitalSigns, on_delete=models.PROTECT, related_name="alerts")
    measure = models.CharField(max_length=20, choices=VitalMeasure.choices)
    code = models.CharField(
        max_length=30, choices=VitalAlertCode.choices, default=VitalAlertCode.CRITICAL_VITAL
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vital_signs", "measure", "code"], name="intake_vitalsignalert_one_each"
            ),
            models.CheckConstraint(
                condition=Q(measure__in=VitalMeasure.values), name="intake_vitalsignalert_measure"
            ),
            models.CheckConstraint(
                condition=Q(code__in=VitalAlertCode.values), name="intake_vitalsignalert_code"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True)
                | (Q(acknowledged_by__isnull=False) & ~Q(acknowledgement_note="")),
                name="intake_vitalsignalert_acknowledged_with_note",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient"],
                condition=Q(acknowledged_at__isnull=True),
                name="intake_vitalsignalert_open",
            ),
        ]

    # Not a column: the alert in words for pages ("Critical heart rate: 32 /min"), set by
    # selectors.vital_signs.
    text: str

    def __str__(self) -> str:
        return f"Vital-sign alert {self.code} ({self.measure}) on {self.vital_signs_id}"
