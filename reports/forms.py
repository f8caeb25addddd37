"""Report forms: they parse input; the rules live in Report.clean() and reports.services."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import ReportingPeriod
from reports.context import SUPPORTED
from reports.models import (
    ReportText,
    ReportTextComment,
    WordTemplate,
    adopting_kinds,
    document_title,
)
from styrning import formatting
from styrning.concurrency import VersionCheckMixin
from styrning.forms import AccessibleFormMixin
from styrning.models import OrgUnit
from styrning.validators import validate_date


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return document_title(obj, obj.kind)  # the title the report will have


class RequestForm(AccessibleFormMixin, forms.Form):
    """Ask for a report: of which period (its kind is the period's)."""

    period = PeriodChoiceField(label=_("Report"), queryset=ReportingPeriod.objects.none())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = (
            ReportingPeriod.objects.filter(municipality=municipality, kind__in=SUPPORTED)
            # A locked period's report is adopted: nothing new can be made of it.
            .exclude(state__in=[ReportingPeriod.State.PLANNED, ReportingPeriod.State.LOCKED])
            .order_by("-year", "-month")
        )


class MidtermRequestForm(AccessibleFormMixin, forms.Form):
    """Ask for a halvtidsuppföljning: of which year (those with a goal period, newest
    first; the mandate period's midterm preselected)."""

    ar = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]


DECISION = re.compile(r"§\s*\d+")


class AdoptForm(AccessibleFormMixin, forms.Form):
    """Record the adoption: which body, on which day, and its decision reference."""

    body = forms.ModelChoiceField(label=_("Adopted by"), queryset=OrgUnit.objects.none())
    meeting_date = forms.DateField(
        label=_("Meeting date"),
        help_text=_("The day the body decided, YYYY-MM-DD."),
        validators=[validate_date],
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=120,
        help_text=_("E.g. “KF 2026-10-26 § 98”."),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["body"].queryset = OrgUnit.objects.filter(
            municipality_id=report.municipality_id, kind__in=adopting_kinds(report.kind)
        ).order_by("tree_id", "lft")

    def clean_decision_reference(self):
        reference = self.cleaned_data["decision_reference"].strip()
        if not DECISION.search(reference):
            raise forms.ValidationError(
                _("Give the decision with its paragraph, e.g. “KF 2026-10-26 § 98”.")
            )
        return reference

    def clean_meeting_date(self):
        day = self.cleaned_data["meeting_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The meeting date cannot be in the future."))
        made = self.report.rendered_at or self.report.requested_at
        if made is not None and day < timezone.localtime(made).date():
            raise forms.ValidationError(
                _("The meeting date cannot come before the report was made (%(day)s).")
                % {"day": formatting.iso_date(timezone.localtime(made).date())}
            )
        return day

    def adopted_at(self):
        """When the body decided: the meeting day (evening), or now when that is today."""
        day = self.cleaned_data["meeting_date"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(dt.datetime.combine(day, dt.time(19)))


class ReportTextForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """The chapter's text; a second save over someone else's is refused (the version)."""

    class Meta:
        model = ReportText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}
        help_texts = {"text": _("Separate paragraphs with a blank line.")}


def writer_choices(writers) -> list[tuple[str, str]]:
    """The choices of the owner field, read once for every chapter's form."""
    return [("", _("Nobody yet"))] + [
        (str(user.pk), user.get_full_name() or user.username) for user in writers
    ]


class ChapterSetupForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """One chapter's owner, deadline and anvisningar, as the ekonomichef sets them.

    The owners are given as ``writers`` (users, read once for all the page's forms).
    """

    owner = forms.TypedChoiceField(label=_("Writer"), required=False)

    class Meta:
        model = ReportText
        fields = ["owner", "deadline", "instructions"]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, writers, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self._writers = writers
        self.fields["owner"].choices = choices

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        if not value:
            return None
        try:
            return self._writers[int(value)]
        except (KeyError, ValueError):
            raise forms.ValidationError(_("Choose one of the people listed.")) from None


class CommentForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = ReportTextComment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("Your comment")}


class WordTemplateForm(AccessibleFormMixin, forms.ModelForm):
    """The municipality's Word template (.docx)."""

    class Meta:
        model = WordTemplate
        fields = ["file"]
        help_texts = {
            "file": _(
                "A .docx document whose styles (Heading 1, Heading 2, Normal, tables), "
                "header, logo and fonts the Word export uses. Its own text is not kept."
            )
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = getattr(upload, "name", "") or ""
        if not name.lower().endswith(".docx"):
            raise forms.ValidationError(_("Upload a Word document (.docx)."))
        from reports.docx import check_template

        check_template(upload)
        return upload
