"""Formatting only: Swedish numbers and periods. No queries, no access checks."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, decimals=None):
    """1234567.50 → "1 234 567,5"; trailing zeros dropped unless ``decimals`` is given."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if decimals is None:
        value = value.normalize()
        exponent = value.as_tuple().exponent
        decimals = max(-exponent, 0) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def period(measurement_row):
    """{"year": 2026, "month": 3} → "2026-03"; a whole year → "2026"."""
    month = measurement_row.get("month")
    year = measurement_row.get("year")
    return f"{year}-{month:02d}" if month else str(year)


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (for the lockout message)."""
    return int(delta.total_seconds() // 60) if delta else 0
