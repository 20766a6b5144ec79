"""One active episode per patient (was: per patient and program). A database that already holds
a patient with two active episodes stops here with a clear message: which one to discharge is a
clinical decision, not a migration's."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    Episode = apps.get_model("intake", "Episode")
    doubled = (
        Episode.objects.filter(status="active")
        .values("patient_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if doubled:
        raise RuntimeError(
            f"{doubled} patient(s) have more than one active episode; discharge all but one "
            "before applying this migration."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0018_lab_plausible_limits_not_tested_alert_closure"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="episode",
            name="intake_episode_one_active_per_program",
        ),
        migrations.AddConstraint(
            model_name="episode",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "active")),
                fields=("patient",),
                name="intake_episode_one_active_per_patient",
            ),
        ),
    ]
