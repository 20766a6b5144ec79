"""POST /api/v1/patients/search/ {"q"}: the same answer as GET ?q=, with the name in the body
(issue 10, item 13)."""

import pytest

from intake.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_post_search_answers_like_the_get(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    got = api.get("/api/v1/patients/", {"q": patient.family_name})
    posted = api.post("/api/v1/patients/search/", {"q": patient.family_name}, format="json")
    assert posted.status_code == 200
    assert posted.json() == got.json()
    assert [p["id"] for p in posted.json()["results"]] == [str(patient.pk)]
    assert (
        AuditEvent.objects.filter(patient=patient, object_type="patient-search-result").count() == 2
    )


def test_post_search_refuses_wrong_types_and_roles(api, patient, team_counselor, privacy_officer):
    api.force_authenticate(team_counselor)
    assert api.post("/api/v1/patients/search/", {"q": ["x"]}, format="json").status_code == 400
    api.force_authenticate(privacy_officer)
    assert api.post("/api/v1/patients/search/", {"q": "a"}, format="json").status_code == 403
