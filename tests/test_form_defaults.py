"""Forms start with what is nearly always right: the admission date today, a new plan in the
setting of the patient's program and its behavioral components in the plan's setting, a
consent naming this program as the party that may disclose, a new care-team member in the role
of their staff position."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from intake.models import CareTeamMember
from intake.services.treatment_plan import treatment_plan_create
from tests.factories import IN_60_DAYS, EpisodeFactory

pytestmark = pytest.mark.django_db


def _selected(html: str, name: str) -> str:
    """The selected option's value of the <select name=...>."""
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen else ""


def _value(html: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert field, name
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def test_the_admission_date_starts_as_today(client, patient, team_physician):
    client.force_login(team_physician)
    html = client.get(f"/patients/{patient.pk}/episodes/new/").content.decode()
    assert _value(html, "admitted_on") == timezone.localdate().isoformat()


def test_the_discharge_date_starts_as_today(client, patient, team_physician):
    episode = EpisodeFactory(
        patient=patient,
        program="otp",
        admitted_on=timezone.localdate() - datetime.timedelta(days=9),
    )
    client.force_login(team_physician)
    url = f"/patients/{patient.pk}/episodes/{episode.pk}/discharge/"
    html = client.get(url).content.decode()
    assert _value(html, "discharged_on") == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "program, plan_setting, behavioral_setting",
    [
        ("residential", "residential", "inpatient"),
        ("inpatient", "inpatient", "inpatient"),
        ("intensive-outpatient", "intensive-outpatient", "outpatient"),
        ("otp", "outpatient", "outpatient"),
    ],
)
def test_a_new_plan_starts_in_the_setting_of_the_patients_program(
    client, patient, team_counselor, program, plan_setting, behavioral_setting
):
    EpisodeFactory(patient=patient, program=program, admitted_on=timezone.localdate())
    client.force_login(team_counselor)
    html = client.get(f"/patients/{patient.pk}/plans/new/").content.decode()
    assert _selected(html, "setting") == plan_setting
    assert _selected(html, "beh-0-setting") == behavioral_setting
    # A row the page adds (the formset's empty form) too.
    assert _selected(html, "beh-__prefix__-setting") == behavioral_setting


def test_without_an_episode_a_new_plan_is_outpatient(client, patient, team_counselor):
    client.force_login(team_counselor)
    html = client.get(f"/patients/{patient.pk}/plans/new/").content.decode()
    assert _selected(html, "setting") == "outpatient"
    assert _selected(html, "beh-0-setting") == "outpatient"


def test_an_edited_plans_new_component_rows_follow_the_plans_setting(
    client, patient, team_counselor
):
    plan = treatment_plan_create(
        actor=team_counselor,
        patient=patient,
        data={
            "setting": "inpatient",
            "review_date": IN_60_DAYS,
            "behavioral": [
                {
                    "modality": "cbt",
                    "setting": "telehealth",
                    "frequency": "weekly",
                    "targets": ["triggers"],
                    "goals": [],
                }
            ],
        },
    )
    client.force_login(team_counselor)
    html = client.get(f"/patients/{patient.pk}/plans/{plan.pk}/edit/").content.decode()
    assert _selected(html, "beh-0-setting") == "telehealth"  # what was saved stays
    assert _selected(html, "beh-1-setting") == "inpatient"
    assert _selected(html, "beh-__prefix__-setting") == "inpatient"


@override_settings(PROGRAM_NAME="Riverside Recovery OTP")
def test_a_new_consent_names_this_program_as_who_may_disclose(client, patient, team_counselor):
    client.force_login(team_counselor)
    html = client.get(f"/patients/{patient.pk}/consents/new/").content.decode()
    assert _value(html, "disclosing_party") == "Riverside Recovery OTP"


def test_the_care_team_form_carries_each_persons_team_role(
    client, patient, clinic_admin, offteam_nurse, offteam_physician
):
    client.force_login(clinic_admin)
    html = client.get(f"/patients/{patient.pk}/care-team/").content.decode()
    assert re.search(rf'value="{offteam_nurse.pk}"[^>]*data-team-role="nurse"', html)
    assert re.search(rf'value="{offteam_physician.pk}"[^>]*data-team-role="physician"', html)
    assert _selected(html, "team_role") == ""  # "Their staff role"
    assert "Their staff role" in html


def test_a_member_added_without_choosing_a_role_takes_their_staff_role(
    client, patient, clinic_admin, offteam_nurse, offteam_counselor
):
    client.force_login(clinic_admin)
    url = f"/patients/{patient.pk}/care-team/"
    assert client.post(url, {"user": offteam_nurse.pk, "team_role": ""}).status_code == 302
    member = CareTeamMember.objects.get(patient=patient, user=offteam_nurse)
    assert member.team_role == "nurse"
    # A role chosen on purpose is kept.
    client.post(url, {"user": offteam_counselor.pk, "team_role": "nurse"})
    assert CareTeamMember.objects.get(patient=patient, user=offteam_counselor).team_role == "nurse"
