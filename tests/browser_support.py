"""Shared set-up of the end-to-end tests: Debian's chromium driven by Playwright (never a
downloaded browser), and signing in through the real form."""

import importlib
import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def reference_data():
    """What the data migrations load (role groups, lab catalog). A browser test commits, so the
    test before it may have emptied every table; both loaders are idempotent."""
    from django.apps import apps

    importlib.import_module("intake.migrations.0002_roles_mrn_audit_guard").create_groups(
        apps, None
    )
    importlib.import_module("intake.migrations.0005_lab_catalog").load(apps, None)
    importlib.import_module(
        "intake.migrations.0018_lab_plausible_limits_not_tested_alert_closure"
    ).forward(apps, None)


# Browser tests talk to a live server in another thread, so their data is committed.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        _second_factor(page, base, username)
    page.wait_for_url(f"{base}/")


def _second_factor(page, base: str, username: str) -> None:
    """Physicians and clinic administrators enrol an authenticator at their first sign-in;
    enrolled accounts enter its code. The test plays the authenticator app."""
    import base64

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secret = page.get_by_test_id("totp-secret")
    if secret.count():
        raw = secret.inner_text().strip()
        key = base64.b32decode(raw + "=" * (-len(raw) % 8))
        button = "Confirm and sign in"
    else:
        key = TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
        button = "Verify and sign in"
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    if not page.url.rstrip("/").endswith(base.rstrip("/")):
        page.goto(f"{base}/")
