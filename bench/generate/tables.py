"""The tables the generator fills, in the order they are loaded, with their models."""

from __future__ import annotations

from django.db import models

from intake.models import (
    Assessment,
    AuditEvent,
    CareTeamMember,
    Diagnosis,
    DueDose,
    Episode,
    Interview,
    InterviewAddendum,
    LabAlert,
    LabOrder,
    LabResult,
    MedicationAdministration,
    Patient,
    PlanBehavioral,
    PlanMedication,
    SubstanceUse,
    TreatmentPlan,
    VitalSigns,
)

# Loaded with session_replication_role=replica (foreign keys not re-checked row by row).
REPLICA_MODELS: tuple[type[models.Model], ...] = (
    Patient,
    CareTeamMember,
    Episode,
    Interview,
    SubstanceUse,
    InterviewAddendum,
    Assessment,
    Diagnosis,
    LabOrder,
    LabResult,
    LabAlert,
)
# Loaded through their guard triggers: versions as drafts with their lines, then signed.
PLAN_MODELS: tuple[type[models.Model], ...] = (TreatmentPlan, PlanMedication, PlanBehavioral)
# Loaded after the plans' lines (replica too): the medication administration record of the
# supervised detoxes names its lines by their serial keys, known once the lines are written.
MAR_MODELS: tuple[type[models.Model], ...] = (VitalSigns, MedicationAdministration, DueDose)
MODELS: dict[str, type[models.Model]] = {
    m._meta.db_table: m for m in (*REPLICA_MODELS, *PLAN_MODELS, *MAR_MODELS)
}
REPLICA_TABLES = tuple(m._meta.db_table for m in REPLICA_MODELS)
PLAN_TABLES = tuple(m._meta.db_table for m in PLAN_MODELS)
MAR_TABLES = tuple(m._meta.db_table for m in MAR_MODELS)
# The audit events of each clinic, staged (unlogged) until they go through the chain trigger.
STAGE = "generate_data_audit"
ALL_TABLES = (*REPLICA_TABLES, *PLAN_TABLES, *MAR_TABLES, STAGE)
AUDIT_MODEL = AuditEvent
# Set by the database, never by the generator: the hashes by the chain trigger on insert (the
# INSERT gives them blanks), the chain position by the sealer.
AUDIT_HASHES = ("prev_hash", "hash")
AUDIT_SET_BY_DATABASE = ("chain_seq", *AUDIT_HASHES)

# Table names the builders append to.
PATIENT = Patient._meta.db_table
CARE_TEAM = CareTeamMember._meta.db_table
EPISODE = Episode._meta.db_table
INTERVIEW = Interview._meta.db_table
SUBSTANCE = SubstanceUse._meta.db_table
ADDENDUM = InterviewAddendum._meta.db_table
ASSESSMENT = Assessment._meta.db_table
DIAGNOSIS = Diagnosis._meta.db_table
LAB_ORDER = LabOrder._meta.db_table
LAB_RESULT = LabResult._meta.db_table
LAB_ALERT = LabAlert._meta.db_table
PLAN = TreatmentPlan._meta.db_table
PLAN_MEDICATION = PlanMedication._meta.db_table
PLAN_BEHAVIORAL = PlanBehavioral._meta.db_table
VITAL_SIGNS = VitalSigns._meta.db_table
ADMINISTRATION = MedicationAdministration._meta.db_table
DUE_DOSE = DueDose._meta.db_table
