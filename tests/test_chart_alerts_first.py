"""Open alerts come first on the chart, above episodes and interviews; patient lists flag a
critical result nobody has acknowledged yet."""

import pytest

from intake.services.lab import lab_alert_acknowledge
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory
from tests.worklist_support import critical_qtc, draft_interview, suicide_risk_phq9

pytestmark = pytest.mark.django_db


def test_it_puts_open_alerts_above_episodes_and_interviews(
    client, patient, team_nurse, team_counselor
):
    EpisodeFactory(patient=patient)
    draft_interview(patient, team_counselor)
    critical_qtc(patient, team_nurse)
    suicide_risk_phq9(patient, team_counselor)
    client.force_login(team_nurse)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    alerts = html.index('data-testid="open-alerts"')
    assert alerts < html.index('data-testid="lab-alert"') < html.index('id="episodes"')
    assert alerts < html.index('data-testid="chart-safety-alert"') < html.index('id="episodes"')
    assert html.index('id="episodes"') < html.index('id="interviews"')
    # The lab card points up to them instead of repeating them.
    assert html.count('data-testid="lab-alert"') == 1
    assert "1 open lab alert</a>, shown first on the chart" in html


def test_a_chart_without_open_alerts_has_no_alert_block(client, patient, team_nurse):
    client.force_login(team_nurse)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="open-alerts"' not in html


def _flags(html: str) -> int:
    return html.count('data-testid="critical-flag"')


def test_search_results_and_my_patients_flag_open_critical_results(
    client, patient, team_nurse, team_physician
):
    calm = PatientFactory(given_name="Mario", family_name="Lopezz")
    CareTeamMemberFactory(patient=calm, user=team_physician)
    order = critical_qtc(patient, team_nurse)
    client.force_login(team_physician)
    found = client.post("/patients/", {"q": "lopez"}).content.decode()
    assert _flags(found) == 1
    row = found[found.index("Lopez, Maria") :]
    assert row.index('data-testid="critical-flag"') < row.index("</tr>")
    home = client.get("/").content.decode()
    caseload = home[home.index('data-testid="my-patients"') :]
    assert _flags(caseload) == 1 and "Critical result" in caseload

    # One acknowledgement takes the whole finding (both alerts of the QTc).
    lab_alert_acknowledge(
        actor=team_physician, alert=order.alert_rows.first(), note="Seen; ECG repeated."
    )
    assert _flags(client.post("/patients/", {"q": "lopez"}).content.decode()) == 0


def test_clinic_administrators_never_see_the_clinical_flag(
    client, patient, team_nurse, clinic_admin
):
    critical_qtc(patient, team_nurse)
    client.force_login(clinic_admin)
    found = client.post("/patients/", {"q": "lopez"}).content.decode()
    assert "Lopez, Maria" in found
    assert _flags(found) == 0
