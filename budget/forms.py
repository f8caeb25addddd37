"""Budget forms: they parse input; the rules live in the models' clean()."""

import copy
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from budget import signs
from budget.models import (
    AccountGroup,
    BudgetChange,
    BudgetYear,
    ImportBatch,
    InvestmentProject,
)
from styrning import formatting
from styrning.concurrency import VersionCheckMixin
from styrning.forms import AccessibleFormMixin, AmountField, DateInput, keep_unchanged_texts
from styrning.models import OrgUnit

SIE_SUFFIXES = (".se", ".si", ".sie", ".txt")
TABLE_SUFFIXES = (".csv", ".xlsx")


class ShownAmountField(AmountField):
    """An amount shown in whole units, as the tables show it, that keeps its exact value
    when it comes back unchanged.

    ``exact`` is the amount behind the field, e.g. a stored forecast of −86 210,5 tkr.
    The input shows −86 211, as /budget/ and the reports do: a forecast is read and
    written in whole tkr, and kronor in the field would only be noise. Posted back as
    shown, the field cleans to ``exact``, so saving a form nobody changed writes
    nothing and the stored figure does not drift; any other figure is taken as typed.
    (A figure typed equal to the rounded one is indistinguishable from an untouched
    field and keeps ``exact`` too.)
    """

    def __init__(self, *, exact, **kwargs):
        self.exact = None if exact is None else Decimal(exact)
        kwargs["initial"] = formatting.rounded(self.exact)
        super().__init__(**kwargs)

    # "22.580": a dot between groups of three is a thousands separator, as Swedes write
    # it too (it was read as 22,58 and saved as 23); "1.234,5" has its decimal comma.
    THOUSANDS_DOT = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")

    def to_python(self, value):
        if isinstance(value, str):
            compact = "".join(value.replace("\u2212", "-").split())
            if self.THOUSANDS_DOT.match(compact):
                value = compact.replace(".", "")
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        if value is not None and self.exact is not None and value == self.initial:
            return self.exact
        return value


class TkrField(AmountField):
    """An amount typed and shown in tkr, as /budget/ shows it, that cleans to kronor.

    Its initial value is the stored amount in kronor (``budget.signs.to_tkr`` shows it in
    tkr, exactly: "12 345,678"); what is typed is tkr and cleans to kronor to the öre
    (``from_tkr``). For the frames and budget changes, which are positive when a nämnd
    gets more to spend, as in /budget/'s frame columns.
    """

    def __init__(self, **kwargs):
        # Kronor are stored with two decimals (16 digits): tkr to the öre has five.
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 5)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (int, Decimal)):
            return formatting.number(signs.to_tkr(value))
        return value

    def clean(self, value):
        if isinstance(value, (int, Decimal)):  # the stored kronor: a disabled field's initial
            value = signs.to_tkr(value)
        return signs.from_tkr(super().clean(value))


class GroupAmountField(ShownAmountField):
    """An account group's amount in tkr, table sign (intäkter +, kostnader −): a cost
    group's figure is negative (or zero), a revenue group's positive (a cost typed without
    its minus turned a deficit into a surplus, unnoticed). ``exact`` is the stored amount
    in table sign and tkr (``signs.table_tkr``). The detaljbudget's and, as
    ``ForecastField``, both forecast forms' field."""

    # Stored in kronor with two decimals (16 digits): at most 11 whole digits in tkr.
    MAX_DIGITS = 14

    def __init__(self, group, *, exact, label, error_messages=None, **kwargs):
        self.group = group
        too_large = _("%(group)s: the figure is too large (at most %(max)s tkr).") % {
            "group": group.name,
            "max": formatting.number(Decimal(10) ** (self.MAX_DIGITS - 3) - 1),
        }
        super().__init__(
            label=label,
            max_digits=self.MAX_DIGITS,
            decimal_places=3,
            exact=exact,
            error_messages={
                "max_digits": too_large,
                "max_whole_digits": too_large,
                "max_decimal_places": _("%(group)s: at most three decimals (whole kronor) in tkr.")
                % {"group": group.name},
                **(error_messages or {}),
            },
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        kind, shown = self.group.kind, formatting.number(abs(value))
        if kind == AccountGroup.Kind.COST and value > 0:
            raise forms.ValidationError(
                _("%(group)s is a cost: write it with a minus sign, −%(amount)s.")
                % {"group": self.group.name, "amount": shown}
            )
        if kind == AccountGroup.Kind.REVENUE and value < 0:
            raise forms.ValidationError(
                _("%(group)s is revenue: write it without a minus sign, %(amount)s.")
                % {"group": self.group.name, "amount": shown}
            )
        return value


class ForecastField(GroupAmountField):
    """An account group's full-year forecast in tkr, table sign, starting from the basis
    row's suggestion. The one field of both forecast forms: /budget/'s and the follow-up's."""

    def __init__(self, row):
        super().__init__(
            row.group,
            label=_("%(group)s, full-year forecast (tkr)") % {"group": row.group.name},
            exact=signs.table_tkr(row.suggestion),
            error_messages={
                "required": _("Give a forecast for %(group)s (0 if nothing is expected).")
                % {"group": row.group.name},
            },
        )


def forecasts_below_outcome(form, fields) -> list[str]:
    """A warning for each forecast smaller than what the ledger has already booked in
    its group this year (a cost of −3 tkr beside −284 685 tkr spent so far): saved, as a
    figure can be meant, but said. ``fields`` are (basis row, field name) of ``form``'s
    ``ForecastField``s after a valid save."""
    warnings = []
    for row, name in fields:
        value = form.cleaned_data.get(name)
        if value is None or not row.booked:
            continue
        outcome = signs.table_tkr(row.outcome)
        if abs(value) + 1 < abs(outcome):
            warnings.append(
                _(
                    "%(group)s: the full-year forecast (%(forecast)s tkr) is less than the "
                    "outcome so far (%(outcome)s tkr). Check the figure."
                )
                % {
                    "group": row.group.name,
                    "forecast": formatting.whole(value),
                    "outcome": formatting.whole(outcome),
                }
            )
    return warnings


class YearMonthForm(AccessibleFormMixin, forms.Form):
    ar = forms.TypedChoiceField(label=_("Budget year"), coerce=int)
    manad = forms.TypedChoiceField(label=_("Up to and including month"), coerce=int)

    MONTHS = [
        (1, _("January")),
        (2, _("February")),
        (3, _("March")),
        (4, _("April")),
        (5, _("May")),
        (6, _("June")),
        (7, _("July")),
        (8, _("August")),
        (9, _("September")),
        (10, _("October")),
        (11, _("November")),
        (12, _("December")),
    ]

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]
        self.fields["manad"].choices = self.MONTHS


class FrameForm(AccessibleFormMixin, forms.Form):
    """The frames of one budget year: one field per nämnd/styrelse and year.

    A frame is the net cost a nämnd may spend: typed in tkr as a positive amount, as the
    frame columns of /budget/ show it (``TkrField``); ``frames`` and ``cleaned_data`` hold
    kronor."""

    def __init__(self, *args, budget_year, boards, frames, **kwargs):
        super().__init__(*args, **kwargs)
        self.prototype = TkrField(required=False, min_value=0, disabled=budget_year.is_adopted)
        self.label = str(_("%(unit)s, %(year)s (tkr)"))
        self.frames = frames
        self.years = budget_year.years
        self.cells = [
            (board, year, f"frame_{board.pk}_{year}") for board in boards for year in self.years
        ]
        if self.is_bound:
            self.add_cell_fields()

    def add_cell_fields(self):
        """One field per cell, which a posted form cleans. An unbound form (a GET) has
        none: ``budget.tables.frame_rows`` writes its inputs from ``prototype`` and
        ``frames``, as these fields would render them (150 fields cost more than the
        page's SQL)."""
        # One field built, the others copied from it as a form copies its declared fields
        # (Field.__deepcopy__): 150 fields' own __init__ cost about as much as the page's SQL.
        for board, year, name in self.cells:
            field = copy.deepcopy(self.prototype)
            field.label = self.label % {"unit": board.name, "year": year}
            field.initial = self.frames.get((board.pk, year))
            self.fields[name] = field

    def cell_value(self, name):
        """What the cell's input shows, as its bound field's ``value()`` gives it: the posted
        text of a bound form, else the stored frame as people write it."""
        field = self.fields[name]
        value = field.initial
        if self.is_bound and not field.disabled:
            value = field.widget.value_from_datadict(self.data, self.files, name)
        return field.prepare_value(value)

    @property
    def submitted_cells(self):
        """The cells whose field was in the POST: a missing field changes nothing."""
        return [cell for cell in self.cells if cell[2] in self.data]


class AdoptBudgetForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = BudgetYear
        fields = ["decided_on", "decision_reference"]
        widgets = {"decided_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def clean(self):
        cleaned = super().clean()
        self.instance.status = BudgetYear.Status.ADOPTED
        return cleaned


class BudgetChangeForm(AccessibleFormMixin, forms.ModelForm):
    amount = TkrField(
        label=_("Amount (tkr)"),
        help_text=_(
            "In thousands of kronor, as in the list of changes on the budget page: the money "
            "moved or added. A supplementary budget may be negative: the frame shrinks."
        ),
    )

    class Meta:
        model = BudgetChange
        fields = [
            "kind",
            "from_unit",
            "to_unit",
            "amount",
            "funding",
            "decided_by",
            "decided_on",
            "decision_reference",
            "description",
        ]
        widgets = {"decided_on": DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(municipality=municipality).order_by("tree_id", "lft")
        self.fields["from_unit"].queryset = units
        self.fields["to_unit"].queryset = units
        self.fields["decided_by"].queryset = units.filter(
            kind__in=(OrgUnit.Kind.COUNCIL, *OrgUnit.GOVERNING_KINDS)
        )


class ForecastForm(AccessibleFormMixin, forms.Form):
    """A unit's helårsprognos per account group, in the pages' language: tkr in table sign
    (intäkter +, kostnader −). ``budget.signs`` converts to the ledger's kronor.

    ``basis`` is ``budget.overview.forecast_basis``: each group's field starts with its
    suggestion (the last forecast, or utfall to date extrapolated).
    """

    month = forms.TypedChoiceField(
        label=_("Forecast made in"), coerce=int, choices=YearMonthForm.MONTHS
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, basis, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_fields = []
        for row in basis:
            name = f"group_{row.group.pk}"
            self.fields[name] = ForecastField(row)
            self.group_fields.append((row, name))

    def clean(self):
        cleaned = super().clean()
        keep_unchanged_texts(self)  # the comment, saved on every row of the month
        return cleaned

    def table_tkr(self, name):
        """The field's amount as entered or suggested (table sign, tkr), or None."""
        if self.is_bound:
            try:
                return self.fields[name].clean(self[name].data)
            except forms.ValidationError:
                return None
        return self.fields[name].clean(self.fields[name].initial)

    def ledger_amounts(self) -> dict:
        """group pk → the forecast of the unit and all below it, ledger sign, kronor."""
        return {
            row.group.pk: signs.ledger_from_table_tkr(self.cleaned_data[name])
            for row, name in self.group_fields
        }


class ImportForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "SIE 4 (.se, .si, .sie) from the ledger, or a spreadsheet (.csv or .xlsx) with the "
            "columns ansvar, månad, kontogrupp, belopp; for a detail budget månad may be a year."
        ),
    )
    dimension = forms.IntegerField(
        label=_("SIE dimension for responsibility"),
        initial=1,
        min_value=1,
        max_value=99,
        help_text=_("1 is kostnadsställe/resultatenhet in the SIE standard."),
    )
    dry_run = forms.BooleanField(
        label=_("Check the file only, save nothing"),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        kind = cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        if upload.size > settings.IMPORT_MAX_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
            )
        suffixes = SIE_SUFFIXES if kind == ImportBatch.Kind.SIE else TABLE_SUFFIXES
        if not upload.name.lower().endswith(suffixes):
            self.add_error(
                "file",
                _("A file of this kind must end in %(suffixes)s.")
                % {"suffixes": ", ".join(suffixes)},
            )
        return cleaned


class DetailBudgetForm(AccessibleFormMixin, forms.Form):
    """A unit's detaljbudget per account group, in the pages' language: tkr in table sign
    (intäkter +, kostnader −), as /budget/'s unit page shows it. ``budget.signs`` converts
    to the ledger's kronor. ``initial_amounts``: group pk → the stored amount (ledger sign,
    kronor); a field posted back as shown keeps it exactly."""

    def __init__(self, *args, groups, initial_amounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_fields = []
        for group in groups:
            name = f"group_{group.pk}"
            self.fields[name] = GroupAmountField(
                group,
                label=_("%(group)s, budget for the year (tkr)") % {"group": group.name},
                exact=signs.table_tkr(initial_amounts.get(group.pk)),
                required=False,
            )
            self.group_fields.append((group, name))

    @property
    def submitted_group_fields(self):
        """The groups whose field was in the POST: a missing field changes nothing.

        Only an empty value submitted for a field that was there clears a row.
        """
        return [(group, name) for group, name in self.group_fields if name in self.data]

    def ledger_amount(self, name):
        """The field's amount in the ledger's sign and kronor, or None when left empty."""
        return signs.ledger_from_table_tkr(self.cleaned_data[name])


class InvestmentForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """An investment project's budget for the year, its total and its outcome so far."""

    budget = AmountField(
        label=capfirst(_("budget for the year (kr)")), max_digits=16, decimal_places=2
    )
    total_expenditure = AmountField(
        label=capfirst(_("decided total expenditure (kr)")),
        required=False,
        max_digits=16,
        decimal_places=2,
    )
    estimated_total_expenditure = AmountField(
        label=capfirst(_("estimated total expenditure (kr)")),
        required=False,
        max_digits=16,
        decimal_places=2,
    )
    outcome = AmountField(
        label=capfirst(_("outcome to date (kr)")), max_digits=16, decimal_places=2
    )

    class Meta:
        model = InvestmentProject
        fields = [
            "code",
            "name",
            "unit",
            "budget",
            "total_expenditure",
            "estimated_total_expenditure",
            "outcome",
        ]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(municipality=municipality).order_by(
            "tree_id", "lft"
        )
        self.fields["unit"].empty_label = _("Choose a unit")


class ReverseBudgetChangeForm(AccessibleFormMixin, forms.ModelForm):
    """The new decision that reverses a change registered by mistake (a counter-change)."""

    class Meta:
        model = BudgetChange
        fields = ["decided_on", "decision_reference", "description"]
        widgets = {"decided_on": DateInput, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {"description": _("Why the change is reversed")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True


class YearForm(AccessibleFormMixin, forms.Form):
    """Only the budget year (pages that are about a whole year)."""

    ar = forms.TypedChoiceField(label=_("Budget year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]
