"""Safe by default (issue 10, item 16): the settings `make run` serves with have DEBUG off, so
an unknown page is the app's own 404, and static files are still served (WhiteNoise)."""

import importlib

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_make_run_settings_have_debug_off(monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    import clinic.settings.dev as dev

    assert importlib.reload(dev).DEBUG is False
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    assert importlib.reload(dev).DEBUG is True
    monkeypatch.delenv("DJANGO_DEBUG")
    importlib.reload(dev)  # leave the module as the other tests found it


@override_settings(DEBUG=False)
def test_an_unknown_page_is_the_apps_own_404(client, team_counselor):
    client.force_login(team_counselor)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "URLconf" not in html and "Using the URLconf" not in html
    assert "DEBUG = True" not in html


def test_static_files_are_served_without_debug(client):
    response = client.get("/static/intake/clinic.css")
    assert response.status_code == 200
