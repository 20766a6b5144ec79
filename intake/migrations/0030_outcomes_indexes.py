"""Indexes of the program outcome report (issue 14, intake/selectors/outcomes_sql.py): the valid
urine screens, the opioid positives no medication predicts, the analytes not read, and each
episode's PHQ-9s. Built CONCURRENTLY (no lock on writes to the large lab and assessment tables
while they build), hence not atomic."""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("intake", "0026_after_intake"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("instrument", "phq9")),
                fields=["episode", "administered_at", "created_at"],
                include=("total",),
                name="intake_assessment_phq9_episode",
            ),
        ),
        AddIndexConcurrently(
            model_name="laborder",
            index=models.Index(
                condition=models.Q(
                    ("panel_id", "uds"), ("specimen_status", "valid"), ("status", "resulted")
                ),
                fields=["patient", "collected_at"],
                include=("id",),
                name="intake_laborder_uds_valid",
            ),
        ),
        AddIndexConcurrently(
            model_name="labresult",
            index=models.Index(
                condition=models.Q(
                    ("interpretation", "positive"),
                    ("is_current", True),
                    models.Q(("expected", False), ("expected__isnull", True), _connector="OR"),
                ),
                fields=["order", "test"],
                name="intake_labresult_unexpected",
            ),
        ),
        AddIndexConcurrently(
            model_name="labresult",
            index=models.Index(
                condition=models.Q(
                    ("interpretation__in", ["not-tested", "inconclusive"]), ("is_current", True)
                ),
                fields=["order", "test"],
                name="intake_labresult_unread",
            ),
        ),
    ]
