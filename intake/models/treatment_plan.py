"""Treatment plans: versions, medication and behavioral components, review and signature.

A version is editable only while `draft` or `changes-requested`; once submitted it waits for
review, and once signed (`active`) it never changes again: a database trigger refuses any
change to its content (migration 0007). A change is an amendment: a new draft version."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intake.formulary import DRUGS, FREQUENCIES
from intake.models.base import ClinicalModel


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes-requested", "Changes requested"
    ACTIVE = "active", "Active (signed)"
    SUPERSEDED = "superseded", "Superseded"
    CLOSED = "closed", "Closed"


EDITABLE_PLAN_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED})
SIGNED_PLAN_STATUSES = frozenset({PlanStatus.ACTIVE, PlanStatus.SUPERSEDED, PlanStatus.CLOSED})


class PlanSetting(models.TextChoices):
    OUTPATIENT = "outpatient", "Outpatient"
    INTENSIVE_OUTPATIENT = "intensive-outpatient", "Intensive outpatient"
    RESIDENTIAL = "residential", "Residential"
    INPATIENT = "inpatient", "Inpatient"


class DrugCode(models.TextChoices):
    BUPRENORPHINE_NALOXONE = "buprenorphine-naloxone", "Buprenorphine/naloxone (sublingual)"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine (sublingual)"
    BUPRENORPHINE_XR = "buprenorphine-xr", "Extended-release buprenorphine injection"
    METHADONE = "methadone", "Methadone"
    NALTREXONE = "naltrexone", "Naltrexone (oral)"
    NALTREXONE_XR = "naltrexone-xr", "Extended-release naltrexone injection"
    LOFEXIDINE = "lofexidine", "Lofexidine"
    CLONIDINE = "clonidine", "Clonidine"
    ONDANSETRON = "ondansetron", "Ondansetron (nausea, vomiting)"
    LOPERAMIDE = "loperamide", "Loperamide (diarrhea)"
    IBUPROFEN = "ibuprofen", "Ibuprofen (pain)"
    ACETAMINOPHEN = "acetaminophen", "Acetaminophen (pain)"
    HYDROXYZINE = "hydroxyzine", "Hydroxyzine (anxiety, insomnia)"
    TRAZODONE = "trazodone", "Trazodone (insomnia)"
    DICYCLOMINE = "dicyclomine", "Dicyclomine (abdominal cramps)"
    METHOCARBAMOL = "methocarbamol", "Methocarbamol (muscle aches)"
    NALOXONE = "naloxone", "Naloxone rescue kit"


assert set(DrugCode.values) == set(DRUGS), "DrugCode and the formulary must list the same drugs"


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Daily"
    BID = "bid", "Twice a day"
    TID = "tid", "Three times a day"
    QID = "qid", "Four times a day"
    Q4H_PRN = "q4h-prn", "Every 4 hours as needed"
    Q6H_PRN = "q6h-prn", "Every 6 hours as needed"
    Q8H_PRN = "q8h-prn", "Every 8 hours as needed"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    Q4W = "q4w", "Every 4 weeks"


assert set(Frequency.values) == set(FREQUENCIES)


class Modality(models.TextChoices):
    CBT = "cbt", "Cognitive behavioral therapy"
    CONTINGENCY = "contingency-management", "Contingency management"
    MI = "motivational-interviewing", "Motivational interviewing"
    INDIVIDUAL = "individual-counseling", "Individual counseling"
    GROUP = "group-counseling", "Group counseling"
    FAMILY = "family-therapy", "Family therapy"
    RELAPSE_PREVENTION = "relapse-prevention", "Relapse prevention"
    PEER_SUPPORT = "peer-support", "Peer support"
    MUTUAL_HELP = "mutual-help", "Mutual-help groups"
    CASE_MANAGEMENT = "case-management", "Case management"


class BehavioralSetting(models.TextChoices):
    INPATIENT = "inpatient", "Inpatient"
    OUTPATIENT = "outpatient", "Outpatient"
    TELEHEALTH = "telehealth", "Telehealth"


class Target(models.TextChoices):
    TRIGGERS = "triggers", "Recognise and avoid triggers"
    COPING_CRAVINGS = "coping-cravings", "Coping skills for cravings"
    RELAPSE_PLAN = "relapse-plan", "A plan for relapse"
    EMOTIONAL_DISCOMFORT = "emotional-discomfort", "Handling emotional discomfort"
    CO_OCCURRING = "co-occurring", "Co-occurring conditions"
    EMPLOYMENT = "employment", "Employment"
    HOUSING = "housing", "Housing"
    FAMILY = "family", "Family"
    LEGAL = "legal", "Legal"
    HARM_REDUCTION = "harm-reduction", "Harm reduction"


class ProblemCode(models.TextChoices):
    """The category of a problem a plan addresses (stored in the plan's problems JSON; a plan
    may also name a problem by its ICD-10 code, shown as written)."""

    OUD = "oud", "Opioid use disorder"
    OTHER_SUBSTANCE = "other-substance", "Other substance use"
    MEDICAL = "medical", "Coexisting medical condition"
    PSYCHIATRIC = "psychiatric", "Coexisting psychiatric condition"
    SOCIAL = "social", "Social (housing, work, legal, family)"


class TreatmentPlan(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    amendment_reason = models.CharField(max_length=500, blank=True)

    setting = models.CharField(max_length=30, choices=PlanSetting.choices)
    asam_level = models.CharField(max_length=5, blank=True)
    medically_supervised_detox = models.BooleanField(default=False)
    hospitalize_for_detox = models.BooleanField(default=False)
    # e.g. {"instrument": "cows", "every_hours": 4, "notes": "..."}
    withdrawal_monitoring = models.JSONField(default=dict, blank=True)
    # [{"code", "description", "goals": [{"text", "objectives": [{"text", "target_date"}],
    #   "interventions": [{"text", "responsible"}]}]}]
    problems = models.JSONField(default=list, blank=True)
    review_date = models.DateField()

    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    warnings = models.JSONField(default=list, blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The electronic signature (set once, on approval).
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_role = models.CharField(max_length=30, blank=True)
    signed_credentials = models.CharField(max_length=120, blank=True)
    signed_content = models.JSONField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    acknowledged_warnings = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PlanStatus.values),
                name="intake_treatmentplan_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(setting__in=PlanSetting.values),
                name="intake_treatmentplan_setting_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=sorted(SIGNED_PLAN_STATUSES))
                | (
                    models.Q(signed_at__isnull=False, signed_by__isnull=False)
                    & ~models.Q(content_hash="")
                ),
                name="intake_treatmentplan_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=models.Q(previous__isnull=True) | ~models.Q(amendment_reason=""),
                name="intake_treatmentplan_amendment_has_reason",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="intake_treatmentplan_one_active",
            ),
        ]
        indexes = [
            # Patient's plans, newest version first.
            models.Index(fields=["patient", "-version"], name="intake_plan_patient"),
            # Physician review queue: submitted plans, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(status="submitted"),
                name="intake_plan_review_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan {self.id} v{self.version} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATUSES

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_PLAN_STATUSES


class PlanMedication(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="medications")
    position = models.PositiveSmallIntegerField(default=0)
    drug = models.CharField(max_length=30, choices=DrugCode.choices)
    dose = models.DecimalField(max_digits=8, decimal_places=3)
    unit = models.CharField(max_length=10, default="mg")
    route = models.CharField(max_length=20)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    indication = models.CharField(max_length=200, blank=True)
    taper = models.JSONField(default=list, blank=True)  # [{"day": 1, "dose": "8"}, ...]

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(drug__in=DrugCode.values), name="intake_planmed_drug_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values),
                name="intake_planmed_frequency_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(dose__gt=0), name="intake_planmed_dose_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="intake_planmed_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose} {self.unit} {self.frequency}"


class PlanBehavioral(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="behavioral")
    position = models.PositiveSmallIntegerField(default=0)
    modality = models.CharField(max_length=30, choices=Modality.choices)
    setting = models.CharField(max_length=20, choices=BehavioralSetting.choices)
    frequency = models.CharField(max_length=100)
    targets = ArrayField(models.CharField(max_length=30, choices=Target.choices), default=list)
    goals = models.JSONField(default=list, blank=True)  # [{"text", "target_date"}]

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(modality__in=Modality.values),
                name="intake_planbehavioral_modality_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(setting__in=BehavioralSetting.values),
                name="intake_planbehavioral_setting_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(targets__contained_by=Target.values),
                name="intake_planbehavioral_targets_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.modality} ({self.setting})"


class Progress(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    PROGRESSING = "progressing", "Progressing"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not-achieved", "Not achieved"


class PlanProgressNote(ClinicalModel):
    """A dated note on a behavioral component of a signed plan: how the patient is doing
    against its goals. Notes add to the record; the signed plan itself never changes."""

    component = models.ForeignKey(
        PlanBehavioral, on_delete=models.PROTECT, related_name="progress_notes"
    )
    progress = models.CharField(max_length=20, choices=Progress.choices)
    text = models.TextField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__in=Progress.values),
                name="intake_planprogressnote_progress_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(text=""), name="intake_planprogressnote_text"
            ),
        ]

    def __str__(self) -> str:
        return f"Progress note {self.id} ({self.progress})"
