"""Follow-up forms: they parse input; the rules live in the models and followup.calendar."""

import copy
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from budget import signs
from budget.forms import ForecastField
from budget.models import Forecast
from followup.choices import Fulfilment
from followup.models import (
    Assessment,
    AssignmentReport,
    PersonnelFigure,
    ReportedValue,
    Submission,
)
from followup.models.assessments import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES
from followup.personnel_forms import FigureRowForm
from followup.submissions import Parts
from goals.models import Assignment
from styrning.concurrency import VersionCheckMixin, changes_since
from styrning.forms import CHOOSE_LABEL, AccessibleFormMixin, AmountField, keep_unchanged_texts
from styrning.history import display_value
from styrning.validators import validate_year


class YearForm(AccessibleFormMixin, forms.Form):
    """?ar=Y: the year the årshjul shows."""

    ar = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(y, str(y)) for y in years]


class ReviewFilterForm(AccessibleFormMixin, forms.Form):
    """?period=: the review list limited to one open or closed period (all without it).

    ``periods`` is a list already read: the choices cost no query of their own."""

    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["period"].choices = [
            ("", _("All open and closed periods")),
            *[(p.pk, p.label) for p in periods],
        ]

    def clean_period(self):
        pk = self.cleaned_data["period"]
        return self.periods.get(pk) if pk is not None else None


class DecidedFilterForm(AccessibleFormMixin, forms.Form):
    """?godkanda=<pk>: the period whose approved follow-ups are listed (the latest without
    it). ``periods`` is a list already read."""

    godkanda = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["godkanda"].choices = [(p.pk, p.label) for p in periods]

    def period(self):
        """The chosen period, or the latest; None when no period has an approved one."""
        if self.is_bound and self.is_valid() and self.cleaned_data["godkanda"]:
            return self.periods.get(self.cleaned_data["godkanda"])
        return next(iter(self.periods.values()), None)


class FulfilmentForm(AccessibleFormMixin, forms.Form):
    """?period=<pk>: the goal period whose fulfilment is shown; ?pagaende=1: include
    submissions not yet approved (offered to the ekonomichef and administrators only)."""

    # Not required: without it the page shows its default period (and a select always
    # has a choice), so the filter does not call it "obligatoriskt".
    period = forms.TypedChoiceField(label=_("Follow-up"), coerce=int, required=False)
    pagaende = forms.BooleanField(label=_("Include follow-ups not yet approved"), required=False)

    def __init__(self, *args, periods, labels, unapproved=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, labels(p)) for p in periods]
        if not unapproved:
            del self.fields["pagaende"]


class MakePeriodsForm(forms.Form):
    """The year whose periods to make (a hidden field of the button)."""

    ar = forms.IntegerField(validators=[validate_year])


class LockForm(AccessibleFormMixin, forms.Form):
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=120,
        help_text=_("The adoption of the report, e.g. KF 2027-04-20 § 12."),
    )


def _copy(prototype, label, initial):
    """A field like ``prototype`` with its own label, initial value and widget attributes
    (the form marks a field in error on its widget); the choices, validators and error
    messages, which nothing changes, are shared."""
    field = copy.copy(prototype)
    field.widget = copy.copy(prototype.widget)
    field.widget.attrs = dict(prototype.widget.attrs)
    field.label, field.initial = label, initial
    return field


class SubmissionForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
    """The whole submission in one form, so one save is one transaction and one version.

    Fields beside the submission's own: per goal ``a-<goal>-status``/``-prognosis``/
    ``-analysis``; per account group ``f-<group>`` (tkr, table sign); per indicator
    ``m-<indicator>-<T|K|M>``; per assignment ``u-<assignment>-status``/``-comment``;
    in goal periods per unit ``p-<unit>-<field>`` (its personnel figures, the fields of
    /uppfoljning/personal/).
    Parts the user may not fill in (another enhet's goals) are disabled, so what is
    posted for them is ignored. Labels name the goal, so every error does.
    """

    class Meta:
        model = Submission
        fields = ["economic_comment", "action_plan", "delegate"]
        widgets = {
            "economic_comment": forms.Textarea(attrs={"rows": 5}),
            "action_plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, page, rights, delegates, can_delegate, part=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        period = page.period
        # ``part`` (a followup.submissions.FormPart): only its fields; None is the whole.
        economy = part is None or part.economy
        goal_rows = page.goal_rows if part is None else part.goal_rows
        if not economy:
            for name in ("economic_comment", "action_plan", "delegate"):
                del self.fields[name]
        if economy:
            self.fields["delegate"].queryset = delegates
            self.fields["delegate"].label_from_instance = lambda u: u.get_full_name() or u.username
            if not can_delegate:
                self.fields["delegate"].disabled = True
            if not rights.edit_all:
                for name in ("economic_comment", "action_plan"):
                    self.fields[name].disabled = True
        self.goal_fields = {}
        self.indicator_fields = {}  # field name → Indicator
        # The words of the goals' fields translated once, not once a field (a part has
        # up to 40 goals, each with a select or two of five choices).
        choices = [("", str(CHOOSE_LABEL)), *((v, str(label)) for v, label in Fulfilment.choices)]
        words = {
            "status": str(_("Assessment of “%(goal)s”")),
            "analysis": str(_("Analysis of “%(goal)s”")),
            "prognosis": str(_("Prognosis for the year-end of “%(goal)s”")),
            **{gender: str(label) for gender, label in GENDER_LABELS.items()},
        }
        # Each goal's and indicator's fields are copies of one field of each kind, not
        # built anew: a field normalises its choices and deep-copies its widget.
        assessed = forms.ChoiceField(choices=choices, required=False)
        analysis = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
        amount = AmountField(required=False, max_digits=14, decimal_places=2)
        for row in goal_rows:
            pk, title = row.goal.pk, row.goal.title
            a = row.assessment
            editable = rights.may_edit_part(row.goal.owner)
            names = {
                "status": _copy(assessed, words["status"] % {"goal": title}, a.status if a else ""),
                "analysis": _copy(
                    analysis, words["analysis"] % {"goal": title}, a.analysis if a else ""
                ),
            }
            if period.goal_prognosis:
                names["prognosis"] = _copy(
                    assessed, words["prognosis"] % {"goal": title}, a.prognosis if a else ""
                )
            for key, field in names.items():
                field.disabled = not editable
                self.fields[f"a-{pk}-{key}"] = field
            self.goal_fields[pk] = (editable, list(names))
            for ind in row.indicators:
                genders = ["T", "K", "M"] if ind.indicator.gender_split else ["T"]
                ind.fields = []
                for gender in genders:
                    name = f"m-{ind.indicator.pk}-{gender}"
                    label = words[gender] % {"indicator": ind.indicator.name}
                    self.fields[name] = field = _copy(amount, label, ind.current.get(gender))
                    field.disabled = not editable
                    ind.fields.append(name)
                    self.indicator_fields[name] = ind.indicator
        self.forecast_fields = []
        if economy and period.asks_forecast and page.basis is not None and rights.edit_all:
            for row in page.basis:
                name = f"f-{row.group.pk}"
                self.fields[name] = ForecastField(row)
                self.forecast_fields.append((row, name))
            # The month's comment, as /budget/'s forecast form has it (saved on every row).
            self.fields["forecast_comment"] = forms.CharField(
                label=_("Comment on the forecast"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=page.forecast_comment,
                help_text=_("Saved with the forecast: the budget pages show the same comment."),
            )
        self.assignment_fields = []
        for assignment, report in page.assignments if economy else []:
            pk = assignment.pk
            source = report if report is not None and report.status else assignment
            self.fields[f"u-{pk}-status"] = forms.ChoiceField(
                label=_("Status of “%(assignment)s”") % {"assignment": assignment.title},
                # Always a status (an assignment has one from the start): nothing to leave blank.
                choices=Assignment.Status.choices,
                initial=source.status,
                disabled=not rights.edit_all,
                error_messages={
                    "required": _("Choose a status for “%(assignment)s”.")
                    % {"assignment": assignment.title}
                },
            )
            self.fields[f"u-{pk}-comment"] = forms.CharField(
                label=_("Comment on “%(assignment)s”") % {"assignment": assignment.title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=source.comment,
                disabled=not rights.edit_all,
            )
            self.assignment_fields.append(pk)
        self.personnel_fields = []  # (PersonnelRow, [field names], editable)
        for row in page.personnel if economy else []:
            editable = rights.may_edit_part(row.unit)
            names = []
            for key, base in FigureRowForm.base_fields.items():
                field = copy.deepcopy(base)
                field.label = _("%(unit)s: %(figure)s") % {
                    "unit": row.unit.name,
                    "figure": base.label,
                }
                field.initial = getattr(row.figure, key) if row.figure else None
                field.disabled = not editable
                field.widget.attrs.update({"inputmode": "decimal", "class": "input--number"})
                if isinstance(field.widget, forms.NumberInput):
                    field.widget.input_type = "text"
                name = f"p-{row.unit.pk}-{key}"
                self.fields[name] = field
                names.append(name)
            self.personnel_fields.append((row, names, editable))
        # What to write is no help beside a field the user cannot change ("Krävs när …").
        for field in self.fields.values():
            if field.disabled:
                field.help_text = ""

    def clean(self):
        cleaned = super().clean()
        for name, indicator in self.indicator_fields.items():
            if not self.fields[name].disabled:
                if error := indicator.value_error(cleaned.get(name)):
                    self.add_error(name, error)
        keep_unchanged_texts(self)
        return cleaned

    def parts(self) -> Parts:
        """The cleaned data as the service takes it: only what the user may change."""
        data = self.cleaned_data
        parts = Parts()
        for name in ("economic_comment", "action_plan", "delegate"):
            if name in self.fields and not self.fields[name].disabled:
                parts.fields[name] = data[name]
        for pk, (editable, keys) in self.goal_fields.items():
            if editable:
                parts.assessments[pk] = {key: data[f"a-{pk}-{key}"] for key in keys}
        for name, field in self.fields.items():
            if name.startswith("m-") and not field.disabled:
                _m, indicator, gender = name.split("-")
                parts.measurements[(int(indicator), gender)] = data[name]
        for row, name in self.forecast_fields:
            parts.forecasts[row.group.pk] = data[name]
        if "forecast_comment" in self.fields:
            parts.forecast_comment = data["forecast_comment"]
        for row, names, editable in self.personnel_fields:
            if editable:
                parts.personnel[row.unit] = {name.rsplit("-", 1)[1]: data[name] for name in names}
        for pk in self.assignment_fields:
            if not self.fields[f"u-{pk}-status"].disabled:
                parts.assignments[pk] = {
                    "status": data[f"u-{pk}-status"],
                    "comment": data[f"u-{pk}-comment"],
                }
        return parts

    def _changes(self, base, latest):
        """The submission's own fields, then every other part changed since the form was
        opened (assessments, indicator values, forecast, assignments, personnel), each
        with who changed it: per field what the user has and what is stored when the
        field is in this form, else which part changed (another part of the form, or a
        part the user does not fill in). Two queries a kind of part; only on a conflict."""
        lines = super()._changes(base, latest)
        since = self.conflict_since
        if since is None:
            return lines
        page, sub = self.page, self.instance
        period = page.period
        goals = {row.goal.pk: row.goal for row in page.goal_rows}
        indicators = {
            ind.indicator.pk: ind.indicator for row in page.goal_rows for ind in row.indicators
        }
        for change in changes_since(Assessment.history.filter(submission_id=sub.pk), since):
            goal = goals.get(change.newest.goal_id)
            if goal is None:
                continue
            lines += self._part_lines(
                change,
                Assessment,
                {key: f"a-{goal.pk}-{key}" for key in ("status", "prognosis", "analysis")},
                _("The assessment of “%(goal)s” was changed by %(who)s.")
                % {"goal": goal.title, "who": change.who},
            )
        measurements = ReportedValue.history.filter(
            submission_id=sub.pk, indicator_id__in=list(indicators)
        )
        for change in changes_since(measurements, since):
            indicator = indicators[change.newest.indicator_id]
            lines += self._part_lines(
                change,
                ReportedValue,
                {"value": f"m-{indicator.pk}-{change.newest.gender}"},
                _("The value of “%(indicator)s” was changed by %(who)s.")
                % {"indicator": indicator.name, "who": change.who},
            )
        if period.asks_forecast and page.basis is not None:
            below = {row.group.pk: row.below for row in page.basis}
            forecasts = Forecast.history.filter(
                unit_id=sub.unit_id, year=period.year, month=period.month
            )
            for change in changes_since(forecasts, since):
                group_id = change.newest.group_id
                if group_id not in below:
                    continue
                changed = _("The full-year forecast was changed by %(who)s.") % {"who": change.who}
                lines += self._part_lines(
                    change,
                    Forecast,
                    {"amount": f"f-{group_id}"},
                    changed,
                    stored=lambda amount, b=below[group_id]: signs.table_tkr(amount + b),
                )
                # The forecast's comment is kept on every group's row (a trial's second
                # save put the old comment back over the first person's new one).
                lines += self._part_lines(
                    change, Forecast, {"comment": "forecast_comment"}, changed
                )
        titles = {a.pk: a.title for a, _r in page.assignments}
        reports = AssignmentReport.history.filter(submission_id=sub.pk)
        for change in changes_since(reports, since):
            pk = change.newest.assignment_id
            if pk not in titles:
                continue
            lines += self._part_lines(
                change,
                AssignmentReport,
                {"status": f"u-{pk}-status", "comment": f"u-{pk}-comment"},
                _("The report on the assignment “%(assignment)s” was changed by %(who)s.")
                % {"assignment": titles[pk], "who": change.who},
            )
        units = {row.unit.pk: row.unit for row in page.personnel}
        figures = PersonnelFigure.history.filter(period_id=period.pk, unit_id__in=list(units))
        for change in changes_since(figures, since):
            unit = units[change.newest.unit_id]
            lines += self._part_lines(
                change,
                PersonnelFigure,
                {key: f"p-{unit.pk}-{key}" for key in FigureRowForm.base_fields},
                _("The personnel figures of %(unit)s were changed by %(who)s.")
                % {"unit": unit.name, "who": change.who},
            )
        # One line a part that is not in this form (the same forecast line for every group).
        return list(dict.fromkeys(lines))

    def _part_lines(self, change, model, names, elsewhere, stored=None):
        """Per changed field of this form: what the user has and what is stored now, with
        who; ``elsewhere`` when the changed fields are not the user's to fill in here."""
        lines, hidden = [], False
        for key, name in names.items():
            if not change.changed(key):
                continue
            field = self.fields.get(name)
            if field is None or field.disabled:
                hidden = True
                continue
            value = change.value(key)
            if stored is not None and value is not None:
                value = stored(value)
            yours = display_value(model, key, self.cleaned_data.get(name))
            now = display_value(model, key, value)
            if yours == now:
                continue  # the same as the user has: nothing to compare
            if stored is None and yours == display_value(model, key, change.value(key, "before")):
                # The user had not touched it: the form now holds what was saved.
                lines.append(self.take_stored(name, value, field.label, now))
                continue
            lines.append(
                _("%(field)s: you have “%(yours)s”, now stored “%(stored)s” (saved by %(who)s).")
                % {"field": field.label, "yours": yours, "stored": now, "who": change.who}
            )
        if hidden and not lines:
            lines.append(elsewhere)
        return lines


GENDER_LABELS = {
    "T": _("%(indicator)s: value this period"),
    "K": _("%(indicator)s: value for women"),
    "M": _("%(indicator)s: value for men"),
}


class ReturnForm(AccessibleFormMixin, forms.Form):
    return_reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tell the unit what to complete or correct."),
    )


class EvidenceForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image (PNG, JPEG) or spreadsheet (XLSX, ODS, CSV), at most 10 MB."),
    )
    assessment = forms.TypedChoiceField(label=_("Attach to"), coerce=int, required=False)

    def __init__(self, *args, assessments=(), economy=True, **kwargs):
        """``assessments``: those the user may attach to (their own parts); ``economy``:
        whether the economic comment is theirs to attach to too."""
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [
            *([("", _("The economic comment"))] if economy else []),
            *[(a.pk, a.goal.title) for a in assessments],
        ]
        self.fields["assessment"].required = not economy
        self.fields["assessment"].empty_value = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        if suffix not in EVIDENCE_EXTENSIONS:
            raise forms.ValidationError(
                _("Attach a PDF, an image (PNG, JPEG) or a spreadsheet (XLSX, ODS, CSV).")
            )
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not _content_matches(upload, suffix):
            raise forms.ValidationError(
                _("The file's content is not a %(kind)s file, as its name says.")
                % {"kind": suffix.lstrip(".").upper()}
            )
        return upload


# What each kind of file starts with (its "magic"): a renamed program is refused.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
}


def _content_matches(upload, suffix) -> bool:
    """Whether the file's first bytes are what its suffix promises (CSV: text)."""
    head = upload.read(2048)
    upload.seek(0)
    if suffix == ".csv":
        return b"\x00" not in head
    return head.startswith(MAGIC.get(suffix, (b"",)))


class RollupOverrideForm(AccessibleFormMixin, forms.Form):
    """The goal owner's own assessment instead of the roll-up's suggestion, with a reason."""

    assessment = forms.ChoiceField(
        label=_("Assessment"),
        choices=[("", CHOOSE_LABEL), *Fulfilment.choices],
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the assessment differs from the suggestion; shown beside it."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the assessment differs."))
        return reason
