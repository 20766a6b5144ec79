"""The physician `make schemathesis` signs in as (bench/schemathesis_run.py): on the care team
of one patient, with an authenticator and one-time recovery codes for the sign-in (physicians
must use a second factor). Prints JSON. Run with DATABASE_URL set to its own database."""

from __future__ import annotations

import json
import os


def main() -> None:
    import django

    django.setup()
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from intake.models import CareTeamMember, TeamRole
    from intake.services.patient import patient_register
    from intake.services.staff import staff_create

    physician = staff_create(
        username="schema-physician",
        role="physician",
        first_name="Schema",
        last_name="Physician",
        password=os.environ["BENCH_PASSWORD"],
    )
    TOTPDevice.objects.create(user=physician, name="authenticator", confirmed=True)
    device = StaticDevice.objects.create(user=physician, name="bench", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(3)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    patient = patient_register(
        actor=physician,
        data={
            "given_name": "Schema",
            "family_name": "Patient",
            "birth_date": "1985-05-01",
            "sex_at_birth": "female",
        },
    )
    CareTeamMember.objects.get_or_create(
        patient=patient, user=physician, ended_at=None, defaults={"team_role": TeamRole.PHYSICIAN}
    )
    print(json.dumps({"username": physician.username, "codes": codes, "patient": str(patient.pk)}))


if __name__ == "__main__":
    main()
