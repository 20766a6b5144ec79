"""Fictional data at clinic-network scale, for benchmarks and load tests.

`manage.py generate_data --patients N [--seed S] [--workers W] [--check]` fills the database
with a network of clinics (500 patients each) and its staff (a counselor per ~40 patients, a
physician per ~150, a nurse per ~80, an administrator per clinic, privacy officers), and for
every patient: episodes of care, a care team, signed intake interviews with substance rows,
instrument administrations (DSM-5 criteria and ASAM at admission, COWS every 8 hours through
withdrawal management and at buprenorphine induction, PHQ-9 monthly then quarterly, ...), urine
drug screens weekly for the first weeks of an episode and monthly after, intake blood work, ECGs
on methadone, treatment plan versions with their medication and behavioral lines, lab alerts,
and, for 5% of the patients, a medically supervised detox in progress at BASE with its vital
signs, COWS every 4 hours and medication administration record (detox.py); and the audit
events of all those writes since the network went live (a year before BASE;
older records count as imported).

Everything is fictional and comes from `random.Random` seeded with `--seed`, relative to a fixed
date (BASE): the same seed gives the same rows on a fresh database (user ids and MRNs come from
their sequences; MRNs from intake_patient_mrn_seq, which is moved past them). Scores come from
`intake.scoring` and lab interpretation from `intake.labs.interpret` with the catalog stored in
intake_labtest, so rows read as the application would have written them, and the audit events
have the action, object type and detail keys the services give them (events.py).

How it is fast: rows are built in Python and written with binary COPY, one transaction per
clinic, by `--workers` processes. The high-volume clinical tables are loaded with
session_replication_role=replica (foreign keys are not re-checked row by row: the rows are built
consistent, and `--check` verifies every foreign key afterwards). Treatment plans go through
their guard triggers: versions are written as drafts with their lines, then signed. Audit events
go through the append-only and hash-chain triggers: staged per clinic, then inserted clinic by
clinic in time order, in small transactions, once no other transaction is open (the chain
trigger rewrites one head row per event; see database.insert_audit_events).

Staff accounts get unusable passwords; `bench/` sets passwords for the few it signs in as.

Layout: common.py (dates, ratios, ids), names.py and programs.py (what is drawn from), pools.py
(scored answers, interpreted panels), state.py (one clinic's rows and events), one builder per
clinical object (patients, episodes, interviews, assessments, labs and lab_orders, plans and
plan_lines, detox), events.py (audit event shapes), columns.py (COPY columns from the models),
database.py (COPY, the audit chain, checks), staff.py, command.py.
"""

from bench.generate.builder import ClinicBuilder
from bench.generate.command import Command
from bench.generate.common import BASE, Clinic, first_patient_id
from bench.generate.pools import AnswerPool, LabPool
from bench.generate.state import Context

__all__ = [
    "BASE",
    "AnswerPool",
    "Clinic",
    "ClinicBuilder",
    "Command",
    "Context",
    "LabPool",
    "first_patient_id",
]
