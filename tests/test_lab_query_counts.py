"""The chart's lab section and the lab list run a fixed number of queries, whatever the number
of orders, results and alerts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.selectors.lab_chart import lab_chart_section
from intake.services.lab import lab_order_create, lab_results_record
from tests.lab_support import uds_entries

pytestmark = pytest.mark.django_db


def _add_orders(patient, nurse, n, start=0):
    """n resulted orders of mixed panels (urine screens, ECGs with critical QTc, blood work)
    and one pending order each round."""
    for i in range(start, start + n):
        panel = ("uds", "ecg", "intake-blood")[i % 3]
        order = lab_order_create(actor=nurse, patient=patient, panel=panel)
        entries = {
            "uds": uds_entries({"fentanyl": 4, "buprenorphine": 10}),
            "ecg": [{"test": "qtc", "value": 505 + i}],
            "intake-blood": [
                {"test": "alt", "value": 30 + i},
                {"test": "hcg", "qualitative": "negative"},
            ],
        }[panel]
        lab_results_record(
            actor=nurse,
            order=order,
            collected_at=timezone.now() - datetime.timedelta(days=40 - i),
            observed=True,
            entries=entries,
        )
    lab_order_create(actor=nurse, patient=patient, panel="pregnancy")


def _section_queries(patient, user):
    from intake import access

    access.forget_cached(user)
    access.is_on_care_team(user, patient)  # cached per request by resolve_patient
    with CaptureQueriesContext(connection) as ctx:
        section = lab_chart_section(patient=patient, user=user)
    return len(ctx.captured_queries), section


def test_it_reads_the_chart_lab_section_in_constant_queries(patient, team_nurse, team_physician):
    _add_orders(patient, team_nurse, 2)
    small, section = _section_queries(patient, team_physician)
    assert len(section["drug_screens"].rows) == 1
    _add_orders(patient, team_nurse, 8, start=2)
    large, section = _section_queries(patient, team_physician)
    assert large == small
    assert small <= 4
    assert len(section["drug_screens"].rows) == 4
    assert len(section["alert_groups"]) == 3 + 4  # critical QTc x3, bup without metabolite x4
    assert [p["y"] for p in section["trends"]["qtc"]["points"]] == [506, 509, 512]
    assert [p["y"] for p in section["trends"]["alt"]["points"]] == [32, 35, 38]
    assert len(section["pending"]) == 2


def _page_queries(client, url):
    client.get("/")  # the first request after sign-in renews the session; measure steady state
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_it_keeps_the_chart_and_lab_list_constant_as_orders_grow(client, patient, team_nurse):
    client.force_login(team_nurse)
    _add_orders(patient, team_nurse, 2)
    chart_small, _ = _page_queries(client, f"/patients/{patient.pk}/")
    list_small, _ = _page_queries(client, f"/patients/{patient.pk}/labs/")
    _add_orders(patient, team_nurse, 8, start=2)
    chart_large, chart = _page_queries(client, f"/patients/{patient.pk}/")
    list_large, listing = _page_queries(client, f"/patients/{patient.pk}/labs/")
    assert chart_large == chart_small
    assert list_large == list_small
    assert list_small <= 10
    assert chart.content.decode().count('data-testid="lab-alert"') == 7
    assert listing.content.decode().count("Enter results") == 2


def test_it_shows_the_drug_screen_table_with_unexpected_results(client, patient, team_nurse):
    _add_orders(patient, team_nurse, 4)
    client.force_login(team_nurse)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    table = html[html.index('data-testid="lab-drug-screens"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + 2  # header and one row per collection
    assert ">Fentanyl<" in table and ">Norbuprenorphine<" in table
    # Fentanyl and buprenorphine positive in a patient on no medication: unexpected.
    assert table.count("lab-unexpected") == 2 * 2
    assert 'data-lab-trend="qtc"' in html and 'id="lab-trends-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "intake/lab_trends.js" in html
