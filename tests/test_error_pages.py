"""What a user meets when something is wrong: Swedish pages, never Django's English ones."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from styrning.urls import urlpatterns as project_patterns


def _broken(request):
    raise RuntimeError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("odd input")


urlpatterns = [
    *project_patterns,
    path("trasig/", _broken, name="broken"),
    path("misstankt/", _suspicious, name="suspicious"),
]


def _page(response):
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Styrning" in html
    return html


def test_404_is_swedish(client, db):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan hittades inte" in _page(response)


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_swedish(db):
    client = Client(raise_request_exception=False)
    response = client.get("/trasig/")
    assert response.status_code == 500
    html = _page(response)
    assert "Något gick fel" in html and "a bug" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_400_is_swedish(client, db):
    response = client.get("/misstankt/")
    assert response.status_code == 400
    assert "Felaktig begäran" in _page(response)


def test_unknown_host_gets_the_swedish_400(client, db):
    response = client.get("/", HTTP_HOST="angripare.example")
    assert response.status_code == 400
    assert "Felaktig begäran" in _page(response)


def test_csrf_failure_is_swedish_and_says_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/logga-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _page(response)
    assert "Formuläret har gått ut" in html and "ladda om sidan" in html
    assert "CSRF" not in html


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"])
def test_error_templates_render_without_a_request(name):
    """Django renders 500 (and the CSRF page) without a RequestContext."""
    from django.template.loader import render_to_string

    html = render_to_string(name)
    assert '<html lang="sv">' in html and "startsidan" in html.lower()
