"""Django's ``i18n`` library with a quicker ``{% translate "a literal" %}``.

settings.TEMPLATES names this module as the ``i18n`` library, so ``{% load i18n %}``
loads it; every tag and filter is Django's. Django translates a literal through a lazy
string made, localized, forced to ``str`` and escaped on each render: some 70 function
calls a tag, 19 on the accessibility page and several on every page's layout. A literal
without filters, context or ``noop`` is translated here directly (about 25 calls), to
the same safe string; every other form is Django's own node.
"""

from django.template import Library
from django.templatetags import i18n
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    """``{% translate "…" %}`` or ``{% translate "…" as name %}``: a literal message."""

    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        # As Variable.resolve makes the message id: percent signs doubled, marked safe.
        self.msgid = mark_safe(filter_expression.var.literal.replace("%", "%%"))

    def render(self, context):
        # gettext keeps a safe message id's translation safe; the template's doubled
        # percent signs are restored (TranslateNode.render). SafeString, not mark_safe:
        # the value is a plain str, and mark_safe's lazy check costs five calls.
        value = SafeString(gettext(self.msgid).replace("%%", "%"))
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    expression = node.filter_expression
    literal = getattr(expression.var, "literal", None)
    if node.noop or node.message_context or expression.filters or not isinstance(literal, str):
        return node
    return LiteralTranslateNode(expression, node.noop, node.asvar, node.message_context)
