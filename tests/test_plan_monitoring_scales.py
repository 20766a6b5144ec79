"""A detox plan monitors withdrawal with COWS or SOWS (opioids) or CIWA-Ar (alcohol, which
many people with OUD also drink): the scale is stored as its instrument code and shown by its
name on the plan, the diff and the PDF."""

import pytest

from intake.models import TreatmentPlan
from intake.selectors.plan_diff import plan_version_diff
from tests.test_reliability_bounds import _api, _post_plan

pytestmark = pytest.mark.django_db


def test_a_plan_monitors_alcohol_withdrawal_with_ciwa_ar(team_physician, patient, client):
    monitoring = {"instrument": "ciwa-ar", "every_hours": 4}
    response = _post_plan(
        _api(team_physician), patient, medically_supervised_detox=True,
        withdrawal_monitoring=monitoring,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    plan = TreatmentPlan.objects.get()
    assert plan.withdrawal_monitoring == monitoring
    client.force_login(team_physician)
    html = client.get(f"/patients/{patient.pk}/plans/{plan.pk}/").content.decode()
    assert "CIWA-Ar every 4 h" in html
    assert "CIWA-AR" not in html


def test_an_unknown_scale_is_refused_naming_the_choices(team_physician, patient):
    response = _post_plan(
        _api(team_physician), patient, medically_supervised_detox=True,
        withdrawal_monitoring={"instrument": "ciwa", "every_hours": 4},
    )  # fmt: skip
    assert response.status_code == 400
    assert "instrument" in str(response.json())
    assert not TreatmentPlan.objects.exists()


def test_the_diff_names_the_scale():
    before = {"withdrawal_monitoring": {"instrument": "cows", "every_hours": 4}}
    after = {"withdrawal_monitoring": {"instrument": "ciwa-ar", "every_hours": 2}}
    change = plan_version_diff(before, after).plan
    assert [(c.what, c.before, c.after) for c in change] == [
        ("Withdrawal monitoring", "COWS every 4 hours", "CIWA-Ar every 2 hours")
    ]


def test_the_plan_form_offers_the_three_scales(team_physician, patient, client):
    client.force_login(team_physician)
    html = client.get(f"/patients/{patient.pk}/plans/new/").content.decode()
    for value, name in (("cows", "COWS"), ("sows", "SOWS"), ("ciwa-ar", "CIWA-Ar")):
        assert f'<option value="{value}">{name}</option>' in html
