"""CIWA-Ar through the API and the pages: recorded at every band edge and read back; one over an
item's top refused naming the item, nothing stored; recorded on the assessment page and shown on
the chart, the detail page and the trend in clinical words."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Assessment, Patient
from tests.scoring_support import item_answers
from tests.test_scoring_ciwa_ar import CIWA_AR_EDGES, ITEM_TOPS

pytestmark = pytest.mark.django_db

BAND_WORDS = {
    "mild": "Mild withdrawal",
    "moderate": "Moderate withdrawal",
    "severe": "Severe withdrawal",
}


def _url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/assessments/"


def _post(api: APIClient, patient: Patient, answers: dict[str, Any]) -> Any:
    return api.post(_url(patient), {"instrument": "ciwa-ar", "answers": answers}, format="json")


def _form(*ratings: int, at: str = "2026-11-20T09:30") -> dict[str, str]:
    answers = item_answers(10, *ratings)
    return {f"item_{key}": value for key, value in answers.items()} | {"administered_at": at}


def test_the_api_lists_ciwa_ar_with_its_items_and_bands(api: APIClient, team_nurse: Any) -> None:
    api.force_authenticate(team_nurse)

    body = api.get("/api/v1/instruments/ciwa-ar/").json()

    assert (body["code"], body["version"], len(body["items"])) == ("ciwa-ar", "1", 10)
    assert [len(item["options"]) for item in body["items"]] == [8] * 9 + [5]
    assert [(b["code"], b["min"], b["max"]) for b in body["bands"]] == [
        ("mild", 0, 9),
        ("moderate", 10, 18),
        ("severe", 19, 67),
    ]


@pytest.mark.parametrize(("ratings", "total", "band"), CIWA_AR_EDGES)
def test_the_api_scores_every_band_edge_and_reads_it_back(
    api: APIClient,
    patient: Patient,
    team_nurse: Any,
    ratings: tuple[int, ...],
    total: int,
    band: str,
) -> None:
    api.force_authenticate(team_nurse)
    answers = item_answers(10, *ratings)

    created = _post(api, patient, answers)

    assert created.status_code == 201
    body = created.json()
    assert (body["instrument"], body["version"], body["total"], body["band"], body["alerts"]) == (
        "ciwa-ar",
        "1",
        total,
        band,
        [],
    )
    listed = api.get(_url(patient), {"instrument": "ciwa-ar"}).json()["results"]
    assert [(r["id"], r["total"], r["band"], r["answers"]) for r in listed] == [
        (body["id"], total, band, answers)
    ]
    assert api.get(_url(patient), {"instrument": "cows"}).json()["results"] == []


@pytest.mark.parametrize(("key", "top"), ITEM_TOPS)
def test_the_api_takes_each_items_top_and_refuses_one_over(
    api: APIClient, patient: Patient, team_nurse: Any, key: str, top: int
) -> None:
    api.force_authenticate(team_nurse)

    at_top = _post(api, patient, item_answers(10) | {key: str(top)})
    over = _post(api, patient, item_answers(10) | {key: top + 1})

    assert (at_top.status_code, at_top.json()["total"]) == (201, top)
    assert over.status_code == 400
    assert list(over.json()["answers"]) == [key]
    assert f"'{top + 1}' is not a valid choice" in over.json()["answers"][key][0]
    assert Assessment.objects.count() == 1  # only the one at the top


def test_the_api_refuses_an_unanswered_item(
    api: APIClient, patient: Patient, team_nurse: Any
) -> None:
    api.force_authenticate(team_nurse)
    answers = item_answers(10, 1, 1)
    del answers["10"]

    response = _post(api, patient, answers)

    assert response.status_code == 400
    assert response.json()["answers"] == {"10": ["This item is required."]}
    assert Assessment.objects.count() == 0


def test_a_nurse_records_it_on_the_page_and_the_chart_says_it_in_words(
    client: Client, patient: Patient, team_nurse: Any
) -> None:
    client.force_login(team_nurse)
    index = client.get(f"/patients/{patient.pk}/assessments/").content.decode()
    assert "Clinical Institute Withdrawal Assessment for Alcohol, revised (CIWA-Ar)" in index
    form = client.get(f"/patients/{patient.pk}/assessments/new/ciwa-ar/")
    assert form.status_code == 200
    assert b'data-points="7"' in form.content

    # nausea 4 + tremor 4 + sweats 4 + anxiety 4 + agitation 1 + orientation 1 = 18
    detail = client.post(
        f"/patients/{patient.pk}/assessments/new/ciwa-ar/",
        _form(4, 4, 4, 4, 1, 0, 0, 0, 0, 1),
        follow=True,
    )

    assert detail.status_code == 200
    stored = Assessment.objects.get()
    assert (stored.instrument, stored.version, stored.total, stored.band) == (
        "ciwa-ar",
        "1",
        18,
        "moderate",
    )
    content = detail.content.decode()
    assert 'data-testid="total">18<' in content
    assert "Moderate withdrawal (10-18)" in content
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "CIWA-Ar (alcohol withdrawal)" in chart
    assert "<td>18</td>" in chart
    assert "Moderate withdrawal" in chart
    assert "ciwa-ar<" not in chart and ">moderate<" not in chart


@pytest.mark.parametrize(("ratings", "total", "band"), CIWA_AR_EDGES)
def test_the_page_scores_every_band_edge(
    client: Client,
    patient: Patient,
    team_nurse: Any,
    ratings: tuple[int, ...],
    total: int,
    band: str,
) -> None:
    client.force_login(team_nurse)

    detail = client.post(
        f"/patients/{patient.pk}/assessments/new/ciwa-ar/", _form(*ratings), follow=True
    )

    assert (Assessment.objects.get().total, Assessment.objects.get().band) == (total, band)
    assert f'data-testid="total">{total}<' in detail.content.decode()
    assert BAND_WORDS[band] in detail.content.decode()


@pytest.mark.parametrize(("key", "top"), ITEM_TOPS)
def test_the_page_refuses_one_over_an_items_top(
    client: Client, patient: Patient, team_nurse: Any, key: str, top: int
) -> None:
    client.force_login(team_nurse)
    data = _form() | {f"item_{key}": str(top + 1)}

    response = client.post(f"/patients/{patient.pk}/assessments/new/ciwa-ar/", data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"item_{key}"]
    assert Assessment.objects.count() == 0


def test_the_history_and_trend_show_ciwa_ar_like_cows(
    client: Client, patient: Patient, team_nurse: Any
) -> None:
    client.force_login(team_nurse)
    start = timezone.localtime() - datetime.timedelta(hours=12)
    # A detox night: 21 (severe), 12 (moderate), 6 (mild), four hours apart.
    for hours, ratings in ((0, (7, 7, 7)), (4, (4, 4, 4)), (8, (4, 1, 1))):
        at = (start + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        client.post(f"/patients/{patient.pk}/assessments/new/ciwa-ar/", _form(*ratings, at=at))

    page = client.get(f"/patients/{patient.pk}/assessments/history/ciwa-ar/")

    assert page.status_code == 200
    series = page.context["series"]
    assert [(p["total"], p["band"], p["band_label"]) for p in series] == [
        (21, "severe", "Severe withdrawal"),
        (12, "moderate", "Moderate withdrawal"),
        (6, "mild", "Mild withdrawal"),
    ]
    assert page.context["max_total"] == 67
    content = page.content.decode()
    assert (
        "Clinical Institute Withdrawal Assessment for Alcohol, revised (CIWA-Ar): trend" in content
    )
    assert "chart.umd.min.js" in content
    for words in BAND_WORDS.values():
        assert f"<td>{words}</td>" in content
    listing = client.get(f"/patients/{patient.pk}/assessments/").content.decode()
    assert listing.count("CIWA-Ar (alcohol withdrawal)") == 3
