"""Every query of the key pages can use an index on the large tables (EXPLAIN).

The data: one generated clinic (`generate_data`, 500 patients: ~65,000 lab results, ~6,000
assessments, ~10,000 audit events), analyzed. Each page is requested as the benchmark requests
it, its SELECTs are captured and explained:
- as the planner would run them here: no Seq Scan on a table that is large even in this test;
- with enable_seqscan off: no Seq Scan on any table that grows with the network. The test's
  tables are small enough that reading one whole is sometimes cheapest (and the planner rightly
  says so), but at 100,000 patients they are not; a Seq Scan chosen even with sequential scans
  disabled means no index can serve that filter or sort.
"""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from intake.models import Patient, TreatmentPlan

pytestmark = pytest.mark.django_db

# Tables that grow with the number of patients (reference tables such as intake_labtest,
# intake_labpanel and auth_group stay small and are read whole).
GROWING = {
    "intake_patient",
    "intake_careteammember",
    "intake_episode",
    "intake_interview",
    "intake_substanceuse",
    "intake_assessment",
    "intake_diagnosis",
    "intake_laborder",
    "intake_labresult",
    "intake_labalert",
    "intake_treatmentplan",
    "intake_planmedication",
    "intake_planbehavioral",
    "intake_auditevent",
    "intake_breakglassgrant",
    "auth_user",
    "django_session",
    "authtoken_token",
}
# Large even in this test: the planner must pick an index with ordinary settings.
LARGE_HERE = {"intake_labresult", "intake_laborder", "intake_assessment", "intake_auditevent"}


@pytest.fixture
def network(db):
    """One generated clinic: ~125 patients per physician, as in the benchmark."""
    call_command("generate_data", patients=500, seed=7, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    User = get_user_model()
    physician = (
        User.objects.filter(groups__name="Physician")
        .annotate(n=Count("care_team_memberships", filter=Q(care_team_memberships__ended_at=None)))
        .order_by("-n", "id")
        .first()
    )
    patient = (
        Patient.objects.filter(
            care_team__user=physician,
            care_team__ended_at=None,
            treatment_plans__status="active",
            lab_orders__panel_id="uds",
        )
        .distinct()
        .order_by("mrn")
        .first()
    )
    return {
        "physician": physician,
        "patient": patient,
        "plan": TreatmentPlan.objects.get(patient=patient, status="active"),
        "privacy": User.objects.filter(groups__name="Privacy officer").first(),
        "fragment": patient.family_name[:3].lower(),
    }


def _selects(client, method, url, data=None, token=None) -> list[str]:
    kwargs = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    client.get("/") if token is None else None
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, **kwargs)
    assert response.status_code == 200, response.content[:300]
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _seq_scans(sql: str, *, seqscan: bool) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = {'on' if seqscan else 'off'}")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
    found = set()

    def walk(node):
        if node.get("Node Type") == "Seq Scan":
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return found


def _assert_indexed(page: str, selects: list[str]) -> None:
    assert selects, page
    for sql in selects:
        assert not _seq_scans(sql, seqscan=True) & LARGE_HERE, f"{page}: {sql}"
        assert not _seq_scans(sql, seqscan=False) & GROWING, f"{page}: {sql}"


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def test_the_key_pages_use_indexes(client, network):
    """One generated network (a few seconds to build), every page the benchmark measures."""
    physician, patient, plan = network["physician"], network["patient"], network["plan"]
    token = _token(physician)
    today = datetime.date.today()
    audit = {
        "patient": str(patient.pk),
        "since": (today - datetime.timedelta(days=365)).isoformat(),
        "until": today.isoformat(),
    }
    api = [
        ("patient search API, name", "/api/v1/patients/", {"q": network["fragment"]}),
        ("patient search API, MRN", "/api/v1/patients/", {"q": patient.mrn}),
        ("patient search API, birth date", "/api/v1/patients/", {"q": "1985-03-14"}),
        ("lab results API", f"/api/v1/patients/{patient.pk}/lab-results/", {"test": "fentanyl"}),
        ("review queue API", "/api/v1/review-queue/", None),
    ]
    for name, url, data in api:
        _assert_indexed(name, _selects(client, "get", url, data, token=token))

    client.force_login(physician)
    pages = [
        ("patient search page", "post", "/patients/", {"q": network["fragment"]}),
        ("chart (drug-screen table)", "get", f"/patients/{patient.pk}/", None),
        ("lab list", "get", f"/patients/{patient.pk}/labs/", None),
        ("home", "get", "/", None),
        ("plan", "get", f"/patients/{patient.pk}/plans/{plan.pk}/", None),
        ("history", "get", f"/patients/{patient.pk}/assessments/history/phq9/", None),
    ]
    for name, method, url, data in pages:
        selects = _selects(client, method, url, data)
        if name.startswith("chart"):
            assert any("intake_labresult" in sql for sql in selects)
        _assert_indexed(name, selects)

    # The other roles' worklists read other tables (orders, specimens, assessments, drafts).
    for group in ("Nurse", "Counselor"):
        clinician = (
            get_user_model()
            .objects.filter(groups__name=group, care_team_memberships__ended_at=None)
            .annotate(n=Count("care_team_memberships"))
            .order_by("-n", "id")
            .first()
        )
        client.force_login(clinician)
        _assert_indexed(f"{group.lower()} home", _selects(client, "get", "/"))

    privacy = network["privacy"]
    _assert_indexed("audit API", _selects(client, "get", "/api/v1/audit-events/", audit,
                                          token=_token(privacy)))  # fmt: skip
    client.force_login(privacy)
    _assert_indexed("audit report", _selects(client, "get", "/audit/", audit))

    # A clinic administrator searches the whole network: the trigram indexes, not every row.
    admin = get_user_model().objects.filter(groups__name="Clinic administrator").first()
    for sql in _selects(client, "get", "/api/v1/patients/", {"q": "garc"}, token=_token(admin)):
        assert "intake_patient" not in _seq_scans(sql, seqscan=False), sql
