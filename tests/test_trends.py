"""The trend page `/patients/{id}/trends/{instrument}/` (docs/clinical-rules.md#trends): each
score over time against the instrument's bands, the signed plan versions marked, the scores in
a table, and for the PHQ-9 the episode's response and remission in words."""

import html
import json
import re
import uuid

import pytest

from tests.factories import mark_signed, methadone_plan
from tests.mar_support import at
from tests.reassessment_support import TODAY, admitted, days_ago, detox_plan, on_day, scored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def trend(client, user, patient, code="phq9", status=200):
    client.force_login(user)
    response = client.get(f"/patients/{patient.pk}/trends/{code}/")
    assert response.status_code == status
    return html.unescape(response.content.decode())


def data(page, element_id):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, element_id
    return json.loads(found.group(1))


def phq9s(patient, *totals):
    for n, total in enumerate(totals):
        scored(patient, "phq9", on_day(days_ago(len(totals) - n)), total=total, band="moderate")


def test_it_draws_the_scores_on_the_bands_with_the_plan_changes(
    client, patient, team_counselor, team_physician
):
    admitted(patient, days_ago(30))
    phq9s(patient, 18, 12, 8)
    first = detox_plan(patient, team_physician, signed_at=at(days_ago(2), 9))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 9), previous=first)
    page = trend(client, team_counselor, patient)
    assert 'id="trend"' in page  # the chart's canvas
    bands = data(page, "bands-data")
    assert [b["code"] for b in bands][:2] == ["minimal", "mild"]
    assert bands[0]["min"] == 0 and bands[-1]["max"] == 27
    assert "Moderately severe (15-19)" in page  # the bands named beside the chart
    changes = data(page, "plan-changes-data")
    assert [c["label"] for c in changes] == [
        "Plan signed (version 1)",
        "Plan amended (version 2): Dose change",
    ]
    assert "Plan amended (version 2): Dose change" in page
    assert [p["total"] for p in data(page, "series-data")] == [18, 12, 8]  # oldest first
    table = page[page.index('data-testid="history"') :]
    assert table.index(">8<") < table.index(">18<")  # the table newest first
    assert "vendor/chartjs/chart.umd.min.js" in page and "<script>" not in page


@pytest.mark.parametrize(
    ("totals", "words"),
    [
        ((20, 10), ["Response: the latest PHQ-9 (10) is 50% below", "Not in remission"]),
        ((27, 14), ["No response: the latest PHQ-9 (14) is 48% below", "Not in remission"]),
        ((12, 4), ["Response:", "In remission: the latest PHQ-9 is 4, below 5."]),
        ((12, 5), ["Response:", "Not in remission: the latest PHQ-9 is 5"]),
        ((9, 2), ["The episode's first PHQ-9 was 9, below 10: response and remission are not"]),
        ((15,), ["One PHQ-9 in this episode"]),
    ],
)
def test_phq9_response_and_remission_in_words(client, patient, team_counselor, totals, words):
    admitted(patient, days_ago(30))
    phq9s(patient, *totals)
    page = trend(client, team_counselor, patient)
    outcome = page[page.index('data-testid="phq9-outcome"') :]
    outcome = outcome[: outcome.index("</div>")]
    for text in words:
        assert text in outcome


def test_only_the_episodes_phq9s_count(client, patient, team_counselor):
    # A PHQ-9 of 9 before this admission is not the episode's first.
    scored(patient, "phq9", on_day(days_ago(100)), total=9)
    admitted(patient, days_ago(30))
    phq9s(patient, 20, 10)
    assert "Response: the latest PHQ-9 (10) is 50% below the episode's first (20)" in trend(
        client, team_counselor, patient
    )


def test_other_instruments_have_no_phq9_outcome(client, patient, team_nurse, team_physician):
    admitted(patient, days_ago(3))
    scored(patient, "cows", at(TODAY, 8), total=9, band="mild")
    plan = methadone_plan(patient, dose="30", start_date=days_ago(2))
    mark_signed(plan, team_physician, signed_at=at(days_ago(2), 9))
    page = trend(client, team_nurse, patient, "cows")
    assert 'data-testid="phq9-outcome"' not in page
    assert "Plan signed (version 1)" in page
    for code in ("gad7", "sows", "ciwa-ar", "dast10", "auditc"):
        assert "Not administered yet." in trend(client, team_nurse, patient, code)


def test_the_older_address_shows_the_same_page(client, patient, team_counselor):
    admitted(patient, days_ago(30))
    phq9s(patient, 20, 10)
    client.force_login(team_counselor)
    old = client.get(f"/patients/{patient.pk}/assessments/history/phq9/").content.decode()
    assert "Response: the latest PHQ-9 (10)" in old


def test_off_team_unknown_and_no_such_instrument_are_404(
    client, patient, offteam_counselor, team_counselor
):
    trend(client, offteam_counselor, patient, status=404)
    client.force_login(team_counselor)
    assert client.get(f"/patients/{uuid.uuid4()}/trends/phq9/").status_code == 404
    trend(client, team_counselor, patient, "no-such", status=404)


def test_the_chart_and_assessment_pages_link_to_the_trend(client, patient, team_counselor):
    admitted(patient, days_ago(30))
    phq9s(patient, 20)
    client.force_login(team_counselor)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/patients/{patient.pk}/trends/phq9/" in chart
