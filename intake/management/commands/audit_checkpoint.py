from django.core.management.base import BaseCommand, CommandError

from intake.exceptions import RuleViolation
from intake.services.audit_checkpoint import audit_checkpoint_write, checkpoint_line


class Command(BaseCommand):
    help = (
        "Sign the audit chain's current head with AUDIT_CHECKPOINT_KEY, store the checkpoint and "
        "print its line; keep that line off the machine (docs/security.md)."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = audit_checkpoint_write()
        except RuleViolation as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"checkpoint={checkpoint_line(checkpoint)}")
