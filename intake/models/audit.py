from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    READ = "read", "Read"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    SIGN = "sign", "Sign"
    SIGN_IN = "sign-in", "Sign-in"


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    """One access to patient data (or a sign-in). Append-only: a database trigger refuses
    UPDATE and DELETE (migration 0002), so not even the application can rewrite history.

    Holds ids and codes, never names or clinical values."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Snapshot of who it was at the time: usernames and roles change, audit rows don't.
    actor_username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices)
    break_glass = models.BooleanField(default=False)
    # Non-PHI context: the page or endpoint name, the reason code for a denial.
    detail = models.JSONField(default=dict, blank=True)
    # Tamper evidence: a hash chain set by the database on insert (a trigger, migration
    # *_privacy), never by the application. `chain_seq` orders the chain; `hash` is
    # sha256(prev_hash + canonical row); `manage.py verify_audit` walks it.
    chain_seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="intake_auditevent_action_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=AuditOutcome.values),
                name="intake_auditevent_outcome_valid",
            ),
        ]
        indexes = [
            # Audit report filtered by patient and date range, newest first.
            models.Index(fields=["patient", "-at"], name="intake_audit_patient_at"),
            # Audit report filtered by staff member.
            models.Index(fields=["actor", "-at"], name="intake_audit_actor_at"),
            # Unfiltered report and date-range filter.
            models.Index(fields=["-at"], name="intake_audit_at"),
            # The privacy officer's review of administrators' account and care-team changes.
            models.Index(
                fields=["-at"],
                condition=models.Q(object_type__in=["staff-account", "careteammember"]),
                name="intake_audit_staff_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit {self.id}: {self.action} {self.object_type} {self.outcome}"


class AuditCheckpoint(models.Model):
    """A signed statement "the audit chain had reached position `chain_seq` with head `head` at
    `at`". The signature is an HMAC-SHA256 under AUDIT_CHECKPOINT_KEY, a key the database never
    holds, so not even the database owner can forge one; each is also written to the log
    stream, off the database. `verify_audit` checks the chain against every checkpoint."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    chain_seq = models.BigIntegerField()
    head = models.CharField(max_length=64)
    # Which key signed it (the first 8 hex digits of the key's SHA-256), so keys can rotate.
    key_id = models.CharField(max_length=8)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain_seq", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chain_seq__gte=0), name="intake_auditcheckpoint_seq_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Audit checkpoint at {self.chain_seq}"
