"""Fulfilment (bedömning) shown as words and a symbol, never colour alone."""

from django import template

from followup import rollup

register = template.Library()


@register.filter
def fulfilment_symbol(status):
    """ "✔", "◐", "✖" or "–" (not assessed, also for an empty status)."""
    return rollup.symbol(status)


@register.filter
def fulfilment_label(status):
    """The status in words: "delvis uppfyllt"; empty is "ej bedömt"."""
    return rollup.label(status)


@register.inclusion_tag("followup/_fulfilment.html")
def fulfilment(status):
    """A status badge: symbol and words, with a class per status for its colour."""
    status = status or rollup.F.NOT_ASSESSED
    return {
        "status": status,
        "symbol": rollup.symbol(status),
        "label": rollup.label(status),
    }
