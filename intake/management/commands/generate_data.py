"""Fictional data at clinic-network scale, for benchmarks and load tests.

`manage.py generate_data --patients N [--seed S] [--workers W] [--check]` fills the database
with a network of clinics (500 patients each) and its staff (a counselor per ~40 patients, a
physician per ~150, a nurse per ~80, an administrator per clinic, privacy officers), and for
every patient: episodes of care, a care team, signed intake interviews with substance rows,
instrument administrations (DSM-5 criteria and ASAM at admission, COWS every 8 hours through
withdrawal management and at buprenorphine induction, PHQ-9 monthly then quarterly, ...), urine
drug screens weekly for the first weeks of an episode and monthly after, intake blood work, ECGs
on methadone, treatment plan versions with their medication and behavioral lines, lab alerts,
and the audit events of all those writes since the network went live (a year before BASE;
older records count as imported).

Everything is fictional and comes from `random.Random` seeded with `--seed`, relative to a fixed
date (BASE): the same seed gives the same rows on a fresh database (user ids and MRNs come from
their sequences; MRNs from intake_patient_mrn_seq, which is moved past them). Scores come from
`intake.scoring` and lab interpretation from `intake.labs.interpret` with the catalog stored in
intake_labtest, so rows read as the application would have written them; codes are those of
docs/clinical-rules.md.

How it is fast: rows are built in Python and written with binary COPY, one transaction per
clinic, by `--workers` processes. The high-volume clinical tables are loaded with
session_replication_role=replica (foreign keys are not re-checked row by row: the rows are built
consistent, and `--check` verifies every foreign key afterwards). Treatment plans go through
their guard triggers: versions are written as drafts with their lines, then signed. Audit events
go through the append-only and hash-chain triggers: staged per clinic, then inserted clinic by
clinic in time order, in small transactions, once no other transaction is open (the chain
trigger rewrites one head row per event; see insert_audit_events).

Staff accounts get unusable passwords; `bench/` sets passwords for the few it signs in as.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import math
import multiprocessing
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from psycopg.types.json import Jsonb

from intake.labs.interpret import interpret_panel
from intake.models import (
    Interview,
    InterviewAddendum,
    LabPanel,
    LabTest,
    Patient,
    Role,
    StaffProfile,
    SubstanceUse,
)
from intake.scoring import get_instrument, icd10_for
from intake.services.audit_chain import audit_seal
from intake.services.interview import addendum_compute_hash, interview_compute_hash
from intake.services.treatment_plan import content_hash

# The fixed "today" of the generated history.
BASE = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
HISTORY_DAYS = 4 * 365
# The network went live on Clinic Intake a year before BASE, importing the older records from
# its previous system: the audit trail starts then.
AUDIT_SINCE = BASE - dt.timedelta(days=365)
PATIENTS_PER_CLINIC = 500
PATIENTS_PER_COUNSELOR = 40
PATIENTS_PER_PHYSICIAN = 150
PATIENTS_PER_NURSE = 80
MAX_CLINICS = 4096  # 12 bits of the generated ids
AUDIT_BATCH = 150  # events per transaction through the hash-chain trigger
UNUSABLE_PASSWORD = "!"

# Lab schedule (days): urine drug screens weekly for the first weeks of an episode (and all
# through residential care), then every 4 weeks, then every 8 weeks once stable.
UDS_WEEKLY_WEEKS = 4
UDS_MONTHLY_UNTIL_DAY = 90
UDS_LATER_EVERY = 56

# fmt: off
GIVEN_NAMES = (
    "Aaliyah", "Aaron", "Abigail", "Adrian", "Aisha", "Alejandro", "Alex", "Alicia", "Amara",
    "Amir", "Ana", "Andre", "Angela", "Anthony", "Ari", "Ashley", "Ava", "Benjamin", "Bianca",
    "Brandon", "Brianna", "Caleb", "Camila", "Carlos", "Carmen", "Casey", "Chen", "Chloe",
    "Christopher", "Daniel", "Darius", "David", "Deja", "Destiny", "Diego", "Dmitri", "Elena",
    "Elijah", "Emily", "Emmanuel", "Erik", "Esperanza", "Ethan", "Fatima", "Felix", "Gabriel",
    "Grace", "Hannah", "Hector", "Ian", "Imani", "Isabel", "Jacob", "Jada", "Jamal", "James",
    "Jasmine", "Javier", "Jennifer", "Jessica", "Jordan", "Jose", "Joseph", "Joshua", "Juan",
    "Kayla", "Keisha", "Kenji", "Kevin", "Kiara", "Kyle", "Laura", "Leah", "Liam", "Lucia",
    "Luis", "Malik", "Marcus", "Maria", "Mariana", "Mason", "Matthew", "Maya", "Megan", "Mei",
    "Michael", "Miguel", "Mohammed", "Morgan", "Nadia", "Natalie", "Nathan", "Nia", "Noah",
    "Olivia", "Omar", "Patrick", "Priya", "Rachel", "Rafael", "Rebecca", "Ricardo", "Riley",
    "Robert", "Rosa", "Ryan", "Samantha", "Samuel", "Sara", "Sean", "Sofia", "Stephanie",
    "Taylor", "Terrence", "Thomas", "Tiana", "Tyler", "Valentina", "Victor", "Wei", "William",
    "Xavier", "Yasmin", "Zachary", "Zoe",
)
FAMILY_NAMES = (
    "Abbott", "Acosta", "Adams", "Aguilar", "Ahmed", "Alvarez", "Anderson", "Baker", "Banks",
    "Barnes", "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter",
    "Castillo", "Chavez", "Chen", "Clark", "Coleman", "Collins", "Cook", "Cooper", "Cruz",
    "Davis", "Delgado", "Diaz", "Dixon", "Edwards", "Ellis", "Evans", "Fernandez", "Fisher",
    "Flores", "Foster", "Garcia", "Gardner", "Garner", "Gibson", "Gomez", "Gonzalez", "Gordon",
    "Graham", "Gray", "Green", "Griffin", "Gutierrez", "Hall", "Hamilton", "Harris", "Hayes",
    "Henderson", "Hernandez", "Hill", "Holmes", "Howard", "Hughes", "Hunter", "Jackson", "James",
    "Jenkins", "Jimenez", "Johnson", "Jones", "Jordan", "Kelly", "Kennedy", "Khan", "Kim",
    "King", "Kowalski", "Lee", "Lewis", "Lin", "Long", "Lopez", "Marshall", "Martin",
    "Martinez", "Mendoza", "Meyer", "Miller", "Mitchell", "Moore", "Morales", "Morgan", "Morris",
    "Murphy", "Murray", "Myers", "Nguyen", "Nelson", "Novak", "O'Brien", "Okafor", "Olson",
    "Ortiz", "Owens", "Park", "Parker", "Patel", "Perez", "Perry", "Peterson", "Petrov",
    "Phillips", "Powell", "Price", "Ramirez", "Ramos", "Reed", "Reyes", "Reynolds", "Richardson",
    "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez",
    "Sanders", "Schmidt", "Scott", "Shah", "Simmons", "Singh", "Smith", "Stewart", "Sullivan",
    "Tanaka", "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Turner", "Vasquez", "Walker",
    "Wallace", "Wang", "Ward", "Washington", "Watson", "White", "Williams", "Wilson", "Wong",
    "Wood", "Wright", "Young", "Zhang",
)
STREETS = (
    "Maple", "Oak", "Cedar", "Pine", "Elm", "Walnut", "Chestnut", "Lake", "Hill", "River",
    "Spring", "Park", "Washington", "Lincoln", "Jefferson", "Madison", "Franklin", "Highland",
)
TOWNS = ("Springfield", "Riverton", "Fairview", "Lakeside", "Greenville", "Milford", "Salem")
# fmt: on
REFERRALS = (
    "Self",
    "Emergency department",
    "Primary care",
    "Family member",
    "Drug court",
    "Probation",
    "Hospital discharge",
    "Syringe services program",
)
REASONS = (
    "Daily fentanyl use, wants to stop.",
    "Heroin use, requests medication treatment.",
    "Prescription opioids after surgery, now buying pills.",
    "Referred after a non-fatal overdose.",
    "Relapse after a period of recovery.",
    "Transferring care from another program.",
    "Court referral; opioid use.",
    "Withdrawal symptoms, requests detox.",
)
LANGUAGES = (("English", 85), ("Spanish", 10), ("Vietnamese", 2), ("Arabic", 1), ("Russian", 2))

# Programs (Program values) and episode length in days (median, spread, max).
PROGRAM_LENGTH = {
    "inpatient": (6, 0.3, 10),
    "residential": (30, 0.4, 90),
    "intensive-outpatient": (45, 0.5, 120),
    "outpatient": (50, 0.9, 720),
    "otp": (150, 0.8, 1095),
}
FIRST_PROGRAM = (
    ("outpatient", 40),
    ("otp", 22),
    ("intensive-outpatient", 15),
    ("inpatient", 15),
    ("residential", 8),
)
PLAN_SETTING = {
    "inpatient": "inpatient",
    "residential": "residential",
    "intensive-outpatient": "intensive-outpatient",
    "outpatient": "outpatient",
    "otp": "outpatient",
}
ASAM_LEVEL = {
    "inpatient": "3.7",
    "residential": "3.5",
    "intensive-outpatient": "2.1",
    "outpatient": "1",
    "otp": "otp",
}
# Medication regimes by program: (regime, weight).
REGIMES = {
    "inpatient": (("detox", 100),),
    "residential": (("bup", 40), ("naltrexone-xr", 30), ("none", 30)),
    "intensive-outpatient": (("bup", 50), ("naltrexone", 20), ("none", 30)),
    "outpatient": (("bup", 55), ("bup-xr", 10), ("naltrexone-xr", 10), ("none", 25)),
    "otp": (("methadone", 70), ("bup", 30)),
}
REGIME_DRUGS = {
    "bup": ("buprenorphine-naloxone",),
    "bup-xr": ("buprenorphine-xr",),
    "methadone": ("methadone",),
    "naltrexone": ("naltrexone",),
    "naltrexone-xr": ("naltrexone-xr",),
    "detox": (),
    "none": (),
}
MEDICATION_TEXT = {
    "bup": "Buprenorphine/naloxone 16 mg sublingual daily",
    "bup-xr": "Sublocade 300 mg monthly injection",
    "methadone": "Methadone 80 mg daily",
    "naltrexone": "Naltrexone 50 mg daily",
    "naltrexone-xr": "Naltrexone XR 380 mg every 4 weeks",
    "detox": "",
    "none": "",
}
DISCHARGE_REASONS = (
    ("completed", 40),
    ("left-against-advice", 20),
    ("lost-to-follow-up", 22),
    ("transferred", 10),
    ("incarcerated", 4),
    ("other", 4),
)
OPIOIDS = (("fentanyl", 60), ("heroin", 20), ("prescription-opioid", 15), ("other-opioid", 5))
CO_SUBSTANCES = (
    ("stimulant", 0.35),
    ("alcohol", 0.3),
    ("benzodiazepine", 0.15),
    ("cannabis", 0.35),
    ("tobacco", 0.6),
)
INTERVIEW_ARRAYS = {
    "prior_treatment": ("detox", "medication", "counseling", "residential", "mutual-help"),
    "risk_factors": (
        "family-history-addiction",
        "personal-history-addiction",
        "heavy-tobacco",
        "severe-depression",
        "severe-anxiety",
        "unemployment",
        "high-risk-exposure",
        "risk-taking",
    ),
    "observed_signs": (
        "agitation",
        "drowsiness",
        "slurred-speech",
        "constricted-pupils",
        "depressed-mood",
        "memory-problems",
        "needle-marks",
        "runny-nose",
        "nasal-sores",
        "constipation",
        "reduced-pain-sensitivity",
    ),
    "behavioral_signs": (
        "hygiene-decline",
        "secrecy",
        "hostility-to-family",
        "money-problems",
        "stealing",
        "school-work-problems",
        "risky-behavior",
    ),
    "mental_health_conditions": ("depression", "anxiety", "ptsd", "bipolar", "psychosis"),
    "medical_conditions": ("hepatitis-c", "hiv", "skin-infections", "chronic-pain"),
}
MODALITIES = (
    ("individual-counseling", "weekly"),
    ("group-counseling", "twice weekly"),
    ("cbt", "weekly"),
    ("contingency-management", "with each drug screen"),
    ("motivational-interviewing", "weekly"),
    ("relapse-prevention", "weekly"),
    ("peer-support", "weekly"),
    ("case-management", "every two weeks"),
    ("mutual-help", "three times a week"),
    ("family-therapy", "every two weeks"),
)
TARGETS = (
    "triggers",
    "coping-cravings",
    "relapse-plan",
    "emotional-discomfort",
    "co-occurring",
    "employment",
    "housing",
    "family",
    "legal",
    "harm-reduction",
)
ID_TAGS = {
    "patient": 1,
    "careteam": 2,
    "episode": 3,
    "interview": 4,
    "substance": 5,
    "addendum": 6,
    "assessment": 7,
    "diagnosis": 8,
    "laborder": 9,
    "labresult": 10,
    "labalert": 11,
    "plan": 12,
}

# COPY column lists. Tables loaded with replica (FK triggers off) first, then plans.
COLUMNS = {
    "intake_patient": (
        "id created_at updated_at created_by_id updated_by_id mrn given_name family_name "
        "preferred_name birth_date sex_at_birth gender_identity pronouns phone address "
        "emergency_contact_name emergency_contact_phone preferred_language referral_source "
        "reason_for_visit version"
    ),
    "intake_careteammember": (
        "id created_at updated_at created_by_id updated_by_id patient_id user_id team_role ended_at"
    ),
    "intake_episode": (
        "id created_at updated_at created_by_id updated_by_id patient_id program admitted_on "
        "status discharged_on discharge_reason"
    ),
    "intake_interview": None,  # from the model (built as instances, for the signature hash)
    "intake_substanceuse": None,
    "intake_interviewaddendum": (
        "id created_at updated_at created_by_id updated_by_id interview_id author_id reason text "
        "signed_at content_hash"
    ),
    "intake_assessment": (
        "id created_at updated_at created_by_id updated_by_id patient_id episode_id instrument "
        "version answers item_notes recommended_level total band alerts details administered_at "
        "administered_by_id safety_assessed_at safety_assessed_by_id safety_note"
    ),
    "intake_diagnosis": (
        "id created_at updated_at created_by_id updated_by_id patient_id assessment_id severity "
        "remission on_maintenance_therapy controlled_environment icd10 diagnosed_by_id "
        "diagnosed_on diagnosed_by_license"
    ),
    "intake_laborder": (
        "id created_at updated_at created_by_id updated_by_id patient_id panel_id priority status "
        "ordered_by_id ordered_at specimen_type collected_at observed collected_by_id resulted_at "
        "specimen_status alerts"
    ),
    "intake_labresult": (
        "id created_at updated_at created_by_id updated_by_id order_id patient_id test_id value "
        "unit qualitative interpretation flag expected alerts method resulted_at confirms_id "
        "supersedes_id is_current amendment_reason"
    ),
    "intake_labalert": (
        "id created_at updated_at created_by_id updated_by_id patient_id order_id result_id code "
        "acknowledged_at acknowledged_by_id acknowledgement_note closure"
    ),
    "intake_treatmentplan": (
        "id created_at updated_at created_by_id updated_by_id patient_id episode_id version "
        "revision status previous_id amendment_reason setting asam_level "
        "medically_supervised_detox hospitalize_for_detox withdrawal_monitoring problems "
        "review_date submitted_at submitted_by_id warnings review_comment reviewed_by_id "
        "signed_at signed_by_id signed_role signed_credentials signed_content content_hash "
        "acknowledged_warnings closed_at"
    ),
    "intake_planmedication": (
        "plan_id position drug dose unit route frequency start_date end_date indication taper"
    ),
    "intake_planbehavioral": "plan_id position modality setting frequency targets goals",
    "generate_data_audit": (
        "clinic rn at actor_id actor_username role action patient_id object_type object_id "
        "ip_address outcome break_glass detail"
    ),
}
REPLICA_TABLES = (
    "intake_patient",
    "intake_careteammember",
    "intake_episode",
    "intake_interview",
    "intake_substanceuse",
    "intake_interviewaddendum",
    "intake_assessment",
    "intake_diagnosis",
    "intake_laborder",
    "intake_labresult",
    "intake_labalert",
)
PLAN_TABLES = ("intake_treatmentplan", "intake_planmedication", "intake_planbehavioral")
STAGE = "generate_data_audit"
AUDIT_COLUMNS = (
    "at, actor_id, actor_username, role, action, patient_id, object_type, object_id, ip_address, "
    "outcome, break_glass, detail"
)


def _json(text_or_obj) -> Jsonb:
    """A jsonb value from pre-serialised JSON text (or any JSON-ready object)."""
    if isinstance(text_or_obj, str):
        return Jsonb(text_or_obj, dumps=_identity)
    return Jsonb(text_or_obj)


def _identity(text: str) -> str:
    return text


EMPTY_JSON = _json("{}")


def _pick(rng: random.Random, weighted) -> str:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


# Network ---------------------------------------------------------------------------------------


@dataclass
class Clinic:
    index: int
    patients: int
    counselors: list[int] = field(default_factory=list)
    physicians: list[int] = field(default_factory=list)
    nurses: list[int] = field(default_factory=list)
    admin: int = 0
    usernames: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)


def _id_prefix(seed: int) -> int:
    digest = hashlib.sha256(f"clinic-intake/generate_data/{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


class Ids:
    """Deterministic, increasing UUIDs per table and clinic (version-4 layout): a seed prefix,
    the table, the clinic, then a counter. Increasing ids keep index inserts at the right edge."""

    def __init__(self, seed: int, chunk: int):
        prefix = _id_prefix(seed)
        self.base = {
            name: (prefix << 96) | (tag << 80) | (4 << 76) | (chunk << 64) | (2 << 62)
            for name, tag in ID_TAGS.items()
        }
        self.next = dict.fromkeys(ID_TAGS, 0)

    def new(self, table: str) -> uuid.UUID:
        n = self.next[table]
        self.next[table] = n + 1
        # uuid.UUID(int=...) without its argument checks (a third of the build time otherwise).
        value = object.__new__(uuid.UUID)
        object.__setattr__(value, "int", self.base[table] | n)
        object.__setattr__(value, "is_safe", uuid.SafeUUID.unknown)
        return value


def first_patient_id(seed: int) -> uuid.UUID:
    return Ids(seed, 0).new("patient")


# Scored instrument answers and interpreted lab panels, cached by what decides them -----------


class AnswerPool:
    """Answer sets scored by intake.scoring: for an instrument and a severity level 0..9,
    a handful of answer sets (drawn from a Random seeded by the key) with their scores."""

    VARIANTS = 12

    def __init__(self, seed: int):
        self.seed = seed
        self.cache: dict[tuple, list[tuple]] = {}

    def get(self, rng: random.Random, instrument: str, level: int, sex: str = "") -> tuple:
        key = (instrument, max(0, min(9, level)), sex if instrument == "auditc" else "")
        entries = self.cache.get(key)
        if entries is None:
            entries = self.cache[key] = self._build(*key)
        return entries[rng.randrange(len(entries))]

    def _build(self, instrument: str, level: int, sex: str) -> list[tuple]:
        definition = get_instrument(instrument)
        local = random.Random(f"{self.seed}/answers/{instrument}/{level}/{sex}")
        severity = level / 9
        entries = []
        for _ in range(self.VARIANTS):
            answers = {}
            for item in definition.items:
                # By points, so that a higher level means more severe whatever the wording.
                options = sorted(item.options, key=lambda o: o.points)
                if item.key == "supervised":
                    answers[item.key] = "no"
                    continue
                if instrument == "phq9" and item.key == "9":
                    # Thoughts of self-harm: rare, more likely with more severe depression.
                    harm = local.random() < 0.05 + 0.15 * severity
                    answers[item.key] = options[1 if harm else 0].value
                    continue
                if instrument == "asam":
                    top = 3 if local.random() > 0.01 else 4
                    index = min(top, max(0, round(local.gauss(severity * 3.2, 0.8))))
                else:
                    index = min(
                        len(options) - 1,
                        max(0, round(local.gauss(severity * (len(options) - 1), 0.9))),
                    )
                answers[item.key] = options[index].value
            cleaned = definition.validate(answers)
            result = definition.score_cleaned(cleaned, sex_at_birth=sex or None)
            entries.append(
                (
                    _json(_dumps(cleaned)),
                    result.total,
                    result.band,
                    list(result.alerts),
                    _json(_dumps(result.details)),
                    definition.version,
                )
            )
        return entries


@dataclass(frozen=True)
class ResultRow:
    test: str
    value: Decimal | None
    unit: str
    qualitative: str
    interpretation: str
    flag: str
    expected: bool | None
    alerts: tuple[str, ...]
    method: str


@dataclass(frozen=True)
class Panel:
    specimen_status: str
    alerts: tuple[str, ...]
    results: tuple[ResultRow, ...]

    @property
    def templates(self) -> tuple[tuple, ...]:
        """Per result, the columns test_id .. method of an intake_labresult row."""
        cached = self.__dict__.get("_templates")
        if cached is None:
            cached = tuple(
                (r.test, r.value, r.unit, r.qualitative, r.interpretation, r.flag, r.expected,
                 list(r.alerts), r.method)
                for r in self.results
            )  # fmt: skip
            object.__setattr__(self, "_templates", cached)
        return cached


class LabPool:
    """Interpreted panels (intake.labs.interpret with the stored catalog), cached by the
    scenario that decides them and a variant number."""

    VARIANTS = 6

    def __init__(self, seed: int, tests: dict[str, dict], panels: dict[str, list[str]]):
        self.seed = seed
        self.tests = tests
        self.panels = panels
        self.cache: dict[tuple, Panel] = {}

    def get(self, key: tuple, variant: int) -> Panel:
        full = (*key, variant)
        panel = self.cache.get(full)
        if panel is None:
            panel = self.cache[full] = self._build(full)
        return panel

    def _interpret(self, panel: str, entries: list[dict], drugs) -> Panel:
        tests = {code: self.tests[code] for code in self.panels[panel]}
        out = interpret_panel(tests, entries, drugs)
        rows = tuple(
            ResultRow(
                test=r["test"],
                value=r["value"],
                unit=r["unit"] or self.tests[r["test"]]["unit"],
                qualitative=r["qualitative"] or "",
                interpretation=r["interpretation"] or "",
                flag=r["flag"] or "",
                expected=r["expected"],
                alerts=tuple(r["alerts"]),
                method=self.tests[r["test"]]["method"],
            )
            for r in out["results"]
        )
        return Panel(out["specimen_status"], tuple(out["alerts"]), rows)

    def _build(self, key: tuple) -> Panel:
        kind = key[0]
        local = random.Random(f"{self.seed}/lab/{key}")
        if kind == "uds":
            _, drugs, positives, validity, _variant = key
            return self._interpret("uds", self._uds_entries(local, positives, validity), drugs)
        if kind == "intake-blood":
            _, sex, hcv, hiv, hbv, pregnant, liver, anemia, _variant = key
            return self._interpret(
                "intake-blood",
                self._blood_entries(local, sex, hcv, hiv, hbv, pregnant, liver, anemia),
                (),
            )
        if kind == "ecg":
            _, prolonged, _variant = key
            qtc = local.randint(452, 515) if prolonged else local.randint(380, 445)
            return self._interpret("ecg", [{"test": "qtc", "value": qtc}], ())
        if kind == "hcv-confirm":
            _, detected, _variant = key
            value = local.randint(20_000, 4_000_000) if detected else 0
            return self._interpret("hcv-confirm", [{"test": "hcv-rna", "value": value}], ())
        if kind == "pregnancy":
            _, positive, _variant = key
            q = "positive" if positive else "negative"
            return self._interpret("pregnancy", [{"test": "hcg", "qualitative": q}], ())
        raise ValueError(kind)

    def _uds_entries(self, local: random.Random, positives, validity: str) -> list[dict]:
        entries = []
        for code in self.panels["uds"]:
            test = self.tests[code]
            if test["kind"] != "screen":
                continue
            if test["qualitative_only"]:
                q = "positive" if code in positives else "negative"
                entries.append({"test": code, "qualitative": q})
                continue
            cutoff = test["cutoff"]
            if code in positives:
                value = cutoff * Decimal(str(round(local.uniform(1.2, 25), 1)))
            else:
                value = cutoff * Decimal(str(round(local.uniform(0, 0.3), 2)))
            entries.append({"test": code, "value": value.quantize(Decimal("0.1"))})
        temperature, creatinine, sg, ph = {
            "valid": (
                round(local.uniform(33.0, 37.5), 1),
                round(local.uniform(35, 250), 1),
                round(local.uniform(1.005, 1.028), 4),
                round(local.uniform(5.0, 8.0), 1),
            ),
            "dilute": (
                round(local.uniform(33.0, 37.0), 1),
                round(local.uniform(5, 19), 1),
                round(local.uniform(1.0015, 1.0028), 4),
                round(local.uniform(5.5, 7.5), 1),
            ),
            "invalid": (30.0, round(local.uniform(35, 200), 1), 1.012, 6.5),
            "substituted": (34.0, 1.0, 1.0005, 6.8),
            "adulterated": (35.0, round(local.uniform(40, 200), 1), 1.015, 3.5),
        }[validity]
        entries += [
            {"test": "specimen-temperature", "value": temperature},
            {"test": "creatinine", "value": creatinine},
            {"test": "specific-gravity", "value": sg},
            {"test": "ph", "value": ph},
        ]
        return entries

    def _blood_entries(self, local, sex, hcv, hiv, hbv, pregnant, liver, anemia) -> list[dict]:
        def q(flag: bool) -> str:
            return "positive" if flag else "negative"

        entries = [
            {"test": "hiv", "qualitative": q(hiv)},
            {"test": "hcv-ab", "qualitative": q(hcv)},
            {"test": "hbsag", "qualitative": q(hbv)},
            {"test": "ast", "value": local.randint(60, 190) if liver else local.randint(14, 38)},
            {"test": "alt", "value": local.randint(70, 220) if liver else local.randint(9, 50)},
            {
                "test": "hemoglobin",
                "value": round(
                    local.uniform(8.5, 11.5) if anemia else local.uniform(12.3, 16.5), 1
                ),
            },
            {"test": "wbc", "value": round(local.uniform(4.2, 10.5), 1)},
            {"test": "platelets", "value": local.randint(160, 390)},
        ]
        if sex == "female":
            entries.append({"test": "hcg", "qualitative": q(pregnant)})
        return entries


# One clinic's rows -------------------------------------------------------------------------------


@dataclass
class Context:
    seed: int
    patients: int
    mrn_start: int
    clinics: list[Clinic]
    answers: AnswerPool
    labs: LabPool


class ClinicBuilder:
    """Builds every row for one clinic's patients (pure Python, no database)."""

    def __init__(self, ctx: Context, clinic: Clinic):
        self.ctx = ctx
        self.clinic = clinic
        self.rng = random.Random(f"{ctx.seed}/clinic/{clinic.index}")
        self.ids = Ids(ctx.seed, clinic.index)
        self.rows: dict[str, list] = {table: [] for table in COLUMNS}
        self.plan_status: list[tuple[uuid.UUID, str]] = []
        self.ip = ipaddress.ip_address(f"10.{20 + clinic.index // 250}.{clinic.index % 250}.0")
        self.audit_seq = 0
        self.events: list[tuple] = []
        self.ips: dict[int, object] = {}

    # helpers

    def ip_for(self, user: int):
        ip = self.ips.get(user)
        if ip is None:
            ip = self.ips[user] = self.ip + (user % 200) + 10
        return ip

    def audit(self, at, actor, action, patient_id, object_type, object_id, detail=None):
        if at < AUDIT_SINCE:
            return  # imported from the legacy system at go-live: no audit trail of its own
        self.audit_seq += 1
        self.events.append(
            (
                at,
                self.audit_seq,
                actor,
                self.clinic.usernames[actor],
                self.clinic.roles[actor],
                action,
                patient_id,
                object_type,
                str(object_id),
                self.ip_for(actor),
                "allowed",
                False,
                _json(_dumps(detail)) if detail else EMPTY_JSON,
            )
        )

    def at_day(self, day: dt.date, hour: float) -> dt.datetime:
        jitter = self.rng.uniform(-0.4, 0.4)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
            hours=hour + jitter
        )

    # patients

    def build(self, first_index: int) -> None:
        rng = self.rng
        clinic = self.clinic
        for n in range(clinic.patients):
            counselor = clinic.counselors[n % len(clinic.counselors)]
            physician = clinic.physicians[n % len(clinic.physicians)]
            nurse = clinic.nurses[(n * 7) % len(clinic.nurses)]
            team = {"counselor": counselor, "physician": physician, "nurse": nurse}
            self.patient(first_index + n, team, rng)
        # The clinic's audit events in the order they happened, numbered for the chain.
        self.events.sort()  # by time, then the order they were built
        index = clinic.index
        self.rows[STAGE] = [
            (index, rn, at, *rest) for rn, (at, _seq, *rest) in enumerate(self.events, start=1)
        ]
        self.events = []

    def patient(self, index: int, team: dict, rng: random.Random) -> None:
        clinic = self.clinic
        pid = self.ids.new("patient")
        sex = _pick(rng, (("male", 60), ("female", 38), ("intersex", 1), ("unknown", 1)))
        given = rng.choice(GIVEN_NAMES)
        family = rng.choice(FAMILY_NAMES)
        if rng.random() < 0.04:
            family = f"{family}-{rng.choice(FAMILY_NAMES)}"
        preferred = rng.choice(GIVEN_NAMES) if rng.random() < 0.08 else ""
        age = max(18, min(75, int(rng.gauss(37, 11))))
        birth = (BASE - dt.timedelta(days=age * 365 + rng.randrange(365))).date()
        pronouns = {"male": "he/him", "female": "she/her"}.get(sex, "they/them")
        # The network grew: more patients were first admitted recently than years ago.
        days_ago = 2 + int((HISTORY_DAYS - 2) * (1 - math.sqrt(rng.random())))
        first_admit = (BASE - dt.timedelta(days=days_ago)).date()
        registered = self.at_day(first_admit - dt.timedelta(days=rng.randrange(0, 4)), 10)
        counselor = team["counselor"]
        self.rows["intake_patient"].append(
            (
                pid,
                registered,
                registered,
                counselor,
                counselor,
                f"{self.ctx.mrn_start + index:08d}",
                given,
                family,
                preferred,
                birth,
                sex,
                "",
                pronouns if rng.random() < 0.7 else "",
                f"555-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}",
                f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} St, {rng.choice(TOWNS)}",
                f"{rng.choice(GIVEN_NAMES)} {family}" if rng.random() < 0.8 else "",
                f"555-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}",
                _pick(rng, LANGUAGES),
                rng.choice(REFERRALS),
                rng.choice(REASONS),
                1,
            )
        )
        self.audit(registered, counselor, "create", pid, "patient", pid)
        # Care team: the registering counselor, then the clinic administrator adds the others.
        joined = registered
        if rng.random() < 0.15:
            previous = clinic.counselors[
                (clinic.counselors.index(counselor) + 1) % len(clinic.counselors)
            ]
            if previous != counselor:
                ended = joined + dt.timedelta(days=rng.randrange(20, 200))
                self.care_team(pid, previous, "counselor", joined, ended)
        for role, user in team.items():
            self.care_team(pid, user, role, joined + dt.timedelta(minutes=5), None)
        sex_for = sex
        day = first_admit
        program = _pick(rng, FIRST_PROGRAM)
        episodes = 0
        while True:
            length_median, spread, longest = PROGRAM_LENGTH[program]
            length = max(1, min(longest, int(rng.lognormvariate(math.log(length_median), spread))))
            end = day + dt.timedelta(days=length)
            active = end >= BASE.date() - dt.timedelta(days=1)
            episodes += 1
            self.episode(pid, sex_for, birth, team, program, day, end, active, registered, rng)
            if active:
                break
            if episodes >= 4:
                break
            # Step down after withdrawal management; otherwise perhaps a readmission later.
            if program == "inpatient" and rng.random() < 0.7:
                day = end + dt.timedelta(days=rng.randrange(0, 3))
                program = _pick(rng, (("outpatient", 60), ("residential", 25), ("otp", 15)))
            elif rng.random() < 0.25:
                day = end + dt.timedelta(days=rng.randrange(30, 500))
                program = _pick(rng, FIRST_PROGRAM)
            else:
                break
            if day >= BASE.date():
                break

    def care_team(self, pid, user, role, start, ended) -> None:
        mid = self.ids.new("careteam")
        admin = self.clinic.admin
        self.rows["intake_careteammember"].append(
            (mid, start, ended or start, admin, admin, pid, user, role, ended)
        )
        self.audit(start, admin, "create", pid, "care-team-member", mid)

    # episodes

    def episode(self, pid, sex, birth, team, program, start, end, active, registered, rng) -> None:
        counselor = team["counselor"]
        eid = self.ids.new("episode")
        admitted_at = max(self.at_day(start, 9.5), registered + dt.timedelta(minutes=30))
        last_day = min(end, BASE.date())
        reason = "" if active else _pick(rng, DISCHARGE_REASONS)
        discharged_at = None if active else self.at_day(end, 15)
        self.rows["intake_episode"].append(
            (
                eid,
                admitted_at,
                discharged_at or admitted_at,
                counselor,
                counselor,
                pid,
                program,
                start,
                "active" if active else "discharged",
                None if active else end,
                reason,
            )
        )
        self.audit(admitted_at, counselor, "create", pid, "episode", eid)
        regime = _pick(rng, REGIMES[program])
        primary = _pick(rng, OPIOIDS)
        self.interview(pid, eid, sex, team, program, regime, primary, start, active, rng)
        asam_level = self.assessments(pid, eid, sex, team, program, regime, start, last_day, rng)
        hcv = rng.random() < 0.25
        self.labs(pid, sex, team, program, regime, primary, hcv, start, last_day, active, rng)
        self.plans(pid, eid, team, program, regime, asam_level, hcv, start, last_day, active, rng)
        if not active:
            self.audit(
                discharged_at, counselor, "update", pid, "episode", eid, {"status": "discharged"}
            )

    def interview(self, pid, eid, sex, team, program, regime, primary, start, active, rng) -> None:
        counselor = team["counselor"]
        iid = self.ids.new("interview")
        interviewed = start
        created = self.at_day(start, 10.5)
        draft = active and (BASE.date() - start).days < 10 and rng.random() < 0.3
        signed_at = None if draft else created + dt.timedelta(hours=rng.uniform(0.5, 5))
        last_use = created - dt.timedelta(hours=rng.uniform(8, 72))

        def some(name: str, p: float) -> list[str]:
            return [v for v in INTERVIEW_ARRAYS[name] if rng.random() < p]

        interview = Interview(
            id=iid,
            created_at=created,
            updated_at=signed_at or created,
            created_by_id=counselor,
            updated_by_id=counselor,
            patient_id=pid,
            episode_id=eid,
            author_id=counselor,
            status="draft" if draft else "signed",
            interviewed_on=interviewed,
            signed_at=signed_at,
            content_hash="",
            revision=1 if draft else rng.randrange(1, 4),
            presenting_problem=rng.choice(REASONS),
            patient_goals=rng.choice(
                (
                    "Stop using and keep my job.",
                    "Get my kids back.",
                    "Stay alive; no more overdoses.",
                    "Cut down, then stop.",
                    "Get stable housing and stop using.",
                )
            ),
            primary_substance=primary,
            how_use_began=_pick(
                rng,
                (
                    ("non-prescribed", 55),
                    ("prescribed-after-surgery", 20),
                    ("prescribed-after-injury", 15),
                    ("prescribed-other", 10),
                ),
            ),
            onset_notes="",
            last_opioid_use_at=last_use,
            last_opioid_used=primary,
            overdose_count=None,
            last_overdose_on=None,
            naloxone_at_home=rng.random() < 0.45,
            unsuccessful_quit_attempts=rng.randrange(0, 6),
            quit_attempts_outcome="",
            use_despite_consequences=rng.random() < 0.85,
            prior_treatment=some("prior_treatment", 0.3),
            prior_treatment_outcome="",
            risk_factors=some("risk_factors", 0.3),
            observed_signs=some("observed_signs", 0.2),
            behavioral_signs=some("behavioral_signs", 0.25),
            mental_health_conditions=some("mental_health_conditions", 0.2),
            medical_conditions=some("medical_conditions", 0.12),
            pregnancy_status=(
                _pick(rng, (("not-pregnant", 92), ("pregnant", 5), ("unknown", 3)))
                if sex == "female"
                else "not-applicable"
            ),
            psychiatric_history="",
            current_medications=MEDICATION_TEXT[regime]
            if program == "otp" and rng.random() < 0.3
            else "",
            allergies=rng.choice(("NKDA", "NKDA", "NKDA", "Penicillin", "Sulfa")),
            housing=_pick(
                rng,
                (
                    ("stable", 45),
                    ("unstable", 25),
                    ("shelter", 12),
                    ("unhoused", 15),
                    ("institution", 3),
                ),
            ),
            employment=_pick(
                rng,
                (
                    ("full-time", 25),
                    ("part-time", 15),
                    ("unemployed", 45),
                    ("disabled", 10),
                    ("student", 5),
                ),
            ),
            legal_involvement=_pick(
                rng,
                (
                    ("none", 60),
                    ("pending-charges", 15),
                    ("probation-parole", 18),
                    ("drug-court", 7),
                ),
            ),
            family_supports=rng.choice(
                ("Mother, sister", "Partner", "None", "Friends in recovery")
            ),
            readiness_to_change=_pick(
                rng,
                (("contemplation", 20), ("preparation", 40), ("action", 35), ("maintenance", 5)),
            ),
            impressions="",
        )
        overdoses = _pick(rng, ((0, 55), (1, 25), (2, 12), (3, 8)))
        interview.overdose_count = overdoses
        if overdoses:
            interview.last_overdose_on = start - dt.timedelta(days=rng.randrange(10, 700))
        substances = [
            SubstanceUse(
                id=self.ids.new("substance"),
                interview_id=iid,
                substance=primary,
                substance_name="oxycodone" if primary == "prescription-opioid" else "",
                routes=sorted(
                    rng.sample(("injected", "smoked", "snorted", "oral"), rng.randrange(1, 3)),
                    key=("injected", "sniffed", "snorted", "smoked", "oral").index,
                ),
                frequency=_pick(
                    rng, (("several-daily", 60), ("daily", 30), ("several-weekly", 10))
                ),
                typical_amount="",
                age_first_use=rng.randrange(14, 35),
                last_use_at=last_use,
                tolerance=rng.random() < 0.8,
            )
        ]
        for substance, p in CO_SUBSTANCES:
            if rng.random() < p:
                substances.append(
                    SubstanceUse(
                        id=self.ids.new("substance"),
                        interview_id=iid,
                        substance=substance,
                        substance_name="",
                        routes=["smoked"] if substance in ("tobacco", "cannabis") else ["oral"],
                        frequency=_pick(
                            rng, (("daily", 40), ("several-weekly", 35), ("weekly", 25))
                        ),
                        typical_amount="",
                        age_first_use=rng.randrange(12, 30),
                        last_use_at=None,
                        tolerance=None,
                    )
                )
        if not draft:
            interview.content_hash = interview_compute_hash(
                interview=interview, substances=substances
            )
        self.rows["intake_interview"].append(interview)
        self.rows["intake_substanceuse"].extend(substances)
        self.audit(created, counselor, "create", pid, "interview", iid)
        if not draft:
            self.audit(signed_at, counselor, "sign", pid, "interview", iid)
            if rng.random() < 0.03:
                aid = self.ids.new("addendum")
                at = signed_at + dt.timedelta(days=rng.randrange(1, 20))
                addendum = InterviewAddendum(
                    id=aid,
                    interview_id=iid,
                    author_id=counselor,
                    reason="Information received after signing",
                    text="Patient later reported daily alcohol use as well; see the AUDIT-C.",
                    signed_at=at,
                )
                digest = addendum_compute_hash(
                    addendum=addendum, interview_hash=interview.content_hash
                )
                self.rows["intake_interviewaddendum"].append(
                    (aid, at, at, counselor, counselor, iid, counselor, addendum.reason,
                     addendum.text, at, digest)
                )  # fmt: skip
                self.audit(at, counselor, "sign", pid, "interview-addendum", aid)

    # assessments

    def assessment(
        self, pid, eid, sex, instrument, level, at, by, rng, *, recommended="", follow_up_by=None
    ) -> tuple:
        answers, total, band, alerts, details, version = self.ctx.answers.get(
            rng, instrument, level, sex
        )
        aid = self.ids.new("assessment")
        safety_at = safety_by = None
        note = ""
        if alerts and (BASE - at).days > 10 or alerts and rng.random() < 0.5:
            safety_at = at + dt.timedelta(hours=rng.uniform(0.2, 6))
            safety_by = follow_up_by or by
            note = "Safety assessment done; no current plan or intent. Safety plan reviewed."
        if safety_at is not None and safety_at > BASE:
            safety_at = safety_by = None
            note = ""
        self.rows["intake_assessment"].append(
            (
                aid,
                at,
                safety_at or at,
                by,
                safety_by or by,
                pid,
                eid,
                instrument,
                version,
                answers,
                EMPTY_JSON,
                recommended,
                total,
                band,
                alerts,
                details,
                at,
                by,
                safety_at,
                safety_by,
                note,
            )
        )
        self.audit(
            at, by, "create", pid, "assessment", aid, {"instrument": instrument, "alerts": alerts}
        )
        return aid, total, band

    def assessments(self, pid, eid, sex, team, program, regime, start, last_day, rng) -> str:
        counselor, physician, nurse = team["counselor"], team["physician"], team["nurse"]
        day0 = self.at_day(start, 11)
        # DSM-5 criteria and the diagnosis
        aid, total, band = self.assessment(
            pid, eid, sex, "dsm5-oud", rng.choice((6, 7, 8, 9)), day0, physician, rng
        )
        if band != "none":
            did = self.ids.new("diagnosis")
            at = day0 + dt.timedelta(hours=1)
            self.rows["intake_diagnosis"].append(
                (
                    did, at, at, physician, physician, pid, aid, band, "none",
                    regime in ("methadone", "bup", "bup-xr"), False,
                    icd10_for(band, "none"), physician, start, "MD",
                )
            )  # fmt: skip
            self.audit(at, physician, "create", pid, "diagnosis", did)
        self.assessment(
            pid, eid, sex, "asam", rng.randrange(3, 8), day0 + dt.timedelta(minutes=30), counselor,
            rng, recommended=ASAM_LEVEL[program],
        )  # fmt: skip
        mood = rng.randrange(0, 10)
        self.assessment(
            pid, eid, sex, "phq9", mood, day0 + dt.timedelta(minutes=40), counselor, rng
        )
        for instrument, p in (("gad7", 0.6), ("dast10", 0.4), ("auditc", 0.7)):
            if rng.random() < p:
                level = rng.randrange(0, 10)
                self.assessment(
                    pid,
                    eid,
                    sex,
                    instrument,
                    level,
                    day0 + dt.timedelta(minutes=50),
                    counselor,
                    rng,
                )
        # Withdrawal: COWS every 8 hours through withdrawal management, or at induction.
        if regime == "detox":
            hours = min(4, (last_day - start).days + 1) * 24
            for h in range(0, hours, 8):
                at = day0 + dt.timedelta(hours=h + rng.uniform(-0.5, 0.5))
                if at > BASE:
                    break
                level = max(0, round(7 - 7 * h / hours + rng.gauss(0, 1.2)))
                self.assessment(
                    pid, eid, sex, "cows", level, at, nurse, rng, follow_up_by=physician
                )
                if rng.random() < 0.2:
                    self.assessment(
                        pid, eid, sex, "sows", level, at + dt.timedelta(minutes=5), nurse, rng
                    )
        elif regime in ("bup", "bup-xr"):
            for h, level in (
                (0, rng.randrange(3, 7)),
                (2, rng.randrange(2, 5)),
                (24, rng.randrange(0, 3)),
            ):
                at = day0 + dt.timedelta(hours=h)
                if at <= BASE:
                    self.assessment(pid, eid, sex, "cows", level, at, nurse, rng)
        # PHQ-9 monthly for three months, then quarterly; ASAM every six months.
        day = 30
        while start + dt.timedelta(days=day) <= last_day:
            at = self.at_day(start + dt.timedelta(days=day), 11)
            mood = max(0, min(9, mood + rng.choice((-2, -1, -1, 0, 0, 1))))
            self.assessment(pid, eid, sex, "phq9", mood, at, counselor, rng)
            if day % 180 < 30 and day >= 180:
                self.assessment(
                    pid, eid, sex, "asam", rng.randrange(1, 6), at + dt.timedelta(minutes=15),
                    counselor, rng, recommended=ASAM_LEVEL[program],
                )  # fmt: skip
            day += 30 if day < 90 else 90
        return ASAM_LEVEL[program]

    # labs

    def uds_days(self, program, start, last_day) -> list[int]:
        length = (last_day - start).days
        if program == "inpatient":
            return [0]
        days, day = [], 0
        while day <= length:
            days.append(day)
            if program == "residential" or day < UDS_WEEKLY_WEEKS * 7:
                day += 7
            elif day < UDS_MONTHLY_UNTIL_DAY:
                day += 28
            else:
                day += UDS_LATER_EVERY
        return days

    def order(
        self, pid, panel_code, ordered_by, collector, ordered_at, panel: Panel | None, *, reader,
        observed=False, priority="routine",
    ) -> None:  # fmt: skip
        oid = self.ids.new("laborder")
        rng = self.rng
        specimen = {"uds": "urine", "pregnancy": "urine", "ecg": "ecg"}.get(panel_code, "blood")
        age = BASE - ordered_at
        status = "resulted"
        if panel is None or age < dt.timedelta(hours=20):
            status = "ordered" if age < dt.timedelta(hours=2) or panel is None else "collected"
        collected_at = ordered_at + dt.timedelta(minutes=rng.randrange(5, 90))
        if panel_code in ("uds", "ecg", "pregnancy"):
            resulted_at = collected_at + dt.timedelta(hours=rng.uniform(1, 8))
        else:
            resulted_at = collected_at + dt.timedelta(hours=rng.uniform(20, 70))
        if status == "resulted" and resulted_at > BASE:
            status = "collected"
        if status == "ordered":
            collected_at = None
        resulted = status == "resulted"
        self.rows["intake_laborder"].append(
            (
                oid,
                ordered_at,
                resulted_at if resulted else (collected_at or ordered_at),
                ordered_by,
                collector if collected_at else ordered_by,
                pid,
                panel_code,
                priority,
                status,
                ordered_by,
                ordered_at,
                specimen,
                collected_at,
                observed if collected_at else None,
                collector if collected_at else None,
                resulted_at if resulted else None,
                panel.specimen_status if resulted else "",
                list(panel.alerts) if resulted else [],
            )
        )
        self.audit(
            ordered_at,
            ordered_by,
            "create",
            pid,
            "lab-order",
            oid,
            {"panel": panel_code, "priority": priority},
        )
        if not resulted:
            return
        self.audit(resulted_at, collector, "update", pid, "lab-result", oid)
        results = self.rows["intake_labresult"]
        result_ids = {}
        amend = panel_code == "uds" and rng.random() < 0.004
        new_id = self.ids.new
        head = (resulted_at, resulted_at, collector, collector, oid, pid)
        tail = (resulted_at, None, None, True, "")
        for template in panel.templates:
            rid = new_id("labresult")
            result_ids[template[0]] = rid
            results.append((rid, *head, *template, *tail))
        if amend:
            # A transcription error corrected the next day: the old row stays, superseded.
            r = next(x for x in panel.results if x.test == "thc")
            old_index = len(results) - len(panel.results) + panel.results.index(r)
            old = list(results[old_index])
            old[19] = False  # is_current
            results[old_index] = tuple(old)
            at = resulted_at + dt.timedelta(hours=20)
            rid = self.ids.new("labresult")
            results.append(
                (
                    rid, at, at, collector, collector, oid, pid, r.test, r.value, r.unit,
                    r.qualitative, r.interpretation, r.flag, r.expected, list(r.alerts),
                    r.method, at, None, old[0], True, "Transcription error corrected",
                )
            )  # fmt: skip
            result_ids[r.test] = rid
            self.audit(at, collector, "update", pid, "lab-result", oid, {"amended": [r.test]})
        if panel.alerts:
            recent = BASE - resulted_at < dt.timedelta(days=21)
            for r in panel.results:
                for code in r.alerts:
                    self._alert(pid, oid, result_ids[r.test], code, resulted_at, reader, recent)
            result_codes = {c for r in panel.results for c in r.alerts}
            for code in panel.alerts:
                if code not in result_codes:
                    self._alert(pid, oid, None, code, resulted_at, reader, recent)

    def _alert(self, pid, oid, rid, code, at, physician, recent) -> None:
        lid = self.ids.new("labalert")
        open_ = recent and self.rng.random() < 0.5
        ack = None if open_ else at + dt.timedelta(hours=self.rng.uniform(1, 30))
        if ack is not None and ack > BASE:
            ack = None
        self.rows["intake_labalert"].append(
            (
                lid, at, ack or at, None, physician if ack else None, pid, oid, rid, code, ack,
                physician if ack else None, "Reviewed with the patient." if ack else "",
                "acknowledged" if ack else "",
            )
        )  # fmt: skip
        if ack:
            self.audit(ack, physician, "update", pid, "lab-alert", lid)

    def labs(self, pid, sex, team, program, regime, primary, hcv, start, last_day, active, rng):
        physician, nurse = team["physician"], team["nurse"]
        labs = self.ctx.labs
        drugs = REGIME_DRUGS[regime]
        # Intake blood work, and an HCV RNA when the antibody is positive.
        blood_at = self.at_day(start, 9)
        pregnant = sex == "female" and rng.random() < 0.05
        key = (
            "intake-blood", "female" if sex == "female" else "male", hcv, rng.random() < 0.03,
            rng.random() < 0.03, pregnant, hcv and rng.random() < 0.4, rng.random() < 0.06,
        )  # fmt: skip
        if blood_at <= BASE:
            self.order(
                pid,
                "intake-blood",
                physician,
                nurse,
                blood_at,
                labs.get(key, rng.randrange(6)),
                reader=physician,
            )
            if hcv:
                at = blood_at + dt.timedelta(days=rng.randrange(4, 15))
                if at <= BASE:
                    panel = labs.get(("hcv-confirm", rng.random() < 0.7), rng.randrange(6))
                    self.order(pid, "hcv-confirm", physician, nurse, at, panel, reader=physician)
        # ECG before methadone and every six months on it.
        if regime == "methadone":
            day = 0
            while start + dt.timedelta(days=day) <= last_day:
                at = self.at_day(start + dt.timedelta(days=day), 9.2)
                panel = labs.get(("ecg", rng.random() < 0.08), rng.randrange(6))
                self.order(pid, "ecg", physician, nurse, at, panel, reader=physician)
                day += 180
        # Urine drug screens.
        opioid_screens = {
            "fentanyl": ("fentanyl", "norfentanyl"),
            "heroin": ("6-mam", "opiates"),
            "prescription-opioid": ("oxycodone",),
            "other-opioid": ("opiates",),
        }[primary]
        co_use = [
            s
            for s, p in (
                ("cocaine", 0.2),
                ("amphetamines", 0.15),
                ("benzodiazepines", 0.1),
                ("thc", 0.3),
            )
            if rng.random() < p
        ]
        days = self.uds_days(program, start, last_day)
        recollect = False
        for i, day in enumerate(days):
            at = self.at_day(start + dt.timedelta(days=day), 9.5)
            if at > BASE:
                break
            weeks = day / 7
            p_use = max(0.12, 0.65 - 0.05 * weeks) if regime != "detox" else 0.9
            positives = set()
            if rng.random() < p_use:
                positives.update(opioid_screens)
                if "fentanyl" in positives and rng.random() < 0.3:
                    positives.add("xylazine")
                positives.update(s for s in co_use if rng.random() < 0.6)
            elif rng.random() < 0.15:
                positives.update(s for s in co_use if rng.random() < 0.5)
            if drugs and i > 0 or regime == "methadone":
                adherence = rng.random()
                if regime == "methadone":
                    if adherence < 0.93:
                        positives.update(("methadone", "eddp"))
                    elif adherence < 0.95:
                        positives.add("methadone")  # a spiked sample
                elif regime in ("bup", "bup-xr"):
                    if adherence < 0.88:
                        positives.update(("buprenorphine", "norbuprenorphine"))
                    elif adherence < 0.92:
                        positives.add("buprenorphine")  # a spiked sample
            validity = "valid"
            v = rng.random()
            if not recollect:
                if v < 0.04:
                    validity = "dilute"
                elif v < 0.047:
                    validity = "invalid"
                elif v < 0.052:
                    validity = "substituted"
                elif v < 0.055:
                    validity = "adulterated"
            panel = labs.get(
                ("uds", drugs, frozenset(positives), validity), rng.randrange(labs.VARIANTS)
            )
            self.order(
                pid,
                "uds",
                rng.choice((physician, nurse)),
                nurse,
                at,
                panel,
                reader=physician,
                observed=recollect,
            )
            recollect = panel.specimen_status in ("invalid", "substituted", "adulterated")
            if recollect:
                # The chart asks for an observed recollection: done the next day.
                at2 = at + dt.timedelta(days=1)
                if at2 <= BASE:
                    panel = labs.get(
                        ("uds", drugs, frozenset(positives), "valid"), rng.randrange(labs.VARIANTS)
                    )
                    self.order(
                        pid,
                        "uds",
                        physician,
                        nurse,
                        at2,
                        panel,
                        reader=physician,
                        observed=True,
                        priority="stat",
                    )
                recollect = False
        if active and last_day == BASE.date() and rng.random() < 0.3:
            # An order placed this morning, not collected yet.
            self.order(
                pid,
                "uds",
                nurse,
                nurse,
                BASE - dt.timedelta(minutes=rng.randrange(10, 100)),
                None,
                reader=physician,
            )
        if sex == "female" and rng.random() < 0.3 and (BASE - self.at_day(start, 9.1)).days > 0:
            panel = labs.get(("pregnancy", pregnant), rng.randrange(6))
            self.order(
                pid, "pregnancy", nurse, nurse, self.at_day(start, 9.1), panel, reader=physician
            )

    # plans

    def plans(self, pid, eid, team, program, regime, asam_level, hcv, start, last_day, active, rng):
        counselor, physician = team["counselor"], team["physician"]
        drugs = self.medications(regime, start, rng)
        behavioral = self.behavioral(program, rng)
        detox = regime == "detox"
        target = (start + dt.timedelta(days=90)).isoformat()
        problems = [
            {
                "code": "oud",
                "description": "Opioid use disorder",
                "goals": [
                    {
                        "text": "No illicit opioid use",
                        "objectives": [
                            {"text": "Negative drug screens for 8 weeks", "target_date": target}
                        ],
                        "interventions": [
                            {"text": "Medication and weekly counseling", "responsible": "team"}
                        ],
                    }
                ],
            }
        ]
        if hcv:
            problems.append({"code": "hcv", "description": "Hepatitis C", "goals": [
                {"text": "Start HCV treatment", "objectives": [], "interventions": [
                    {"text": "Refer to hepatology", "responsible": "physician"}]}]})  # fmt: skip
        versions = []
        created = self.at_day(start, 14) + dt.timedelta(days=rng.randrange(0, 3))
        length = (last_day - start).days
        day = 0
        while True:
            versions.append(day)
            day += rng.randrange(120, 240)
            if day > length - 3:
                break
        previous = None
        plan_rows = []
        for n, offset in enumerate(versions, start=1):
            at = created + dt.timedelta(days=offset)
            if at > BASE:
                break
            plan_rows.append((n, at))
        for i, (version, at) in enumerate(plan_rows):
            last = i == len(plan_rows) - 1
            plan_id = self.ids.new("plan")
            author = physician if drugs else counselor
            final = "closed"
            if not last:
                final = "superseded"
            elif active:
                final = "active"
                age = (BASE - at).days
                r = rng.random()
                if age < 21 and r < 0.35 or r < 0.06:
                    final = "submitted"
                elif r < 0.09:
                    final = "draft"
                elif r < 0.11:
                    final = "changes-requested"
            review_date = (at + dt.timedelta(days=90)).date()
            setting = PLAN_SETTING[program]
            monitoring = {"instrument": "cows", "every_hours": 6, "notes": ""} if detox else {}
            meds = [dict(m, start_date=max(m["start_date"], at.date()).isoformat()) for m in drugs]
            content = {
                "patient": str(pid),
                "version": version,
                "setting": setting,
                "asam_level": asam_level,
                "medically_supervised_detox": detox,
                "hospitalize_for_detox": detox and program == "inpatient",
                "withdrawal_monitoring": monitoring,
                "problems": problems,
                "review_date": review_date.isoformat(),
                "medications": meds,
                "behavioral": behavioral,
            }
            submitted_at = at + dt.timedelta(hours=rng.uniform(1, 30))
            signed = final in ("active", "superseded", "closed")
            if final in ("draft",):
                submitted_at = None
            signed_at = submitted_at + dt.timedelta(hours=rng.uniform(2, 48)) if signed else None
            if signed_at and signed_at > BASE:
                signed_at = BASE - dt.timedelta(minutes=5)
            signer = physician if (drugs or detox) else rng.choice((counselor, physician))
            warnings = []
            acknowledged = []
            if regime == "methadone" and version == 1:
                warnings = [
                    {"code": "methadone-qtc", "message": "No QTc on record before methadone."}
                ]
                acknowledged = [
                    {
                        "code": "methadone-qtc",
                        "reason": "ECG ordered for today; dose held until read.",
                    }
                ]
            closed_at = None
            if final == "closed":
                closed_at = self.at_day(last_day, 15)
            updated = closed_at or signed_at or submitted_at or at
            changes = final == "changes-requested"
            reviewer = physician if submitted_at and (signed or changes) else None
            self.rows["intake_treatmentplan"].append(
                (
                    plan_id, at, updated, author, author, pid, eid, version,
                    rng.randrange(1, 4), "draft", previous,
                    "" if previous is None else "Scheduled review: plan updated",
                    setting, asam_level, detox, detox and program == "inpatient",
                    _json(_dumps(monitoring)), _json(_dumps(problems)), review_date, submitted_at,
                    author if submitted_at else None, _json(_dumps(warnings)),
                    "Please add a naloxone kit." if changes else "",
                    reviewer, signed_at, signer if signed else None,
                    ("physician" if signer == physician else "counselor") if signed else "",
                    ("MD" if signer == physician else "LADC") if signed else "",
                    _json(_dumps(content)) if signed else None,
                    content_hash(content) if signed else "",
                    _json(_dumps(acknowledged if signed else [])),
                    closed_at,
                )
            )  # fmt: skip
            if final != "draft":
                self.plan_status.append((plan_id, final))
            for position, m in enumerate(meds):
                self.rows["intake_planmedication"].append(
                    (
                        plan_id, position, m["drug"], Decimal(m["dose"]), m["unit"], m["route"],
                        m["frequency"], dt.date.fromisoformat(m["start_date"]),
                        dt.date.fromisoformat(m["end_date"]) if m["end_date"] else None,
                        m["indication"], _json(_dumps(m["taper"])),
                    )
                )  # fmt: skip
            for position, b in enumerate(behavioral):
                self.rows["intake_planbehavioral"].append(
                    (
                        plan_id,
                        position,
                        b["modality"],
                        b["setting"],
                        b["frequency"],
                        b["targets"],
                        _json(_dumps(b["goals"])),
                    )
                )
            self.audit(at, author, "create", pid, "treatment-plan", plan_id)
            if submitted_at:
                self.audit(
                    submitted_at,
                    author,
                    "update",
                    pid,
                    "treatment-plan",
                    plan_id,
                    {"status": "submitted"},
                )
            if signed:
                self.audit(signed_at, signer, "sign", pid, "treatment-plan", plan_id)
            previous = plan_id

    def medications(self, regime, start, rng) -> list[dict]:
        def line(drug, dose, unit, route, frequency, indication, end=None, taper=()):
            return {
                "drug": drug,
                "dose": dose,
                "unit": unit,
                "route": route,
                "frequency": frequency,
                "start_date": start,
                "end_date": end.isoformat() if end else None,
                "indication": indication,
                "taper": [{"day": d, "dose": v} for d, v in taper],
            }

        naloxone = line("naloxone", "4", "mg", "intranasal", "once", "Take-home, for overdose")
        if regime == "bup":
            dose = rng.choice(("8", "12", "16", "16", "24"))
            return [
                line(
                    "buprenorphine-naloxone",
                    dose,
                    "mg",
                    "sublingual",
                    "daily",
                    "Opioid use disorder",
                ),
                naloxone,
            ]
        if regime == "bup-xr":
            return [
                line("buprenorphine-xr", rng.choice(("100", "300")), "mg", "subcutaneous",
                     "monthly", "Opioid use disorder (monthly)"),
                naloxone,
            ]  # fmt: skip
        if regime == "methadone":
            dose = rng.choice(("30", "40", "60", "80", "100", "120"))
            return [line("methadone", dose, "mg", "oral", "daily", "Opioid use disorder"), naloxone]
        if regime == "naltrexone":
            return [
                line("naltrexone", "50", "mg", "oral", "daily", "Opioid use disorder"),
                naloxone,
            ]
        if regime == "naltrexone-xr":
            return [
                line("naltrexone-xr", "380", "mg", "intramuscular", "q4w", "Opioid use disorder"),
                naloxone,
            ]
        if regime == "detox":
            end = start + dt.timedelta(days=7)
            taper = ((1, "0.72"), (2, "0.72"), (3, "0.54"), (4, "0.36"), (5, "0.18"))
            return [
                line("lofexidine", "0.54", "mg", "oral", "qid", "Opioid withdrawal", end, taper),
                line("ondansetron", "4", "mg", "oral", "q8h-prn", "Nausea, vomiting", end),
                line("loperamide", "2", "mg", "oral", "q4h-prn", "Diarrhea", end),
                line("ibuprofen", "400", "mg", "oral", "q6h-prn", "Pain", end),
                naloxone,
            ]
        return []

    def behavioral(self, program, rng) -> list[dict]:
        setting = (
            "inpatient"
            if program in ("inpatient", "residential")
            else rng.choice(("outpatient", "outpatient", "telehealth"))
        )
        chosen = rng.sample(MODALITIES, rng.randrange(1, 4))
        return [
            {
                "modality": modality,
                "setting": setting,
                "frequency": frequency,
                "targets": sorted(rng.sample(TARGETS, rng.randrange(1, 4)), key=TARGETS.index),
                "goals": [{"text": "Attend 80% of sessions", "target_date": None}],
            }
            for modality, frequency in chosen
        ]


# Database ------------------------------------------------------------------------------------


def _model_columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _column_list(table: str) -> list[str]:
    spec = COLUMNS[table]
    if spec is not None:
        return spec.split()
    model = {"intake_interview": Interview, "intake_substanceuse": SubstanceUse}[table]
    return _model_columns(model)


_OID_CACHE: dict[str, list[int]] = {}


def _oids(cursor, table: str, columns: list[str]) -> list[int]:
    if table not in _OID_CACHE:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
        _OID_CACHE[table] = [types[c] for c in columns]
    return _OID_CACHE[table]


def copy_rows(cursor, table: str, rows) -> int:
    """Binary COPY of row tuples (or model instances for the model-built tables)."""
    if not rows:
        return 0
    columns = _column_list(table)
    pg = cursor.cursor  # the psycopg cursor under Django's wrapper
    oids = _oids(cursor, table, columns)
    names = ", ".join(f'"{c}"' for c in columns)
    with pg.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(oids)
        if COLUMNS[table] is None:
            getters = columns
            for obj in rows:
                copy.write_row(tuple(getattr(obj, name) for name in getters))
        else:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def _write_clinic(builder: ClinicBuilder) -> dict[str, int]:
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        replica = _can_use_replica(cursor)
        if replica:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table in REPLICA_TABLES:
            counts[table] = copy_rows(cursor, table, builder.rows[table])
        if replica:
            cursor.execute("SET LOCAL session_replication_role = origin")
        # Plans: drafts with their lines (the guard trigger checks each line), then signed.
        for table in PLAN_TABLES:
            counts[table] = copy_rows(cursor, table, builder.rows[table])
        if builder.plan_status:
            ids, statuses = zip(*builder.plan_status, strict=True)
            cursor.execute(
                "UPDATE intake_treatmentplan p SET status = s.status "
                "FROM unnest(%s::uuid[], %s::text[]) AS s(id, status) WHERE p.id = s.id",
                [list(ids), list(statuses)],
            )
        counts["intake_auditevent"] = copy_rows(cursor, STAGE, builder.rows[STAGE])
    return counts


_REPLICA: dict[str, bool] = {}


def _can_use_replica(cursor) -> bool:
    if "ok" not in _REPLICA:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        _REPLICA["ok"] = bool(cursor.fetchone()[0])
    return _REPLICA["ok"]


_CTX: Context | None = None


def _run_clinic(index: int) -> tuple[int, dict[str, int], float, float]:
    ctx = _CTX
    clinic = ctx.clinics[index]
    started = time.monotonic()
    builder = ClinicBuilder(ctx, clinic)
    builder.build(index * PATIENTS_PER_CLINIC)
    built = time.monotonic()
    counts = _write_clinic(builder)
    return index, counts, built - started, time.monotonic() - built


# The command ---------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Fill the database with fictional patients and their records at scale (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, multiprocessing.cpu_count()),
            help="Processes building and writing clinics (default: 2, or 1 on one CPU).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Afterwards, verify every foreign key of the generated rows.",
        )

    def handle(self, *args, **options):
        global _CTX
        n = options["patients"]
        seed = options["seed"]
        if n < 1:
            raise CommandError("--patients must be at least 1")
        clinics_needed = math.ceil(n / PATIENTS_PER_CLINIC)
        if clinics_needed > MAX_CLINICS:
            raise CommandError(f"At most {MAX_CLINICS * PATIENTS_PER_CLINIC} patients.")
        if Patient.objects.filter(pk=first_patient_id(seed)).exists():
            raise CommandError(
                f"Data for seed {seed} is already in this database; use a fresh database."
            )
        if not LabTest.objects.exists():
            raise CommandError("The lab catalog (intake_labtest) is empty: run migrate first.")
        t0 = time.monotonic()
        workers = max(1, options["workers"])
        in_test = connection.in_atomic_block
        self.log(f"Generating {n} patients in {clinics_needed} clinics, seed {seed}.")
        clinics = self.create_staff(n, seed)
        mrn_start = self.reserve_mrns(n)
        tests = {t.code: t.as_reference() for t in LabTest.objects.all()}
        panels = {
            p.code: [t.code for t in p.tests.order_by("sort_order", "code")]
            for p in LabPanel.objects.prefetch_related("tests")
        }
        _CTX = Context(
            seed=seed,
            patients=n,
            mrn_start=mrn_start,
            clinics=clinics,
            answers=AnswerPool(seed),
            labs=LabPool(seed, tests, panels),
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {STAGE} (clinic integer NOT NULL, rn integer NOT NULL, "
                "at timestamptz NOT NULL, actor_id integer, actor_username varchar(150), "
                "role varchar(30), action varchar(20), patient_id uuid, object_type varchar(50), "
                "object_id varchar(64), ip_address inet, outcome varchar(10), "
                "break_glass boolean, detail jsonb, PRIMARY KEY (clinic, rn))"
            )
        self.log(f"  staff and catalog ready ({time.monotonic() - t0:.1f}s)")
        totals: dict[str, int] = {}
        t1 = time.monotonic()
        build_s = write_s = 0.0
        done = 0
        staged: dict[int, int] = {}
        if workers == 1 or in_test or len(clinics) == 1:
            results = map(_run_clinic, range(len(clinics)))
            pool = None
        else:
            connections.close_all()
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap_unordered(_run_clinic, range(len(clinics)))
        try:
            for index, counts, b, w in results:
                build_s += b
                write_s += w
                for table, count in counts.items():
                    totals[table] = totals.get(table, 0) + count
                done += 1
                staged[index] = counts["intake_auditevent"]
                if done % max(1, len(clinics) // 10) == 0 or done == len(clinics):
                    self.log(
                        f"  {done}/{len(clinics)} clinics, {totals.get('intake_labresult', 0)} "
                        f"lab results ({time.monotonic() - t1:.0f}s)"
                    )
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        self.log(
            f"  clinical rows written in {time.monotonic() - t1:.1f}s (building {build_s:.0f}s "
            f"and writing {write_s:.0f}s across workers)"
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('intake_patient_mrn_seq', %s)", [mrn_start + n - 1])
        # The audit events, clinic by clinic in clinic order (the chain is then the same
        # whatever the workers' timing), each clinic's in time order. Only now: the chain
        # trigger rewrites one head row per event, and an open transaction elsewhere (a
        # worker's) keeps its old versions from being pruned, which slows every insert.
        # Meanwhile another connection vacuums and analyzes the clinical tables.
        t2 = time.monotonic()
        maintenance = None
        if not in_test:
            maintenance = threading.Thread(target=self.analyze, kwargs={"vacuum": True})
            maintenance.start()
        for index in range(len(clinics)):
            self.insert_audit_events(index, staged.pop(index, 0), in_test)
            if (index + 1) % max(1, len(clinics) // 10) == 0:
                self.log(f"  audit chain through clinic {index + 1} ({time.monotonic() - t2:.0f}s)")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {STAGE}")
            cursor.execute(f"{'ANALYZE' if in_test else 'VACUUM (ANALYZE)'} intake_auditevent")
        self.log(
            f"  {totals.get('intake_auditevent', 0)} audit events through the chain trigger "
            f"({time.monotonic() - t2:.1f}s)"
        )
        if maintenance is not None:
            maintenance.join()
        else:
            self.analyze(vacuum=False)
        if options["check"]:
            self.check_foreign_keys()
        summary = ", ".join(f"{t.removeprefix('intake_')} {c}" for t, c in sorted(totals.items()))
        self.log(f"Done in {time.monotonic() - t0:.1f}s: {summary}.")

    def log(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # staff

    def create_staff(self, n: int, seed: int) -> list[Clinic]:
        rng = random.Random(f"{seed}/staff")
        User = get_user_model()
        groups = {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
        joined = BASE - dt.timedelta(days=HISTORY_DAYS + 30)
        specs = []  # (clinic index or None, role, license)
        clinics = []
        for c in range(math.ceil(n / PATIENTS_PER_CLINIC)):
            size = min(PATIENTS_PER_CLINIC, n - c * PATIENTS_PER_CLINIC)
            clinics.append(Clinic(index=c, patients=size))
            specs += [(c, Role.CLINIC_ADMIN, "")]
            specs += [(c, Role.COUNSELOR, "ladc")] * math.ceil(size / PATIENTS_PER_COUNSELOR)
            specs += [(c, Role.PHYSICIAN, "md")] * math.ceil(size / PATIENTS_PER_PHYSICIAN)
            specs += [(c, Role.NURSE, "rn")] * math.ceil(size / PATIENTS_PER_NURSE)
        specs += [(None, Role.PRIVACY_OFFICER, "")] * max(1, n // 25_000)
        prefix = f"s{seed}"
        users = []
        for i in range(len(specs)):
            first, last = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            users.append(
                User(
                    username=f"{first[0]}{last}.{prefix}.{i}".lower().replace("'", ""),
                    first_name=first,
                    last_name=last,
                    email="",
                    password=UNUSABLE_PASSWORD,
                    date_joined=joined,
                    is_active=True,
                )
            )
        users = User.objects.bulk_create(users, batch_size=2000)
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [
                Membership(user_id=u.pk, group_id=groups[role].pk)
                for u, (_c, role, _lic) in zip(users, specs, strict=True)
            ],
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
                for u, (_c, role, lic) in zip(users, specs, strict=True)
            ],
            batch_size=5000,
        )
        privacy = []
        for u, (c, role, _lic) in zip(users, specs, strict=True):
            if c is None:
                privacy.append(u)
                continue
            clinic = clinics[c]
            clinic.usernames[u.pk] = u.username
            clinic.roles[u.pk] = role.value
            if role == Role.CLINIC_ADMIN:
                clinic.admin = u.pk
            else:
                {
                    Role.COUNSELOR: clinic.counselors,
                    Role.PHYSICIAN: clinic.physicians,
                    Role.NURSE: clinic.nurses,
                }[role].append(u.pk)
        self.log(f"  {len(users)} staff accounts ({len(privacy)} privacy officers)")
        return clinics

    def reserve_mrns(self, n: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('intake_patient_mrn_seq')")
            (start,) = cursor.fetchone()
            cursor.execute("SELECT setval('intake_patient_mrn_seq', %s)", [start + n - 1])
        return start

    # audit

    def insert_audit_events(self, clinic: int, count: int, in_test: bool) -> None:
        """One clinic's staged events into intake_auditevent, in time order, through its
        triggers, in small transactions (the chain trigger rewrites its head row once per
        event, and each rewrite costs more the more of them one transaction holds)."""
        sql = (
            f"INSERT INTO intake_auditevent ({AUDIT_COLUMNS}, hash, prev_hash) "  # noqa: S608
            f"SELECT {AUDIT_COLUMNS}, '', '' FROM {STAGE} "
            "WHERE clinic = %s AND rn > %s AND rn <= %s ORDER BY rn"
        )
        with connection.cursor() as cursor:
            for start in range(0, count, AUDIT_BATCH):
                with transaction.atomic():
                    cursor.execute(sql, [clinic, start, start + AUDIT_BATCH])
                audit_seal()
            cursor.execute(f"DELETE FROM {STAGE} WHERE clinic = %s", [clinic])  # noqa: S608
            if not in_test and clinic % 10 == 9:
                cursor.execute("VACUUM intake_auditchain")

    # checks and statistics

    def check_foreign_keys(self) -> None:
        """Every foreign key of the intake tables holds (they were loaded without row checks)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, "
                "fa.attname FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
                "WHERE c.contype = 'f' AND c.conrelid::regclass::text LIKE 'intake_%%'"
            )
            broken = []
            for table, column, target, target_column in cursor.fetchall():
                cursor.execute(
                    f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT '  # noqa: S608
                    f'EXISTS (SELECT 1 FROM {target} r WHERE r."{target_column}" = t."{column}")'
                )
                (missing,) = cursor.fetchone()
                if missing:
                    broken.append(f"{table}.{column} -> {target}: {missing}")
        if broken:
            raise CommandError("Broken foreign keys: " + "; ".join(broken))
        self.log("  foreign keys checked: all hold")

    def analyze(self, *, vacuum: bool) -> None:
        """Statistics (and the visibility map, for index-only scans) for the loaded tables,
        as autovacuum would leave them; in a thread it uses its own connection."""
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                for table in [*REPLICA_TABLES, *PLAN_TABLES, "auth_user"]:
                    cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {table}")
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()
        self.log(f"  {'vacuum and ' if vacuum else ''}analyze: {time.monotonic() - started:.1f}s")
