"""Login throttling, security headers and the public accessibility statement."""

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
