"""The årshjul: calendar templates and the reporting periods made from them.

A locked period (its report adopted) refuses every change, whoever asks;
``followup.calendar`` makes periods and moves them through their states.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import FORECAST_CONTENTS, GOAL_CONTENTS, ReportContent, ReportKind
from styrning.formatting import long_date
from styrning.models import Municipality
from styrning.validators import validate_year, year_range_q

MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]
# Day offsets after a month's end are at most this (the årsbokslut's run into February).
MAX_OFFSET_DAYS = 120


def month_end(year: int, month: int) -> dt.date:
    """The last day of the month: 2026-02-28."""
    return dt.date(year, month, pycalendar.monthrange(year, month)[1])


class CalendarTemplateQuerySet(models.QuerySet):
    def active_for(self, municipality):
        """The municipality's active template, or None (one query)."""
        return self.filter(municipality=municipality, is_active=True).first()


class CalendarTemplate(models.Model):
    """Årshjulsmall: which months a municipality follows up, how, and when.

    One template per municipality is active; ``followup.calendar.make_periods``
    makes a year's ``ReportingPeriod``s from it.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="calendar_templates",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder (days before the deadline)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "Chefs whose submission is not sent get a reminder this many days before the "
            "deadline, and another the day after it."
        ),
    )
    history = HistoricalRecords()

    objects = CalendarTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "-is_active", "name"]
        verbose_name = _("calendar template")
        verbose_name_plural = _("calendar templates")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(is_active=True),
                name="%(app_label)s_%(class)s_one_active",
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
        ]

    def __str__(self):
        return self.name


class CalendarEntry(models.Model):
    """Rad i årshjulsmallen: one month's report, what it asks for and its dates.

    Dates are day offsets after the month's end, because every follow-up is made
    the month after the period has been closed in the ledger. Deadlines run
    bottom-up: the enheter's parts are due ``unit_lead_days`` before the
    förvaltning's or bolag's submission.
    """

    template = models.ForeignKey(
        CalendarTemplate,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("calendar template"),
    )
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH_VALIDATORS)
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    content = models.CharField(_("content"), max_length=20, choices=ReportContent.choices)
    opens_after_days = models.PositiveSmallIntegerField(
        _("opens (days after the month's end)"),
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )
    deadline_after_days = models.PositiveSmallIntegerField(
        _("deadline (days after the month's end)"),
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )
    unit_lead_days = models.PositiveSmallIntegerField(
        _("units' parts due (days before the deadline)"),
        default=0,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "month"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "month"], name="%(app_label)s_%(class)s_unique_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_after_days__gte=models.F("opens_after_days")),
                name="%(app_label)s_%(class)s_deadline_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    unit_lead_days__lte=models.F("deadline_after_days")
                    - models.F("opens_after_days")
                ),
                name="%(app_label)s_%(class)s_units_due_while_open",
            ),
        ]

    def __str__(self):
        return f"{self.template} – {self.month}"

    def clean(self):
        super().clean()
        if self.opens_after_days is None or self.deadline_after_days is None:
            return
        if self.deadline_after_days < self.opens_after_days:
            raise ValidationError(
                {"deadline_after_days": _("The deadline cannot come before the opening.")}
            )
        if (self.unit_lead_days or 0) > self.deadline_after_days - self.opens_after_days:
            raise ValidationError(
                {"unit_lead_days": _("The units' parts cannot be due before the period opens.")}
            )

    def dates(self, year: int) -> tuple[dt.date, dt.date, dt.date]:
        """(opens_on, unit_deadline, deadline) of this entry's period in ``year``."""
        end = month_end(year, self.month)
        deadline = end + dt.timedelta(days=self.deadline_after_days)
        return (
            end + dt.timedelta(days=self.opens_after_days),
            deadline - dt.timedelta(days=self.unit_lead_days),
            deadline,
        )


class ReportingPeriodQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The årshjul is no secret: every logged-in user reads it."""
        return self if user is not None and user.is_authenticated else self.none()

    def for_year(self, municipality, year):
        """The year's periods in month order (no query until evaluated)."""
        return self.filter(municipality=municipality, year=year).order_by("month")

    def due_to_open(self, today):
        """Planned periods whose opening date has come."""
        return self.filter(state=ReportingPeriod.State.PLANNED, opens_on__lte=today)


class ReportingPeriod(models.Model):
    """Uppföljningsperiod: one report of the årshjul (månadsrapport, delårsrapport, årsbokslut).

    States: planned → open → closed → locked. Locked means the report has been
    adopted (``decision_reference``, who recorded it and when): from then on the
    period and its submissions cannot change.
    """

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("period state", "planned")
        OPEN = "open", pgettext_lazy("period state", "open")
        CLOSED = "closed", pgettext_lazy("period state", "closed")
        LOCKED = "locked", pgettext_lazy("period state", "locked")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="reporting_periods",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH_VALIDATORS)
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    content = models.CharField(_("content"), max_length=20, choices=ReportContent.choices)
    opens_on = models.DateField(_("opens"))
    unit_deadline = models.DateField(_("units' deadline"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=120,
        blank=True,
        help_text=_("The adoption of the report, e.g. “KF 2027-04-20 § 12”."),
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )
    history = HistoricalRecords()

    objects = ReportingPeriodQuerySet.as_manager()

    # For styrning.permissions: the ekonomichef (and administrators) keep the årshjul.
    access_finance_only = True
    access_decided = True
    access_unit = None

    class Meta:
        ordering = ["municipality", "year", "month"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "month"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
            models.CheckConstraint(
                condition=year_range_q("year"), name="%(app_label)s_%(class)s_year_range"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_deadline__gte=models.F("opens_on"))
                & models.Q(deadline__gte=models.F("unit_deadline")),
                name="%(app_label)s_%(class)s_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="locked")
                | (~models.Q(decision_reference="") & models.Q(locked_at__isnull=False)),
                name="%(app_label)s_%(class)s_locked_has_decision",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # Whoever calls (a form, the admin, a script): a locked period never changes.
        if self._stored_state() == self.State.LOCKED:
            raise ValidationError(_("The period is locked: its report has been adopted."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == self.State.LOCKED:
            raise ValidationError(_("The period is locked: its report has been adopted."))
        return super().delete(*args, **kwargs)

    @property
    def period_end(self) -> dt.date:
        return month_end(self.year, self.month)

    @property
    def label(self) -> str:
        """ "Delårsrapport per 31 augusti 2026"."""
        # The kind's word through its enum: get_kind_display builds a dict of the choices
        # on every call, and a page names a dozen periods.
        try:
            kind = ReportKind(self.kind).label
        except ValueError:  # not among the choices: shown as stored, as get_kind_display does
            kind = self.kind
        return gettext("%(kind)s as of %(date)s") % {
            "kind": str(kind).capitalize(),
            "date": long_date(self.period_end),
        }

    @property
    def asks_forecast(self) -> bool:
        """The units give a helårsprognos."""
        return self.content in FORECAST_CONTENTS

    @property
    def asks_goals(self) -> bool:
        """The units assess their goals (and indicators)."""
        return self.content in GOAL_CONTENTS

    @property
    def goal_prognosis(self) -> bool:
        """The assessments are a prognosis for the year-end (delår), not the year's result."""
        return self.content == ReportContent.GOALS_PROGNOSIS

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.LOCKED

    def _stored_state(self):
        """The state in the database (one query); None for a new period."""
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()

    def clean(self):
        super().clean()
        if self._stored_state() == self.State.LOCKED:
            raise ValidationError(_("The period is locked: its report has been adopted."))
        if None in (self.opens_on, self.unit_deadline, self.deadline):
            return
        if self.unit_deadline < self.opens_on:
            raise ValidationError(
                {"unit_deadline": _("The units' deadline cannot come before the opening.")}
            )
        if self.deadline < self.unit_deadline:
            raise ValidationError(
                {"deadline": _("The deadline cannot come before the units' deadline.")}
            )
