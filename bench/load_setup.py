"""Staff and patients for the write load test (bench/load.py): prints them as JSON.

Run by bench/load.py with DJANGO_SETTINGS_MODULE and DATABASE_URL set to its own database."""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    import django

    django.setup()
    from intake.models import CareTeamMember, TeamRole
    from intake.services.patient import patient_register
    from intake.services.staff import staff_create

    password = os.environ["BENCH_PASSWORD"]
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    spread = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    staff = []
    for i in range(clients):
        role = "counselor" if i % 2 == 0 else "nurse"
        user = staff_create(
            username=f"load-{role}-{i}",
            role=role,
            first_name="Load",
            last_name=f"{role.title()} {i}",
            password=password,
        )
        staff.append({"username": user.username, "role": role})
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(username__startswith="load-"))
    registrar = users[0]
    patients = []
    for n in range(spread + 1):
        patient = patient_register(
            actor=registrar,
            data={
                "given_name": f"Load{n}",
                "family_name": "Patient",
                "birth_date": "1985-05-0" + str(1 + n % 9),
                "sex_at_birth": "female" if n % 2 else "male",
            },
        )
        patients.append(str(patient.pk))
        for user in users:
            if user.pk == registrar.pk:
                continue
            role = TeamRole.COUNSELOR if "counselor" in user.username else TeamRole.NURSE
            CareTeamMember.objects.get_or_create(
                patient=patient, user=user, ended_at=None, defaults={"team_role": role}
            )
    print(json.dumps({"staff": staff, "shared": patients[0], "spread": patients[1:]}))


if __name__ == "__main__":
    main()
