"""Who the benchmark signs in as, and which records it opens (run by bench/run.py as
`python -m bench.personas`, with the bench database's DATABASE_URL; prints JSON).

- a physician of the first clinic whose care teams hold the median caseload of the network's
  physicians (about 125 patients), with a second factor enrolled and one-time recovery codes
  for the benchmark's sign-ins (physicians must use a second factor);
- a privacy officer, for the audit report;
- `bench-operator`, a superuser, for the admin changelist baseline (with a second factor and
  recovery codes too, as superusers must).
- the nurse on the care team of the first of the physician's patients in a supervised detox,
  for the nurse's medication pass (no second factor: nurses are not prescribers).
Passwords are set to BENCH_PASSWORD (a random one per run). The patients are the physician's
patients in active treatment with an active plan and several drug screens; the detox patients
are the physician's patients whose active plan is a supervised detox with MAR entries
(bench/generate/detox.py), opened at `mar_date`, the last whole day of the generated history.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from typing import TYPE_CHECKING, Any

import django

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

    from intake.models import Patient

SEARCH_FRAGMENTS = 8
PATIENTS = 20
RECOVERY_CODES = 40
COUNTED_TABLES = (
    "intake_patient",
    "intake_episode",
    "intake_careteammember",
    "intake_assessment",
    "intake_laborder",
    "intake_labresult",
    "intake_treatmentplan",
    "intake_auditevent",
    "intake_interview",
    "intake_vitalsigns",
    "intake_medicationadministration",
    "intake_duedose",
    "auth_user",
)


def _median_physician(password: str) -> tuple[User, int, int]:
    """The physician whose caseload is closest to the network's median (the lowest id among
    equals), with BENCH_PASSWORD; returns them, their caseload and the median."""
    from django.contrib.auth.models import User
    from django.db.models import Count, Q

    physicians = list(
        User.objects.filter(groups__name="Physician", is_active=True)
        .annotate(
            caseload=Count(
                "care_team_memberships",
                filter=Q(care_team_memberships__ended_at__isnull=True),
            )
        )
        .filter(caseload__gt=0)
        .order_by("id")
        .values_list("id", "caseload")
    )
    loads = sorted(c for _, c in physicians)
    median = loads[len(loads) // 2]
    physician_id = min(physicians, key=lambda p: (abs(p[1] - median), p[0]))[0]
    physician = User.objects.get(pk=physician_id)
    physician.set_password(password)
    physician.save(update_fields=["password"])
    return physician, dict(physicians)[physician_id], median


def _recovery_codes(user: User) -> list[str]:
    """The second factor: an authenticator (so sign-in asks for a code) and recovery codes,
    each good for one sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    StaticDevice.objects.filter(user=user, name="bench").delete()
    device = StaticDevice.objects.create(user=user, name="bench", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _privacy_officer_and_operator(password: str) -> tuple[User, User]:
    from django.contrib.auth.models import User

    privacy = User.objects.filter(groups__name="Privacy officer", is_active=True).order_by("id")[0]
    privacy.set_password(password)
    privacy.save(update_fields=["password"])
    operator, _ = User.objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    operator.is_staff = operator.is_superuser = operator.is_active = True
    operator.set_password(password)
    operator.save()
    return privacy, operator


def _chosen(team: QuerySet[Patient]) -> list[Patient]:
    """Patients in active treatment with an active plan and at least four resulted drug
    screens; topped up with other patients in active treatment."""
    from django.db.models import Count, Exists, OuterRef, Q

    from intake.models import Episode, TreatmentPlan

    active_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk"), status="active")
    active_episode = Episode.objects.filter(patient=OuterRef("pk"), status="active")
    chosen = list(
        team.filter(Exists(active_plan), Exists(active_episode))
        .annotate(
            screens=Count(
                "lab_orders",
                filter=Q(lab_orders__panel_id="uds", lab_orders__status="resulted"),
                distinct=True,
            )
        )
        .filter(screens__gte=4)
        .order_by("mrn")[:PATIENTS]
    )
    if len(chosen) < PATIENTS:
        seen = {p.pk for p in chosen}
        chosen += [
            p
            for p in team.filter(Exists(active_episode)).order_by("mrn")[: PATIENTS * 2]
            if p.pk not in seen
        ][: PATIENTS - len(chosen)]
    return chosen


def _opened(chosen: list[Patient]) -> list[dict[str, Any]]:
    """Each patient with the plan the benchmark opens (the active one, else the latest)."""
    from intake.models import LabOrder, TreatmentPlan

    patients = []
    for p in chosen:
        plan = (
            TreatmentPlan.objects.filter(patient=p).order_by("status", "-version").first()
            if not TreatmentPlan.objects.filter(patient=p, status="active").exists()
            else TreatmentPlan.objects.get(patient=p, status="active")
        )
        patients.append(
            {
                "id": str(p.pk),
                "plan": str(plan.pk) if plan else None,
                "lab_orders": LabOrder.objects.filter(patient=p).count(),
            }
        )
    return patients


def _detox(team: QuerySet[Patient], password: str) -> tuple[list[dict[str, Any]], str | None]:
    """The team's patients in a supervised detox with MAR entries, and their nurse (with
    BENCH_PASSWORD)."""
    from django.db.models import Exists, OuterRef

    from intake.models import CareTeamMember, MedicationAdministration, TreatmentPlan

    plans = (
        TreatmentPlan.objects.filter(
            patient__in=team, status="active", medically_supervised_detox=True
        )
        .filter(Exists(MedicationAdministration.objects.filter(plan=OuterRef("pk"))))
        .select_related("patient")
        .order_by("patient__mrn")[:PATIENTS]
    )
    detox = [{"id": str(p.patient_id), "plan": str(p.pk)} for p in plans]
    if not detox:
        return [], None
    member = (
        CareTeamMember.objects.filter(
            patient_id=detox[0]["id"], team_role="nurse", ended_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if member is None:
        return detox, None
    member.user.set_password(password)
    member.user.save(update_fields=["password"])
    return detox, member.user.username


def _mar_date() -> str:
    """The last whole clinic day of the generated history (the day before BASE's)."""
    from bench.generate.common import BASE
    from intake.mar_schedule import local_date

    return (local_date(BASE) - datetime.timedelta(days=1)).isoformat()


def _fragments(team: QuerySet[Patient]) -> list[str]:
    """Search terms: the first three letters of the team's family names, distinct."""
    fragments: list[str] = []
    for name in team.order_by("mrn").values_list("family_name", flat=True):
        fragment = name[:3].lower()
        if fragment not in fragments and fragment.isalpha():
            fragments.append(fragment)
        if len(fragments) == SEARCH_FRAGMENTS:
            break
    return fragments


def _database_size() -> tuple[dict[str, int], int]:
    """Estimated rows of the main tables, and the database's size in bytes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
            "AND relname = ANY(%s)",
            [list(COUNTED_TABLES)],
        )
        rows = {name.removeprefix("intake_"): count for name, count in cursor.fetchall()}
        cursor.execute("SELECT pg_database_size(current_database())")
        (size,) = cursor.fetchone()
    return rows, size


def main() -> None:
    django.setup()
    from intake.models import Patient

    password = os.environ["BENCH_PASSWORD"]
    physician, caseload, median = _median_physician(password)
    codes = _recovery_codes(physician)
    privacy, operator = _privacy_officer_and_operator(password)
    # A superuser signs in with a second factor too (access.must_use_second_factor).
    operator_codes = _recovery_codes(operator)
    team = Patient.objects.filter(
        care_team__user=physician, care_team__ended_at__isnull=True
    ).distinct()
    rows, size = _database_size()
    detox, nurse = _detox(team, password)
    today = datetime.date.today()
    print(
        json.dumps(
            {
                "physician": {
                    "username": physician.username,
                    "caseload": caseload,
                    "network_median_caseload": median,
                    "recovery_codes": codes,
                },
                "privacy_officer": privacy.username,
                "operator": operator.username,
                "operator_recovery_codes": operator_codes,
                "patients": _opened(_chosen(team)),
                "detox_patients": detox,
                "nurse": nurse,
                "mar_date": _mar_date(),
                "fragments": _fragments(team),
                "audit_since": (today - datetime.timedelta(days=180)).isoformat(),
                "audit_until": today.isoformat(),
                "rows": rows,
                "database_bytes": size,
                "nonce": secrets.token_hex(4),
            }
        )
    )


if __name__ == "__main__":
    main()
