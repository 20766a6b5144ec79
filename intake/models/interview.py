"""The structured intake interview (docs/clinical-rules.md#intake-interview).

A draft until its author signs it; then immutable. Corrections are addenda, each with a reason,
signed and dated, so the original stays as it was signed."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intake.models.base import ClinicalModel


class Substance(models.TextChoices):
    HEROIN = "heroin", "Heroin"
    FENTANYL = "fentanyl", "Fentanyl"
    PRESCRIPTION_OPIOID = "prescription-opioid", "Prescription opioid"
    METHADONE = "methadone", "Methadone"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine"
    OTHER_OPIOID = "other-opioid", "Other opioid"
    STIMULANT = "stimulant", "Stimulant"
    ALCOHOL = "alcohol", "Alcohol"
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    CANNABIS = "cannabis", "Cannabis"
    TOBACCO = "tobacco", "Tobacco"
    OTHER = "other", "Other"


OPIOID_SUBSTANCES = frozenset(
    {
        Substance.HEROIN,
        Substance.FENTANYL,
        Substance.PRESCRIPTION_OPIOID,
        Substance.METHADONE,
        Substance.BUPRENORPHINE,
        Substance.OTHER_OPIOID,
    }
)


class Route(models.TextChoices):
    INJECTED = "injected", "Injected"
    SNIFFED = "sniffed", "Sniffed"
    SNORTED = "snorted", "Snorted"
    SMOKED = "smoked", "Smoked"
    ORAL = "oral", "Oral"


class UseFrequency(models.TextChoices):
    SEVERAL_DAILY = "several-daily", "Several times a day"
    DAILY = "daily", "Daily"
    SEVERAL_WEEKLY = "several-weekly", "Several times a week"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly or less"
    NOT_IN_30_DAYS = "not-in-30-days", "Not in the last 30 days"


class UseOnset(models.TextChoices):
    PRESCRIBED_AFTER_SURGERY = "prescribed-after-surgery", "Prescribed painkillers after surgery"
    PRESCRIBED_AFTER_INJURY = "prescribed-after-injury", "Prescribed painkillers after an injury"
    PRESCRIBED_OTHER = "prescribed-other", "Prescribed for another reason"
    NON_PRESCRIBED = "non-prescribed", "Never prescribed (illicit from the start)"


class PriorTreatment(models.TextChoices):
    DETOX = "detox", "Detox / withdrawal management"
    MEDICATION = "medication", "Medication (buprenorphine, methadone, naltrexone)"
    COUNSELING = "counseling", "Counseling"
    RESIDENTIAL = "residential", "Residential treatment"
    MUTUAL_HELP = "mutual-help", "Mutual-help groups"


class RiskFactor(models.TextChoices):
    FAMILY_HISTORY = "family-history-addiction", "Family history of addiction"
    PERSONAL_HISTORY = "personal-history-addiction", "Personal history of other addiction"
    HEAVY_TOBACCO = "heavy-tobacco", "Heavy tobacco use"
    SEVERE_DEPRESSION = "severe-depression", "History of severe depression"
    SEVERE_ANXIETY = "severe-anxiety", "History of severe anxiety"
    UNEMPLOYMENT = "unemployment", "Unemployment"
    HIGH_RISK_EXPOSURE = "high-risk-exposure", "Exposure to high-risk people or places"
    RISK_TAKING = "risk-taking", "History of risk-taking behavior"


class ObservedSign(models.TextChoices):
    AGITATION = "agitation", "Agitation"
    DROWSINESS = "drowsiness", "Drowsiness"
    SLURRED_SPEECH = "slurred-speech", "Slurred speech"
    CONSTRICTED_PUPILS = "constricted-pupils", "Constricted pupils"
    DEPRESSED_MOOD = "depressed-mood", "Depressed mood"
    MEMORY_PROBLEMS = "memory-problems", "Memory problems"
    NEEDLE_MARKS = "needle-marks", "Needle marks"
    RUNNY_NOSE = "runny-nose", "Runny nose"
    NASAL_SORES = "nasal-sores", "Sores in or around the nose"
    CONSTIPATION = "constipation", "Constipation"
    REDUCED_PAIN = "reduced-pain-sensitivity", "Reduced sensitivity to pain"


class BehavioralSign(models.TextChoices):
    HYGIENE_DECLINE = "hygiene-decline", "Decline in appearance or hygiene"
    SECRECY = "secrecy", "Sudden secrecy"
    HOSTILITY = "hostility-to-family", "Aggression or hostility toward family"
    MONEY_PROBLEMS = "money-problems", "Unexplained money problems"
    STEALING = "stealing", "Stealing"
    SCHOOL_WORK = "school-work-problems", "Problems at school or work"
    RISKY = "risky-behavior", "Risky or dangerous behavior"


class MentalHealthCondition(models.TextChoices):
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    PTSD = "ptsd", "PTSD"
    BIPOLAR = "bipolar", "Bipolar disorder"
    PSYCHOSIS = "psychosis", "Psychosis"
    OTHER = "other", "Other"


class MedicalCondition(models.TextChoices):
    HIV = "hiv", "HIV"
    HEPATITIS_B = "hepatitis-b", "Hepatitis B"
    HEPATITIS_C = "hepatitis-c", "Hepatitis C"
    ENDOCARDITIS = "endocarditis", "Endocarditis"
    SKIN_INFECTIONS = "skin-infections", "Skin or soft-tissue infections"
    CHRONIC_PAIN = "chronic-pain", "Chronic pain"
    PREGNANCY = "pregnancy", "Pregnancy"
    OTHER = "other", "Other"


class PregnancyStatus(models.TextChoices):
    NOT_APPLICABLE = "not-applicable", "Not applicable"
    NOT_PREGNANT = "not-pregnant", "Not pregnant"
    PREGNANT = "pregnant", "Pregnant"
    UNKNOWN = "unknown", "Unknown"


class Housing(models.TextChoices):
    STABLE = "stable", "Stable housing"
    UNSTABLE = "unstable", "Unstable (staying with others)"
    SHELTER = "shelter", "Shelter"
    UNHOUSED = "unhoused", "Unhoused"
    INSTITUTION = "institution", "Institution or facility"


class Employment(models.TextChoices):
    FULL_TIME = "full-time", "Full-time"
    PART_TIME = "part-time", "Part-time"
    UNEMPLOYED = "unemployed", "Unemployed"
    STUDENT = "student", "Student"
    DISABLED = "disabled", "Unable to work (disability)"
    RETIRED = "retired", "Retired"


class LegalInvolvement(models.TextChoices):
    NONE = "none", "None"
    PENDING_CHARGES = "pending-charges", "Pending charges"
    PROBATION_PAROLE = "probation-parole", "Probation or parole"
    DRUG_COURT = "drug-court", "Drug court"


class Readiness(models.TextChoices):
    PRECONTEMPLATION = "precontemplation", "Precontemplation"
    CONTEMPLATION = "contemplation", "Contemplation"
    PREPARATION = "preparation", "Preparation"
    ACTION = "action", "Action"
    MAINTENANCE = "maintenance", "Maintenance"


class InterviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


def _choice_array(choices, **kwargs):
    return ArrayField(
        models.CharField(max_length=40, choices=choices), default=list, blank=True, **kwargs
    )


def _contained(field: str, choices) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__contained_by": list(choices.values)}),
        name=f"intake_interview_{field}_valid",
    )


class Interview(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="interviews"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="interviews"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.DRAFT
    )
    interviewed_on = models.DateField()
    signed_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the canonical JSON of the signed content: proves it has not changed since.
    content_hash = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(default=1)

    # Presenting problem
    presenting_problem = models.TextField(blank=True)
    patient_goals = models.TextField(blank=True)

    # Substance use history (the per-substance rows are SubstanceUse)
    primary_substance = models.CharField(max_length=30, choices=Substance.choices, blank=True)
    how_use_began = models.CharField(max_length=30, choices=UseOnset.choices, blank=True)
    onset_notes = models.TextField(
        blank=True,
        help_text="E.g. prescribed after surgery, then illicit when prescriptions stopped.",
    )
    last_opioid_use_at = models.DateTimeField(null=True, blank=True)
    last_opioid_used = models.CharField(max_length=30, choices=Substance.choices, blank=True)
    overdose_count = models.PositiveSmallIntegerField(null=True, blank=True)
    last_overdose_on = models.DateField(null=True, blank=True)
    naloxone_at_home = models.BooleanField(null=True, blank=True)
    unsuccessful_quit_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    quit_attempts_outcome = models.TextField(blank=True)
    use_despite_consequences = models.BooleanField(null=True, blank=True)
    prior_treatment = _choice_array(PriorTreatment.choices)
    prior_treatment_outcome = models.TextField(blank=True)

    # Risk factors, signs
    risk_factors = _choice_array(RiskFactor.choices)
    observed_signs = _choice_array(ObservedSign.choices)
    behavioral_signs = _choice_array(BehavioralSign.choices)

    # Coexisting conditions
    mental_health_conditions = _choice_array(MentalHealthCondition.choices)
    medical_conditions = _choice_array(MedicalCondition.choices)
    pregnancy_status = models.CharField(max_length=20, choices=PregnancyStatus.choices, blank=True)
    psychiatric_history = models.TextField(blank=True)
    current_medications = models.TextField(blank=True)
    allergies = models.TextField(blank=True)

    # Social situation
    housing = models.CharField(max_length=20, choices=Housing.choices, blank=True)
    employment = models.CharField(max_length=20, choices=Employment.choices, blank=True)
    legal_involvement = models.CharField(
        max_length=20, choices=LegalInvolvement.choices, blank=True
    )
    family_supports = models.TextField(blank=True)
    readiness_to_change = models.CharField(max_length=20, choices=Readiness.choices, blank=True)

    impressions = models.TextField("clinician impressions", blank=True)

    class Meta:
        ordering = ["-interviewed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InterviewStatus.values),
                name="intake_interview_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=InterviewStatus.DRAFT, signed_at__isnull=True)
                | models.Q(status=InterviewStatus.SIGNED, signed_at__isnull=False)
                & ~models.Q(content_hash=""),
                name="intake_interview_signature_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(primary_substance__in=[*Substance.values, ""]),
                name="intake_interview_primary_substance_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(pregnancy_status__in=[*PregnancyStatus.values, ""]),
                name="intake_interview_pregnancy_status_valid",
            ),
            _contained("prior_treatment", PriorTreatment),
            _contained("risk_factors", RiskFactor),
            _contained("observed_signs", ObservedSign),
            _contained("behavioral_signs", BehavioralSign),
            _contained("mental_health_conditions", MentalHealthCondition),
            _contained("medical_conditions", MedicalCondition),
        ]
        indexes = [
            # Chart: the patient's interviews, newest first.
            models.Index(fields=["patient", "-interviewed_on"], name="intake_interview_patient"),
        ]

    def __str__(self) -> str:
        return f"Interview {self.id} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == InterviewStatus.DRAFT


class SubstanceUse(models.Model):
    """One substance in the interview's use history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="substances")
    substance = models.CharField(max_length=30, choices=Substance.choices)
    substance_name = models.CharField(
        max_length=100, blank=True, help_text="E.g. the prescription opioid by name (oxycodone)."
    )
    routes = ArrayField(
        models.CharField(max_length=20, choices=Route.choices), default=list, blank=True
    )
    frequency = models.CharField(max_length=20, choices=UseFrequency.choices, blank=True)
    typical_amount = models.CharField(max_length=100, blank=True)
    age_first_use = models.PositiveSmallIntegerField(null=True, blank=True)
    last_use_at = models.DateTimeField(null=True, blank=True)
    tolerance = models.BooleanField(
        null=True, blank=True, help_text="Needs more for the same effect."
    )

    class Meta:
        ordering = ["interview", "substance"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(substance__in=Substance.values),
                name="intake_substanceuse_substance_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(routes__contained_by=Route.values),
                name="intake_substanceuse_routes_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(age_first_use__isnull=True) | models.Q(age_first_use__lte=100),
                name="intake_substanceuse_age_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} in interview {self.interview_id}"


class InterviewAddendum(ClinicalModel):
    """A signed correction or addition to a signed interview; the original is never changed."""

    interview = models.ForeignKey(Interview, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    text = models.TextField()
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason="") & ~models.Q(text=""),
                name="intake_interviewaddendum_reason_and_text",
            ),
        ]

    def __str__(self) -> str:
        return f"Addendum {self.id} to interview {self.interview_id}"
