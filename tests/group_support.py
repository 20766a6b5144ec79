"""Group-session tests' shared helpers: a caseload for one counselor, a group body as the API
takes it, and the service called as the pages and API call it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from intake.models import TeamRole
from intake.services.group_session import Attendee, group_session_create
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory

GROUPS_URL = "/api/v1/group-sessions/"
SUMMARY = "Relapse prevention: mapping high-risk situations and a coping card each."


def caseload(counselor, names: list[tuple[str, str]], *, episodes: bool = True) -> list:
    """Patients named (given, family) on `counselor`'s care team, each with an active episode."""
    patients = []
    for given, family in names:
        patient = PatientFactory(given_name=given, family_name=family)
        CareTeamMemberFactory(patient=patient, user=counselor, team_role=TeamRole.COUNSELOR)
        if episodes:
            EpisodeFactory(patient=patient)
        patients.append(patient)
    return patients


def group_body(patients, *, absent=(), **overrides) -> dict:
    """A group body: every patient present with a note of their own, except those in `absent`."""
    body = {
        "title": "Tuesday relapse prevention",
        "modality": "relapse-prevention",
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": 90,
        "summary": SUMMARY,
        "attendees": [
            {"patient": str(p.pk), "attended": p not in absent}
            | ({} if p in absent else {"note": f"Engaged; named a trigger ({i})."})
            for i, p in enumerate(patients)
        ],
    }
    body.update(overrides)
    return body


def run_group(actor, patients, *, absent=()):
    """The group created through the service, as the facilitator `actor`."""
    body = group_body(patients, absent=absent)
    return group_session_create(
        actor=actor,
        title=body["title"],
        modality=body["modality"],
        held_on=datetime.date.fromisoformat(body["held_on"]),
        duration_minutes=body["duration_minutes"],
        summary=body["summary"],
        attendees=[Attendee(**row) for row in body["attendees"]],
    )
