"""Administrations of standardized instruments, scored by `intake.scoring`.

An assessment is written once: its answers, total, band and alerts are those of the
instrument version it was scored with, and a later change of scoring never rescores it."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intake.models.base import ClinicalModel


class InstrumentCode(models.TextChoices):
    DSM5_OUD = "dsm5-oud", "DSM-5 opioid use disorder criteria"
    COWS = "cows", "Clinical Opiate Withdrawal Scale"
    SOWS = "sows", "Subjective Opiate Withdrawal Scale"
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    DAST10 = "dast10", "DAST-10"
    AUDITC = "auditc", "AUDIT-C"
    ASAM = "asam", "ASAM dimensions"
    CIWA_AR = "ciwa-ar", "CIWA-Ar (alcohol withdrawal)"


class AsamLevel(models.TextChoices):
    L0_5 = "0.5", "0.5 Early intervention"
    L1 = "1", "1 Outpatient"
    L2_1 = "2.1", "2.1 Intensive outpatient"
    L2_5 = "2.5", "2.5 Partial hospitalization"
    L3_1 = "3.1", "3.1 Clinically managed low-intensity residential"
    L3_3 = "3.3", "3.3 Clinically managed population-specific high-intensity residential"
    L3_5 = "3.5", "3.5 Clinically managed high-intensity residential"
    L3_7 = "3.7", "3.7 Medically monitored intensive inpatient"
    L4 = "4", "4 Medically managed intensive inpatient"
    OTP = "otp", "Opioid treatment program"


class AssessmentSource(models.TextChoices):
    """Who answered: the clinician administering it, or the patient alone (a self-report a
    clinician accepted into the record, docs/clinical-rules.md#self-report)."""

    CLINICIAN = "clinician", "Clinician-administered"
    PATIENT = "patient", "Patient self-report"


# Alerts that stay on the chart until a clinician records a safety assessment.
SAFETY_ALERTS = frozenset({"suicide-risk", "imminent-danger"})


class Assessment(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instrument = models.CharField(max_length=20, choices=InstrumentCode.choices)
    version = models.CharField(max_length=20)
    answers = models.JSONField()
    # ASAM: the clinician's note per dimension and the level of care they recommend.
    item_notes = models.JSONField(default=dict, blank=True)
    recommended_level = models.CharField(max_length=5, choices=AsamLevel.choices, blank=True)
    total = models.IntegerField()
    band = models.CharField(max_length=30)
    alerts = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    administered_at = models.DateTimeField()
    source = models.CharField(
        max_length=10, choices=AssessmentSource.choices, default=AssessmentSource.CLINICIAN
    )
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Safety follow-up of an alert (PHQ-9 item 9, ASAM imminent danger).
    safety_assessed_at = models.DateTimeField(null=True, blank=True)
    safety_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-administered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instrument__in=InstrumentCode.values),
                name="intake_assessment_instrument_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="intake_assessment_total_nonnegative"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=AssessmentSource.values),
                name="intake_assessment_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(recommended_level__in=[*AsamLevel.values, ""]),
                name="intake_assessment_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(safety_assessed_at__isnull=True)
                | (models.Q(safety_assessed_by__isnull=False) & ~models.Q(safety_note="")),
                name="intake_assessment_safety_assessment_complete",
            ),
        ]
        indexes = [
            # Instrument history and trend per patient; latest COWS for plan checks.
            models.Index(
                fields=["patient", "instrument", "-administered_at"],
                name="intake_assessment_history",
            ),
            # Chart banner: alerts not yet followed up.
            models.Index(
                fields=["patient"],
                condition=models.Q(safety_assessed_at__isnull=True) & ~models.Q(alerts=[]),
                name="intake_assessment_open_alerts",
            ),
            # Program outcomes (selectors/outcomes_sql.py): each episode's PHQ-9s in order.
            models.Index(
                fields=["episode", "administered_at", "created_at"],
                include=["total"],
                condition=models.Q(instrument="phq9"),
                name="intake_assessment_phq9_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.id} ({self.instrument})"

    @property
    def open_safety_alerts(self) -> list[str]:
        if self.safety_assessed_at is not None:
            return []
        return [a for a in self.alerts if a in SAFETY_ALERTS]


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Remission(models.TextChoices):
    NONE = "none", "Not in remission"
    EARLY = "early", "In early remission (3 to 12 months)"
    SUSTAINED = "sustained", "In sustained remission (12 months or more)"


ICD10_CODES = ("F11.10", "F11.11", "F11.20", "F11.21")


class Diagnosis(ClinicalModel):
    """An opioid use disorder diagnosis, from a DSM-5 criteria assessment."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="diagnoses"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="diagnoses")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    remission = models.CharField(max_length=10, choices=Remission.choices, default=Remission.NONE)
    on_maintenance_therapy = models.BooleanField(default=False)
    controlled_environment = models.BooleanField(default=False)
    icd10 = models.CharField("ICD-10-CM", max_length=10)
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    diagnosed_on = models.DateField()
    # Credentials at the time, kept with the record.
    diagnosed_by_license = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-diagnosed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values),
                name="intake_diagnosis_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(remission__in=Remission.values),
                name="intake_diagnosis_remission_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(icd10__in=ICD10_CODES), name="intake_diagnosis_icd10_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(controlled_environment=False) | ~models.Q(remission="none"),
                name="intake_diagnosis_controlled_env_needs_remission",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-diagnosed_on"], name="intake_diagnosis_patient")
        ]

    def __str__(self) -> str:
        return f"Diagnosis {self.id} ({self.icd10})"
