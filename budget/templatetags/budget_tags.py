"""Formatting of budget amounts; the sign conversion itself is budget.signs."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from budget import signs

register = template.Library()

MONTHS = [
    "",
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]


@register.filter
def money(value):
    """1234567.4 → "1 234 567"; negatives with a minus sign; empty → "–"."""
    if value is None or value == "":
        return "–"
    whole = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    text = number_format(abs(whole), decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"−{text}" if whole < 0 else text


@register.filter
def table_kr(ledger_amount):
    """A ledger amount shown in table sign (intäkter +, kostnader −)."""
    return money(signs.to_table(ledger_amount))


@register.filter
def kr(value):
    """An amount already in the sign to show, with its unit: "1 234 567 kr"."""
    if value is None:
        return "–"
    return f"{money(value)} kr"


@register.filter
def net_kr(ledger_amount):
    """A net cost as people say it: "450 000 000 kr" for a frame."""
    return kr(signs.net_cost(ledger_amount))


@register.filter
def month_name(month):
    try:
        return str(MONTHS[int(month)]).lower()
    except (ValueError, IndexError, TypeError):
        return ""


@register.filter
def tkr(value):
    """An amount already in the sign to show, in thousands of kronor: 1 234 567 → "1 235"."""
    if value is None or value == "":
        return "–"
    return money(Decimal(value) / 1000)


@register.filter
def table_tkr(ledger_amount):
    """A ledger amount in table sign and thousands of kronor (intäkter +, kostnader −)."""
    return tkr(signs.to_table(ledger_amount))
