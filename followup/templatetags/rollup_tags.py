"""Fulfilment (bedömning) shown as words and a symbol, never colour alone."""

from django import template
from django.utils.safestring import mark_safe

from followup import rollup, rows

register = template.Library()


@register.filter
def fulfilment_symbol(status):
    """ "✔", "◐", "✖" or "–" (not assessed, also for an empty status)."""
    return rollup.symbol(status)


@register.filter
def fulfilment_label(status):
    """The status in words: "delvis uppfyllt"; empty is "ej bedömt"."""
    return rollup.label(status)


@register.simple_tag
def fulfilment(status):
    """A status badge: symbol and words, with a class per status for its colour
    (``rollup.badge``; a page of goals shows hundreds, an included template each cost
    most of its rendering). The line break after it is the one the template had."""
    return rollup.badge(status) + mark_safe("\n")


def _page_words(context, key) -> dict:
    """A dict kept while the page renders (Django's render context, not between
    requests): what a tag writes the same for every list, written once a page."""
    return context.render_context.setdefault(key, {})


@register.simple_tag(takes_context=True)
def fulfilment_counts(context, items, name):
    """Counts by status as a list named ``name`` (``rollup.counts_list``): what the
    included followup/_counts.html wrote, a list per goal card and three per goal of
    the midterm review."""
    return rollup.counts_list(items, name, _page_words(context, "fulfilment_counts"))


@register.simple_tag(takes_context=True)
def midterm_items(context, items, assignments=False):
    """The halvtidsuppföljning's list items of resultatmål or uppdrag (``rows.midterm_items``)."""
    return rows.midterm_items(items, assignments, _page_words(context, "fulfilment_badges"))


@register.simple_tag
def fulfilment_cards(cards, child_level):
    """Måluppfyllelse's goal cards (``rows.fulfilment_cards``)."""
    return rows.fulfilment_cards(cards, child_level)


@register.simple_tag
def rollup_children(children, prognosis):
    """The goals below on "how the assessment was made" (``rows.rollup_children``)."""
    return rows.rollup_children(children, bool(prognosis))
