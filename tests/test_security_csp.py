"""Content-Security-Policy (security issue 15): every page carries the header; only the site's
own files script or style a page, so templates have no inline <script>, no on*= handler and no
style= attribute; in Debian's chromium the main pages raise no policy violation and still work
(the running total of an instrument, the trend charts, the print buttons)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone

from intake.models import Interview, TeamRole
from intake.views import errors
from tests.browser_support import ARTIFACTS, sign_in
from tests.factories import (
    AssessmentFactory,
    CareTeamMemberFactory,
    PatientFactory,
    TreatmentPlanFactory,
    UserFactory,
)
from tests.test_url_walk import _fill, _patterns, values  # noqa: F401 - `values` is a fixture

TEMPLATES = settings.BASE_DIR / "templates"
# Data blocks (json_script) are <script> elements the browser never runs; CSP allows them.
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}
# The pages the walk below must reach: if a rename hides one, the test says so.
MAIN_PAGES = {
    "intake:home",
    "intake:patient-detail",
    "intake:assessment-list",
    "intake:assessment-create",
    "intake:assessment-detail",
    "intake:assessment-history",
    "intake:lab-list",
    "intake:lab-order-detail",
    "intake:lab-result-entry",
    "intake:plan-detail",
    "intake:plan-edit",
    "intake:interview-update",
    "intake:disclosure-list",
    "intake:disclosure-detail",
    "intake:mfa",
    "intake:staff-list",
    "intake:audit-list",
}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


class _InlineFinder(HTMLParser):
    """What a policy without 'unsafe-inline' would block: inline <script>, on*= handlers,
    style= attributes, javascript: links, <style> elements."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            if (names.get("type") or "").lower() not in DATA_BLOCK_TYPES:
                self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"style= on <{tag}> at line {self.getpos()[0]}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def _inline(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def _assert_clean(response, where: str):
    assert _inline(response.content.decode()) == [], where
    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"], where


def _signed_in_get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_it_finds_what_the_policy_would_block():
    # The checker itself: each kind of inline code is caught, data blocks and src= are not.
    html = (
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
        '<script>alert(1)</script><button onclick="x()"></button><div style="top:0"></div>'
        '<a href="javascript:void(0)">x</a><style>p{}</style>'
    )
    assert len(_inline(html)) == 5


@pytest.mark.django_db
def test_it_sends_the_policy_on_every_page(client, team_physician):
    for response in (client.get("/accounts/login/"), _signed_in_get(client, team_physician, "/")):
        assert response.status_code == 200
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        for directive in ("script-src", "style-src", "default-src"):
            assert "'unsafe-inline'" not in policy[directive]
            assert "'unsafe-eval'" not in policy[directive]


@pytest.mark.django_db
def test_it_renders_every_page_without_inline_script_or_style(
    values,  # noqa: F811 - the URL walk's records: a patient with one of everything
    team_physician,
    clinic_admin,
    privacy_officer,
):
    checked = set()
    for user in (team_physician, clinic_admin, privacy_officer):
        client = Client()
        client.force_login(user)
        for route, name, _p in _patterns():
            if route.startswith("api/") or name in ("login", "logout"):
                continue
            response = client.get(_fill(route, values))
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            _assert_clean(response, f"{name} as {user.username}")
            checked.add(name)
    assert MAIN_PAGES <= checked, MAIN_PAGES - checked


@pytest.mark.django_db
def test_it_renders_the_sign_in_and_error_pages_without_inline_script_or_style(
    client, patient, offteam_physician
):
    _assert_clean(client.get("/accounts/login/"), "login")
    client.force_login(offteam_physician)
    # A patient off the physician's teams: the 404 page offers emergency access (its form).
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 404
    assert b'data-testid="emergency-access"' in response.content
    _assert_clean(response, "404 with emergency access")
    request = RequestFactory().get("/")
    request.user = offteam_physician
    for response in (
        errors.bad_request(request),
        errors.permission_denied(request),
        errors.server_error(request),
    ):
        assert _inline(response.content.decode()) == [], response.status_code


def test_it_keeps_every_template_free_of_inline_script_or_style():
    # Branches the walk does not reach (a signed plan's print button, say) are checked in the
    # template source.
    script = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style = re.compile(r"\sstyle\s*=|<style\b", re.I)
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for kind, pattern in (("script", script), ("on*=", handler), ("style", style)):
                if pattern.search(line):
                    found.append(f"{path.relative_to(TEMPLATES)}:{n}: {kind}")
    assert found == []


# In the browser. The init script records every violation the page reports (window.__csp) and
# hands it to the test, which survives navigations; window.print only counts its calls.
RECORD_VIOLATIONS = """
window.__csp = [];
window.__printed = 0;
window.print = function () { window.__printed += 1; };
document.addEventListener("securitypolicyviolation", function (e) {
  var v = {page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
           sample: e.sample};
  window.__csp.push(v);
  if (window.cspViolation) { window.cspViolation(v); }
}, true);
"""
# Which answer (by its position) to pick on each COWS item.
COWS_CHOICES = [1, 2, 0, 1, 3, 0, 1, 0, 2, 1, 0]


def _canvas_drawn(page, selector: str) -> bool:
    """Whether the canvas has any painted pixel (Chart.js ran and drew)."""
    return page.eval_on_selector(
        selector,
        """c => { const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                  for (let i = 3; i < d.length; i += 4) { if (d[i]) return true; }
                  return false; }""",
    )


def _records(physician, patient):
    from tests.lab_support import ecg_and_blood_history

    for days_ago, total in ((21, 9), (14, 7), (3, 4)):
        AssessmentFactory(
            patient=patient,
            administered_by=physician,
            total=total,
            band="severe" if total >= 6 else "moderate",
            administered_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
    ecg_and_blood_history(patient, physician)  # ALT and QTc results: the chart's lab trend charts
    plan = TreatmentPlanFactory(patient=patient)
    interview = Interview.objects.create(
        patient=patient, author=physician, interviewed_on=datetime.date(2026, 10, 1)
    )
    return plan, interview


def _watch(page) -> tuple[list, list]:
    """Record the page's policy violations and console errors, from its first script on."""
    violations, console_errors = [], []
    page.expose_function("cspViolation", lambda v: violations.append(v))
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    return violations, console_errors


def _check_lab_trends(page, chart: str) -> None:
    page.goto(f"{chart}/")
    page.wait_for_selector("canvas[data-lab-trend]")
    page.wait_for_function("document.querySelectorAll('canvas[data-lab-trend]').length >= 2")
    for n in range(page.locator("canvas[data-lab-trend]").count()):
        assert _canvas_drawn(page, f"canvas[data-lab-trend] >> nth={n}")


def _check_cows_running_total(page, chart: str) -> None:
    page.goto(f"{chart}/assessments/new/cows/")
    assert page.get_by_test_id("running-total").inner_text() == "0"
    expected = 0
    for item, position in enumerate(COWS_CHOICES, 1):
        label = page.locator(f"fieldset[data-item=item_{item}] label").nth(position)
        label.click()
        expected += int(label.locator(".pts").inner_text().strip("()"))  # "(2)", from the server
        assert page.get_by_test_id("running-total").inner_text() == str(expected)
    assert expected > 0
    assert page.locator("#answered").inner_text() == "(11 of 11 answered)"
    page.screenshot(path=ARTIFACTS / "csp-assessment-form.png", full_page=True)


def _check_history_trend_and_print(page, chart: str) -> None:
    page.goto(f"{chart}/assessments/history/dsm5-oud/")
    page.wait_for_selector("canvas#trend")
    assert _canvas_drawn(page, "canvas#trend")
    page.screenshot(path=ARTIFACTS / "csp-assessment-history.png", full_page=True)

    page.goto(f"{chart}/disclosures/")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") == 1


# As tests.browser_support.BROWSER, for this one test of the module.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_it_raises_no_policy_violation_on_the_main_pages(live_server, browser):
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    patient = PatientFactory(given_name="Dario", family_name="Whitfield", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    plan, interview = _records(physician, patient)
    base, chart = live_server.url, f"{live_server.url}/patients/{patient.pk}"

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations, console_errors = _watch(page)

    # The first sign-in enrols an authenticator: the page with the inline SVG QR code.
    sign_in(page, base, "okafor")
    pages = [
        f"{base}/",
        f"{chart}/",
        f"{chart}/assessments/",
        f"{chart}/labs/",
        f"{chart}/plans/{plan.pk}/",
        f"{chart}/plans/{plan.pk}/edit/",
        f"{chart}/interviews/{interview.pk}/edit/",
        f"{base}/account/second-factor/",
    ]
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == [], url

    _check_lab_trends(page, chart)
    _check_cows_running_total(page, chart)
    _check_history_trend_and_print(page, chart)

    page.wait_for_timeout(200)  # violation reports are queued as tasks
    assert violations == []
    assert console_errors == []
    page.close()
