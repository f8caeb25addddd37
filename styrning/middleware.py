"""django-csp's middleware with the policy from the settings built once per process.

django-csp built the same header from the settings on every response (its parts copied
into dicts, each directive copied and joined: some 340 function calls a request). A
response with nothing of its own (no nonce used, no decorator's policy, no excluded
prefix) gets the header built once; any other is django-csp's own.
"""

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view's decorators set to give a response a policy of its own.
PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
SETTINGS = {
    "CONTENT_SECURITY_POLICY": HEADER,
    "CONTENT_SECURITY_POLICY_REPORT_ONLY": HEADER_REPORT_ONLY,
}


@cache
def settings_headers() -> tuple[tuple[str, str], ...] | None:
    """(header, policy) for each policy the settings give, as django-csp builds it;
    None when a policy excludes URL prefixes (django-csp decides per path)."""
    headers = []
    for name, header in SETTINGS.items():
        policy = getattr(settings, name, None) or {}
        if policy.get("EXCLUDE_URL_PREFIXES"):
            return None
        built = build_policy(report_only=header == HEADER_REPORT_ONLY)
        if built:
            headers.append((header, built))
    return tuple(headers)


@receiver(setting_changed)
def _forget_headers(*, setting, **kwargs):
    if setting in SETTINGS:
        settings_headers.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        headers = settings_headers()
        if (
            headers is None
            or settings.DEBUG  # django-csp leaves DEBUG's error pages without a policy
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_RESPONSE)
        ):
            return super().process_response(request, response)
        for header, policy in headers:
            if header not in response:
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
