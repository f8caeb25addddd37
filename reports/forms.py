"""Report forms: they parse input; the rules live in Report.clean() and reports.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.models import ReportingPeriod
from reports.context import SUPPORTED
from reports.models import adopting_kinds
from styrning.forms import AccessibleFormMixin
from styrning.models import OrgUnit


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class RequestForm(AccessibleFormMixin, forms.Form):
    """Ask for a report: of which period (its kind is the period's)."""

    period = PeriodChoiceField(label=_("Report"), queryset=ReportingPeriod.objects.none())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = (
            ReportingPeriod.objects.filter(municipality=municipality, kind__in=SUPPORTED)
            .exclude(state=ReportingPeriod.State.PLANNED)
            .order_by("-year", "-month")
        )


class MidtermRequestForm(AccessibleFormMixin, forms.Form):
    """Ask for a halvtidsuppföljning: of which year (those with a goal period, newest
    first; the mandate period's midterm preselected)."""

    ar = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]


class AdoptForm(AccessibleFormMixin, forms.Form):
    """Record the adoption: which body, and its decision reference."""

    body = forms.ModelChoiceField(label=_("Adopted by"), queryset=OrgUnit.objects.none())
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=120,
        help_text=_("E.g. “KF 2026-10-26 § 98”."),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = OrgUnit.objects.filter(
            municipality_id=report.municipality_id, kind__in=adopting_kinds(report.kind)
        ).order_by("tree_id", "lft")
