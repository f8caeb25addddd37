"""``{% field bound_field %}``: a form field with its label, help text and errors.

The markup every form of the site uses for a field (WCAG: a visible label tied to the
input, help and errors tied by id, "required" in words, errors marked by an icon and
text, never by colour alone). Written in Python rather than an included template: a
follow-up's form has a few hundred fields, and an include each cost more than the rest
of the page. ``AccessibleFormMixin`` sets the aria attributes on the widget itself.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from styrning.widgets import conditional_escape as escape

register = template.Library()


@register.simple_tag
def field(bound):
    """The field's markup (f-strings through styrning.widgets' escape rather than
    ``format_html``, whose escaping cost more than the rest of a field)."""
    widget = bound.field.widget
    checkbox = getattr(widget, "input_type", None) == "checkbox"
    errors = bound.errors
    classes = "field"
    if errors:
        classes += " field--error"
    if checkbox:
        classes += " field--checkbox"
    required = (
        f' <span class="required">({escape(_("required"))})</span>'
        if bound.field.required and not bound.field.disabled  # a field read, not filled in
        else ""
    )
    auto_id, label = escape(bound.auto_id), escape(bound.label)
    if checkbox and getattr(widget, "allow_multiple_selected", False):
        body = (
            f"<fieldset>\n    <legend>{label}{required}</legend>\n    {escape(bound)}\n"
            "  </fieldset>"
        )
    elif checkbox:
        body = f'{escape(bound)} <label for="{auto_id}">{label}</label>'
    else:
        body = f'<label for="{auto_id}">{label}{required}</label>\n  {escape(bound)}'
    help_text = (
        f'<p class="field__help" id="{auto_id}_help">{escape(bound.help_text)}</p>'
        if bound.help_text
        else ""
    )
    shown = (
        f'<div class="field__errors" id="{auto_id}_errors">'
        + "".join(
            f'<p><span class="icon" aria-hidden="true">⚠</span> {escape(error)}</p>'
            for error in errors
        )
        + "</div>"
        if errors
        else ""
    )
    return mark_safe(f'<div class="{classes}">\n  {body}\n  {help_text}\n  {shown}\n</div>')
