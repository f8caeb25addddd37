"""Django's ``static`` library with ``{% static "a literal path" %}`` looked up once.

settings.TEMPLATES names this module as the ``static`` library, so ``{% load static %}``
loads it; every tag is Django's. A literal path's URL is the same for the life of the
process (the storage and its manifest are fixed when it starts), yet the storage built
it on every render: some 80 calls a tag, three on every page's layout. Here a literal
path's URL is kept, until a test changes the settings it depends on; a path from a
variable is Django's own node.
"""

from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.templatetags import static

register = Library()
register.tags.update(static.register.tags)
register.filters.update(static.register.filters)


@cache
def _url(path: str) -> str:
    return static.StaticNode.handle_simple(path)


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in {"STORAGES", "STATIC_URL", "STATIC_ROOT", "DEBUG", "INSTALLED_APPS"}:
        _url.cache_clear()


class LiteralStaticNode(static.StaticNode):
    def url(self, context):
        return _url(self.path.var)


@register.tag("static")
def do_static(parser, token):
    node = static.do_static(parser, token)
    path = node.path
    if path.is_var or path.filters or not isinstance(path.var, str):
        return node
    return LiteralStaticNode(node.varname, path)
