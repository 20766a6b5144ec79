from django.conf import settings
from django.core.management.base import BaseCommand

from intake.services.form_draft import form_drafts_purge


class Command(BaseCommand):
    help = (
        "Delete the unsaved typing kept for forms (drafts) not changed for FORM_DRAFT_KEEP_DAYS "
        "days; run daily (docs/drafts.md)."
    )

    def handle(self, *args, **options):
        deleted = form_drafts_purge()
        self.stdout.write(f"purged={deleted} older_than_days={settings.FORM_DRAFT_KEEP_DAYS}")
