"""The group pages: "Run a group" (find and add patients of one's care teams, present or absent,
a note each; the warning about the shared summary), the group's page (the roll by care team)
and "Sign all notes"."""

import datetime

import pytest
from django.utils import timezone

from intake.models import GroupSession, SessionNote, TeamRole
from tests.factories import PASSWORD, CareTeamMemberFactory, PatientFactory
from tests.group_support import SUMMARY, caseload, run_group

pytestmark = pytest.mark.django_db

RUN_URL = "/groups/new/"


def _details(**overrides):
    data = {
        "title": "Thursday CBT",
        "modality": "cbt",
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": "60",
        "summary": SUMMARY,
    }
    data.update(overrides)
    return data


def _roll(rows):
    data = {"roll-TOTAL_FORMS": str(len(rows)), "roll-INITIAL_FORMS": str(len(rows))}
    for i, (patient, present, note) in enumerate(rows):
        data[f"roll-{i}-patient"] = str(patient.pk)
        if present:
            data[f"roll-{i}-attended"] = "on"
        data[f"roll-{i}-note"] = note
    return data


def test_the_run_page_warns_about_the_shared_summary(client, team_counselor):
    client.force_login(team_counselor)
    page = client.get(RUN_URL).content.decode()
    assert "Do not name other members in the shared summary" in page
    assert "Relapse prevention" in page and "relapse-prevention</option>" not in page
    assert 'data-testid="nav-run-group"' in page
    assert 'data-testid="home-run-group"' in client.get("/").content.decode()


def test_it_finds_only_patients_of_the_facilitators_care_teams(client, team_counselor):
    (mine,) = caseload(team_counselor, [("Dora", "Pennington")])
    PatientFactory(given_name="Dana", family_name="Pennington")  # not on her care team
    client.force_login(team_counselor)
    page = client.post(RUN_URL, {**_details(), **_roll([]), "q": "Pennington", "action": "search"})
    text = page.content.decode()
    assert text.count("Pennington, D") == 1 and "Dora" in text and "Dana" not in text
    added = client.post(
        RUN_URL, {**_details(), **_roll([]), "add": str(mine.pk), "action": "add"}
    ).content.decode()
    assert 'data-testid="roll-row"' in added and "Thursday CBT" in added


def test_it_records_the_group_and_a_note_for_each_member_present(client, team_counselor):
    a, b = caseload(team_counselor, [("Ana", "Reyes"), ("Ben", "Okoro")])
    client.force_login(team_counselor)
    data = {**_details(), **_roll([(a, True, "Shared a coping card."), (b, False, "")])}
    response = client.post(RUN_URL, {**data, "action": "create"})
    group = GroupSession.objects.get()
    assert response.status_code == 302 and response.url == f"/groups/{group.pk}/"
    assert SessionNote.objects.get().assessment == "Shared a coping card."
    page = client.get(response.url).content.decode()
    assert "Reyes, Ana" in page and "Okoro, Ben" in page and "Sign all notes" in page


def test_a_refused_roll_stores_nothing_and_says_which_row(client, team_counselor):
    (a,) = caseload(team_counselor, [("Ana", "Reyes")])
    stranger = PatientFactory()
    client.force_login(team_counselor)
    data = {**_details(), **_roll([(a, True, ""), (stranger, True, "")]), "action": "create"}
    page = client.post(RUN_URL, data)
    assert page.status_code == 400  # a refusal is a 4xx (tests/test_attack_after_intake.py)
    assert "Row 2: No patient with this id." in page.content.decode()
    assert not GroupSession.objects.exists()


def test_the_group_page_names_only_the_readers_patients(client, team_counselor, team_nurse):
    a, b = caseload(team_counselor, [("Ana", "Reyes"), ("Ben", "Okoro")])
    CareTeamMemberFactory(patient=a, user=team_nurse, team_role=TeamRole.NURSE)
    group = run_group(team_counselor, [a, b])
    client.force_login(team_nurse)
    page = client.get(f"/groups/{group.pk}/").content.decode()
    assert "Reyes, Ana" in page and "Okoro" not in page and "1 other member" in page
    assert "Sign all notes" not in page


def test_sign_all_notes_from_the_group_page(client, team_counselor):
    roster = caseload(team_counselor, [("Ana", "Reyes"), ("Ben", "Okoro")])
    group = run_group(team_counselor, roster)
    client.force_login(team_counselor)
    url = f"/groups/{group.pk}/sign/"
    wrong = client.post(url, {"password": "nope"})
    assert wrong.status_code == 400 and "Incorrect password" in wrong.content.decode()
    assert not SessionNote.objects.filter(status="signed").exists()
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert SessionNote.objects.filter(status="signed").count() == 2
    assert "Every note of this group is signed" in client.get(response.url).content.decode()
