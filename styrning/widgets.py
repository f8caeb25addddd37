"""Django's plainest widget templates written in Python: the site's form renderer.

Django renders every widget, and every option of a select, through its template
engine (``input.html`` and the ``attrs.html`` it includes): about 0.1 ms a field. A
filter with a hundred options, the frames form with 150 inputs, a personnel table of
550 fields or a follow-up's two selects per goal spent more time there than in their
SQL. ``FormRenderer`` (settings.FORM_RENDERER, so every form) writes the ``<input>``,
``<textarea>`` and ``<select>`` those templates write, character for character, and
leaves every other template (checkboxes, radios, file inputs) to Django.
tests/styrning/test_widgets.py holds the two to the same output.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise

WIDGETS = "django/forms/widgets/"
# The widget templates that are nothing but input.html.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
    )
)
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"


def conditional_escape(value) -> str:
    """Django's ``conditional_escape`` without the lazy-text wrapper around its ``escape``
    (a few calls each time, and a long form escapes a few thousand names, values and
    labels): safe HTML as it is, anything else escaped as Django escapes it."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def html_attrs(attrs) -> str:
    """Django's attrs.html: `` name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's default renderer; input, textarea and select widgets without a template."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS:
                return _input(widget)
            if template_name == TEXTAREA:
                return _textarea(widget)
            if template_name == SELECT and _plain_options(widget):
                return _select(widget)
        return super().render(template_name, context, request)


def _textarea(widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>'
        f"\n{conditional_escape(value) if value else ''}</textarea>"
    )


def _input(widget) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{html_attrs(widget["attrs"])}>'
    )


def _plain_options(widget) -> bool:
    for _group, options, _index in widget["optgroups"]:
        for option in options:
            if option["template_name"] != OPTION:
                return False
    return True


def _select(widget) -> str:
    """select.html with select_option.html for each option, line breaks and all."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{conditional_escape(group)}">')
        for option in options:
            attrs = html_attrs(option["attrs"]) if option["attrs"] else ""  # most have none
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{attrs}>{conditional_escape(option['label'])}</option>\n"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips the template's last line break
    return "".join(parts)
