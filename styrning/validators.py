"""Sensible ranges for years and dates, shared by every model rule and form.

A year is a four-digit calendar year from 1900 to 2100: a typo such as 0, 226 or
20266 is refused with a Swedish message naming the range. Dates obey the same
range. The database holds the same limits as named CheckConstraints.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 1900
LAST_YEAR = 2100
FIRST_DATE = dt.date(FIRST_YEAR, 1, 1)
LAST_DATE = dt.date(LAST_YEAR, 12, 31)


def validate_year(value):
    """Refuse a year outside 1900–2100 (year 0 included)."""
    if value is not None and not (FIRST_YEAR <= value <= LAST_YEAR):
        raise ValidationError(
            _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="year_range",
        )


def validate_date(value):
    """Refuse a date before 1900-01-01 or after 2100-12-31."""
    if value is not None and not (FIRST_DATE <= value <= LAST_DATE):
        raise ValidationError(
            _("Give a date from %(first)s to %(last)s.")
            % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
            code="date_range",
        )


def year_range_q(field, nullable=False):
    """The Q of a CheckConstraint keeping ``field`` within 1900–2100."""
    q = Q(**{f"{field}__gte": FIRST_YEAR, f"{field}__lte": LAST_YEAR})
    return q | Q(**{f"{field}__isnull": True}) if nullable else q


def date_range_q(field, nullable=False):
    """The Q of a CheckConstraint keeping ``field`` within 1900-01-01–2100-12-31."""
    q = Q(**{f"{field}__gte": FIRST_DATE, f"{field}__lte": LAST_DATE})
    return q | Q(**{f"{field}__isnull": True}) if nullable else q
