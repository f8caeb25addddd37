"""Follow-up forms: they parse input; the rules live in the models and followup.calendar."""

from django import forms
from django.utils.translation import gettext_lazy as _

from styrning.forms import AccessibleFormMixin
from styrning.validators import validate_year


class YearForm(AccessibleFormMixin, forms.Form):
    """?ar=Y: the year the årshjul shows."""

    ar = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]


class MakePeriodsForm(forms.Form):
    """The year whose periods to make (a hidden field of the button)."""

    ar = forms.IntegerField(validators=[validate_year])


class LockForm(AccessibleFormMixin, forms.Form):
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=120,
        help_text=_("The adoption of the report, e.g. KF 2027-04-20 § 12."),
    )
