"""Role groups, the MRN sequence, and the database guard that makes audit rows append-only."""

from django.db import migrations

ROLE_GROUPS = [
    "Counselor",
    "Nurse",
    "Physician",
    "Clinic administrator",
    "Privacy officer",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


AUDIT_GUARD = """
CREATE FUNCTION intake_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER intake_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON intake_auditevent
    FOR EACH ROW EXECUTE FUNCTION intake_auditevent_append_only();
"""

AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS intake_auditevent_no_update_delete ON intake_auditevent;
DROP FUNCTION IF EXISTS intake_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunSQL(
            "CREATE SEQUENCE intake_patient_mrn_seq START WITH 100001",
            "DROP SEQUENCE intake_patient_mrn_seq",
        ),
        migrations.RunSQL(AUDIT_GUARD, AUDIT_GUARD_REVERSE),
    ]
