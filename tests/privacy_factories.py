"""Valid 42 CFR 2.31 consents and disclosures for the privacy tests."""

import datetime

from django.utils import timezone

from intake.services.consent import consent_create

RECIPIENT = "Dr. Ada Primary, Northside Family Practice"
PURPOSE = "Coordination of care with the primary care physician"


def consent_payload(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "disclosing_party": "Riverside Opioid Treatment Program",
        "recipient": RECIPIENT,
        "recipient_is_general_designation": False,
        "information": "Substance use disorder diagnosis, treatment plan and drug screen results "
        "from the last 12 months",
        "content_kinds": ["patient-summary", "treatment-plan", "lab-results"],
        "purpose": PURPOSE,
        "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
        "expiry_event": "",
        "right_to_revoke_acknowledged": True,
        "signed_on": today.isoformat(),
        "signed_by": "Maria Lopez (patient)",
    }
    data.update(overrides)
    return data


def make_consent(patient, actor, **overrides):
    data = consent_payload(**overrides)
    for key in ("expires_on", "signed_on"):
        if isinstance(data.get(key), str) and data[key]:
            data[key] = datetime.date.fromisoformat(data[key])
    return consent_create(actor=actor, patient=patient, data=data)
