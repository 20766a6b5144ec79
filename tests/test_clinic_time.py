"""One moment reads the same everywhere: in the clinic's time zone (settings.TIME_ZONE), with
the zone named, on the plan page, in the plan PDF and in the audit CSV (a page showed 01:42
and the PDF 06:42 UTC). And paper carries the 42 CFR 2.32 redisclosure notice: the plan PDF
and every printed page."""

import csv
import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from intake.local_time import format_local
from intake.models import REDISCLOSURE_NOTICE, TreatmentPlan
from intake.plan_pdf import render_plan_pdf
from tests.factories import IN_60_DAYS_DATE, PASSWORD

pytestmark = pytest.mark.django_db

# 14:42 UTC on 2 December 2026 is 09:42 in New York (EST, UTC-5).
SIGNED_AT = datetime.datetime(2026, 12, 2, 14, 42, tzinfo=datetime.UTC)
LOCAL = "2 Dec 2026 09:42 EST"


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make test` installs Debian's poppler-utils")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


@pytest.fixture
def signed_plan(monkeypatch, patient, team_counselor):
    """A behavioral plan signed by its counselor at SIGNED_AT."""
    from intake.services.treatment_plan import treatment_plan_approve, treatment_plan_submit

    plan = TreatmentPlan.objects.create(
        patient=patient, setting="outpatient", review_date=IN_60_DAYS_DATE
    )
    plan.behavioral.create(
        modality="cbt", setting="outpatient", frequency="Weekly", targets=["coping-cravings"]
    )
    treatment_plan_submit(actor=team_counselor, plan=plan)
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: SIGNED_AT)
        return treatment_plan_approve(
            actor=team_counselor, plan=plan, password=PASSWORD, acknowledged_warnings=[]
        )


def test_the_clinic_zone_is_the_settings_zone():
    assert format_local(SIGNED_AT) == LOCAL
    with override_settings(TIME_ZONE="America/Chicago"):
        assert format_local(SIGNED_AT) == "2 Dec 2026 08:42 CST"
    summer = datetime.datetime(2026, 7, 2, 14, 42, tzinfo=datetime.UTC)
    assert format_local(summer) == "2 Jul 2026 10:42 EDT"
    assert format_local(None) == ""


def test_page_pdf_and_csv_show_the_same_local_time_with_its_zone(
    signed_plan, client, team_counselor, privacy_officer, tmp_path
):
    assert signed_plan.signed_at == SIGNED_AT
    client.force_login(team_counselor)
    page = client.get(f"/patients/{signed_plan.patient_id}/plans/{signed_plan.pk}/")
    assert page.status_code == 200
    assert f"on {LOCAL}." in page.content.decode()

    text = _pdf_text(render_plan_pdf(signed_plan), tmp_path)
    assert f"on {LOCAL}." in text
    assert "14:42" not in text and "UTC" not in text

    client.force_login(privacy_officer)
    export = client.get("/audit/export/", {"action": "sign"})
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    signed = [r for r in rows if r["action"] == "sign" and r["object_id"] == str(signed_plan.pk)]
    assert len(signed) == 1
    assert signed[0]["clinic_time"] == LOCAL
    assert signed[0]["at"].startswith("2026-12-02T09:42:00") and signed[0]["at"].endswith("-05:00")


def test_the_plan_pdf_carries_the_redisclosure_notice(signed_plan, tmp_path):
    text = _pdf_text(render_plan_pdf(signed_plan), tmp_path)
    assert " ".join(REDISCLOSURE_NOTICE.split()) in text
    assert "42 CFR part 2" in text


def test_a_printed_plan_and_chart_carry_the_redisclosure_notice(
    signed_plan, client, team_counselor
):
    from tests.test_clinical_words import visible_text

    client.force_login(team_counselor)
    patient_id = signed_plan.patient_id
    for url in (f"/patients/{patient_id}/plans/{signed_plan.pk}/", f"/patients/{patient_id}/"):
        html = client.get(url).content.decode()
        start = html.index('data-testid="print-notice"')
        aside = html[html.rindex("<aside", 0, start) : html.index("</aside>", start)]
        assert "print-only" in aside  # on paper only; the screen has its footer line
        assert REDISCLOSURE_NOTICE in " ".join(visible_text(aside).split())
    css = (Path(settings.BASE_DIR) / "intake/static/intake/clinic.css").read_text()
    assert ".print-only { display: none; }" in css
    assert "@media print {\n  .print-only { display: block !important; }" in css
