"""The network's staff: per clinic an administrator, counselors, physicians and nurses by the
staffing ratios, and privacy officers for the network; unusable passwords (bench/ sets them for
the few it signs in as)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from typing import NamedTuple

from django.contrib.auth.models import Group, User
from django.db import connection

from bench.generate.common import (
    BASE,
    HISTORY_DAYS,
    PATIENTS_PER_CLINIC,
    PATIENTS_PER_COUNSELOR,
    PATIENTS_PER_NURSE,
    PATIENTS_PER_PHYSICIAN,
    UNUSABLE_PASSWORD,
    Clinic,
)
from bench.generate.names import FAMILY_NAMES, GIVEN_NAMES
from intake.models import Role, StaffProfile

PATIENTS_PER_PRIVACY_OFFICER = 25_000
# (clinic index, or None for the network's privacy officers; role; license type)
Spec = tuple[int | None, Role, str]


def staff_specs(n: int) -> tuple[list[Clinic], list[Spec]]:
    """The clinics for n patients and the staff accounts they need."""
    specs: list[Spec] = []
    clinics = []
    for c in range(math.ceil(n / PATIENTS_PER_CLINIC)):
        size = min(PATIENTS_PER_CLINIC, n - c * PATIENTS_PER_CLINIC)
        clinics.append(Clinic(index=c, patients=size))
        specs += [(c, Role.CLINIC_ADMIN, "")]
        specs += [(c, Role.COUNSELOR, "ladc")] * math.ceil(size / PATIENTS_PER_COUNSELOR)
        specs += [(c, Role.PHYSICIAN, "md")] * math.ceil(size / PATIENTS_PER_PHYSICIAN)
        specs += [(c, Role.NURSE, "rn")] * math.ceil(size / PATIENTS_PER_NURSE)
    specs += [(None, Role.PRIVACY_OFFICER, "")] * max(1, n // PATIENTS_PER_PRIVACY_OFFICER)
    return clinics, specs


class Staff(NamedTuple):
    clinics: list[Clinic]  # with their staff's ids, usernames and roles
    accounts: int
    privacy_officers: int


def create_staff(n: int, seed: int) -> Staff:
    """The staff accounts, their groups and profiles, by clinic."""
    rng = random.Random(f"{seed}/staff")
    joined = BASE - dt.timedelta(days=HISTORY_DAYS + 30)
    clinics, specs = staff_specs(n)
    users = []
    for i in range(len(specs)):
        first, last = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        users.append(
            User(
                username=f"{first[0]}{last}.s{seed}.{i}".lower().replace("'", ""),
                first_name=first,
                last_name=last,
                email="",
                password=UNUSABLE_PASSWORD,
                date_joined=joined,
                is_active=True,
            )
        )
    users = User.objects.bulk_create(users, batch_size=2000)
    _groups_and_profiles(users, specs)
    privacy = 0
    for u, (c, role, _lic) in zip(users, specs, strict=True):
        if c is None:
            privacy += 1
        else:
            _assign(clinics[c], u.pk, u.username, role)
    return Staff(clinics, len(users), privacy)


def _groups_and_profiles(users: Sequence[User], specs: Sequence[Spec]) -> None:
    groups = {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
    Membership = User.groups.through
    pairs = list(zip(users, specs, strict=True))
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=groups[role].pk) for u, (_c, role, _lic) in pairs],
        batch_size=5000,
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user_id=u.pk,
                license_type=lic,
                license_number=f"{lic.upper()}-{u.pk:06d}" if lic else "",
                may_diagnose=role == Role.PHYSICIAN,
                may_prescribe=role == Role.PHYSICIAN,
            )
            for u, (_c, role, lic) in pairs
        ],
        batch_size=5000,
    )


def _assign(clinic: Clinic, user: int, username: str, role: Role) -> None:
    clinic.usernames[user] = username
    clinic.roles[user] = role.value
    if role == Role.CLINIC_ADMIN:
        clinic.admin = user
        return
    {
        Role.COUNSELOR: clinic.counselors,
        Role.PHYSICIAN: clinic.physicians,
        Role.NURSE: clinic.nurses,
    }[role].append(user)


def reserve_mrns(n: int) -> int:
    """The first of n MRNs taken from intake_patient_mrn_seq (moved past them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('intake_patient_mrn_seq')")
        (start,) = cursor.fetchone()
        cursor.execute("SELECT setval('intake_patient_mrn_seq', %s)", [start + n - 1])
    return start


def set_mrn_sequence(last: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('intake_patient_mrn_seq', %s)", [last])
