"""``{% field bound_field %}``: a form field with its label, help text and errors.

The markup every form of the site uses for a field (WCAG: a visible label tied to the
input, help and errors tied by id, "required" in words, errors marked by an icon and
text, never by colour alone). Written in Python rather than an included template: a
follow-up's form has a few hundred fields, and an include each cost more than the rest
of the page. ``AccessibleFormMixin`` sets the aria attributes on the widget itself.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def field(bound):
    widget = bound.field.widget
    checkbox = getattr(widget, "input_type", None) == "checkbox"
    classes = "field"
    if bound.errors:
        classes += " field--error"
    if checkbox:
        classes += " field--checkbox"
    required = (
        format_html(' <span class="required">({})</span>', _("required"))
        if bound.field.required and not bound.field.disabled  # a field read, not filled in
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
