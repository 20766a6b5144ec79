"""The medication administration record (MAR): what was given, held, refused or omitted of each
medication line of the active plan, by whom and when (issue 13).

The due doses themselves are not stored ahead of time: they follow from the signed plans (the
line's frequency at the clinic's administration times, its taper, the window in which its plan
was active: intake/mar_schedule.py), so an amendment replaces the future doses of the version it
supersedes without deleting anything, and an open-ended maintenance line has a dose every day
without a horizon to extend. Each scheduled dose has a stable opaque id (a UUID derived from the
line and the due time); the first time one is documented, a `DueDose` row with that id is made
and locked, which is how two nurses documenting the same dose at once get one entry and a 409.

`MedicationAdministration` is the legal record: append-only (a database trigger, migration 0024,
refuses every UPDATE and DELETE). A correction is a new entry of status `void` that names the
entry it voids, with a reason; the voided entry stays, marked by that reverse link."""

from django.db import models
from django.db.models import Q

from intake.models.base import ClinicalModel


class AdministrationStatus(models.TextChoices):
    GIVEN = "given", "Given"
    HELD = "held", "Held"
    REFUSED = "refused", "Refused by the patient"
    OMITTED = "omitted", "Omitted"
    VOID = "void", "Entered in error"


DOCUMENTING_STATUSES = (
    AdministrationStatus.GIVEN,
    AdministrationStatus.HELD,
    AdministrationStatus.REFUSED,
    AdministrationStatus.OMITTED,
)


class DueDoseStatus(models.TextChoices):
    """What the MAR shows for a scheduled dose: its live entry's status, else `due`, or `missed`
    once two hours have passed (docs/clinical-rules.md#medication-administration)."""

    DUE = "due", "Due"
    GIVEN = "given", "Given"
    HELD = "held", "Held"
    REFUSED = "refused", "Refused"
    OMITTED = "omitted", "Omitted"
    MISSED = "missed", "Missed"


class AdministrationRule(models.TextChoices):
    """Why an administration was refused (the `rule` of the API's 400)."""

    NOT_ON_ACTIVE_PLAN = "not-on-active-plan", "Not on the active plan"
    DOSE_MISMATCH = "dose-mismatch", "Dose differs from the order"
    PRN_INTERVAL = "prn-interval", "Sooner than the minimum interval"
    PRN_DAILY_MAX = "prn-daily-max", "Over the daily maximum"
    VITALS_REQUIRED = "vitals-required", "Vital signs from the last 60 minutes needed"
    HOLD_PARAMETERS = "hold-parameters", "Vital signs under the hold parameters"
    COWS_REQUIRED = "cows-required", "COWS at the induction threshold needed"
    METHADONE_FIRST_DAY = "methadone-first-day", "Over the methadone first-day limit"


class MedicationAdministration(ClinicalModel):
    """One entry of the MAR: a dose given (`dose`, `unit`, `route` at `given_at`, by
    `created_by`), held, refused or omitted (with `reason`), or a `void` entry that corrects an
    earlier one (`voids`, with `reason`). `due_dose_id` is the scheduled dose it documents
    (empty for a PRN dose)."""

    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="administrations"
    )
    plan = models.ForeignKey(
        "intake.TreatmentPlan", on_delete=models.PROTECT, related_name="administrations"
    )
    medication = models.ForeignKey(
        "intake.PlanMedication", on_delete=models.PROTECT, related_name="administrations"
    )
    due_dose_id = models.UUIDField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AdministrationStatus.choices)
    dose = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=10, blank=True)
    route = models.CharField(max_length=20, blank=True)
    # When it was given (or held, refused, omitted): the nurse's time, not the entry's.
    given_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    voids = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="void_entry"
    )

    class Meta:
        ordering = ["given_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AdministrationStatus.values),
                name="intake_administration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="given") | Q(dose__isnull=False, dose__gt=0),
                name="intake_administration_given_has_dose",
            ),
            models.CheckConstraint(
                condition=Q(status="given") | ~Q(reason=""),
                name="intake_administration_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="void", voids__isnull=False)
                | (~Q(status="void") & Q(voids__isnull=True)),
                name="intake_administration_void_names_entry",
            ),
        ]
        indexes = [
            # A patient's MAR for a day, and a line's last doses (PRN interval, daily maximum).
            models.Index(fields=["patient", "given_at"], name="intake_admin_patient_time"),
            models.Index(fields=["medication", "given_at"], name="intake_admin_line_time"),
            models.Index(fields=["patient", "due_at"], name="intake_admin_patient_due"),
        ]

    def __str__(self) -> str:
        return f"Administration {self.id} ({self.status})"


class DueDose(models.Model):
    """A scheduled dose that has been documented at least once: the row two documenters lock,
    and the entry that documents it now (none after that entry was voided)."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="+")
    medication = models.ForeignKey(
        "intake.PlanMedication", on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField()
    entry = models.OneToOneField(
        MedicationAdministration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["medication", "due_at"], name="intake_duedose_line_time_unique"
            ),
        ]
        indexes = [models.Index(fields=["patient", "due_at"], name="intake_duedose_patient")]

    def __str__(self) -> str:
        return f"Due dose {self.id}"
