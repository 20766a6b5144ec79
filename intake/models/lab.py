"""Lab catalog (reference data, loaded by a data migration from `intake.labs.catalog` and
editable by operators in the admin), orders, results and the alerts they raise."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from intake.models.base import ClinicalModel


class LabTestKind(models.TextChoices):
    SCREEN = "screen", "Urine drug screen"
    VALIDITY = "validity", "Specimen validity"
    QUALITATIVE = "qualitative", "Qualitative"
    RANGED = "ranged", "Quantitative with reference range"
    DETECT = "detect", "Quantitative, detected or not"


class LabTest(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=120)
    loinc = models.CharField("LOINC", max_length=20, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, choices=LabTestKind.choices)
    method = models.CharField(max_length=40, blank=True)
    cutoff = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    low = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    # 16 digits: the plausible limits reach 1,000,000,000 IU/mL (hcv-rna).
    plausible_min = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    plausible_max = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    is_opioid = models.BooleanField(default=False)
    qualitative_only = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=LabTestKind.values), name="intake_labtest_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="screen")
                | models.Q(cutoff__isnull=False)
                | models.Q(qualitative_only=True),
                name="intake_labtest_screen_has_cutoff",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def as_reference(self) -> dict:
        """The dict shape `intake.labs.interpret` works on."""
        return {f.name: getattr(self, f.name) for f in self._meta.fields if f.name != "sort_order"}


class LabPanel(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=120)
    tests = models.ManyToManyField(LabTest, related_name="panels")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    STAT = "stat", "STAT"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    COLLECTED = "collected", "Collected"
    RESULTED = "resulted", "Resulted"
    CANCELLED = "cancelled", "Cancelled"


class SpecimenStatus(models.TextChoices):
    VALID = "valid", "Valid"
    DILUTE = "dilute", "Dilute"
    SUBSTITUTED = "substituted", "Substituted"
    ADULTERATED = "adulterated", "Adulterated"
    INVALID = "invalid", "Invalid"


class SpecimenType(models.TextChoices):
    URINE = "urine", "Urine"
    BLOOD = "blood", "Blood"
    ECG = "ecg", "ECG tracing"


class LabOrder(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="lab_orders"
    )
    panel = models.ForeignKey(LabPanel, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()
    specimen_type = models.CharField(max_length=10, choices=SpecimenType.choices, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    observed = models.BooleanField(null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resulted_at = models.DateTimeField(null=True, blank=True)
    specimen_status = models.CharField(max_length=12, choices=SpecimenStatus.choices, blank=True)
    alerts = ArrayField(models.CharField(max_length=50), default=list, blank=True)

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values),
                name="intake_laborder_priority_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values),
                name="intake_laborder_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(specimen_status__in=[*SpecimenStatus.values, ""]),
                name="intake_laborder_specimen_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="resulted")
                | (models.Q(collected_at__isnull=False) & models.Q(resulted_at__isnull=False)),
                name="intake_laborder_resulted_has_times",
            ),
        ]
        indexes = [
            # Chart lab section: a patient's orders, newest first.
            models.Index(fields=["patient", "-ordered_at"], name="intake_laborder_patient"),
            # Nurse worklist: orders waiting for results (few among all orders).
            models.Index(
                fields=["patient", "ordered_at"],
                condition=models.Q(status__in=["ordered", "collected"]),
                name="intake_laborder_open",
            ),
            # Nurse worklist: urine screens whose specimen must be recollected under
            # observation (adulterated, substituted, invalid).
            models.Index(
                fields=["patient", "collected_at"],
                condition=models.Q(
                    panel_id="uds",
                    status="resulted",
                    specimen_status__in=["adulterated", "invalid", "substituted"],
                ),
                name="intake_laborder_recollect",
            ),
            # Program outcomes: the valid urine screens by patient and collection time.
            models.Index(
                fields=["patient", "collected_at"],
                include=["id"],
                condition=models.Q(panel_id="uds", status="resulted", specimen_status="valid"),
                name="intake_laborder_uds_valid",
            ),
        ]

    # Not a column: an order's current results where they were loaded (prefetched by
    # selectors.lab.current_results_prefetch, or set by the API). An annotation only, so an
    # order without them still has no such attribute.
    current_results: "list[LabResult]"

    def __str__(self) -> str:
        return f"Lab order {self.id} ({self.panel_id}, {self.status})"


class Interpretation(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    INCONCLUSIVE = "inconclusive", "Inconclusive"
    # Said explicitly by whoever entered the panel (a strip missing, a test the lab did not run):
    # never a negative, never expected or unexpected.
    NOT_TESTED = "not-tested", "Not tested"


class Flag(models.TextChoices):
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class LabResult(ClinicalModel):
    """One analyte of an order. A correction never edits a row: it adds a new row that
    `supersedes` the old one, with a reason, and the old one stays in the history."""

    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="results")
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="lab_results"
    )
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="+")
    # Up to the largest plausible value (hcv-rna 1,000,000,000 IU/mL) with 4 decimal places.
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    qualitative = models.CharField(max_length=12, choices=Interpretation.choices, blank=True)
    interpretation = models.CharField(max_length=12, choices=Interpretation.choices, blank=True)
    flag = models.CharField(max_length=10, choices=Flag.choices, blank=True)
    expected = models.BooleanField(null=True, blank=True)
    alerts = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    method = models.CharField(max_length=40, blank=True)
    resulted_at = models.DateTimeField()
    confirms = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="confirmations"
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    amendment_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-resulted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interpretation__in=[*Interpretation.values, ""]),
                name="intake_labresult_interpretation_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(flag__in=[*Flag.values, ""]), name="intake_labresult_flag_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | ~models.Q(qualitative=""),
                name="intake_labresult_has_a_result",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(amendment_reason=""),
                name="intake_labresult_amendment_has_reason",
            ),
            models.UniqueConstraint(
                fields=["order", "test"],
                condition=models.Q(is_current=True),
                name="intake_labresult_one_current_per_test",
            ),
        ]
        indexes = [
            # Lab results by patient and test, newest first (API filter, trends, drug-screen table).
            models.Index(
                fields=["patient", "test", "-resulted_at"],
                condition=models.Q(is_current=True),
                name="intake_labresult_pat_test",
            ),
            models.Index(
                fields=["patient", "-resulted_at"],
                condition=models.Q(is_current=True),
                name="intake_labresult_recent",
            ),
            # Program outcomes (selectors/outcomes_sql.py): positives no medication predicts,
            # and analytes not read, both few among all results.
            models.Index(
                fields=["order", "test"],
                condition=models.Q(is_current=True, interpretation="positive")
                & (models.Q(expected=False) | models.Q(expected__isnull=True)),
                name="intake_labresult_unexpected",
            ),
            models.Index(
                fields=["order", "test"],
                condition=models.Q(
                    is_current=True, interpretation__in=["not-tested", "inconclusive"]
                ),
                name="intake_labresult_unread",
            ),
        ]

    # Not columns: set on loaded rows for pages by selectors.lab (decorate_results,
    # lab_order_history), annotations only. How the value reads with its test's precision,
    # the alerts' labels, the reference range, and the amendment that superseded this row.
    display_value: str
    alert_labels: list[str]
    reference: str
    replaced_by: "LabResult | None"
    # The chart's latest results carry their order's collection time (selectors.lab_chart).
    collected_at: datetime.datetime

    def __str__(self) -> str:
        return f"Lab result {self.id} ({self.test_id})"


class AlertClosure(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    # The result it was raised on was amended: the amendment's own reading raises its own alerts.
    SUPERSEDED = "superseded", "Superseded by amendment"


class LabAlert(ClinicalModel):
    """A critical or unexpected finding shown on the chart until a physician acknowledges it,
    or until an amendment supersedes the result it was raised on. Either way `acknowledged_at`
    is when it closed (so every "open alert" query stays one condition) and `closure` says why."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="lab_alerts"
    )
    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="alert_rows")
    result = models.ForeignKey(
        LabResult, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=50)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)
    closure = models.CharField(max_length=12, choices=AlertClosure.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closure__in=[*AlertClosure.values, ""]),
                name="intake_labalert_closure_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="intake_labalert_open",
            ),
        ]

    # Not a column: the code's words for pages, set by selectors.lab.label_alerts.
    label: str

    def __str__(self) -> str:
        return f"Lab alert {self.code} on order {self.order_id}"
