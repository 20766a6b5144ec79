"""Registering and updating patients."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat

from intake.exceptions import StaleVersion
from intake.models import AuditAction, CareTeamMember, Patient
from intake.models.patient import REGISTRATION_FIELDS
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Same date of birth and a name at least this similar (pg_trgm) is flagged as a likely duplicate.
DUPLICATE_NAME_SIMILARITY = 0.4
# A date of birth one typing slip away (one digit, or day and month swapped) is flagged only
# with a name this close: the same name, give or take a letter.
NEAR_BIRTH_DATE_NAME_SIMILARITY = 0.6


def _next_mrn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('intake_patient_mrn_seq')")
        (number,) = cursor.fetchone()
    return f"{number:08d}"


def patient_possible_duplicates(
    *, actor: User, given_name: str, family_name: str, birth_date: datetime.date
) -> tuple[list[Patient], list[Patient]]:
    """Patients with the same date of birth and a similar full name, split into those `actor`
    may see (the registration form warns about these) and the rest, which the form must not
    reveal (a Part 2 disclosure): `patient_register` records those, audited, for the clinic
    administrators."""
    from intake.access import Perm, patients_visible_to

    found = _similar(given_name=given_name, family_name=family_name, birth_date=birth_date)
    if not found:
        return [], []
    visible = set(
        patients_visible_to(actor, Perm.PATIENT_VIEW)
        .filter(pk__in=[p.pk for p in found])
        .values_list("pk", flat=True)
    )
    return [p for p in found if p.pk in visible], [p for p in found if p.pk not in visible]


def near_birth_dates(birth_date: datetime.date) -> set[datetime.date]:
    """The dates a typing slip turns `birth_date` into: one digit of YYYY-MM-DD different, or
    day and month swapped. Only real dates; `birth_date` itself is not included."""
    digits = birth_date.strftime("%Y%m%d")
    found = set()
    for i, old in enumerate(digits):
        for new in "0123456789":
            if new == old:
                continue
            text = digits[:i] + new + digits[i + 1 :]
            try:
                found.add(datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])))
            except ValueError:
                continue
    try:
        found.add(birth_date.replace(month=birth_date.day, day=birth_date.month))
    except ValueError:
        pass
    found.discard(birth_date)
    return found


def _similar(*, given_name: str, family_name: str, birth_date: datetime.date) -> list[Patient]:
    full = f"{given_name} {family_name}".strip()
    same_day = Q(birth_date=birth_date) & Q(similarity__gte=DUPLICATE_NAME_SIMILARITY)
    near_day = Q(birth_date__in=near_birth_dates(birth_date)) & Q(
        similarity__gte=NEAR_BIRTH_DATE_NAME_SIMILARITY
    )
    return list(
        Patient.objects.filter(birth_date__in={birth_date, *near_birth_dates(birth_date)})
        .annotate(
            similarity=TrigramSimilarity(Concat("given_name", Value(" "), "family_name"), full)
        )
        .filter(same_day | near_day)
        .order_by("-similarity")[:5]
    )


@transaction.atomic
def patient_register(
    *, actor: User, data: dict[str, Any], hidden_duplicates: Sequence[Patient] = ()
) -> Patient:
    """Register a patient; the registering clinician joins the care team in their role.
    `hidden_duplicates`, possible duplicates outside the clinician's care teams, are recorded
    for the clinic administrators' merge review (audit object_type "merge-candidate", naming
    both records), never shown to the clinician."""
    from intake.access import care_team_role_on_registration

    patient = Patient(**{k: v for k, v in data.items() if k in REGISTRATION_FIELDS})
    patient.mrn = _next_mrn()
    patient.created_by = actor
    patient.updated_by = actor
    patient.full_clean()
    patient.save()
    team_role = care_team_role_on_registration(actor)
    if team_role is not None:
        member = CareTeamMember(patient=patient, user=actor, team_role=team_role, created_by=actor)
        member.full_clean()
        member.save()
    audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=patient)
    for other in hidden_duplicates:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            patient_id=other.pk,
            object_type="merge-candidate",
            object_id=str(patient.pk),
        )
    return patient


@transaction.atomic
def patient_update(
    *, actor: User, patient: Patient, data: dict[str, Any], version: int | None
) -> Patient:
    """Update registration fields. `version` is the one the editor read; if someone saved in
    between, StaleVersion is raised and nothing is written."""
    locked = Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(current=locked)
    changed = []
    for field, value in data.items():
        if field in REGISTRATION_FIELDS and getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    if not changed:
        return locked
    locked.version += 1
    locked.updated_by = actor
    locked.full_clean()
    locked.save()
    # Field names only: the values are PHI and the record itself holds them.
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked,
        obj=locked,
        detail={"fields": changed},
    )
    return locked
