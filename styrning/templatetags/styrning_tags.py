"""Formatting only: Swedish numbers, dates and periods. No queries, no access checks.

Every filter delegates to styrning.formatting, the one module that formats.
"""

from django import template

from styrning import formatting, history

register = template.Library()


@register.filter
def num(value, decimals=None):
    """1234567.50 → "1 234 567,5"; trailing zeros dropped unless ``decimals`` is given."""
    return formatting.number(value, None if decimals is None else int(decimals))


@register.filter
def percent(value, decimals=1):
    return formatting.percent(value, int(decimals))


@register.filter
def long_date(value):
    return formatting.long_date(value)


@register.filter
def decision(reference, day):
    """``{{ x.decision_reference|decision:x.decided_on }}``: the day once, not twice."""
    return formatting.decision(reference, day)


@register.filter
def years(obj):
    """An object's first_year/last_year (or start_year/end_year) as "2026" or "2023–2026"."""
    first = getattr(obj, "first_year", None) or getattr(obj, "start_year", None)
    last = getattr(obj, "last_year", None) or getattr(obj, "end_year", None)
    return formatting.year_span(first, last)


@register.filter
def period(measurement_row):
    """{"year": 2026, "month": 3} → "2026-03"; a whole year → "2026"."""
    return formatting.year_month(measurement_row.get("year"), measurement_row.get("month"))


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (for the lockout message)."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.simple_tag
def history_list(entries):
    """A change log (``styrning.history.history_list``), for templates/_history.html."""
    return history.history_list(entries)
