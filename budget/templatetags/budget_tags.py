"""Budget amounts in templates: the sign from budget.signs, the format from styrning.formatting."""

from django import template

from budget import signs
from styrning import formatting

register = template.Library()


@register.filter
def money(value):
    """1234567.4 → "1 234 567"; negatives with a minus sign; empty → "–"."""
    return formatting.whole(value)


@register.filter
def kr(value):
    """An amount already in the sign to show, with its unit: "1 234 567 kr"."""
    return formatting.kr(value)


@register.filter
def month_name(month):
    return formatting.month_name(month)


@register.filter
def tkr(value):
    """An amount already in the sign to show, in thousands of kronor: 1 234 567 → "1 235"."""
    return formatting.in_tkr(value)


@register.filter
def table_tkr(ledger_amount):
    """A ledger amount in table sign and thousands of kronor (intäkter +, kostnader −)."""
    return formatting.in_tkr(signs.to_table(ledger_amount))


@register.filter
def net_tkr(ledger_amount):
    """A net cost as people say it, in thousands: "450 000 tkr" for a frame."""
    return formatting.tkr(signs.net_cost(ledger_amount))
