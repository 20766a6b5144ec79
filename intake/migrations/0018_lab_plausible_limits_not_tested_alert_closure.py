"""Plausible limits of docs/clinical-rules.md#plausible-limits (a value outside is refused),
the `not-tested` result code, wider value columns (hcv-rna up to 1,000,000,000 IU/mL) and the
closure of lab alerts (acknowledged, or superseded by an amendment).

The limits are a snapshot, so this migration means the same thing forever; operators may edit
the rows in the admin afterwards."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, models

SCREENS = (
    "opiates",
    "6-mam",
    "fentanyl",
    "norfentanyl",
    "oxycodone",
    "buprenorphine",
    "norbuprenorphine",
    "methadone",
    "eddp",
    "benzodiazepines",
    "cocaine",
    "amphetamines",
    "thc",
)
PLAUSIBLE = {
    **{code: ("0", "1000000") for code in SCREENS},
    "specimen-temperature": ("0", "50"),
    "creatinine": ("0", "1000"),
    "specific-gravity": ("0.9900", "1.0800"),
    "ph": ("1", "14"),
    "hcv-rna": ("0", "1000000000"),
    "ast": ("0", "20000"),
    "alt": ("0", "20000"),
    "hemoglobin": ("1", "25"),
    "wbc": ("0", "500"),
    "platelets": ("0", "3000"),
    "qtc": ("200", "800"),
}
# What 0005 loaded, for the reverse migration.
BEFORE = {
    **{code: ("0", None) for code in PLAUSIBLE},
    "specimen-temperature": ("0", "50"),
    "specific-gravity": ("0.9", "1.2"),
    "ph": ("0", "14"),
}


def _set(apps, limits):
    LabTest = apps.get_model("intake", "LabTest")
    for code, (low, high) in limits.items():
        LabTest.objects.filter(code=code).update(
            plausible_min=None if low is None else Decimal(low),
            plausible_max=None if high is None else Decimal(high),
        )


def forward(apps, schema_editor):
    _set(apps, PLAUSIBLE)


def backward(apps, schema_editor):
    _set(apps, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0017_form_drafts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="labresult",
            name="intake_labresult_interpretation_valid",
        ),
        migrations.AddField(
            model_name="labalert",
            name="closure",
            field=models.CharField(
                blank=True,
                choices=[
                    ("acknowledged", "Acknowledged"),
                    ("superseded", "Superseded by amendment"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="labresult",
            name="interpretation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("positive", "Positive"),
                    ("negative", "Negative"),
                    ("inconclusive", "Inconclusive"),
                    ("not-tested", "Not tested"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="labresult",
            name="qualitative",
            field=models.CharField(
                blank=True,
                choices=[
                    ("positive", "Positive"),
                    ("negative", "Negative"),
                    ("inconclusive", "Inconclusive"),
                    ("not-tested", "Not tested"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="labresult",
            name="value",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
        migrations.AlterField(
            model_name="labtest",
            name="plausible_max",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
        migrations.AlterField(
            model_name="labtest",
            name="plausible_min",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
        migrations.AddConstraint(
            model_name="labalert",
            constraint=models.CheckConstraint(
                condition=models.Q(("closure__in", ["acknowledged", "superseded", ""])),
                name="intake_labalert_closure_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="labresult",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "interpretation__in",
                        ["positive", "negative", "inconclusive", "not-tested", ""],
                    )
                ),
                name="intake_labresult_interpretation_valid",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
