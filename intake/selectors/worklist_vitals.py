"""The worklist's critical vital signs: each open `critical-vital` alert of the care teams'
patients, oldest first, for the nurses and physicians who acknowledge them (the alerts are
intake/models/vital_signs.py's; recorded by intake/services/vital_signs.py). One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from intake.local_time import format_local
from intake.selectors import worklist_pending as pending
from intake.selectors.vital_signs import alert_text
from intake.selectors.worklist_rows import WorkRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def vitals_to_acknowledge(user: User, limit: int) -> list[WorkRow]:
    rows = []
    for alert in (
        pending.pending_vital_alerts(user)
        .select_related("patient", "vital_signs", "created_by")
        .order_by("created_at", "id")[:limit]
    ):
        who = (
            alert.created_by.get_full_name() or alert.created_by.get_username()
            if alert.created_by
            else ""
        )
        rows.append(
            WorkRow(
                patient=alert.patient,
                title=alert_text(alert),
                detail=f"Taken {format_local(alert.vital_signs.taken_at)}"
                + (f", recorded by {who}" if who else ""),
                url=reverse(
                    "intake:vital-sign-alert-acknowledge", args=[alert.patient_id, alert.pk]
                ),
                action="Acknowledge",
                urgent=True,
            )
        )
    return rows
