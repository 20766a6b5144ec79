"""Lab set-up shared by the lab test modules: the urine drug screen's tests as
docs/clinical-rules.md#drug-screen-cutoffs lists them, a valid specimen, ECG and blood-work
history, and ordering and recording through the API and the results page."""

import datetime

from django.utils import timezone

from intake.models import Interview
from intake.services.lab import lab_order_create, lab_results_record

# The screens of the urine drug screen panel, in panel order.
SCREENS = [
    "opiates",
    "6-mam",
    "fentanyl",
    "norfentanyl",
    "oxycodone",
    "buprenorphine",
    "norbuprenorphine",
    "methadone",
    "eddp",
    "benzodiazepines",
    "cocaine",
    "amphetamines",
    "thc",
]
VALID_SPECIMEN = {
    "specimen-temperature": 34,
    "creatinine": 80,
    "specific-gravity": 1.015,
    "ph": 6.5,
}


def uds_entries(values=None, validity=None, xylazine="negative"):
    """A full urine drug screen: every screen 0 unless given, xylazine as given, validity."""
    values = values or {}
    entries = [{"test": code, "value": values.get(code, 0)} for code in SCREENS]
    entries.append({"test": "xylazine", "qualitative": xylazine})
    entries += [
        {"test": code, "value": value}
        for code, value in {**VALID_SPECIMEN, **(validity or {})}.items()
    ]
    return entries


def on_buprenorphine(patient, author, text="Suboxone 8 mg/2 mg SL twice daily"):
    return Interview.objects.create(
        patient=patient,
        author=author,
        interviewed_on=datetime.date(2026, 10, 1),
        current_medications=text,
    )


def collected(minutes_ago=30):
    return (timezone.now() - datetime.timedelta(minutes=minutes_ago)).isoformat()


def api_order(api, patient, panel="uds", priority="routine"):
    response = api.post(
        f"/api/v1/patients/{patient.pk}/lab-orders/",
        {"panel": panel, "priority": priority},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def post_results(api, order_id, results, observed=False, **extra):
    return api.post(
        f"/api/v1/lab-orders/{order_id}/results/",
        {"collected_at": collected(), "observed": observed, "results": results, **extra},
        format="json",
    )


def by_test(body):
    return {r["test"]: r for r in body["results"]}


def ecg_and_blood_history(patient, nurse, days_ago=(60, 30, 7)) -> None:
    """Earlier ECGs and blood work (QTc 431, 446, 468; ALT 38, 61, 72; AST 33), `days_ago`
    days back, so the chart has ALT and QTc trends to draw."""
    for days, qtc, alt in zip(days_ago, (431, 446, 468), (38, 61, 72), strict=True):
        at = timezone.now() - datetime.timedelta(days=days)
        for panel, entries in (
            ("ecg", [{"test": "qtc", "value": qtc}]),
            ("intake-blood", [{"test": "alt", "value": alt}, {"test": "ast", "value": 33}]),
        ):
            order = lab_order_create(actor=nurse, patient=patient, panel=panel)
            lab_results_record(
                actor=nurse, order=order, collected_at=at, observed=False, entries=entries
            )


def resulted_ecg(patient, author, qtc, *, priority="routine", observed=False, days_ago=0):
    """An ECG ordered and resulted by `author` with QTc `qtc` ms, collected `days_ago` days
    ago. Returns the order and the recording (its new alerts)."""
    order = lab_order_create(actor=author, patient=patient, panel="ecg", priority=priority)
    recording = lab_results_record(
        actor=author,
        order=order,
        collected_at=timezone.now() - datetime.timedelta(days=days_ago),
        observed=observed,
        entries=[{"test": "qtc", "value": qtc}],
    )
    return order, recording


# A valid urine specimen as a nurse types it on the results page.
VALID_SPECIMEN_TYPED = {
    "specimen-temperature": "34",
    "creatinine": "85",
    "specific-gravity": "1.012",
    "ph": "6",
}


def results_form(specimen_type: str, results: dict[str, str], **fields: str) -> dict[str, str]:
    """The results page's form: collected now (local time, as the page's input takes it),
    `results` by test code, and any other `fields` (e.g. observed="on")."""
    return {
        "collected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "specimen_type": specimen_type,
        **fields,
        **{f"result-{code}": value for code, value in results.items()},
    }
