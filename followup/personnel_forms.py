"""Forms of the personnel pages and the CSV imports: they parse; followup.personnel and
followup.indicator_values hold the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.csvimport import MAX_BYTES
from followup.models.personnel import figure_rule_errors
from styrning import formatting
from styrning.forms import AccessibleFormMixin, AmountField
from styrning.widgets import conditional_escape


class WholeNumberField(forms.IntegerField):
    """A whole number as people write it: "1 234" (spaces and non-breaking spaces)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\xa0", "").replace(" ", "")
        return super().to_python(value)

    def prepare_value(self, value):
        return formatting.number(value) if isinstance(value, int) else value


def _percent(label):
    outside = _("A share in per cent lies between 0 and 100.")
    return AmountField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        max_digits=5,
        error_messages={"min_value": outside, "max_value": outside},
    )


class FigureRowForm(AccessibleFormMixin, forms.Form):
    """One unit's row of the personnel table (prefixed with the unit's pk). A field in
    error is marked (aria-invalid, aria-describedby to its message), as in every form."""

    sick_leave = _percent(_("Sick leave (%)"))
    sick_leave_women = _percent(_("Sick leave, women (%)"))
    sick_leave_men = _percent(_("Sick leave, men (%)"))
    employees = WholeNumberField(label=_("Employees"), required=False, min_value=0)
    full_time_equivalents = AmountField(
        label=_("Full-time equivalents"),
        required=False,
        min_value=Decimal("0"),
        decimal_places=2,
        max_digits=9,
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, prefix=f"u{unit.pk}", **kwargs)
        self.unit = unit
        for field in self.fields.values():
            # A whole number (employees) gets the phone's digit keyboard, the rest decimals.
            whole = isinstance(field, WholeNumberField)
            field.widget.attrs.update(
                {"inputmode": "numeric" if whole else "decimal", "class": "input--number"}
            )
            if isinstance(field.widget, forms.NumberInput):
                field.widget.input_type = "text"

    def clean(self):
        """The rules between the row's figures, with the fields' own errors (the model
        checks the same on save)."""
        cleaned = super().clean()
        for name, message in figure_rule_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


class UnboundFigureRows:
    """The unbound rows of the personnel table (a GET), each field as an unbound
    ``FigureRowForm`` writes it, without building a form a row: HR's table has up to
    150 rows, and a form a row (its fields deep-copied, each widget rendered) cost more
    than the page's SQL. One form is rendered with placeholders, then each row's prefix
    and values are put in (tests/followup/test_personnel_rows.py holds the two equal).
    A POST builds real forms: they parse and carry the errors."""

    PK, VALUE = "§pk§", "§value§"

    def __init__(self):
        prototype = FigureRowForm(
            None,
            unit=_Placeholder(self.PK),
            initial=dict.fromkeys(FigureRowForm.base_fields, self.VALUE),
        )
        self.fields = []
        for bound in prototype:
            html = str(bound)
            head, tail = html.split(f' value="{self.VALUE}"')
            self.fields.append((bound.name, bound.label, bound.auto_id, head, tail, bound.field))

    def row(self, unit, initial) -> list:
        """``unit``'s fields with ``initial`` (field name → value; missing: empty)."""
        marker = f"u{self.PK}-"
        prefix = f"u{unit.pk}-"
        fields = []
        for name, label, auto_id, head, tail, field in self.fields:
            value = field.widget.format_value(field.prepare_value(initial.get(name)))
            shown = "" if value is None else f' value="{conditional_escape(value)}"'
            fields.append(
                UnboundField(
                    auto_id.replace(marker, prefix),
                    label,
                    f"{head.replace(marker, prefix)}{shown}{tail.replace(marker, prefix)}",
                )
            )
        return fields


class _Placeholder:
    def __init__(self, pk):
        self.pk = pk


class UnboundField:
    """One field of ``UnboundFigureRows``: what the table writes of a bound field."""

    __slots__ = ("auto_id", "label", "html")
    errors = ()

    def __init__(self, auto_id, label, html):
        self.auto_id, self.label, self.html = auto_id, label, html

    def __html__(self):
        return self.html


class UnboundRow(list):
    """An unbound row's fields, iterated as a form is; it has no errors."""

    def non_field_errors(self):
        return []


class OfficeForm(AccessibleFormMixin, forms.Form):
    """?forvaltning=: the personnel table of one förvaltning or bolag."""

    forvaltning = forms.ChoiceField(label=_("Administration or company"), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forvaltning"].choices = choices


class PersonnelReportForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Personnel report"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "The organisation as a whole: staffing, sick leave, recruitment, working "
            "environment and skills."
        ),
    )


class CsvUploadForm(AccessibleFormMixin, forms.Form):
    """A CSV file; the preview step sends its text back in ``content``."""

    file = forms.FileField(label=_("CSV file"), required=False)
    content = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            cleaned["data"] = upload.read()
        elif cleaned.get("content"):
            cleaned["data"] = cleaned["content"].encode("utf-8")
        else:
            self.add_error("file", _("Choose a CSV file."))
        return cleaned
