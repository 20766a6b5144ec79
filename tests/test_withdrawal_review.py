"""The physician's daily withdrawal review (docs/clinical-rules.md#withdrawal-review): each
decision through the API and the page, the outcome rules at each edge, physicians on the care
team only, a patient not in withdrawal management refused, the completion summary computed
from a small detox (a voided dose left out), final once written, audited."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.utils import timezone

from intake.models import AuditEvent, Episode, TreatmentPlan, WithdrawalReview
from intake.services.medication_administration import administration_record, administration_void
from tests.factories import EpisodeFactory
from tests.mar_support import at, cows, med_id, signed_plan, vitals

D = datetime.date(2026, 11, 25)
URL = "/api/v1/patients/{}/withdrawal-reviews/"
PAGE = "/patients/{}/withdrawal-review/"


@pytest.fixture
def episode(patient):
    return EpisodeFactory(patient=patient, program="residential", admitted_on=D)


@pytest.fixture
def detox(patient, team_physician, episode):
    """A signed detox plan from day D: clonidine twice a day and ondansetron as needed."""
    return signed_plan(
        patient,
        team_physician,
        [
            {"drug": "clonidine", "dose": "0.1", "frequency": "bid", "start_date": D},
            {
                "drug": "ondansetron",
                "dose": "4",
                "frequency": "q8h-prn",
                "start_date": D,
                "indication": "Nausea",
            },
        ],
        signed_at=at(D, 7),
        episode=episode,
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
    )


@pytest.fixture
def physician_api(api, team_physician):
    api.force_authenticate(team_physician)
    return api


def moment(text):
    return datetime.datetime.fromisoformat(text)


def review(api, patient, decision, note="Comfortable overnight; COWS falling.", **body):
    return api.post(
        URL.format(patient.pk), {"decision": decision, "note": note, **body}, format="json"
    )


class TestDecisions:
    def test_continue_is_recorded_against_the_active_plan(self, physician_api, patient, detox):
        with time_machine.travel(at(D, 10), tick=False):
            response = review(physician_api, patient, "continue")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["decision"] == "continue" and body["outcome"] == ""
        assert body["plan"] == str(detox.pk) and body["amendment"] is None
        assert body["reviewed_at"].startswith("2026-11-25T10:00")
        assert body["reviewed_by"]
        stored = WithdrawalReview.objects.get()
        assert stored.plan == detox and stored.episode == detox.episode
        assert Episode.objects.get().withdrawal_summary == {}

    def test_amend_plan_opens_an_amendment_draft_and_names_it(self, physician_api, patient, detox):
        response = review(physician_api, patient, "amend-plan", note="Raise clonidine at night.")
        assert response.status_code == 201, response.content
        draft = TreatmentPlan.objects.get(previous=detox)
        assert response.json()["amendment"] == str(draft.pk)
        assert draft.status == "draft" and draft.version == detox.version + 1
        assert draft.amendment_reason == "Daily withdrawal review: Raise clonidine at night."
        assert list(draft.medications.values_list("drug", flat=True)) == [
            "clonidine",
            "ondansetron",
        ]
        # A second amend-plan names the draft already open instead of opening another.
        again = review(physician_api, patient, "amend-plan", note="Still to be edited.")
        assert again.status_code == 201, again.content
        assert again.json()["amendment"] == str(draft.pk)
        assert TreatmentPlan.objects.filter(previous=detox).count() == 1

    def test_transfer_writes_the_summary_with_the_outcome_transferred(
        self, physician_api, patient, detox
    ):
        response = review(physician_api, patient, "transfer", note="To inpatient medicine.")
        assert response.status_code == 201, response.content
        assert response.json()["outcome"] == "transferred"
        summary = Episode.objects.get().withdrawal_summary
        assert summary["decision"] == "transfer" and summary["outcome"] == "transferred"
        assert summary["review"] == response.json()["id"]

    def test_reviews_are_listed_newest_first(self, physician_api, patient, detox):
        with time_machine.travel(at(D, 10), tick=False):
            review(physician_api, patient, "continue", note="Day one.")
        with time_machine.travel(at(D + datetime.timedelta(days=1), 10), tick=False):
            review(physician_api, patient, "continue", note="Day two.")
        response = physician_api.get(URL.format(patient.pk))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [r["note"] for r in body["results"]] == ["Day two.", "Day one."]


class TestOutcomeRules:
    def test_complete_without_an_outcome_is_refused(self, physician_api, patient, detox):
        response = review(physician_api, patient, "complete")
        assert response.status_code == 400
        assert "outcome" in response.json()
        assert not WithdrawalReview.objects.exists()
        assert Episode.objects.get().withdrawal_summary == {}

    @pytest.mark.parametrize("decision", ["continue", "amend-plan"])
    def test_an_outcome_with_a_decision_that_does_not_end_is_refused(
        self, physician_api, patient, detox, decision
    ):
        response = review(physician_api, patient, decision, outcome="completed")
        assert response.status_code == 400
        assert "outcome" in response.json()
        assert not WithdrawalReview.objects.exists()
        assert not TreatmentPlan.objects.filter(previous=detox).exists()

    def test_a_transfer_with_another_outcome_is_refused(self, physician_api, patient, detox):
        response = review(physician_api, patient, "transfer", outcome="completed")
        assert response.status_code == 400 and "outcome" in response.json()

    @pytest.mark.parametrize(
        "outcome", ["completed", "left-against-advice", "transferred", "started-maintenance"]
    )
    def test_complete_takes_each_outcome(self, physician_api, patient, detox, outcome):
        response = review(physician_api, patient, "complete", outcome=outcome)
        assert response.status_code == 201, response.content
        assert response.json()["outcome"] == outcome
        assert Episode.objects.get().withdrawal_summary["outcome"] == outcome

    @pytest.mark.parametrize(
        "body",
        [
            {"decision": "stop", "note": "x"},
            {"decision": "complete", "note": "x", "outcome": "cured"},
            {"decision": "continue", "note": ""},
            {"decision": "continue", "note": "   "},
            {"decision": "continue"},
            {"decision": "continue", "note": 12},
        ],
    )
    def test_bad_bodies_are_400_and_store_nothing(self, physician_api, patient, detox, body):
        response = physician_api.post(URL.format(patient.pk), body, format="json")
        assert response.status_code == 400, response.content
        assert not WithdrawalReview.objects.exists()

    def test_after_completion_no_further_review(self, physician_api, patient, detox):
        assert review(physician_api, patient, "complete", outcome="completed").status_code == 201
        response = review(physician_api, patient, "continue")
        assert response.status_code == 409
        assert "already completed" in response.json()["detail"]
        assert WithdrawalReview.objects.count() == 1


class TestWhoMayReview:
    @pytest.mark.parametrize("persona", ["team_nurse", "team_counselor"])
    def test_nurses_and_counselors_are_403(self, request, api, patient, detox, persona):
        api.force_authenticate(request.getfixturevalue(persona))
        response = review(api, patient, "continue")
        assert response.status_code == 403
        assert not WithdrawalReview.objects.exists()

    def test_an_off_team_physician_is_404(self, api, patient, detox, offteam_physician):
        api.force_authenticate(offteam_physician)
        assert review(api, patient, "continue").status_code == 404
        assert api.get(URL.format(patient.pk)).status_code == 404
        assert not WithdrawalReview.objects.exists()

    def test_the_team_reads_the_reviews(self, api, physician_api, patient, detox, team_nurse):
        review(physician_api, patient, "continue")
        api.force_authenticate(team_nurse)
        response = api.get(URL.format(patient.pk))
        assert response.status_code == 200 and response.json()["count"] == 1


class TestNotInWithdrawalManagement:
    def test_a_plan_without_detox_is_refused(self, physician_api, patient, team_physician, episode):
        signed_plan(
            patient,
            team_physician,
            [{"drug": "buprenorphine-naloxone", "dose": "16", "start_date": D}],
            signed_at=at(D, 7),
            episode=episode,
            medically_supervised_detox=False,
        )
        response = review(physician_api, patient, "continue")
        assert response.status_code == 409
        assert "not in withdrawal management" in response.json()["detail"]
        assert not WithdrawalReview.objects.exists()

    def test_a_withdrawal_medicine_without_the_detox_flag_is_withdrawal_management(
        self, physician_api, patient, team_physician, episode
    ):
        signed_plan(
            patient,
            team_physician,
            [{"drug": "lofexidine", "dose": "0.54", "frequency": "qid", "start_date": D}],
            signed_at=at(D, 7),
            episode=episode,
            medically_supervised_detox=False,
        )
        assert review(physician_api, patient, "continue").status_code == 201

    def test_no_active_plan_is_refused(self, physician_api, patient, episode):
        response = review(physician_api, patient, "continue")
        assert response.status_code == 409
        assert "no active signed plan" in response.json()["detail"]

    def test_no_active_episode_is_refused(self, physician_api, patient, team_physician):
        signed_plan(
            patient,
            team_physician,
            [{"drug": "clonidine", "dose": "0.1", "frequency": "bid", "start_date": D}],
            signed_at=at(D, 7),
        )
        response = review(physician_api, patient, "continue")
        assert response.status_code == 409
        assert "no active episode" in response.json()["detail"]


class TestSummary:
    def test_the_summary_counts_the_doses_given_and_the_last_scores(
        self, patient, detox, team_nurse, team_physician, physician_api
    ):
        clonidine, ondansetron = med_id(detox, "clonidine"), med_id(detox, "ondansetron")
        day2 = D + datetime.timedelta(days=1)
        doses = []
        for day in (D, day2):
            for hour in (9, 21):
                vitals(
                    patient,
                    team_nurse,
                    at(day, hour) - datetime.timedelta(minutes=10),
                    systolic=120,
                    diastolic=80,
                    heart_rate=80,
                )
                with time_machine.travel(at(day, hour), tick=False):
                    doses.append(
                        administration_record(
                            actor=team_nurse,
                            patient=patient,
                            data={"medication": clonidine, "status": "given"},
                        )
                    )
        with time_machine.travel(at(D, 12), tick=False):
            administration_record(
                actor=team_nurse,
                patient=patient,
                data={"medication": ondansetron, "status": "given"},
            )
        # The second evening's clonidine was entered in error: voided, not counted.
        with time_machine.travel(at(day2, 21, 30), tick=False):
            administration_void(actor=team_nurse, entry=doses[-1], reason="Wrong patient")
        cows(patient, team_nurse, at(D, 8), 14)
        cows(patient, team_nurse, at(day2, 8), 6)
        day3 = D + datetime.timedelta(days=2)
        with time_machine.travel(at(day3, 10), tick=False):
            response = review(
                physician_api,
                patient,
                "complete",
                outcome="started-maintenance",
                note="Symptoms resolved; starting naltrexone.",
            )
        assert response.status_code == 201, response.content
        summary = Episode.objects.get().withdrawal_summary
        assert summary["doses"] == {
            "clonidine": {"doses": 3, "total": "0.3", "unit": "mg"},
            "ondansetron": {"doses": 1, "total": "4", "unit": "mg"},
        }
        assert summary["days"] == 3  # day D to day D + 2, both counted
        assert moment(summary["first_dose_at"]) == doses[0].given_at == at(D, 9)
        assert moment(summary["last_dose_at"]) == doses[2].given_at == at(day2, 9)
        last_cows = summary["last_scores"]["cows"]
        assert (last_cows["total"], last_cows["band"]) == (6, "mild")
        assert moment(last_cows["at"]) == at(day2, 8)
        assert set(summary["last_scores"]) == {"cows"}
        assert summary["outcome"] == "started-maintenance"
        assert moment(summary["completed_at"]) == at(day3, 10)
        assert summary["completed_by"]

    def test_no_dose_given_is_zero_days(self, physician_api, patient, detox):
        assert (
            review(physician_api, patient, "complete", outcome="left-against-advice").status_code
            == 201
        )
        summary = Episode.objects.get().withdrawal_summary
        assert summary["days"] == 0 and summary["doses"] == {}
        assert summary["first_dose_at"] is None and summary["last_scores"] == {}

    def test_the_episode_api_carries_the_summary(self, physician_api, patient, detox):
        review(physician_api, patient, "complete", outcome="completed")
        body = physician_api.get(f"/api/v1/patients/{patient.pk}/episodes/").json()
        assert body["results"][0]["withdrawal_summary"]["outcome"] == "completed"


class TestFinalAndAudited:
    def test_the_database_refuses_to_change_or_delete_a_review(self, physician_api, patient, detox):
        review(physician_api, patient, "continue")
        stored = WithdrawalReview.objects.get()
        with pytest.raises(DatabaseError, match="final"), transaction.atomic():
            WithdrawalReview.objects.filter(pk=stored.pk).update(note="Edited later")
        with pytest.raises(DatabaseError, match="final"), transaction.atomic():
            WithdrawalReview.objects.filter(pk=stored.pk).delete()
        assert WithdrawalReview.objects.get().note == stored.note

    def test_each_review_and_the_completion_are_audited(
        self, physician_api, patient, detox, team_physician
    ):
        created = review(physician_api, patient, "complete", outcome="completed").json()
        event = AuditEvent.objects.get(object_type="withdrawal-review", action="create")
        assert event.object_id == created["id"] and event.actor_id == team_physician.pk
        assert event.detail["decision"] == "complete" and event.detail["outcome"] == "completed"
        completion = AuditEvent.objects.get(object_type="episode", action="update")
        assert completion.detail == {"change": "withdrawal-completed", "outcome": "completed"}

    def test_the_list_read_is_audited(self, physician_api, patient, detox):
        physician_api.get(URL.format(patient.pk))
        assert AuditEvent.objects.filter(
            object_type="withdrawal-review", action="read", patient=patient
        ).exists()


@pytest.fixture
def physician_client(client, team_physician):
    client.force_login(team_physician)
    return client


def post_page(client, patient, decision, note="Settled; sleeping.", outcome=""):
    return client.post(
        PAGE.format(patient.pk), {"decision": decision, "note": note, "outcome": outcome}
    )


class TestPage:
    def test_the_page_shows_the_plan_beside_the_form(self, physician_client, patient, detox):
        response = physician_client.get(PAGE.format(patient.pk))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Daily withdrawal review" in text
        assert 'data-testid="withdrawal-review-form"' in text
        assert "Clonidine" in text and "Twice a day" in text
        assert "Clinical Opiate Withdrawal Scale" in text or "COWS" in text
        assert "No reviews yet." in text
        assert AuditEvent.objects.filter(
            object_type="withdrawal-review", action="read", patient=patient
        ).exists()

    def test_a_refused_review_shows_the_page_again_as_an_audited_read(
        self, physician_client, patient, detox
    ):
        response = post_page(physician_client, patient, "complete")  # no outcome
        assert response.status_code == 200
        assert "Clonidine" in response.content.decode()  # the plan and flowsheet again ...
        assert not WithdrawalReview.objects.exists()
        assert AuditEvent.objects.filter(  # ... read like a GET
            object_type="withdrawal-review", action="read", patient=patient
        ).exists()

    def test_continue_from_the_page(self, physician_client, patient, detox):
        response = post_page(physician_client, patient, "continue")
        assert response.status_code == 302
        assert response["Location"] == PAGE.format(patient.pk)
        page = physician_client.get(PAGE.format(patient.pk)).content.decode()
        assert "Continue the plan" in page and "Settled; sleeping." in page
        assert WithdrawalReview.objects.get().decision == "continue"

    def test_amend_from_the_page_opens_the_amendment_to_edit(
        self, physician_client, patient, detox
    ):
        response = post_page(physician_client, patient, "amend-plan", note="Add loperamide.")
        draft = TreatmentPlan.objects.get(previous=detox)
        assert response.status_code == 302
        assert response["Location"] == f"/patients/{patient.pk}/plans/{draft.pk}/edit/"

    def test_complete_from_the_page_shows_the_summary_here_and_on_the_chart(
        self, physician_client, patient, detox
    ):
        response = post_page(physician_client, patient, "complete", outcome="completed")
        assert response.status_code == 302
        page = physician_client.get(PAGE.format(patient.pk)).content.decode()
        assert "Withdrawal management completed" in page
        assert 'data-testid="withdrawal-summary"' in page
        assert 'data-testid="withdrawal-review-form"' not in page
        chart = physician_client.get(f"/patients/{patient.pk}/").content.decode()
        assert 'data-testid="withdrawal-summary"' in chart
        assert "Completed withdrawal management" in chart
        assert 'data-testid="withdrawal-review-link"' not in chart

    def test_transfer_from_the_page(self, physician_client, patient, detox):
        assert post_page(physician_client, patient, "transfer").status_code == 302
        assert Episode.objects.get().withdrawal_summary["outcome"] == "transferred"

    def test_complete_without_an_outcome_stays_on_the_form(self, physician_client, patient, detox):
        response = post_page(physician_client, patient, "complete")
        assert response.status_code == 200
        assert "Say how withdrawal management ended" in response.content.decode()
        assert not WithdrawalReview.objects.exists()

    def test_an_outcome_with_continue_stays_on_the_form(self, physician_client, patient, detox):
        response = post_page(physician_client, patient, "continue", outcome="completed")
        assert response.status_code == 200
        assert "only when completing" in response.content.decode()
        assert not WithdrawalReview.objects.exists()

    def test_not_in_withdrawal_management_says_why(self, physician_client, patient, episode):
        response = physician_client.get(PAGE.format(patient.pk))
        assert response.status_code == 200
        text = response.content.decode()
        assert 'data-testid="withdrawal-review-form"' not in text
        assert "no active signed plan" in text
        refused = post_page(physician_client, patient, "continue")
        assert refused.status_code == 200 and "no active signed plan" in refused.content.decode()
        assert not WithdrawalReview.objects.exists()

    @pytest.mark.parametrize("persona", ["team_nurse", "team_counselor"])
    def test_nurses_and_counselors_are_refused(self, request, client, patient, detox, persona):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(PAGE.format(patient.pk)).status_code == 403
        assert post_page(client, patient, "continue").status_code == 403
        assert not WithdrawalReview.objects.exists()

    def test_an_off_team_physician_gets_404(self, client, patient, detox, offteam_physician):
        client.force_login(offteam_physician)
        assert client.get(PAGE.format(patient.pk)).status_code == 404
        assert post_page(client, patient, "continue").status_code == 404

    def test_the_chart_links_the_review_for_the_teams_physician_only(
        self, client, physician_client, patient, detox, team_nurse
    ):
        chart = physician_client.get(f"/patients/{patient.pk}/").content.decode()
        assert 'data-testid="withdrawal-review-link"' in chart
        client.force_login(team_nurse)
        chart = client.get(f"/patients/{patient.pk}/").content.decode()
        assert 'data-testid="withdrawal-review-link"' not in chart

    def test_no_link_without_a_detox_plan(self, physician_client, patient, team_physician, episode):
        signed_plan(
            patient,
            team_physician,
            [{"drug": "buprenorphine-naloxone", "dose": "16", "start_date": D}],
            signed_at=at(D, 7),
            episode=episode,
            medically_supervised_detox=False,
        )
        chart = physician_client.get(f"/patients/{patient.pk}/").content.decode()
        assert 'data-testid="withdrawal-review-link"' not in chart

    def test_the_page_reads_in_a_fixed_number_of_queries(
        self, physician_client, physician_api, patient, detox, django_assert_max_num_queries
    ):
        # The plan, the reviews and the last three days of the flowsheet beside them: the same
        # count with one review as with five (after a first request, which saves the session).
        review(physician_api, patient, "continue", note="Day 0.")
        physician_client.get(PAGE.format(patient.pk))
        with django_assert_max_num_queries(17):
            assert physician_client.get(PAGE.format(patient.pk)).status_code == 200
        for n in range(1, 5):
            review(physician_api, patient, "continue", note=f"Day {n}.")
        with django_assert_max_num_queries(17):
            assert physician_client.get(PAGE.format(patient.pk)).status_code == 200


def _at_once(calls):
    """Run each call in its own thread and connection, started together; what each returned
    or raised (its exception's class name)."""
    import threading

    from django.db import connections

    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("recorded")
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
class TestAtOnce:
    def _team(self):
        from intake.services.withdrawal_review import withdrawal_review_record
        from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory

        patient = PatientFactory()
        physicians = [UserFactory(role="physician") for _ in range(2)]
        for user in physicians:
            CareTeamMemberFactory(patient=patient, user=user, team_role="physician")
        episode = EpisodeFactory(patient=patient, program="residential", admitted_on=D)
        plan = signed_plan(
            patient,
            physicians[0],
            [{"drug": "clonidine", "dose": "0.1", "frequency": "bid", "start_date": D}],
            signed_at=at(D, 7),
            episode=episode,
        )

        def call(user, decision, outcome=None):
            return lambda: withdrawal_review_record(
                actor=user, patient=patient, decision=decision, note="At once.", outcome=outcome
            )

        return patient, physicians, plan, call

    def test_two_physicians_completing_at_once_write_one_summary(self):
        patient, (a, b), _plan, call = self._team()
        outcomes = _at_once([call(a, "complete", "completed"), call(b, "transfer")])
        assert outcomes == ["NotInWithdrawalManagement", "recorded"], outcomes
        assert WithdrawalReview.objects.filter(patient=patient).count() == 1
        summary = Episode.objects.get(patient=patient).withdrawal_summary
        assert summary["review"] == str(WithdrawalReview.objects.get(patient=patient).pk)

    def test_two_physicians_amending_at_once_open_one_draft(self):
        patient, (a, b), plan, call = self._team()
        assert _at_once([call(a, "amend-plan"), call(b, "amend-plan")]) == [
            "recorded",
            "recorded",
        ]
        draft = TreatmentPlan.objects.get(previous=plan)
        assert set(
            WithdrawalReview.objects.filter(patient=patient).values_list("amendment", flat=True)
        ) == {draft.pk}


def test_the_review_page_shows_the_flowsheet_beside_the_plan(
    physician_client, patient, detox, team_nurse
):
    """The physician reviews the detox, not only the plan: the last days' scores with their
    bands, the vital signs with their flags and each dose as given or held, in words."""
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        plan = signed_plan(
            patient,
            detox.signed_by,
            [
                {
                    "drug": "clonidine",
                    "dose": "0.1",
                    "frequency": "q6h-prn",
                    "start_date": now.date(),
                }
            ],
            signed_at=now - datetime.timedelta(hours=2),
            previous=detox,
            episode=detox.episode,
            withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
        )
        cows(patient, team_nurse, now - datetime.timedelta(minutes=50), 14)
        vitals(
            patient,
            team_nurse,
            now - datetime.timedelta(minutes=40),
            systolic=84,
            diastolic=52,
            heart_rate=58,
        )
        administration_record(
            actor=team_nurse,
            patient=patient,
            data={"medication": med_id(plan, "clonidine"), "status": "held", "reason": "BP 84/52"},
        )
        page = physician_client.get(PAGE.format(patient.pk)).content.decode()
    sheet = page[page.index('data-testid="review-flowsheet"') :]
    assert 'data-testid="withdrawal-flowsheet"' in sheet
    assert "14" in sheet and "Moderate" in sheet
    assert "84" in sheet and "Held" in sheet and "BP 84/52" in sheet
