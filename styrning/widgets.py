"""Selects and text inputs rendered in Python, with the same HTML as Django's templates.

Django renders every widget, and every option of a select, through its template
engine: a filter with a hundred options, or the frames form with 150 inputs, spent
more time there than in its SQL. These render the markup of Django's own
``select.html``, ``select_option.html``, ``input.html`` and ``attrs.html`` directly
(tests/styrning/test_widgets.py holds them equal). ``AccessibleFormMixin`` swaps
them in for the plain widgets of every form.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def html_attrs(attrs) -> str:
    """Django's attrs.html: `` name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        name_attr = conditional_escape(widget["name"])
        parts = [f'<select name="{name_attr}"{html_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class _InputMixin:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_attr = (
            f' value="{conditional_escape(str(widget["value"]))}"'
            if widget["value"] is not None
            else ""
        )
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{value_attr}{html_attrs(widget["attrs"])}>'
        )


class TextInput(_InputMixin, forms.TextInput):
    pass


class NumberInput(_InputMixin, forms.NumberInput):
    pass


FAST = {forms.Select: Select, forms.TextInput: TextInput, forms.NumberInput: NumberInput}


def speed_up(widget) -> None:
    """Give a plain Select, TextInput or NumberInput the Python rendering (same HTML)."""
    fast = FAST.get(type(widget))
    if fast is not None:
        widget.__class__ = fast
