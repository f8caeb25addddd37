"""Login throttling, security headers and the public accessibility statement."""

import pytest
from django.test import override_settings
from django.urls import reverse


def test_login_locks_after_repeated_failures_with_a_swedish_message(client, world):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "politiker", "password": "fel"})
    assert response.status_code in (403, 429)
    assert "För många misslyckade inloggningar" in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("login"), {"username": "politiker", "password": "pw"})
    assert response.status_code in (403, 429)


def test_wrong_password_message_is_swedish(client, world):
    response = client.post(reverse("login"), {"username": "politiker", "password": "fel"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_csp_without_unsafe_inline_and_frame_headers(client, world):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def _csp_headers(middleware_class, view):
    """The CSP headers ``middleware_class`` gives ``view``'s response to a fresh request."""
    from django.test import RequestFactory

    response = middleware_class(view)(RequestFactory().get("/"))
    return {k: v for k, v in response.headers.items() if k.startswith("Content-Security")}


def _plain(request):
    from django.http import HttpResponse

    return HttpResponse("x")


def _updated(request):
    response = _plain(request)
    response._csp_update = {"img-src": ["https://kartor.example"]}
    return response


def _with_nonce(request):
    from django.http import HttpResponse

    return HttpResponse(str(request.csp_nonce))


REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp/"}}


@pytest.mark.parametrize("view", [_plain, _updated, _with_nonce])
@pytest.mark.parametrize("report_only", [None, REPORT_ONLY])
def test_csp_headers_are_django_csps(view, report_only, settings):
    """styrning.middleware.CSPMiddleware (the policy built once) writes django-csp's headers."""
    import re

    from csp.middleware import CSPMiddleware as DjangoCSPMiddleware

    from styrning.middleware import CSPMiddleware

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = report_only
    if view is _with_nonce:
        from csp.constants import NONCE

        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        settings.CONTENT_SECURITY_POLICY = {
            "DIRECTIVES": {**directives, "script-src": ["'self'", NONCE]}
        }
    ours, theirs = (_csp_headers(m, view) for m in (CSPMiddleware, DjangoCSPMiddleware))
    nonce = re.compile(r"'nonce-[^']+'")
    assert {k: nonce.sub("N", v) for k, v in ours.items()} == {
        k: nonce.sub("N", v) for k, v in theirs.items()
    }
    assert len(ours) == (2 if report_only else 1)
    assert ("kartor.example" in str(ours)) == (view is _updated)
    assert ("'nonce-" in str(ours)) == (view is _with_nonce)


def test_a_nonce_asked_for_after_the_csp_header_is_refused():
    from csp.exceptions import CSPNonceError
    from django.test import RequestFactory

    from styrning.middleware import CSPMiddleware

    request = RequestFactory().get("/")
    CSPMiddleware(_plain)(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_session_cookie_is_secure_httponly_and_expires(client, world, settings):
    response = client.post(reverse("login"), {"username": "politiker", "password": "pw"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_accessibility_statement_is_public(client, db):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "Tillgänglighetsredogörelse" in response.content.decode()


def _fail_five_times(client, **meta):
    for _ in range(5):
        client.post(reverse("login"), {"username": "politiker", "password": "fel"}, **meta)


def _login(client, **meta):
    return client.post(reverse("login"), {"username": "politiker", "password": "pw"}, **meta)


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_only_the_connection_address_counts(client, world):
    # The attacker names the victim's address; without a proxy the header is ignored.
    _fail_five_times(client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.50")
    victim = _login(client, REMOTE_ADDR="192.0.2.50")
    assert victim.status_code == 302, "a forged header locked out another address"
    client.logout()
    assert _login(client, REMOTE_ADDR="203.0.113.9").status_code in (403, 429)


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_it_appended_counts(client, world):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The attacker forges the victim's address; the proxy appends the attacker's own.
    _fail_five_times(client, HTTP_X_FORWARDED_FOR="192.0.2.50, 203.0.113.9", **proxy)
    victim = _login(client, HTTP_X_FORWARDED_FOR="192.0.2.50", **proxy)
    assert victim.status_code == 302, "a forged X-Forwarded-For entry locked out the victim"
    client.logout()
    # The attacker's real address (the one the proxy appended) is the one locked.
    attacker = _login(client, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9", **proxy)
    assert attacker.status_code in (403, 429)
