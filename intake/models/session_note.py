"""Counseling and clinical session notes (docs/clinical-rules.md#session-notes), in DAP form.

A draft until its author signs it (password, and second factor where enrolled), then immutable:
a correction is a signed addendum. The note names the behavioral targets of the active plan it
worked on and the patient's progress on each. A private section may be marked as SUD counseling
notes (42 CFR 2.11, 2024 rule): it lives in its own table (CounselingNote), kept apart from the
rest of the record, shown to its author only and never disclosed under a general consent."""

from django.conf import settings
from django.db import models

from intake.models.base import ClinicalModel
from intake.models.treatment_plan import Progress, Target


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual counseling"
    GROUP = "group", "Group session"
    FAMILY = "family", "Family session"
    CASE_MANAGEMENT = "case-management", "Case management"
    MEDICAL = "medical", "Medical visit"


class SessionNoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class SessionNote(ClinicalModel):
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="session_notes"
    )
    episode = models.ForeignKey(
        "intake.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The signed plan whose behavioral targets the session worked on (the active one when the
    # note was written), so the progress rows keep pointing at the goals as they were signed.
    plan = models.ForeignKey(
        "intake.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A group session's note for one attendee: the group's shared summary plus their own note.
    group_session = models.ForeignKey(
        "intake.GroupSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    session_date = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    # DAP: what was observed and said, the clinician's assessment, the plan until next time.
    data = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan_text = models.TextField("plan", blank=True)
    status = models.CharField(
        max_length=10, choices=SessionNoteStatus.choices, default=SessionNoteStatus.DRAFT
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_role = models.CharField(max_length=20, blank=True)
    # SHA-256 of the canonical JSON of the signed content (intake.signing), counseling notes
    # excluded: they are not part of the record that a hash is shown with.
    content_hash = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-session_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SessionKind.values),
                name="intake_sessionnote_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SessionNoteStatus.values),
                name="intake_sessionnote_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="intake_sessionnote_duration_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(status=SessionNoteStatus.DRAFT, signed_at__isnull=True)
                | models.Q(status=SessionNoteStatus.SIGNED, signed_at__isnull=False)
                & ~models.Q(content_hash=""),
                name="intake_sessionnote_signature_consistent",
            ),
            # An attendee's note of a group session is a group note. A group note may also be
            # written alone (a group held elsewhere, documented for this patient): no session.
            models.CheckConstraint(
                condition=models.Q(group_session__isnull=True) | models.Q(kind=SessionKind.GROUP),
                name="intake_sessionnote_group_consistent",
            ),
            models.UniqueConstraint(
                fields=["group_session", "patient"],
                condition=models.Q(group_session__isnull=False),
                name="intake_sessionnote_one_per_attendee",
            ),
        ]
        indexes = [
            # Chart: the patient's sessions, newest first.
            models.Index(fields=["patient", "-session_date"], name="intake_sessionnote_patient"),
            # Drafts on the author's worklist.
            models.Index(
                fields=["author"],
                condition=models.Q(status="draft"),
                name="intake_sessionnote_drafts",
            ),
        ]

    def __str__(self) -> str:
        return f"Session note {self.id} ({self.kind}, {self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == SessionNoteStatus.DRAFT


class SessionNoteProgress(models.Model):
    """Progress on one behavioral target of the plan, as of this session."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="progress")
    # The plan's behavioral component holding the target (the first one, if several do).
    component = models.ForeignKey(
        "intake.PlanBehavioral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.CharField(max_length=30, choices=Target.choices)
    status = models.CharField(max_length=20, choices=Progress.choices)

    class Meta:
        ordering = ["note", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__in=Target.values),
                name="intake_sessionnoteprogress_target_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Progress.values),
                name="intake_sessionnoteprogress_status_valid",
            ),
            models.UniqueConstraint(
                fields=["note", "target"], name="intake_sessionnoteprogress_one_per_target"
            ),
        ]
        indexes = [
            # A plan component's sessions and latest progress.
            models.Index(fields=["component", "note"], name="intake_sessionprogress_comp"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.status}"


class CounselingNote(ClinicalModel):
    """The private section of a session note marked as SUD counseling notes (42 CFR 2.11):
    its author's alone. Kept in its own table so that nothing which reads the record (chart,
    exports, disclosures, break-glass) reaches it by accident."""

    note = models.OneToOneField(
        SessionNote, on_delete=models.PROTECT, related_name="counseling_note"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="intake_counselingnote_text"),
        ]

    def __str__(self) -> str:
        return f"Counseling notes of session note {self.note_id}"


class SessionNoteAddendum(ClinicalModel):
    """A signed correction or addition to a signed session note; the note never changes."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    signed_at = models.DateTimeField()
    signed_role = models.CharField(max_length=20, blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""), name="intake_sessionnoteaddendum_text"
            ),
        ]

    def __str__(self) -> str:
        return f"Addendum {self.id} to session note {self.note_id}"
