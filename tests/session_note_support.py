"""Session-note helpers: an active signed plan with behavioral components (written straight to
the database; the plan services are tested on their own), and the API as the tests drive it."""

import datetime

from django.utils import timezone

from intake.models import PlanBehavioral
from tests.factories import PASSWORD, TreatmentPlanFactory, mark_signed

COUNSELING_TEXT = "Ambivalence about her mother; transference to explore next time"


def active_plan(patient, physician, components=(("cbt", ["triggers", "coping-cravings"]),)):
    """An active signed plan whose behavioral components hold `components` [(modality,
    targets)], in that order."""
    plan = TreatmentPlanFactory(patient=patient)
    for i, (modality, targets) in enumerate(components):
        PlanBehavioral.objects.create(
            plan=plan,
            position=i,
            modality=modality,
            setting="outpatient",
            frequency="weekly",
            targets=list(targets),
        )
    mark_signed(plan, physician)
    plan.refresh_from_db()
    return plan


def note_body(**overrides):
    body = {
        "kind": "individual",
        "session_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": 50,
        "data": "Reports two cravings this week, used the urge-surfing exercise.",
        "assessment": "Engaged; coping skills emerging.",
        "plan": "Practise urge surfing daily; next session in a week.",
        "progress": [{"target": "coping-cravings", "status": "progressing"}],
    }
    body.update(overrides)
    return body


def create(api, user, patient, **overrides):
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/patients/{patient.pk}/session-notes/", note_body(**overrides), format="json"
    )


def sign(api, user, note_id, **body):
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/session-notes/{note_id}/sign/", {"password": PASSWORD, **body}, format="json"
    )
