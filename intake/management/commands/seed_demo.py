"""Demo data: one account per role and a dozen fictional patients on care teams.

Idempotent: run it again and nothing is duplicated. For demonstrations only; the passwords
printed here are public."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

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


def _demo_code(user) -> str:
    """The current code of a demo account's authenticator (the secret is public)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


class Command(BaseCommand):
    help = "Create demo staff accounts (one per role) and a dozen fictional patients. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
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
        created = 0
        for i, (given, family, preferred, dob, sex, pronouns, program, reason) in enumerate(
            PATIENTS
        ):
            birth_date = datetime.date.fromisoformat(dob)
            if Patient.objects.filter(
                given_name=given, family_name=family, birth_date=birth_date
            ).exists():
                continue
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
            for username, team_role in (
                ("nurse", TeamRole.NURSE),
                ("physician", TeamRole.PHYSICIAN),
            ):
                if not CareTeamMember.objects.filter(
                    patient=patient, user=users[username]
                ).exists():
                    care_team_add(
                        actor=users["admin"],
                        patient=patient,
                        user=users[username],
                        team_role=team_role,
                    )
            if not Episode.objects.filter(patient=patient).exists():
                episode_admit(
                    actor=registrar,
                    patient=patient,
                    program=program,
                    admitted_on=datetime.date(2026, 11, 1) - datetime.timedelta(days=7 * i),
                )
            created += 1
        self._clinical_examples(users)
        audit_seal()  # the chain is built after commit (services/audit_chain.py)
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

    def _clinical_examples(self, users) -> None:
        """A few charts with clinical content, so every page has something to show: an OTP
        patient on methadone, a patient with a suicide-risk alert and a plan awaiting review,
        a diagnosed patient with a draft detox plan. Skipped for charts that already have it."""
        from django.utils import timezone

        from intake.models import Assessment
        from intake.services.assessment import assessment_record, diagnosis_record
        from intake.services.interview import interview_create, interview_sign
        from intake.services.lab import lab_order_create, lab_results_record
        from intake.services.treatment_plan import (
            treatment_plan_approve,
            treatment_plan_create,
            treatment_plan_submit,
        )

        now = timezone.now()
        hours = datetime.timedelta(hours=1)
        counselor, nurse, physician = users["counselor"], users["nurse"], users["physician"]
        today = timezone.localdate()
        group = [
            {
                "modality": "group-counseling",
                "setting": "outpatient",
                "frequency": "twice weekly",
                "targets": ["triggers", "coping-cravings", "relapse-plan", "emotional-discomfort"],
                "goals": [{"text": "Attend 8 of 8 groups", "target_date": None}],
            }
        ]

        marcus = Patient.objects.filter(given_name="Marcus", family_name="Delgado").first()
        if marcus and not Assessment.objects.filter(patient=marcus).exists():
            interview = interview_create(
                actor=counselor,
                patient=marcus,
                data={
                    "presenting_problem": "Daily heroin use for six years; wants methadone.",
                    "patient_goals": "Keep my job and stop using.",
                    "primary_substance": "heroin",
                    "how_use_began": "prescribed-after-injury",
                    "last_opioid_use_at": now - 20 * hours,
                    "last_opioid_used": "heroin",
                    "naloxone_at_home": False,
                    "overdose_count": 1,
                    "risk_factors": ["family-history-addiction", "high-risk-exposure"],
                    "observed_signs": ["runny-nose", "agitation"],
                    "current_medications": "None",
                    "housing": "stable",
                    "employment": "full-time",
                    "readiness_to_change": "action",
                },
                substances=[
                    {
                        "substance": "heroin",
                        "routes": ["injected", "sniffed"],
                        "frequency": "several-daily",
                        "typical_amount": "1 g",
                        "age_first_use": 24,
                        "last_use_at": now - 20 * hours,
                        "tolerance": True,
                    }
                ],
            )
            interview_sign(actor=counselor, interview=interview)
            for h, answers in ((18, "2,2,3,2,2,2,2,1,2,2,3"), (10, "1,1,1,1,1,1,2,1,1,2,0")):
                values = dict(zip([str(n) for n in range(1, 12)], answers.split(","), strict=True))
                assessment_record(
                    actor=nurse,
                    patient=marcus,
                    instrument="cows",
                    answers=values,
                    administered_at=now - h * hours,
                )
            uds = lab_order_create(actor=nurse, patient=marcus, panel="uds")
            lab_results_record(
                actor=nurse,
                order=uds,
                collected_at=now - 9 * hours,
                observed=True,
                specimen_type="urine",
                entries=[
                    {"test": "opiates", "value": 2400},
                    {"test": "6-mam", "value": 40},
                    {"test": "fentanyl", "value": 6},
                    {"test": "norfentanyl", "value": 12},
                    {"test": "specimen-temperature", "value": 35},
                    {"test": "creatinine", "value": 80},
                    {"test": "specific-gravity", "value": "1.015"},
                    {"test": "ph", "value": 6},
                ],
            )
            ecg = lab_order_create(actor=nurse, patient=marcus, panel="ecg")
            lab_results_record(
                actor=nurse,
                order=ecg,
                collected_at=now - 8 * hours,
                observed=False,
                entries=[{"test": "qtc", "value": 432}],
            )
            plan = treatment_plan_create(
                actor=physician,
                patient=marcus,
                data={
                    "setting": "outpatient",
                    "asam_level": "otp",
                    "review_date": today + datetime.timedelta(days=90),
                    "behavioral": group,
                    "medications": [
                        {
                            "drug": "methadone",
                            "dose": 30,
                            "frequency": "daily",
                            "start_date": today,
                        },
                        {"drug": "naloxone", "dose": 4, "frequency": "once", "start_date": today},
                    ],
                },
            )
            treatment_plan_submit(actor=physician, plan=plan)
            treatment_plan_approve(
                actor=physician,
                plan=plan,
                password=DEMO_PASSWORD,
                otp=_demo_code(physician),
                acknowledged_warnings=[
                    {"code": w["code"], "reason": "Reviewed at intake"} for w in plan.warnings
                ],
            )

        aisha = Patient.objects.filter(given_name="Aisha", family_name="Thompson").first()
        if aisha and not Assessment.objects.filter(patient=aisha).exists():
            assessment_record(
                actor=counselor,
                patient=aisha,
                instrument="phq9",
                answers={
                    "1": "2",
                    "2": "2",
                    "3": "1",
                    "4": "2",
                    "5": "1",
                    "6": "2",
                    "7": "1",
                    "8": "0",
                    "9": "1",
                },
            )
            assessment_record(
                actor=counselor,
                patient=aisha,
                instrument="gad7",
                answers={str(n): "1" for n in range(1, 8)},
            )
            plan = treatment_plan_create(
                actor=counselor,
                patient=aisha,
                data={
                    "setting": "outpatient",
                    "review_date": today + datetime.timedelta(days=60),
                    "behavioral": group,
                },
            )
            treatment_plan_submit(actor=counselor, plan=plan)

        daniel = Patient.objects.filter(given_name="Daniel", family_name="Kowalski").first()
        if daniel and not Assessment.objects.filter(patient=daniel).exists():
            dsm = assessment_record(
                actor=counselor,
                patient=daniel,
                instrument="dsm5-oud",
                answers={
                    **{str(n): "yes" for n in range(1, 9)},
                    "9": "no",
                    "10": "yes",
                    "11": "yes",
                    "supervised": "no",
                },
            )
            diagnosis_record(actor=physician, patient=daniel, assessment=dsm)
            treatment_plan_create(
                actor=counselor,
                patient=daniel,
                data={
                    "setting": "inpatient",
                    "asam_level": "3.7",
                    "medically_supervised_detox": True,
                    "review_date": today + datetime.timedelta(days=14),
                    "behavioral": group,
                },
            )
