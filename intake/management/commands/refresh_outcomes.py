from django.core.management.base import BaseCommand

from intake.services.outcomes_summary import enqueue_refresh, refresh_summary


class Command(BaseCommand):
    help = (
        "Refresh the program outcome summary (docs/clinical-rules.md#outcomes-summary): enqueue "
        "the task for the worker (manage.py db_worker), or with --now refresh it in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Refresh here, not by the worker.")

    def handle(self, *args, **options):
        if options["now"]:
            as_of = refresh_summary()
            self.stdout.write(f"Outcome summary refreshed (as of {as_of.isoformat()}).")
        else:
            self.stdout.write(f"Outcome summary refresh enqueued (task {enqueue_refresh()}).")
