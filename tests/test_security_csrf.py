"""CSRF: every POST, to every page and every session-authenticated API endpoint, is refused
without the token. The walk covers new URLs by construction (tests/test_url_walk.py fills
them)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import test_url_walk as walk

values = walk.values  # the walk's fixture: an id for every URL parameter

# The token endpoint takes no cookie (no session), so there is no ambient credential to forge.
NO_COOKIE_AUTH = {"api-token"}


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused(values, team_physician):
    page, api = Client(enforce_csrf_checks=True), APIClient(enforce_csrf_checks=True)
    page.force_login(team_physician)
    api.force_login(team_physician)
    checked = 0
    for route, name, _p in walk._patterns():
        if name in NO_COOKIE_AUTH:
            continue
        url = walk._fill(route, values)
        if url.startswith("/api/"):
            response = api.post(url, {}, format="json")
            assert response.status_code == 403, (name, response.status_code)
            assert b"CSRF Failed" in response.content, name
        else:
            response = page.post(url, {})
            assert response.status_code == 403, (name, response.status_code)
            assert b"CSRF verification failed" in response.content, name
        checked += 1
    assert checked >= 40


@pytest.mark.django_db
def test_the_same_post_with_the_token_gets_through(patient, team_physician):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_physician)
    form = client.get(f"/patients/{patient.pk}/consents/new/")
    token = form.cookies["csrftoken"].value
    response = client.post(f"/patients/{patient.pk}/consents/new/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form again, with the missing elements named
    assert b"Missing element" in response.content
