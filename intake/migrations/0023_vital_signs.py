"""Vital signs and their critical-value alerts (issue 13).

A recorded set of vital signs is final from the moment it is written, like a diagnosis or an
addendum (migration 0012), with one transition allowed: voiding it as entered in error
(`voided_at`, `voided_by_id`, `void_reason` from empty to set, with `updated_at` /
`updated_by_id`), once. Every other UPDATE, and every DELETE, is refused with SQLSTATE 42501."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GUARD = r"""
CREATE FUNCTION intake_vitalsigns_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    voiding constant text[] := ARRAY[
        'voided_at', 'voided_by_id', 'void_reason', 'updated_at', 'updated_by_id'
    ];
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.voided_at IS NULL
        AND NEW.voided_at IS NOT NULL
        AND (to_jsonb(NEW) - voiding) = (to_jsonb(OLD) - voiding)
    THEN
        RETURN NEW;
    END IF;
    PERFORM intake_refuse_change('vital signs', OLD.id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER intake_vitalsigns_final
    BEFORE UPDATE OR DELETE ON intake_vitalsigns
    FOR EACH ROW EXECUTE FUNCTION intake_vitalsigns_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS intake_vitalsigns_final ON intake_vitalsigns;
DROP FUNCTION IF EXISTS intake_vitalsigns_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0022_ciwa_ar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VitalSigns",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("taken_at", models.DateTimeField()),
                ("systolic", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("diastolic", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("heart_rate", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("respiratory_rate", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "temperature_c",
                    models.DecimalField(blank=True, decimal_places=1, max_digits=3, null=True),
                ),
                ("spo2", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "weight_kg",
                    models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True),
                ),
                (
                    "height_cm",
                    models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True),
                ),
                ("pain", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("flags", models.JSONField(blank=True, default=dict)),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                ("void_reason", models.CharField(blank=True, max_length=300)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="vital_signs",
                        to="intake.patient",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-taken_at", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="VitalSignAlert",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "measure",
                    models.CharField(
                        choices=[
                            ("systolic", "Systolic blood pressure"),
                            ("diastolic", "Diastolic blood pressure"),
                            ("heart_rate", "Heart rate"),
                            ("respiratory_rate", "Respiratory rate"),
                            ("temperature_c", "Temperature"),
                            ("spo2", "Oxygen saturation (SpO2)"),
                            ("weight_kg", "Weight"),
                            ("height_cm", "Height"),
                            ("pain", "Pain score"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        choices=[("critical-vital", "Critical vital sign")],
                        default="critical-vital",
                        max_length=30,
                    ),
                ),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("acknowledgement_note", models.TextField(blank=True)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="vital_sign_alerts",
                        to="intake.patient",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "vital_signs",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="intake.vitalsigns",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.AddIndex(
            model_name="vitalsigns",
            index=models.Index(
                fields=["patient", "-taken_at"], name="intake_vitalsigns_patient_at"
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("diastolic__isnull", True), ("systolic__isnull", True)),
                    models.Q(("diastolic__isnull", False), ("systolic__isnull", False)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_blood_pressure_together",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("systolic__isnull", False),
                    ("heart_rate__isnull", False),
                    ("respiratory_rate__isnull", False),
                    ("temperature_c__isnull", False),
                    ("spo2__isnull", False),
                    ("weight_kg__isnull", False),
                    ("height_cm__isnull", False),
                    ("pain__isnull", False),
                    _connector="OR",
                ),
                name="intake_vitalsigns_at_least_one_measure",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("systolic__isnull", True),
                    models.Q(("systolic__gte", 40), ("systolic__lte", 300)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_systolic_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("diastolic__isnull", True),
                    models.Q(("diastolic__gte", 20), ("diastolic__lte", 200)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_diastolic_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("heart_rate__isnull", True),
                    models.Q(("heart_rate__gte", 20), ("heart_rate__lte", 300)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_heart_rate_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("respiratory_rate__isnull", True),
                    models.Q(("respiratory_rate__gte", 2), ("respiratory_rate__lte", 80)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_respiratory_rate_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("temperature_c__isnull", True),
                    models.Q(("temperature_c__gte", 25), ("temperature_c__lte", 45)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_temperature_c_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("spo2__isnull", True),
                    models.Q(("spo2__gte", 50), ("spo2__lte", 100)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_spo2_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("weight_kg__isnull", True),
                    models.Q(("weight_kg__gte", 2), ("weight_kg__lte", 350)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_weight_kg_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("height_cm__isnull", True),
                    models.Q(("height_cm__gte", 40), ("height_cm__lte", 250)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_height_cm_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("pain__isnull", True),
                    models.Q(("pain__gte", 0), ("pain__lte", 10)),
                    _connector="OR",
                ),
                name="intake_vitalsigns_pain_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsigns",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("void_reason", ""),
                        ("voided_at__isnull", True),
                        ("voided_by__isnull", True),
                    ),
                    models.Q(
                        ("voided_at__isnull", False),
                        ("voided_by__isnull", False),
                        models.Q(("void_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="intake_vitalsigns_void_complete",
            ),
        ),
        migrations.AddIndex(
            model_name="vitalsignalert",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=["patient"],
                name="intake_vitalsignalert_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsignalert",
            constraint=models.UniqueConstraint(
                fields=("vital_signs", "measure", "code"), name="intake_vitalsignalert_one_each"
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsignalert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "measure__in",
                        [
                            "systolic",
                            "diastolic",
                            "heart_rate",
                            "respiratory_rate",
                            "temperature_c",
                            "spo2",
                            "weight_kg",
                            "height_cm",
                            "pain",
                        ],
                    )
                ),
                name="intake_vitalsignalert_measure",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsignalert",
            constraint=models.CheckConstraint(
                condition=models.Q(("code__in", ["critical-vital"])),
                name="intake_vitalsignalert_code",
            ),
        ),
        migrations.AddConstraint(
            model_name="vitalsignalert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("acknowledged_at__isnull", True),
                    models.Q(
                        ("acknowledged_by__isnull", False),
                        models.Q(("acknowledgement_note", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="intake_vitalsignalert_acknowledged_with_note",
            ),
        ),
        migrations.RunSQL(GUARD, REVERSE),
    ]
