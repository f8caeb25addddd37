"""The site's form renderer writes the plain widgets exactly as Django's templates do."""

import re
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


# templates/_field.html as it was before {% field %} replaced it.
OLD_FIELD_TEMPLATE = """{% load i18n %}<div class="field{% if field.errors %} field--error{% endif %}{% if field.field.widget.input_type == 'checkbox' %} field--checkbox{% endif %}">
  {% if field.field.widget.allow_multiple_selected and field.field.widget.input_type == 'checkbox' %}
  <fieldset>
    <legend>{{ field.label }}{% if field.field.required %} <span class="required">({% translate "required" %})</span>{% endif %}</legend>
    {{ field }}
  </fieldset>
  {% elif field.field.widget.input_type == 'checkbox' %}
  {{ field }} <label for="{{ field.auto_id }}">{{ field.label }}</label>
  {% else %}
  <label for="{{ field.auto_id }}">{{ field.label }}{% if field.field.required %} <span class="required">({% translate "required" %})</span>{% endif %}</label>
  {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="field__help" id="{{ field.auto_id }}_help">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<div class="field__errors" id="{{ field.auto_id }}_errors">{% for error in field.errors %}<p><span class="icon" aria-hidden="true">⚠</span> {{ error }}</p>{% endfor %}</div>{% endif %}
</div>"""  # noqa: E501


class _Everything(forms.Form):
    title = forms.CharField(label='Titel "A" & <B>', help_text="Högst 200 tecken <em>.")
    amount = forms.DecimalField(label="Belopp", required=False)
    agree = forms.BooleanField(label="Jag godkänner")
    units = forms.MultipleChoiceField(
        label="Enheter", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label="Slag", choices=[("", "(välj)"), ("x", "X & Y")])
    text = forms.CharField(label="Text", widget=forms.Textarea, required=False)


def _squeezed(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.parametrize("data", [None, {"title": "", "amount": "x", "units": ["c"]}])
def test_the_field_tag_writes_what_the_field_template_wrote(data):
    from django.template import Context, Engine

    engine = Engine(
        libraries={
            "form_tags": "styrning.templatetags.form_tags",
            "i18n": "django.templatetags.i18n",
        }
    )
    old = engine.from_string(OLD_FIELD_TEMPLATE)
    new = engine.from_string("{% load form_tags %}{% field field %}")
    form = _Everything(data)
    if data:
        assert not form.is_valid()
    for bound in form:
        assert _squeezed(new.render(Context({"field": bound}))) == _squeezed(
            old.render(Context({"field": bound}))
        ), bound.name


def test_a_field_read_not_filled_in_is_not_called_required():
    """A follow-up that can no longer change shows its fields disabled: "(obligatoriskt)"
    beside them read as a demand nobody could meet (trial finding)."""
    from django.template import Context, Engine

    engine = Engine(libraries={"form_tags": "styrning.templatetags.form_tags"})
    template = engine.from_string("{% load form_tags %}{% field field %}")
    form = _Everything()
    assert 'class="required"' in template.render(Context({"field": form["title"]}))
    form.fields["title"].disabled = True
    assert 'class="required"' not in template.render(Context({"field": form["title"]}))


def _field_with_format_html(bound):
    """The {% field %} tag as it was written with format_html, before its f-strings."""
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext as _

    widget = bound.field.widget
    checkbox = getattr(widget, "input_type", None) == "checkbox"
    classes = "field"
    if bound.errors:
        classes += " field--error"
    if checkbox:
        classes += " field--checkbox"
    required = (
        format_html(' <span class="required">({})</span>', _("required"))
        if bound.field.required and not bound.field.disabled
        else ""
    )
    if checkbox and getattr(widget, "allow_multiple_selected", False):
        body = format_html(
            "<fieldset>\n    <legend>{}{}</legend>\n    {}\n  </fieldset>",
            bound.label,
            required,
            bound,
        )
    elif checkbox:
        body = format_html('{} <label for="{}">{}</label>', bound, bound.auto_id, bound.label)
    else:
        body = format_html(
            '<label for="{}">{}{}</label>\n  {}', bound.auto_id, bound.label, required, bound
        )
    help_text = (
        format_html('<p class="field__help" id="{}_help">{}</p>', bound.auto_id, bound.help_text)
        if bound.help_text
        else ""
    )
    errors = (
        format_html(
            '<div class="field__errors" id="{}_errors">{}</div>',
            bound.auto_id,
            format_html_join(
                "",
                '<p><span class="icon" aria-hidden="true">⚠</span> {}</p>',
                ((error,) for error in bound.errors),
            ),
        )
        if bound.errors
        else ""
    )
    return format_html(
        '<div class="{}">\n  {}\n  {}\n  {}\n</div>', classes, body, help_text, errors
    )


@pytest.mark.parametrize("data", [None, {"title": "", "amount": "x", "units": ["c"]}])
def test_the_field_tag_writes_what_format_html_wrote(data):
    from django.utils.translation import gettext_lazy

    from styrning.templatetags.form_tags import field

    form = _Everything(data, auto_id="id_%s<&>")
    form.fields["text"].label = gettext_lazy("Comment")
    form.fields["kind"].disabled = True
    form.fields["amount"].help_text = mark_safe("<b>tkr</b> & öre")
    if data:
        assert not form.is_valid()
        form.add_error("text", 'Fel "ett" & <två>')
    for bound in form:
        assert field(bound) == _field_with_format_html(bound), bound.name
