"""The client's address, as login throttling (django-axes) counts it."""

from ipaddress import ip_address

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind the one trusted proxy (BEHIND_PROXY=1), the right-most
    X-Forwarded-For entry, which that proxy appended. Entries further left were sent by
    the client and could name anyone, so a forged address can never lock out another."""
    remote = request.META.get("REMOTE_ADDR")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        appended = _valid(forwarded.split(",")[-1]) if forwarded else None
        if appended:
            return appended
    return remote
