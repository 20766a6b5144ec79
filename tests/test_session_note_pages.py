"""Session note pages: writing a draft with progress on the plan's goals and private counseling
notes, editing it, signing it, adding addenda; who sees the counseling notes; the chart card,
the plan's components with their sessions, drafts on the author's worklist."""

import datetime

import pytest

from intake.models import AuditEvent, CounselingNote, SessionNote, SessionNoteAddendum
from intake.services.break_glass import break_glass_open
from intake.services.session_note import session_note_create
from intake.services.session_note_sign import session_note_sign
from tests.factories import PASSWORD
from tests.session_note_support import COUNSELING_TEXT, active_plan

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 24)

FORM = {
    "kind": "individual",
    "session_date": "2026-11-24",
    "duration_minutes": "50",
    "data": "Talked about the week's cravings.",
    "assessment": "Engaged.",
    "plan_text": "Urge surfing daily.",
    "worked_coping-cravings": "on",
    "progress_coping-cravings": "progressing",
    "counseling_notes": COUNSELING_TEXT,
}


@pytest.fixture
def plan(patient, team_physician):
    return active_plan(patient, team_physician)


def _draft(patient, author, **extra):
    return session_note_create(
        actor=author,
        patient=patient,
        data={"kind": "individual", "session_date": DAY, "duration_minutes": 45},
        progress=[{"target": "triggers", "status": "progressing"}],
        **extra,
    )


def _url(note, suffix=""):
    return f"/patients/{note.patient_id}/session-notes/{note.pk}/{suffix}"


def test_the_form_lists_the_plans_goals_and_explains_the_private_box(
    client, patient, team_counselor, plan, frozen_now
):
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/session-notes/new/").content.decode()
    assert "Recognise and avoid triggers" in page and "Coping skills for cravings" in page
    assert "coping-cravings</" not in page  # clinical words, not codes
    assert "SUD counseling notes" in page and "only you will see them" in page


def test_a_counselor_writes_a_draft_on_the_page(client, patient, team_counselor, plan, frozen_now):
    client.force_login(team_counselor)
    response = client.post(f"/patients/{patient.pk}/session-notes/new/", FORM)
    note = SessionNote.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(note)
    assert note.author == team_counselor and note.status == "draft"
    assert note.plan_text == "Urge surfing daily." and note.plan == plan
    assert [(p.target, p.status) for p in note.progress.all()] == [
        ("coping-cravings", "progressing")
    ]
    assert CounselingNote.objects.get(note=note).text == COUNSELING_TEXT
    detail = client.get(_url(note)).content.decode()
    assert COUNSELING_TEXT in detail and "Sign the note" in detail


def test_a_ticked_goal_needs_its_progress(client, patient, team_counselor, plan, frozen_now):
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/session-notes/new/", {**FORM, "progress_coping-cravings": ""}
    )
    assert response.status_code == 400
    assert "Choose the progress on" in response.content.decode()
    assert not SessionNote.objects.exists()


def test_editing_a_draft_from_a_stale_page_is_refused(
    client, patient, team_counselor, plan, frozen_now
):
    note = _draft(patient, team_counselor)
    client.force_login(team_counselor)
    assert client.get(_url(note, "edit/")).status_code == 200
    saved = client.post(_url(note, "edit/"), {**FORM, "revision": "1", "assessment": "First"})
    assert saved.status_code == 302
    stale = client.post(_url(note, "edit/"), {**FORM, "revision": "1", "assessment": "Second"})
    assert stale.status_code == 409
    assert "saved from another window" in stale.content.decode()
    note.refresh_from_db()
    assert note.assessment == "First" and note.revision == 2


def test_only_the_author_edits_a_draft(client, patient, team_counselor, team_nurse, plan):
    note = _draft(patient, team_counselor)
    client.force_login(team_nurse)
    assert client.get(_url(note, "edit/")).status_code == 403
    assert client.post(_url(note, "sign/"), {"password": PASSWORD}).status_code == 403
    page = client.get(_url(note)).content.decode()
    assert "Sign the note" not in page and "only its author" in page


def test_signing_on_the_page_shows_the_hash(client, patient, team_counselor, plan, frozen_now):
    note = _draft(patient, team_counselor)
    client.force_login(team_counselor)
    wrong = client.post(_url(note, "sign/"), {"password": "wrong"})
    assert wrong.status_code == 400 and "Incorrect password" in wrong.content.decode()
    note.refresh_from_db()
    assert note.status == "draft"
    assert client.post(_url(note, "sign/"), {"password": PASSWORD}).status_code == 302
    note.refresh_from_db()
    assert note.status == "signed"
    page = client.get(_url(note)).content.decode()
    assert note.content_hash in page and "The note matches its signature" in page
    # Signed: the edit page sends back to the note.
    assert client.get(_url(note, "edit/")).status_code == 302
    assert client.post(_url(note, "edit/"), {**FORM, "revision": "1"}).status_code == 302
    note.refresh_from_db()
    assert note.data == ""


def test_a_team_nurse_adds_an_addendum_on_the_page(
    client, patient, team_counselor, team_nurse, plan, frozen_now
):
    note = _draft(patient, team_counselor)
    session_note_sign(actor=team_counselor, note=note, password=PASSWORD)
    client.force_login(team_nurse)
    refused = client.post(_url(note, "addenda/"), {"text": "Called back.", "password": "x"})
    assert refused.status_code == 400 and not SessionNoteAddendum.objects.exists()
    response = client.post(_url(note, "addenda/"), {"text": "Called back.", "password": PASSWORD})
    assert response.status_code == 302
    addendum = SessionNoteAddendum.objects.get()
    page = client.get(_url(note)).content.decode()
    assert "Called back." in page and addendum.content_hash in page


def test_counseling_notes_are_shown_to_their_author_only(
    client, patient, team_counselor, team_nurse, offteam_physician, plan, frozen_now
):
    note = _draft(patient, team_counselor, counseling_notes=COUNSELING_TEXT)
    break_glass_open(
        actor=offteam_physician, patient_id=patient.pk, reason="Overdose in the lobby, unresponsive"
    )
    for viewer in (team_nurse, offteam_physician):
        client.force_login(viewer)
        for url in (_url(note), f"/patients/{patient.pk}/"):
            response = client.get(url)
            assert response.status_code == 200, (viewer, url)
            assert COUNSELING_TEXT not in response.content.decode()
    client.force_login(team_counselor)
    assert COUNSELING_TEXT in client.get(_url(note)).content.decode()
    assert COUNSELING_TEXT in client.get(_url(note, "edit/")).content.decode()


def test_outside_the_care_team_the_pages_are_not_found(
    client, patient, team_counselor, offteam_nurse, plan
):
    note = _draft(patient, team_counselor)
    client.force_login(offteam_nurse)
    for url in (_url(note), _url(note, "edit/"), f"/patients/{patient.pk}/session-notes/new/"):
        assert client.get(url).status_code == 404
    assert client.post(_url(note, "sign/"), {"password": PASSWORD}).status_code == 404
    assert AuditEvent.objects.filter(actor=offteam_nurse, outcome="denied").count() >= 4


def test_the_chart_lists_the_notes_and_the_plan_shows_each_components_sessions(
    client, patient, team_counselor, team_physician, frozen_now
):
    plan = active_plan(
        patient,
        team_physician,
        (("cbt", ["triggers"]), ("relapse-prevention", ["relapse-plan", "triggers"])),
    )
    for day, status in (("2026-11-10", "not-started"), ("2026-11-20", "progressing")):
        note = session_note_create(
            actor=team_counselor,
            patient=patient,
            data={
                "kind": "individual",
                "session_date": datetime.date.fromisoformat(day),
                "duration_minutes": 45,
            },
            progress=[
                {"target": "triggers", "status": status},
                {"target": "relapse-plan", "status": "achieved"},
            ],
        )
        session_note_sign(actor=team_counselor, note=note, password=PASSWORD)
    _draft(patient, team_counselor)  # a draft counts for nothing yet
    client.force_login(team_counselor)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="session-notes"' in chart and chart.count("Individual counseling · 45 min") == 3
    page = client.get(f"/patients/{patient.pk}/plans/{plan.pk}/").content.decode()
    assert (
        "2 sessions</span> last 2026-11-20 · Recognise and avoid triggers: <strong>Progressing"
        in page
    )
    assert "2 sessions</span> last 2026-11-20 · A plan for relapse: <strong>Achieved" in page


def test_a_draft_waits_on_its_authors_worklist(client, patient, team_counselor, team_nurse, plan):
    _draft(patient, team_counselor)
    client.force_login(team_counselor)
    assert (
        "Individual counseling session note of 2026-11-24, not signed"
        in client.get("/").content.decode()
    )
    client.force_login(team_nurse)
    assert "session note of 2026-11-24" not in client.get("/").content.decode()


def test_an_amended_plan_keeps_its_components_sessions(
    client, patient, team_counselor, team_physician, frozen_now
):
    """Progress is recorded against a component of the version signed at the time; the next
    version (an amendment, new component rows) shows it still, matched by modality."""
    from intake.services.treatment_plan import treatment_plan_amend

    plan = active_plan(patient, team_physician, (("cbt", ["triggers"]),))
    note = session_note_create(
        actor=team_counselor,
        patient=patient,
        data={"kind": "individual", "session_date": frozen_now.date(), "duration_minutes": 45},
        progress=[{"target": "triggers", "status": "progressing"}],
    )
    session_note_sign(actor=team_counselor, note=note, password=PASSWORD)
    from intake.models import TreatmentPlan
    from tests.factories import mark_signed

    amended = treatment_plan_amend(actor=team_counselor, plan=plan, reason="Review at 30 days")
    # As signing the amendment does (the signed-plan trigger allows this one change).
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="superseded")
    mark_signed(amended, team_physician)
    assert amended.behavioral.get().pk != plan.behavioral.get().pk
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/plans/{amended.pk}/").content.decode()
    assert "1 session</span>" in page
    assert "Recognise and avoid triggers: <strong>Progressing" in page


def test_only_the_author_is_offered_to_continue_a_draft_on_the_chart(
    client, patient, team_counselor, team_nurse, plan
):
    note = _draft(patient, team_counselor)
    edit = f"/patients/{patient.pk}/session-notes/{note.pk}/edit/"
    client.force_login(team_counselor)
    assert edit in client.get(f"/patients/{patient.pk}/").content.decode()
    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert edit not in chart and _url(note) in chart
