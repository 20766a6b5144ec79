"""The interview pages: start, save and resume a draft, conflicts, review and sign, read-only
view, addenda, access, and a detail page whose query count does not grow with its rows."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import AuditEvent, Interview, InterviewAddendum, SubstanceUse
from intake.services.interview import interview_add_addendum, interview_sign, interview_update
from tests.factories import InterviewFactory, PatientFactory, SubstanceUseFactory

pytestmark = pytest.mark.django_db

SECTION_LEGENDS = [
    "Presenting problem",
    "Substance use",
    "How opioid use began &amp; history",
    "Risk factors",
    "Observed signs",
    "Behavioral signs",
    "Coexisting conditions",
    "Social situation",
    "Impressions",
]


def _form(revision=None, substances=(), initial_rows=0, **fields) -> dict:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "interviewed_on": yesterday.isoformat(),
        "presenting_problem": "Wants to stop using fentanyl.",
        "primary_substance": "fentanyl",
        "naloxone_at_home": "unknown",
        "use_despite_consequences": "true",
        "risk_factors": ["family-history-addiction", "unemployment"],
        "observed_signs": ["needle-marks"],
        "substances-TOTAL_FORMS": str(len(substances)),
        "substances-INITIAL_FORMS": str(initial_rows),
        "substances-MIN_NUM_FORMS": "0",
        "substances-MAX_NUM_FORMS": "1000",
    }
    if revision is not None:
        data["revision"] = str(revision)
    for i, row in enumerate(substances):
        for key, value in {"tolerance": "unknown", **row}.items():
            data[f"substances-{i}-{key}"] = value
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _base(patient):
    return f"/patients/{patient.pk}/interviews"


def _page(patient, interview, suffix=""):
    return f"{_base(patient)}/{interview.pk}/{suffix}"


def test_it_offers_a_new_interview_on_the_chart(client, patient, team_nurse):
    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f'href="{_base(patient)}/new/"' in chart
    assert "No interviews recorded." in chart
    page = client.get(f"{_base(patient)}/new/")
    assert page.status_code == 200
    html = page.content.decode()
    for legend in SECTION_LEGENDS:
        assert f"<legend>{legend}</legend>" in html, legend
    assert 'type="checkbox" class="form-check-input"  name="risk_factors"' in html
    assert 'type="datetime-local"' in html and 'type="date"' in html


def test_it_saves_a_draft_and_resumes_it(client, patient, team_counselor):
    client.force_login(team_counselor)
    response = client.post(
        f"{_base(patient)}/new/",
        _form(
            substances=[
                {
                    "substance": "fentanyl",
                    "routes": ["smoked", "injected"],
                    "frequency": "daily",
                    "age_first_use": "18",
                    "last_use_at": (timezone.localtime() - datetime.timedelta(hours=6)).strftime(
                        "%Y-%m-%dT%H:%M"
                    ),
                    "tolerance": "true",
                }
            ]
        ),
    )
    interview = Interview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _page(patient, interview, "edit/")
    assert interview.author == team_counselor and interview.status == "draft"
    assert interview.risk_factors == ["family-history-addiction", "unemployment"]
    assert interview.use_despite_consequences is True and interview.naloxone_at_home is None
    use = interview.substances.get()
    assert use.routes == ["injected", "smoked"] and use.tolerance is True
    assert AuditEvent.objects.filter(action="create", object_id=str(interview.pk)).exists()

    resumed = client.get(response["Location"])
    html = resumed.content.decode()
    assert "Draft saved at" in html
    assert "Wants to stop using fentanyl." in html
    assert re.search(r'value="injected"\s+id="id_substances-0-routes_0"\s+checked', html) or (
        'name="substances-0-routes" value="injected"' in html
    )
    assert 'name="revision" value="1"' in html

    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Continue draft" in chart and "Draft</span>" in chart


def test_it_saves_edits_and_removes_a_substance_row(client, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    SubstanceUseFactory(interview=interview, substance="heroin")
    SubstanceUseFactory(interview=interview, substance="alcohol", routes=["oral"])
    client.force_login(team_counselor)
    response = client.post(
        _page(patient, interview, "edit/"),
        _form(
            revision=1,
            initial_rows=2,
            impressions="Likely severe OUD.",
            substances=[
                {"substance": "heroin", "routes": ["injected"], "frequency": "daily"},
                {"substance": "alcohol", "routes": ["oral"], "DELETE": "on"},
            ],
        ),
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.revision == 2 and interview.impressions == "Likely severe OUD."
    assert list(interview.substances.values_list("substance", flat=True)) == ["heroin"]
    event = AuditEvent.objects.get(action="update")
    assert "substances" in event.detail["fields"] and "impressions" in event.detail["fields"]


def test_it_keeps_the_typed_input_when_someone_saved_first(client, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    # The same author saved from another window after this form was opened at revision 1.
    interview_update(
        actor=team_counselor, interview=interview, data={"impressions": "From tab A"}, revision=1
    )
    client.force_login(team_counselor)
    response = client.post(
        _page(patient, interview, "edit/"), _form(revision=1, impressions="Typed in tab B")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: this draft was saved from another window" in html
    assert "Typed in tab B" in html
    assert 'name="revision" value="2"' in html  # saving again is a deliberate overwrite
    assert f'href="{_page(patient, interview)}" target="_blank"' in html
    interview.refresh_from_db()
    assert interview.impressions == "From tab A" and interview.revision == 2


def test_it_shows_errors_and_stores_nothing(client, patient, team_counselor):
    client.force_login(team_counselor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"{_base(patient)}/new/",
        _form(
            interviewed_on=tomorrow.isoformat(),
            last_opioid_used="alcohol",
            substances=[{"substance": "heroin", "age_first_use": "150"}],
        ),
    )
    assert response.status_code == 200
    assert Interview.objects.count() == 0 and SubstanceUse.objects.count() == 0
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 100." in html
    response = client.post(
        f"{_base(patient)}/new/",
        _form(interviewed_on=tomorrow.isoformat(), last_opioid_used="alcohol"),
    )
    html = response.content.decode()
    assert "The interview date cannot be in the future." in html
    assert "Choose an opioid" in html
    assert "Wants to stop using fentanyl." in html  # typed input kept
    assert Interview.objects.count() == 0


def test_it_reviews_and_signs_a_draft(client, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor, impressions="Severe.")
    SubstanceUseFactory(interview=interview)
    client.force_login(team_counselor)
    review = client.get(_page(patient, interview, "sign/"))
    assert review.status_code == 200
    html = review.content.decode()
    assert "Severe." in html and "Heroin" in html and "Sign interview" in html

    unconfirmed = client.post(_page(patient, interview, "sign/"), {"revision": "1"})
    assert unconfirmed.status_code == 400
    assert "Confirm the statement to sign." in unconfirmed.content.decode()
    interview.refresh_from_db()
    assert interview.status == "draft"

    signed = client.post(_page(patient, interview, "sign/"), {"revision": "1", "attest": "on"})
    assert signed.status_code == 302 and signed["Location"] == _page(patient, interview)
    interview.refresh_from_db()
    assert interview.status == "signed"
    page = client.get(_page(patient, interview)).content.decode()
    assert 'data-testid="signed-banner"' in page
    assert interview.content_hash in page
    assert "Verified: unchanged since signing" in page
    assert team_counselor.get_full_name() in page
    assert "Continue editing" not in page
    assert AuditEvent.objects.filter(action="sign", object_id=str(interview.pk)).exists()


def test_it_refuses_to_edit_a_signed_interview(client, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    interview_sign(actor=team_counselor, interview=interview)
    client.force_login(team_counselor)
    response = client.get(_page(patient, interview, "edit/"), follow=True)
    assert response.redirect_chain == [(_page(patient, interview), 302)]
    assert "can no longer be edited" in response.content.decode()
    posted = client.post(_page(patient, interview, "edit/"), _form(revision=1, impressions="x"))
    assert posted.status_code == 409
    assert "has been signed" in posted.content.decode()
    interview.refresh_from_db()
    assert interview.impressions == "" and interview.status == "signed"
    assert client.get(_page(patient, interview, "sign/")).status_code == 302


def test_it_lets_only_the_author_edit_and_sign(client, patient, team_counselor, team_nurse):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    client.force_login(team_nurse)
    detail = client.get(_page(patient, interview)).content.decode()
    assert "Only" in detail and "can edit and sign it" in detail
    assert "Continue editing" not in detail
    assert client.get(_page(patient, interview, "edit/")).status_code == 403
    assert client.post(_page(patient, interview, "edit/"), _form(revision=1)).status_code == 403
    refused = client.post(_page(patient, interview, "sign/"), {"revision": "1", "attest": "on"})
    assert refused.status_code == 403
    assert "Only the author" in refused.content.decode()
    interview.refresh_from_db()
    assert interview.status == "draft" and interview.revision == 1


def test_it_adds_an_addendum_from_the_page(client, patient, team_counselor, team_physician):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    interview_sign(actor=team_counselor, interview=interview)
    client.force_login(team_physician)
    page = client.get(_page(patient, interview)).content.decode()
    assert 'data-testid="addendum-form"' in page

    blank = client.post(_page(patient, interview, "addenda/"), {"reason": "", "text": "t"})
    assert blank.status_code == 400
    assert "Give the reason for the addendum." in blank.content.decode()
    assert InterviewAddendum.objects.count() == 0

    added = client.post(
        _page(patient, interview, "addenda/"),
        {"reason": "Late entry", "text": "Reports daily alprazolam."},
        follow=True,
    )
    assert added.redirect_chain[-1][0] == _page(patient, interview) + "#addenda"
    html = added.content.decode()
    assert "Addendum signed and added." in html
    assert "Reports daily alprazolam." in html and "Late entry" in html
    addendum = InterviewAddendum.objects.get()
    assert addendum.author == team_physician and len(addendum.content_hash) == 64
    assert "Verified: unchanged since signing" in html  # the interview is unchanged


def test_it_explains_that_a_draft_takes_no_addenda(client, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    client.force_login(team_counselor)
    page = client.get(_page(patient, interview, "addenda/"))
    assert page.status_code == 200
    assert "Addenda are added after the interview is signed" in page.content.decode()
    refused = client.post(_page(patient, interview, "addenda/"), {"reason": "r", "text": "t"})
    assert refused.status_code == 403
    assert InterviewAddendum.objects.count() == 0


def test_it_shows_every_section_read_only(client, patient, team_counselor, team_nurse):
    interview = InterviewFactory(
        patient=patient,
        author=team_counselor,
        housing="shelter",
        naloxone_at_home=False,
        impressions="Line one\nLine two",
    )
    SubstanceUseFactory(interview=interview, substance="fentanyl", routes=["injected", "smoked"])
    client.force_login(team_nurse)
    html = client.get(_page(patient, interview)).content.decode()
    for legend in SECTION_LEGENDS:
        assert legend in html, legend
    assert "<input" not in html.split('id="section-presenting"')[1].split('id="addenda"')[0]
    assert "Family history of addiction" in html and "Constricted pupils" in html
    assert "Shelter" in html and "Line one<br>Line two" in html
    assert "Injected, Smoked" in html
    assert "Not recorded" in html
    assert 'data-testid="draft-banner"' in html
    assert AuditEvent.objects.filter(
        action="read", actor=team_nurse, object_type="interview", object_id=str(interview.pk)
    ).exists()


def test_it_lists_interviews_on_the_chart(client, patient, team_counselor, team_nurse):
    signed = InterviewFactory(patient=patient, author=team_counselor)
    interview_sign(actor=team_counselor, interview=signed)
    interview_add_addendum(actor=team_nurse, interview=signed, reason="r", text="t")
    InterviewFactory(patient=patient, author=team_nurse)
    client.force_login(team_counselor)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="interview-list"' in html
    assert "Signed</span>" in html and "Draft</span>" in html and "1 addendum" in html
    assert team_nurse.get_full_name() in html
    assert f'href="{_page(patient, signed)}"' in html
    assert "Continue draft" not in html  # the draft is the nurse's


def test_it_answers_404_outside_the_care_team(client, patient, team_counselor, offteam_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    client.force_login(offteam_counselor)
    urls = [f"{_base(patient)}/new/"] + [
        _page(patient, interview, suffix) for suffix in ("", "edit/", "sign/", "addenda/")
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        posted = client.post(url, _form(revision=1)).status_code
        assert posted == (405 if url == _page(patient, interview) else 404), url
    assert Interview.objects.count() == 1
    interview.refresh_from_db()
    assert interview.revision == 1


def test_it_answers_404_for_another_patients_interview(client, patient, team_counselor):
    other = PatientFactory()
    theirs = InterviewFactory(patient=other, author=team_counselor)
    client.force_login(team_counselor)
    for suffix in ("", "edit/", "sign/", "addenda/"):
        assert client.get(_page(patient, theirs, suffix)).status_code == 404


def test_it_answers_403_to_clinic_administrators(client, patient, team_counselor, clinic_admin):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    client.force_login(clinic_admin)
    assert client.get(f"{_base(patient)}/new/").status_code == 403
    assert client.get(_page(patient, interview)).status_code == 403
    assert client.post(_page(patient, interview, "sign/")).status_code == 403


def _queries(client, url) -> int:
    client.get("/")  # the first request after sign-in renews the session; measure steady state
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_it_keeps_the_detail_page_queries_constant(client, patient, team_counselor, team_nurse):
    def signed(substances: int, addenda: int):
        interview = InterviewFactory(patient=patient, author=team_counselor)
        for _ in range(substances):
            SubstanceUseFactory(interview=interview)
        interview_sign(actor=team_counselor, interview=interview)
        for n in range(addenda):
            interview_add_addendum(actor=team_nurse, interview=interview, reason=f"r{n}", text="t")
        return interview

    small, large = signed(2, 1), signed(10, 5)
    client.force_login(team_nurse)
    two = _queries(client, _page(patient, small))
    assert _queries(client, _page(patient, large)) == two
    assert two <= 14


def test_it_keeps_the_chart_queries_constant_with_more_interviews(client, patient, team_counselor):
    InterviewFactory(patient=patient, author=team_counselor)
    client.force_login(team_counselor)
    url = f"/patients/{patient.pk}/"
    one = _queries(client, url)
    for _ in range(12):
        interview = InterviewFactory(patient=patient, author=team_counselor)
        interview_sign(actor=team_counselor, interview=interview)
    html = client.get(url).content.decode()
    assert "Showing the latest 10 of 13 interviews." in html
    assert _queries(client, url) <= one + 1  # + the total count once the list is cut at 10
