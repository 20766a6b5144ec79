"""Demo data: one account per role and a dozen fictional patients on care teams.

Idempotent: run it again and nothing is duplicated. For demonstrations only; the passwords
printed here are public."""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from intake.management.commands._demo_examples import clinical_examples
from intake.management.commands._demo_sessions import session_examples
from intake.models import CareTeamMember, Episode, Patient, Role, TeamRole
from intake.services.audit_chain import audit_seal
from intake.services.care_team import care_team_add
from intake.services.episode import episode_admit
from intake.services.mfa import mfa_enrolled, mfa_required, totp_device_from_secret
from intake.services.patient import patient_register
from intake.services.staff import staff_create

DEMO_PASSWORD = "demo-clinic-2026"
# Physicians and clinic administrators need a second factor. The demo accounts share this
# public TOTP secret: add it to any authenticator app (demo only, like the password).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

STAFF = [
    # username, role, first, last, license, may_diagnose
    ("counselor", Role.COUNSELOR, "Casey", "Morgan", "ladc", False),
    ("counselor2", Role.COUNSELOR, "Jordan", "Reyes", "cadc", False),
    ("nurse", Role.NURSE, "Priya", "Shah", "rn", False),
    ("physician", Role.PHYSICIAN, "Elena", "Okafor", "md", True),
    ("admin", Role.CLINIC_ADMIN, "Sam", "Whitaker", "", False),
    ("privacy", Role.PRIVACY_OFFICER, "Lee", "Tanaka", "", False),
]

# Fictional people. given, family, preferred, birth date, sex at birth, pronouns, program, reason
PATIENTS = [
    (
        "Marcus",
        "Delgado",
        "",
        "1988-03-14",
        "male",
        "he/him",
        "otp",
        "Daily heroin use, wants methadone maintenance.",
    ),
    (
        "Aisha",
        "Thompson",
        "",
        "1994-07-02",
        "female",
        "she/her",
        "outpatient",
        "Oxycodone after knee surgery, now buying pills; wants to stop.",
    ),
    (
        "Daniel",
        "Kowalski",
        "Dan",
        "1979-11-23",
        "male",
        "he/him",
        "inpatient",
        "Fentanyl use, two overdoses this year; requests detox.",
    ),
    (
        "Rosa",
        "Martinez",
        "",
        "1991-01-30",
        "female",
        "she/her",
        "intensive-outpatient",
        "Referred by ED after overdose.",
    ),
    (
        "Tyler",
        "Nguyen",
        "",
        "2001-05-17",
        "male",
        "he/him",
        "outpatient",
        "Snorting pills with friends; family concerned.",
    ),
    (
        "Grace",
        "O'Brien",
        "",
        "1985-09-09",
        "female",
        "she/her",
        "otp",
        "On buprenorphine elsewhere, transferring care.",
    ),
    (
        "Jamal",
        "Washington",
        "",
        "1976-12-01",
        "male",
        "he/him",
        "residential",
        "Injecting heroin 15 years; homeless; wants residential care.",
    ),
    (
        "Emily",
        "Carter",
        "Em",
        "1998-04-21",
        "female",
        "she/they",
        "outpatient",
        "Pregnant, using fentanyl; referred by OB.",
    ),
    (
        "Robert",
        "Hughes",
        "Bob",
        "1969-08-11",
        "male",
        "he/him",
        "outpatient",
        "Chronic back pain, escalating hydrocodone use.",
    ),
    (
        "Alex",
        "Rivera",
        "",
        "1996-02-28",
        "intersex",
        "they/them",
        "intensive-outpatient",
        "Smoking fentanyl; court referral.",
    ),
    (
        "Hannah",
        "Schmidt",
        "",
        "1990-10-05",
        "female",
        "she/her",
        "outpatient",
        "Relapse after 2 years in recovery.",
    ),
    (
        "Victor",
        "Petrov",
        "",
        "1983-06-19",
        "male",
        "he/him",
        "otp",
        "Methadone patient transferring from another state.",
    ),
]


def _staff_accounts() -> dict[str, User]:
    """One account per role, created once; physicians and admins get the public TOTP."""
    users = {}
    for username, role, first, last, license_type, may_diagnose in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                license_type=license_type,
                may_diagnose=may_diagnose,
                validate=False,
            )
        if mfa_required(user) and not mfa_enrolled(user):
            totp_device_from_secret(user=user, secret_base32=DEMO_TOTP_SECRET)
        users[username] = user
    return users


def _register(users: dict[str, User], i: int, person: tuple[str, ...]) -> bool:
    """Register the i-th demo patient, put them on a care team and admit them; False when
    they are already registered."""
    given, family, preferred, dob, sex, pronouns, program, reason = person
    birth_date = datetime.date.fromisoformat(dob)
    if Patient.objects.filter(given_name=given, family_name=family, birth_date=birth_date).exists():
        return False
    registrar = users["counselor"] if i % 3 else users["counselor2"]
    patient = patient_register(
        actor=registrar,
        data={
            "given_name": given,
            "family_name": family,
            "preferred_name": preferred,
            "birth_date": birth_date,
            "sex_at_birth": sex,
            "pronouns": pronouns,
            "phone": f"555-01{i:02d}",
            "preferred_language": "English",
            "referral_source": "Self" if i % 2 else "Emergency department",
            "reason_for_visit": reason,
            "emergency_contact_name": "Family member",
            "emergency_contact_phone": f"555-02{i:02d}",
        },
    )
    _care_team(users, patient)
    if not Episode.objects.filter(patient=patient).exists():
        episode_admit(
            actor=registrar,
            patient=patient,
            program=program,
            admitted_on=datetime.date(2026, 11, 1) - datetime.timedelta(days=7 * i),
        )
    return True


def _care_team(users: dict[str, User], patient: Patient) -> None:
    """The demo nurse and physician care for every demo patient."""
    for username, team_role in (("nurse", TeamRole.NURSE), ("physician", TeamRole.PHYSICIAN)):
        if not CareTeamMember.objects.filter(patient=patient, user=users[username]).exists():
            care_team_add(
                actor=users["admin"], patient=patient, user=users[username], team_role=team_role
            )


class Command(BaseCommand):
    help = "Create demo staff accounts (one per role) and a dozen fictional patients. Idempotent."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = _staff_accounts()
        created = sum(_register(users, i, person) for i, person in enumerate(PATIENTS))
        clinical_examples(users, DEMO_PASSWORD)
        session_examples(users, DEMO_PASSWORD)
        audit_seal()  # the chain is built after commit (services/audit_chain.py)
        self._print_sign_ins(created)

    def _print_sign_ins(self, created: int) -> None:
        self.stdout.write(
            f"Demo data ready ({created} patients added, {Patient.objects.count()} in all)."
        )
        self.stdout.write(f"Demo sign-ins (demo only, password for all: {DEMO_PASSWORD}):")
        for username, role, first, last, *_ in STAFF:
            self.stdout.write(f"  {username:<11} {role.label}  ({first} {last})")
        self.stdout.write(
            f"physician and admin also need a TOTP code: add the secret {DEMO_TOTP_SECRET} to an "
            "authenticator app, or run `python manage.py demo_totp_code physician`."
        )
