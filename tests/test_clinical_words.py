"""Screens speak clinical words: no code from a choice list ("coping-cravings", "q6h-prn",
"moderately-severe", "otp", "no-naloxone") reaches the visible text of any page or of the
plan PDF. Every page pattern is walked (as tests/test_url_walk.py does) over a chart seeded
with data of every kind: a signed plan naming every frequency, route, modality, target,
problem category and warning; its amendment as a draft and as submitted; an assessment in
every severity band of every instrument; a signed interview; labs; a consent, a disclosure, an
emergency-access grant and a pending staff reset."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.db import models
from django.test import Client
from django.utils import timezone

from intake import labels
from intake.models import Assessment, Interview, TreatmentPlan
from intake.plan_pdf import render_plan_pdf
from intake.scoring.registry import all_instruments
from tests.factories import PASSWORD, EpisodeFactory, api_payload, second_factor
from tests.test_url_walk import (
    _fill,
    _group_values,
    _lab_values,
    _patterns,
    _privacy_values,
    _self_report_values,
    _vital_sign_values,
)

pytestmark = pytest.mark.django_db

# Codes that are plain words or match their label ("daily", "severe", "oral") may appear as
# words; a code with a hyphen or a digit, or one of these abbreviations, never may.
ABBREVIATIONS = {"otp", "cbt", "bid", "tid", "qid", "auditc", "mfa", "ecg"}


def _is_code(value: str, text: str) -> bool:
    text = str(text)
    if not value or value.lower() == text.lower() or value in text.lower():
        return False  # "risk-taking" is a word of its own label "History of risk-taking ..."
    if re.fullmatch(r"[\d.]+", value):
        return False  # ASAM levels print as their number ("3.5 Clinically managed ...")
    return "-" in value or bool(re.search(r"[a-z]\d|\d[a-z]", value)) or value in ABBREVIATIONS


def forbidden_codes() -> set[str]:
    found = set()
    for choices in labels.CHOICES.values():
        found |= {v for v, text in choices.choices if _is_code(v, text)}
    for table in (labels.WARNING_LABELS, labels.ALERT_LABELS):
        found |= {v for v, text in table.items() if _is_code(v, text)}
    for instrument in all_instruments():
        found |= {b.code for b in instrument.bands if _is_code(b.code, b.label)}
    return found


class _Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles (so no option values)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_in(text: str, codes: set[str]) -> set[str]:
    return {c for c in codes if re.search(rf"(?<![\w\-/.]){re.escape(c)}(?![\w\-/])", text)}


EVERY_WARNING = [{"code": c, "message": "Check before signing."} for c in labels.WARNING_LABELS]


@pytest.fixture
def every_warning(monkeypatch):
    """Every plan warning applies: the seeded plan shows and acknowledges each one."""
    monkeypatch.setattr(
        "intake.services.treatment_plan.treatment_plan_check", lambda plan, now=None: EVERY_WARNING
    )
    monkeypatch.setattr(
        "intake.views.treatment_plan.treatment_plan_check", lambda plan, now=None: EVERY_WARNING
    )


def _every_medication(plan):
    from intake.formulary import DRUGS
    from intake.models import Frequency

    drugs = list(DRUGS.values())
    routes = sorted({d.route for d in drugs})
    today = timezone.localdate()
    for i, frequency in enumerate(Frequency.values):
        drug = drugs[i % len(drugs)]
        plan.medications.create(
            position=i,
            drug=drug.code,
            # The lowest usual dose (4 where a drug has no range): never above a maximum,
            # which submitting would refuse.
            dose=drug.low or 4,
            unit=drug.unit,
            route=routes[i % len(routes)],
            frequency=frequency,
            start_date=today,
            taper=[{"day": 1, "dose": str(drug.low or 4)}],
        )


def _every_behavioral(plan):
    from intake.models import BehavioralSetting, Modality, Target

    settings_ = BehavioralSetting.values
    for i, modality in enumerate(Modality.values):
        plan.behavioral.create(
            position=i,
            modality=modality,
            setting=settings_[i % len(settings_)],
            frequency="Weekly",
            targets=Target.values,
            goals=[{"text": "Attend every session", "target_date": "2027-01-15"}],
        )


def _seed_plans(patient, physician) -> dict:
    from intake.models import ProblemCode
    from intake.services.treatment_plan import (
        treatment_plan_amend,
        treatment_plan_approve,
        treatment_plan_submit,
    )

    plan = TreatmentPlan.objects.create(
        patient=patient,
        setting="intensive-outpatient",
        asam_level="otp",
        medically_supervised_detox=True,
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4, "notes": ""},
        problems=[
            {
                "code": code,
                "description": "Daily use",
                "goals": [
                    {
                        "text": "Stop using",
                        "objectives": [{"text": "No use for 30 days", "target_date": "2027-01-01"}],
                        "interventions": [{"text": "Counseling", "responsible": "Counselor"}],
                    }
                ],
            }
            for code in ProblemCode.values
        ],
        review_date=timezone.localdate() + datetime.timedelta(days=60),
        created_by=physician,
        updated_by=physician,
    )
    _every_medication(plan)
    _every_behavioral(plan)
    treatment_plan_submit(actor=physician, plan=plan)
    signed = treatment_plan_approve(
        actor=physician,
        plan=plan,
        password=PASSWORD,
        otp=second_factor(physician),
        acknowledged_warnings=[{"code": w["code"], "reason": "Discussed"} for w in EVERY_WARNING],
    )
    component = signed.behavioral.first()
    from intake.services.treatment_plan import plan_progress_note_add

    plan_progress_note_add(
        actor=physician, component=component, progress="not-started", text="First session booked"
    )
    amendment = treatment_plan_amend(actor=physician, plan=signed, reason="Dose change")
    return {"signed": signed, "amendment": amendment, "component": component, "submit": None}


def _plain(value):
    import json

    value = getattr(value, "obj", value)
    return json.loads(value) if isinstance(value, str) else value


def _seed_assessments(patient, physician):
    """An assessment in every band of every instrument, scored by the instruments themselves."""
    import random

    from bench.generate import AnswerPool

    pool, rng = AnswerPool(seed=3), random.Random(3)
    for instrument in all_instruments():
        wanted = {b.code for b in instrument.bands}
        seen = set()
        for level in range(10):
            for sex in ("male", "female"):
                for _ in range(12):
                    answers, total, band, alerts, details, version = pool.get(
                        rng, instrument.code, level, sex
                    )
                    if band in seen:
                        continue
                    seen.add(band)
                    Assessment.objects.create(
                        patient=patient,
                        instrument=instrument.code,
                        version=version,
                        answers=_plain(answers),
                        total=total,
                        band=band,
                        alerts=alerts,
                        details=_plain(details),
                        recommended_level="otp" if instrument.code == "asam" else "",
                        administered_at=timezone.now() - datetime.timedelta(hours=len(seen)),
                        administered_by=physician,
                    )
        # Bands no generated answer set reached still get a stored row.
        for code in wanted - seen:
            band = instrument.band(code)
            Assessment.objects.create(
                patient=patient,
                instrument=instrument.code,
                version=instrument.version,
                answers={},
                total=band.min,
                band=code,
                administered_at=timezone.now() - datetime.timedelta(days=2),
                administered_by=physician,
            )


def _seed_interview(patient, physician):
    from rest_framework.test import APIClient

    from intake.services.interview import interview_sign

    api = APIClient()
    api.force_authenticate(physician)
    payload = api_payload(
        legal_involvement="probation-parole",
        how_use_began="prescribed-after-injury",
        substances=[
            {
                "substance": "prescription-opioid",
                "routes": ["smoked", "injected", "snorted", "oral"],
                "frequency": "several-daily",
                "age_first_use": 17,
            },
            {"substance": "other-opioid", "routes": ["oral"]},
        ],
    )
    response = api.post(f"/api/v1/patients/{patient.pk}/interviews/", payload, format="json")
    assert response.status_code == 201, response.json()
    interview = Interview.objects.get(pk=response.json()["id"])
    return interview_sign(actor=physician, interview=interview)


def _seed_labs(patient, physician):
    from intake.services.lab import lab_order_create, lab_results_record
    from tests.lab_support import uds_entries

    order = lab_order_create(actor=physician, patient=patient, panel="uds", priority="stat")
    lab_results_record(
        actor=physician,
        order=order,
        collected_at=order.ordered_at,
        observed=True,
        entries=uds_entries({"fentanyl": 500, "benzodiazepines": 900}),
    )


@pytest.fixture
def chart(patient, team_physician, every_warning):
    episode = EpisodeFactory(patient=patient, program="intensive-outpatient")
    _seed_assessments(patient, team_physician)
    interview = _seed_interview(patient, team_physician)
    _seed_labs(patient, team_physician)
    plans = _seed_plans(patient, team_physician)
    dsm = Assessment.objects.filter(patient=patient, instrument="dsm5-oud", band="severe").first()
    values = {
        "patient_id": patient.pk,
        "member_id": patient.care_team.first().pk,
        "episode_id": episode.pk,
        "instrument": "phq9",
        "code": "cows",
        "assessment_id": dsm.pk,
        "interview_id": interview.pk,
        "plan_id": plans["signed"].pk,
        "component_id": plans["component"].pk,
        **_lab_values(patient),
        **_vital_sign_values(patient),
        **_privacy_values(patient, team_physician),
        **_group_values(patient),
        **_self_report_values(patient, team_physician),
        "session_note_id": _seed_session_note(patient, team_physician, plans).pk,
    }
    return {"values": values, "disclosures": _seed_disclosures(patient, team_physician), **plans}


def _seed_session_note(patient, physician, plans):
    """A draft case-management note with progress on the signed plan's component."""
    from intake.models import SessionNote, SessionNoteProgress

    component = plans["component"]
    note = SessionNote.objects.create(
        patient=patient,
        author=physician,
        plan=plans["signed"],
        kind="case-management",
        session_date=timezone.localdate(),
        duration_minutes=30,
        data="Housing application sent",
    )
    SessionNoteProgress.objects.create(
        note=note, component=component, target=component.targets[0], status="not-achieved"
    )
    return note


def _seed_disclosures(patient, physician) -> list:
    """A disclosure of the signed plan and one of the lab results (the walk's own consent
    covers the patient summary)."""
    from intake.services.disclosure import disclosure_make
    from tests.factories import make_consent

    consent = make_consent(
        patient, physician, content_kinds=["treatment-plan", "lab-results"], recipient="Dr. B"
    )
    return [
        disclosure_make(
            actor=physician,
            patient=patient,
            consent_id=consent.pk,
            recipient=consent.recipient,
            purpose=consent.purpose,
            content=content,
        ).pk
        for content in ("treatment-plan", "lab-results")
    ]


def _walk_pages(users, values, only=None):
    """Every page pattern GET as each user; {url: visible text} of each page answered.
    Usernames are taken out first: the fixtures' accounts are named after their roles
    ("clinic-admin"), a name people chose, not a code."""
    from django.contrib.auth import get_user_model

    names = sorted(get_user_model().objects.values_list("username", flat=True), key=len)
    texts = {}
    for user in users:
        client = Client()
        client.force_login(user)
        for route, name, _p in _patterns():
            if route.startswith("api/") or name in ("logout",):
                continue
            if only and not only(name):
                continue
            url = _fill(route, values)
            response = client.get(url)
            if response.status_code != 200:
                continue
            if not response["Content-Type"].startswith("text/html"):
                continue
            text = visible_text(response.content.decode())
            for username in reversed(names):
                text = re.sub(rf"(?<![\w-]){re.escape(username)}(?![\w-])", "[user]", text)
            texts[f"{user.username} {name} {url}"] = text
    return texts


def _offending(texts: dict) -> dict:
    """{page: ["code: ...its context...", ...]} of every page showing a code."""
    codes = forbidden_codes()
    bad = {}
    for page, text in texts.items():
        flat = " ".join(text.split())
        if found := codes_in(flat, codes):
            bad[page] = [f"{c}: ...{_context(flat, c)}..." for c in sorted(found)]
    return bad


def _context(text: str, code: str) -> str:
    at = re.search(rf"(?<![\w\-/.]){re.escape(code)}(?![\w\-/])", text).start()
    return text[max(0, at - 40) : at + len(code) + 20]


def test_the_forbidden_code_list_holds_the_codes_people_saw():
    codes = forbidden_codes()
    assert {"otp", "coping-cravings", "moderately-severe", "no-naloxone", "q6h-prn"} <= codes
    assert "daily" not in codes and "severe" not in codes


def test_no_page_shows_a_code_from_a_choice_list(
    chart, team_physician, team_counselor, team_nurse, clinic_admin, privacy_officer
):
    users = (team_physician, team_counselor, team_nurse, clinic_admin, privacy_officer)
    texts = _walk_pages(users, chart["values"])
    assert len(texts) > 30
    for disclosure_id in chart["disclosures"]:
        values = {**chart["values"], "disclosure_id": disclosure_id}
        texts |= _walk_pages((team_physician,), values, only=lambda n: "disclosure" in n)
    plan_copy = [t for page, t in texts.items() if str(chart["disclosures"][0]) in page]
    assert plan_copy and "Intramuscular injection" in plan_copy[0]
    # The amendment as a draft (current warnings, edit form), then submitted (review page).
    plan_pages = lambda name: "plan" in name  # noqa: E731
    amendment = chart["amendment"]
    values = {**chart["values"], "plan_id": amendment.pk}
    texts |= _walk_pages((team_physician, team_counselor), values, only=plan_pages)
    from intake.services.treatment_plan import treatment_plan_submit

    treatment_plan_submit(actor=team_counselor, plan=amendment)
    texts |= _walk_pages((team_physician, team_counselor), values, only=plan_pages)
    bad = _offending(texts)
    assert not bad, "\n".join(f"{page.split(' /')[0]}: {codes}" for page, codes in bad.items())


def _pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as poppler's pdftotext extracts it (Debian package poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make test` installs Debian's poppler-utils")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def test_the_plan_pdf_shows_no_code(chart, tmp_path):
    text = _pdf_text(render_plan_pdf(chart["signed"]), tmp_path)
    assert "Coping skills for cravings" in " ".join(text.split())
    assert codes_in(text, forbidden_codes()) == set()


def test_a_label_for_every_choice_and_words_for_an_unknown_code():
    assert labels.label("coping-cravings", "Target") == "Coping skills for cravings"
    assert labels.label("q6h-prn", "Frequency") == "Every 6 hours as needed"
    assert labels.label("otp", "AsamLevel") == "Opioid treatment program"
    assert labels.label("no-naloxone", "Warning") == "No naloxone rescue kit"
    assert labels.band_label("moderately-severe", "phq9") == "Moderately severe (15-19)"
    assert labels.band_label("moderately-severe", "cows", short=True) == "Moderately severe"
    assert labels.label("some-new-code", "Target") == "Some new code"
    assert labels.label("", "Target") == ""
    for choices in labels.CHOICES.values():
        assert issubclass(choices, models.TextChoices)


def test_every_warning_the_rules_raise_has_a_label():
    import inspect

    from intake import plan_rules

    raised = set(re.findall(r"PlanWarning\(\s*\"([a-z-]+)\"", inspect.getsource(plan_rules)))
    assert raised and raised <= set(labels.WARNING_LABELS)
