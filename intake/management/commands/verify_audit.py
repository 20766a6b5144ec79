from django.core.management.base import BaseCommand, CommandError

from intake.services.audit_chain import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain from the first event to the last. Exits non-zero "
        "naming the first event that was changed, removed or added outside the chain."
    )

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            where = (
                f"event {report.broken_event_id}"
                if report.broken_event_id is not None
                else "the end of the log"
            )
            raise CommandError(
                f"Audit chain BROKEN at {where}: it {report.problem}"
                if report.broken_event_id is not None
                else f"Audit chain BROKEN at {where}: {report.problem}"
            )
        self.stdout.write(
            f"Audit chain intact: {report.checked} events, head {report.head}. "
            "Keep the head somewhere else to detect a rewrite of the whole log."
        )
