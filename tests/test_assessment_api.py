import pytest

from intake.models import Assessment, AuditEvent

pytestmark = pytest.mark.django_db

COWS_MODERATE = {  # 1+1+1+1+1+1+1+1+2+2+0 = 12: the top of "mild" (5-12)
    "1": "1",
    "2": "1",
    "3": "1",
    "4": "1",
    "5": "1",
    "6": "1",
    "7": "1",
    "8": "1",
    "9": "2",
    "10": "2",
    "11": "0",
}


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/assessments/"


def test_it_scores_and_stores_a_cows(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    response = api.post(
        _url(patient), {"instrument": "cows", "answers": COWS_MODERATE}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["instrument"], body["version"], body["total"], body["band"], body["alerts"]) == (
        "cows",
        "1",
        12,
        "mild",
        [],
    )
    stored = Assessment.objects.get(pk=body["id"])
    assert stored.answers == COWS_MODERATE
    assert AuditEvent.objects.filter(object_id=str(stored.pk), action="create").exists()


def test_it_raises_suicide_risk_from_phq9_item_9(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    answers = {str(n): "0" for n in range(1, 10)} | {"9": "1"}
    body = api.post(_url(patient), {"instrument": "phq9", "answers": answers}, format="json").json()
    assert (body["total"], body["band"], body["alerts"]) == (1, "minimal", ["suicide-risk"])


def test_it_scores_auditc_by_sex_at_birth(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    answers = {"1": "1", "2": "1", "3": "1"}  # total 3
    body = api.post(
        _url(patient), {"instrument": "auditc", "answers": answers}, format="json"
    ).json()
    assert body["band"] == "positive"  # the patient fixture is female: positive at 3
    patient.sex_at_birth = "male"
    patient.save()
    body = api.post(
        _url(patient), {"instrument": "auditc", "answers": answers}, format="json"
    ).json()
    assert body["band"] == "negative"


def test_it_applies_the_supervision_rule(api, patient, team_physician):
    api.force_authenticate(team_physician)
    answers = {str(n): "no" for n in range(1, 12)} | {"4": "yes", "10": "yes", "11": "yes"}
    unsupervised = api.post(
        _url(patient),
        {"instrument": "dsm5-oud", "answers": answers | {"supervised": "no"}},
        format="json",
    ).json()
    supervised = api.post(
        _url(patient),
        {"instrument": "dsm5-oud", "answers": answers | {"supervised": "yes"}},
        format="json",
    ).json()
    assert (unsupervised["total"], unsupervised["band"]) == (3, "mild")
    assert (supervised["total"], supervised["band"]) == (1, "none")


@pytest.mark.parametrize(
    "answers, bad_items",
    [
        ({**COWS_MODERATE, "12": "0"}, {"12"}),
        ({k: v for k, v in COWS_MODERATE.items() if k != "3"}, {"3"}),
        ({**COWS_MODERATE, "3": "2"}, {"3"}),  # restlessness scores 0, 1, 3 or 5
        ({**COWS_MODERATE, "1": "3", "11": "1"}, {"1", "11"}),
    ],
)
def test_it_refuses_bad_answers_naming_the_items_and_stores_nothing(
    api, patient, team_nurse, answers, bad_items
):
    api.force_authenticate(team_nurse)
    response = api.post(_url(patient), {"instrument": "cows", "answers": answers}, format="json")
    assert response.status_code == 400
    assert set(response.json()["answers"]) == bad_items
    assert Assessment.objects.count() == 0


def test_it_refuses_an_unknown_instrument(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    response = api.post(_url(patient), {"instrument": "bdi", "answers": {}}, format="json")
    assert response.status_code == 400
    assert "instrument" in response.json()


def test_it_lists_newest_first(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    for at in ("2026-11-20T08:00:00Z", "2026-11-20T12:00:00Z", "2026-11-20T10:00:00Z"):
        api.post(
            _url(patient),
            {"instrument": "cows", "answers": COWS_MODERATE, "administered_at": at},
            format="json",
        )
    body = api.get(_url(patient)).json()
    assert [r["administered_at"][11:16] for r in body["results"]] == ["07:00", "05:00", "03:00"]


def test_it_hides_assessments_outside_the_care_team(api, patient, offteam_nurse, clinic_admin):
    api.force_authenticate(offteam_nurse)
    assert api.get(_url(patient)).status_code == 404
    assert (
        api.post(
            _url(patient), {"instrument": "cows", "answers": COWS_MODERATE}, format="json"
        ).status_code
        == 404
    )
    api.force_authenticate(clinic_admin)
    assert api.get(_url(patient)).status_code == 403
    assert Assessment.objects.count() == 0


def test_it_serves_instrument_definitions(api, team_counselor, privacy_officer):
    api.force_authenticate(team_counselor)
    codes = [i["code"] for i in api.get("/api/v1/instruments/").json()]
    assert codes == [
        "dsm5-oud", "cows", "sows", "phq9", "gad7", "dast10", "auditc", "asam", "ciwa-ar"
    ]  # fmt: skip
    cows = api.get("/api/v1/instruments/cows/").json()
    assert cows["version"] == "1"
    assert len(cows["items"]) == 11
    restless = cows["items"][2]
    assert [(o["value"], o["points"]) for o in restless["options"]] == [
        ("0", 0),
        ("1", 1),
        ("3", 3),
        ("5", 5),
    ]
    assert [b["code"] for b in cows["bands"]] == [
        "none",
        "mild",
        "moderate",
        "moderately-severe",
        "severe",
    ]
    assert api.get("/api/v1/instruments/nope/").status_code == 404
    api.force_authenticate(privacy_officer)
    assert api.get("/api/v1/instruments/").status_code == 403
