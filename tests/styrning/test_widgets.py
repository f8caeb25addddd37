"""The site's form renderer writes the plain widgets exactly as Django's templates do."""

from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from styrning.widgets import INPUTS, TEXTAREA, FormRenderer

TRICKY = [
    None,
    "",
    0,
    12,
    Decimal("1234.50"),
    'a "quoted" <b>text</b> & more',
    mark_safe("<i>already safe</i>"),
    "rad ett\nrad två",
]
ATTRS = [
    {},
    {"required": True, "disabled": False, "class": "input--number", "inputmode": "decimal"},
    {"aria-describedby": 'help "x"', "data-n": 0, "placeholder": None, "maxlength": 10},
]


def _widgets():
    for widget in (
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.PasswordInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.TimeInput,
        forms.Textarea,
    ):
        for attrs in ATTRS:
            yield widget(attrs=dict(attrs))


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_plain_widgets_render_as_djangos_templates_do(value):
    ours, django = FormRenderer(), DjangoTemplates()
    for widget in _widgets():
        widget.render_value = True  # a password input shows its value only when asked
        expected = widget.render("fält", value, attrs={"id": "id_fält"}, renderer=django)
        assert widget.render("fält", value, attrs={"id": "id_fält"}, renderer=ours) == expected


CHOICES = [
    [("", "(välj)"), ("a", "A & B"), (1, "Ett"), ("x", mark_safe("<b>fet</b>"))],
    [("", "---"), ("Grupp <1>", [("g1", "G1"), ("g2", "G2")]), ("z", "Z")],
    [],
]


@pytest.mark.parametrize("choices", CHOICES, ids=("plain", "grouped", "empty"))
@pytest.mark.parametrize("value", ["", "a", "g2", 1, None, ["a", "z"]], ids=repr)
def test_selects_render_as_djangos_templates_do(choices, value):
    ours, django = FormRenderer(), DjangoTemplates()
    for widget in (
        forms.Select(choices=choices),
        forms.Select(choices=choices, attrs={"aria-invalid": "true", "disabled": True}),
        forms.SelectMultiple(choices=choices),
        *([] if isinstance(value, list) else [forms.NullBooleanSelect()]),
    ):
        expected = widget.render("val", value, attrs={"id": "id_val"}, renderer=django)
        assert widget.render("val", value, attrs={"id": "id_val"}, renderer=ours) == expected


def test_the_site_uses_it_and_other_widgets_keep_their_templates():
    assert isinstance(get_default_renderer(), FormRenderer)
    assert TEXTAREA not in INPUTS and "django/forms/widgets/select.html" not in INPUTS
    for widget in (
        forms.RadioSelect(choices=[("a", "A & B"), ("b", "B")]),
        forms.CheckboxSelectMultiple(choices=[("a", "A & B")]),
        forms.CheckboxInput(),
        forms.ClearableFileInput(),
    ):
        ours = widget.render("v", "a", attrs={"id": "id_v"}, renderer=FormRenderer())
        theirs = widget.render("v", "a", attrs={"id": "id_v"}, renderer=DjangoTemplates())
        assert ours == theirs and "<input" in ours
