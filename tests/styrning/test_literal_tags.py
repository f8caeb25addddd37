"""{% translate "literal" %} and {% static "literal" %} through styrning/templatetags/
(i18n_literal.py, static_literal.py): the same output as Django's own libraries,
whatever form the tag takes."""

import pytest
from django.template import Context, Engine, Template
from django.template.engine import Engine as DefaultEngine
from django.test import override_settings
from django.utils import translation

from styrning.templatetags.i18n_literal import LiteralTranslateNode
from styrning.templatetags.static_literal import LiteralStaticNode

TEMPLATES = [
    '{% translate "Log out" %}',
    "{% translate 'Skip to content' %}",
    '{% translate "Not in the catalogue <b>&</b>" %}',
    '{% translate "100 % of 5%% and %(name)s" %}',
    '{% translate "It\'s" %}',
    '{% translate "" %}',
    '{% translate "Log out" as label %}[{{ label }}]',
    '{% translate "Log out" as label %}{{ label|upper }}',
    '{% translate "A <b>&" as label %}{{ label }}',
    '{% translate "Log out"|upper %}',
    '{% translate "Log out" noop %}',
    '{% translate "May" context "month name" %}',
    "{% translate word %}",
    '{% autoescape off %}{% translate "A <b>" %}{% endautoescape %}',
    '{% trans "Log out" %}',
]


def _render(engine, text):
    return Template("{% load i18n %}" + text, engine=engine).render(Context({"word": "<Log out>"}))


@pytest.mark.parametrize("text", TEMPLATES)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_same_as_djangos_translate(text, language):
    default = DefaultEngine.get_default()
    django = Engine(libraries={"i18n": "django.templatetags.i18n"})
    with translation.override(language):
        ours = _render(default, text)
        theirs = _render(django, text)
    assert ours == theirs


def test_a_literal_is_translated_by_the_quicker_node():
    template = Template('{% load i18n %}{% translate "Log out" %}')
    assert isinstance(template.nodelist[-1], LiteralTranslateNode)
    with translation.override("sv"):
        assert template.render(Context()) == "Logga ut"


STATIC_TEMPLATES = [
    "{% static 'css/styrning.css' %}",
    '{% static "a b&c.js" %}',
    "{% static 'js/page.js' as url %}[{{ url }}]",
    "{% static path %}",
    "{% static 'JS/page.js'|lower %}",
    "{% autoescape off %}{% static 'a&b.js' %}{% endautoescape %}",
]


def _render_static(engine, text):
    template = Template("{% load static %}" + text, engine=engine)
    return template.render(Context({"path": "x&y.js"}))


@pytest.mark.parametrize("text", STATIC_TEMPLATES)
@pytest.mark.parametrize("static_url", ["/static/", "/other/"])
def test_the_same_as_djangos_static(text, static_url):
    default = DefaultEngine.get_default()
    django = Engine(libraries={"static": "django.templatetags.static"})
    storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STATIC_URL=static_url, STORAGES={"staticfiles": storage}):
        ours = _render_static(default, text)
        assert ours == _render_static(django, text)
        assert ours.count(static_url) == 1


def test_a_literal_path_is_read_by_the_quicker_node():
    template = Template("{% load static %}{% static 'js/page.js' %}")
    assert isinstance(template.nodelist[-1], LiteralStaticNode)


def test_only_i18n_and_static_are_replaced():
    """settings silence templates.W003 for these two; any other name used twice is an error."""
    from django.template import engines

    warnings = [w for w in engines["django"].check() if w.id == "templates.W003"]
    assert sorted(w.msg.split("'")[1] for w in warnings) == ["i18n", "static"]
