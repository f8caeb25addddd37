"""Forms of the goal chain. They parse input; the rules live in the models' clean()."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import Assignment, Goal, Indicator, Perspective
from styrning.concurrency import VersionCheckMixin
from styrning.forms import AccessibleFormMixin, AmountField, DateInput, limit_dates, limit_years
from styrning.models import OrgUnit

# ModelChoiceField's message for a value not in the list, kept for the plain choices.
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]


class GoalFilterForm(AccessibleFormMixin, forms.Form):
    """The filters of /mal/: a nämnd or styrelse (with its units), a perspective, a year.

    The choices are plain values (two queries), not model instances; ``criteria()``
    gives the chosen unit and perspective as (unsaved) instances with the fields the
    filter uses. Same markup and messages as ``ModelChoiceField``.
    """

    unit = forms.TypedChoiceField(
        label=_("Council, committee or board"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    perspective = forms.TypedChoiceField(
        label=_("Perspective"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the years in the list.")},
    )

    UNIT_FIELDS = ("pk", "name", "tree_id", "lft", "rght")

    def __init__(self, *args, municipality, years, this_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            OrgUnit.objects.filter(municipality=municipality)
            .filter(kind__in=(OrgUnit.Kind.COUNCIL, *OrgUnit.GOVERNING_KINDS))
            .order_by("tree_id", "lft")
            .values_list(*self.UNIT_FIELDS)
        )
        self._units = {row[0]: row for row in units}
        self._perspectives = dict(municipality.perspectives.values_list("pk", "name"))
        everything = ("", _("All"))
        self.fields["unit"].choices = [everything] + [
            (pk, row[1]) for pk, row in self._units.items()
        ]
        self.fields["perspective"].choices = [everything, *self._perspectives.items()]
        # Without a year /mal/ shows the goals in force this year or later: said so.
        current = ("", _("%(year)s and later") % {"year": this_year}) if this_year else everything
        self.fields["year"].choices = [current] + [(y, str(y)) for y in years]

    def criteria(self):
        """The chosen filters, by name, leaving out those left at "All"."""
        chosen = {k: v for k, v in self.cleaned_data.items() if v is not None}
        if "unit" in chosen:
            chosen["unit"] = OrgUnit(
                **dict(zip(self.UNIT_FIELDS, self._units[chosen["unit"]], strict=True))
            )
        if "perspective" in chosen:
            pk = chosen["perspective"]
            chosen["perspective"] = Perspective(pk=pk, name=self._perspectives[pk])
        return chosen


class GoalForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """Create or edit a goal. The level and parent are fixed by the view.

    A second save of the same goal by someone who opened it before the first
    save is refused (``VersionCheckMixin``).
    """

    new_decision_fields = ("decided_on", "decision_reference")
    # Who carries a goal out and when: only where its level says so (GoalLevel data).
    activity_fields = ("responsible", "start_date", "end_date")

    class Meta:
        model = Goal
        fields = [
            "title",
            "description",
            "owner",
            "perspectives",
            "start_year",
            "end_year",
            "responsible",
            "start_date",
            "end_date",
            "decided_on",
            "decision_reference",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "perspectives": forms.CheckboxSelectMultiple,
            "start_date": DateInput,
            "end_date": DateInput,
            "decided_on": DateInput,
        }

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        goal = self.instance
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = None
        self.fields["perspectives"].queryset = goal.municipality.perspectives.all()
        limit_years(self, "start_year", "end_year")
        limit_dates(self, "start_date", "end_date", "decided_on")
        if not goal.level.shows_activity_fields:
            for name in self.activity_fields:
                # A value stored anyway (an import, an older model) stays in reach.
                if not getattr(goal, name):
                    del self.fields[name]
        if not goal.is_adopted:
            for name in self.new_decision_fields:
                del self.fields[name]
        else:
            self.fields["decided_on"].label = _("Date of the new decision")
            self.fields["decision_reference"].label = _("Reference of the new decision")
            self.fields["decision_reference"].help_text = _(
                "An adopted goal changes only through a new decision, e.g. KF 2026-04-22 § 45."
            )
            self.fields["decided_on"].required = True
            self.fields["decision_reference"].required = True


class DecisionForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """Record that the body the goal belongs to has adopted it."""

    class Meta:
        model = Goal
        fields = ["decided_on", "decision_reference"]
        widgets = {"decided_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].required = True
        self.fields["decision_reference"].required = True
        limit_dates(self, "decided_on")

    def clean(self):
        cleaned = super().clean()
        self.instance.status = Goal.Status.ADOPTED
        self.instance.decided_by = self.instance.owner
        return cleaned


class IndicatorForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """An indicator of a goal; on an adopted goal a new target needs a decision."""

    decision = forms.CharField(
        label=_("Decision that changes the target"),
        max_length=120,
        required=False,
        help_text=_("Required when the goal is adopted, e.g. SN 2026-03-18 § 31."),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "description",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "kolada_kpi",
            "gender_split",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        # Written as Swedes write them, "12,5" (a number input read it as 125 in a
        # Swedish browser, unnoticed).
        field_classes = {"baseline_value": AmountField, "target_value": AmountField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_years(self, "baseline_year", "target_year")
        if not self.instance.goal.is_adopted:
            del self.fields["decision"]
        else:
            self.fields["decision"].required = True


class AssignmentStatusForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """The receiving unit reports how a särskilt uppdrag is going."""

    class Meta:
        model = Assignment
        fields = ["status", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 4})}
