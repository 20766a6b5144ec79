"""An adulterated (or substituted, invalid) specimen does not rewrite the nurse's reading: the
reading is kept and shown, what is reported is inconclusive
(docs/clinical-rules.md#specimen-validity), nothing is judged expected, and the pages say what
the specimen status means."""

import pytest

from intake.models import LabResult
from tests.lab_support import api_order, by_test, post_results, uds_entries

pytestmark = pytest.mark.django_db


def test_a_fentanyl_positive_on_an_adulterated_specimen_is_kept_as_read(
    api, client, patient, team_nurse
):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    entries = [e for e in uds_entries(validity={"ph": 3}) if e["test"] != "fentanyl"]
    entries.append({"test": "fentanyl", "qualitative": "positive"})
    body = post_results(api, order["id"], entries).json()

    assert body["specimen_status"] == "adulterated"
    fentanyl = by_test(body)["fentanyl"]
    assert (fentanyl["qualitative"], fentanyl["interpretation"], fentanyl["expected"]) == (
        "positive",
        "inconclusive",
        None,
    )
    stored = LabResult.objects.get(order_id=order["id"], test_id="fentanyl")
    assert (stored.qualitative, stored.interpretation) == ("positive", "inconclusive")

    client.force_login(team_nurse)
    detail = client.get(f"/patients/{patient.pk}/labs/{order['id']}/").content.decode()
    assert "Specimen adulterated — results may not be reliable; recollect." in detail
    assert 'data-testid="result-fentanyl"' in detail
    fentanyl_row = detail.split('data-testid="result-fentanyl"')[1].split("</tr>")[0]
    assert "Read positive" in fentanyl_row
    assert "Reported inconclusive" in fentanyl_row
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "results may not be reliable; recollect" in chart
