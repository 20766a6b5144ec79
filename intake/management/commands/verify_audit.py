from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.exceptions import RuleViolation
from intake.services.audit_chain import audit_chain_verify
from intake.services.audit_checkpoint import audit_checkpoints_verify, checkpoint_from_line


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain from the first event to the last, and the chain "
        "against every signed checkpoint (stored ones and those given here from the log "
        "archive). Exits non-zero naming the first broken event or every checkpoint that no "
        "longer matches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            help="A checkpoint line kept off the machine (repeatable).",
        )
        parser.add_argument(
            "--checkpoints-from",
            type=Path,
            help="A file (e.g. the archived log) whose lines with 'checkpoint=' are checked.",
        )

    def handle(self, *args, **options):
        lines = list(options["checkpoint"])
        if options["checkpoints_from"]:
            try:
                text = options["checkpoints_from"].read_text(errors="replace")
            except OSError as exc:
                raise CommandError(f"Cannot read {options['checkpoints_from']}: {exc}") from exc
            lines += [line for line in text.splitlines() if "checkpoint=" in line]
        try:
            external = [checkpoint_from_line(line) for line in lines]
        except RuleViolation as exc:
            raise CommandError(str(exc)) from exc

        failures = []
        report = audit_chain_verify()
        if not report.ok:
            if report.broken_event_id is not None:
                failures.append(
                    f"Audit chain BROKEN at event {report.broken_event_id}: it {report.problem}"
                )
            else:
                failures.append(f"Audit chain BROKEN at the end of the log: {report.problem}")
        checked, problems = audit_checkpoints_verify(external)
        failures += [f"Audit checkpoint FAILED: {problem}" for problem in problems]
        if failures:
            raise CommandError("\n".join(failures))
        self.stdout.write(
            f"Audit chain intact: {report.checked} events, head {report.head}. "
            f"{checked} signed checkpoint(s) match. Keep the checkpoint lines of the log "
            "somewhere else to detect a rewrite of the whole log."
        )
