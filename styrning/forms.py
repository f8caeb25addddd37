"""Form helpers shared by every app: accessible errors and help texts."""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from styrning import formatting
from styrning.validators import FIRST_YEAR, LAST_YEAR, validate_date, validate_year

# The empty choice of a select, in Swedish (never Django's "---------").
EMPTY_LABEL = _("(none)")
CHOOSE_LABEL = _("(choose)")


class AccessibleFormMixin:
    """Ties help texts and errors to their inputs (aria-describedby, aria-invalid).

    Also moves model errors about fields the form does not show to the form's
    own error list, so a rule in ``Model.clean()`` always reaches the user, and
    gives every select a Swedish empty choice instead of "---------".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            swedish_empty_label(field)

    def full_clean(self):
        super().full_clean()
        self._describe_fields()
        self._described = True

    def _describe_fields(self):
        errors = self.errors
        for name, field in self.fields.items():
            invalid = name in errors
            if not (field.help_text or invalid):
                continue  # no bound field for nothing (the frames form has 150 fields)
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if invalid:
                ids.append(f"{bound.auto_id}_errors")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def mark_missing(self, missing):
        """Mark fields of an unbound form as missing: ``missing`` is (field name, message)
        pairs; each field of this form among them shows its message beside it and
        ``aria-invalid``, like an error (a follow-up opened after a send that found
        something missing). Fields this form does not have are skipped."""
        errors = self.errors  # an unbound form's are empty and stay so unless marked here
        marked = self.__dict__.setdefault("marked_missing", set())
        for name, message in missing:
            if name in self.fields and not self.fields[name].disabled:
                errors.setdefault(name, self.error_class(renderer=self.renderer)).append(message)
                marked.add((name, message))
        self._describe_fields()

    def errors_not_marked(self):
        """The field errors as (field, message), without those ``mark_missing`` added:
        a page that lists what is missing in a box of its own lists each once."""
        marked = getattr(self, "marked_missing", set())
        return [
            (self[name], str(message))
            for name in self.fields
            for message in self.errors.get(name, [])
            if (name, str(message)) not in marked
        ]

    def add_error(self, field, error):
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved = {}
            for name, errors in error.error_dict.items():
                key = name if name in self.fields or name == NON_FIELD_ERRORS else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(errors)
            error = ValidationError(moved)
        super().add_error(field, error)
        if getattr(self, "_described", False):
            # An error a view adds after cleaning (a service refused the row): mark it too.
            self._describe_fields()


def _as_shown(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def keep_unchanged_texts(form):
    """Make the form's textareas posted back as shown clean to the stored text exactly,
    and a changed one hold plain LF line breaks; call it from ``clean()``.

    A browser sends a textarea's line breaks as CRLF and Django strips its ends, so a
    text stored with LF or a trailing line break (the demo, a pre-fill, an import) came
    back "changed": saved again, with a change in the history that reads the same on
    both sides.
    """
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if field.disabled or not isinstance(field.widget, forms.Textarea):
            continue
        if not isinstance(value, str):
            continue
        stored = form.get_initial_for_field(field, name)
        if isinstance(stored, str) and _as_shown(stored) == _as_shown(value):
            form.cleaned_data[name] = stored
        else:
            form.cleaned_data[name] = value.replace("\r\n", "\n").replace("\r", "\n")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def limit_years(form, *names):
    """Year fields accept 1900–2100 only, with one Swedish message for any other number."""
    for name in names:
        if name in form.fields:
            field = form.fields[name]
            field.validators = [validate_year]
            field.widget.attrs.update({"min": FIRST_YEAR, "max": LAST_YEAR})


def limit_dates(form, *names):
    """Date fields accept 1900-01-01–2100-12-31 only."""
    for name in names:
        if name in form.fields:
            form.fields[name].validators = [validate_date]


def swedish_empty_label(field):
    """Replace Django's "---------" as the empty choice of one select with a Swedish label.

    "(välj)" where a choice is required, "(ingen)" where none may be chosen.
    """
    label = CHOOSE_LABEL if field.required else EMPTY_LABEL
    if isinstance(field, forms.ModelChoiceField):
        if str(field.empty_label or "").startswith("-"):
            field.empty_label = label
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and str(choices[0][1]).startswith("-"):
            field.choices = [("", label), *choices[1:]]
    return field


class AmountField(forms.DecimalField):
    """Accepts Swedish input: '1 234 567,50', '−250 000' (a text input: number inputs refuse
    spaces and decimal commas)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        return attrs

    def prepare_value(self, value):
        """A stored amount is shown as people write it: "441 800 000", not "441800000.00"."""
        if isinstance(value, (int, Decimal)):
            return formatting.number(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u2212", "-").replace("\xa0", "").replace(" ", "")
            value = value.replace(",", ".")
            if "e" in value.lower():
                # Python reads "1e5" as 100 000; nobody writes an amount that way.
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
