"""Personnel figures (personaldata), the personalberättelse, and the reminders' log.

Hedemora follows up "målsättningar, uppdrag, ekonomi och personaldata": per unit and
goal period (delår, årsbokslut) sjukfrånvaro, antal anställda and årsarbetare, and at
delår and årsbokslut the HR department's personalberättelse for the whole
organisation. Nothing in a locked period can change, whoever asks.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from followup.models.periods import ReportingPeriod
from styrning import formatting
from styrning.models import OrgUnit

# The message the personnel form gives (followup.personnel_forms), also for an import.
SHARE_MESSAGE = _("A share in per cent lies between 0 and 100.")
PERCENT = [
    MinValueValidator(Decimal("0"), SHARE_MESSAGE),
    MaxValueValidator(Decimal("100"), SHARE_MESSAGE),
]
# The largest Swedish municipality employs about 50 000; a generous ceiling catches typos.
MAX_EMPLOYEES = 1_000_000
# The kinds of unit that report personnel figures: förvaltningar, bolag and enheter.
PERSONNEL_KINDS = (OrgUnit.Kind.ADMINISTRATION, OrgUnit.Kind.COMPANY, OrgUnit.Kind.UNIT)
LOCKED_MESSAGE = _("The period is locked: its report has been adopted.")


def _period_locked(period_id) -> bool:
    """Is the period locked in the database? (one query)"""
    return ReportingPeriod.objects.filter(pk=period_id, state=ReportingPeriod.State.LOCKED).exists()


class PersonnelFigureQuerySet(models.QuerySet):
    def for_period(self, period):
        """The period's figures with their units (one query when evaluated)."""
        return self.filter(period=period).select_related("unit")


class PersonnelFigure(models.Model):
    """Personaldata: one unit's sjukfrånvaro, anställda and årsarbetare for a goal period.

    Every figure may be left empty (not reported yet). ``sick_leave_*`` are percent of
    the scheduled working time, as Kolada and the årsredovisning give them.
    """

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="personnel_figures",
        verbose_name=_("reporting period"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="personnel_figures",
        verbose_name=_("unit"),
    )
    sick_leave = models.DecimalField(
        _("sick leave (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    sick_leave_women = models.DecimalField(
        _("sick leave, women (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    sick_leave_men = models.DecimalField(
        _("sick leave, men (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, validators=[MaxValueValidator(MAX_EMPLOYEES)]
    )
    full_time_equivalents = models.DecimalField(
        _("full-time equivalents"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_EMPLOYEES)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords()

    objects = PersonnelFigureQuerySet.as_manager()
    VALUE_FIELDS = (
        "sick_leave",
        "sick_leave_women",
        "sick_leave_men",
        "employees",
        "full_time_equivalents",
    )
    # For styrning.permissions: the unit's chefs (and HR) keep its figures.
    access_decided = False

    class Meta:
        ordering = ["period", "unit__tree_id", "unit__lft"]
        verbose_name = _("personnel figures")
        verbose_name_plural = _("personnel figures")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"], name="%(app_label)s_%(class)s_unique_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(sick_leave__isnull=True)
                | models.Q(sick_leave__gte=0, sick_leave__lte=100),
                name="%(app_label)s_%(class)s_sick_leave_range",
            ),
            models.CheckConstraint(
                condition=models.Q(sick_leave_women__isnull=True)
                | models.Q(sick_leave_women__gte=0, sick_leave_women__lte=100),
                name="%(app_label)s_%(class)s_sick_leave_women_range",
            ),
            models.CheckConstraint(
                condition=models.Q(sick_leave_men__isnull=True)
                | models.Q(sick_leave_men__gte=0, sick_leave_men__lte=100),
                name="%(app_label)s_%(class)s_sick_leave_men_range",
            ),
            models.CheckConstraint(
                condition=models.Q(full_time_equivalents__isnull=True)
                | models.Q(full_time_equivalents__gte=0),
                name="%(app_label)s_%(class)s_fte_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.period}"

    def save(self, *args, **kwargs):
        if self.period_id and _period_locked(self.period_id):
            raise ValidationError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _period_locked(self.period_id):
            raise ValidationError(LOCKED_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def access_unit(self):
        return self.unit

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.VALUE_FIELDS)

    def clean(self):
        super().clean()
        errors = {}
        if self.unit_id and self.unit.kind not in PERSONNEL_KINDS:
            errors["unit"] = _(
                "Personnel figures are reported by administrations, companies and units."
            )
        if self.period_id:
            if not self.period.asks_goals:
                errors["period"] = _(
                    "Personnel figures are followed up in the interim report and the annual "
                    "accounts."
                )
            if self.unit_id and self.unit.municipality_id != self.period.municipality_id:
                errors["unit"] = _("The unit belongs to another municipality.")
        errors.update(figure_rule_errors({n: getattr(self, n) for n in self.VALUE_FIELDS}))
        if errors:
            raise ValidationError(errors)
        if self.period_id and _period_locked(self.period_id):
            raise ValidationError(LOCKED_MESSAGE)


def figure_rule_errors(values: dict) -> dict:
    """The rules between one unit's personnel figures (``values``: field → value or
    None; a rule with a value missing is not checked), as field → message: the model's
    ``clean`` and the personnel table's form ask the same (the form before saving, so
    the user sees them with the fields' own errors, not a round later)."""
    errors = {}
    employees, fte = values.get("employees"), values.get("full_time_equivalents")
    if employees is not None and fte is not None and fte > employees:
        errors["full_time_equivalents"] = _(
            "The full-time equivalents cannot be more than the employees."
        )
    split = tuple(values.get(n) for n in ("sick_leave", "sick_leave_women", "sick_leave_men"))
    if None not in split:
        # The total is the women's and the men's weighted by their hours: between the
        # two (a tenth of a percentage point either way for rounding).
        total, women, men = split
        tenth = Decimal("0.1")
        if not min(women, men) - tenth <= total <= max(women, men) + tenth:
            errors["sick_leave"] = _(
                "The total sick leave (%(total)s %%) must lie between the women's "
                "(%(women)s %%) and the men's (%(men)s %%): it is their average."
            ) % {
                "total": formatting.number(total),
                "women": formatting.number(women),
                "men": formatting.number(men),
            }
    return errors


class PersonnelReport(models.Model):
    """Personalberättelse: the HR department's text on the whole organisation for a
    delårsrapport or årsbokslut."""

    period = models.OneToOneField(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="personnel_report",
        verbose_name=_("reporting period"),
    )
    text = models.TextField(_("personnel report"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["period"]
        verbose_name = _("personnel report")
        verbose_name_plural = _("personnel reports")

    def __str__(self):
        return str(self.period)

    def save(self, *args, **kwargs):
        if self.period_id and _period_locked(self.period_id):
            raise ValidationError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.period_id and not self.period.asks_goals:
            raise ValidationError(
                {
                    "period": _(
                        "A personnel report is written for the interim report and the annual "
                        "accounts."
                    )
                }
            )
        if not (self.text or "").strip():
            raise ValidationError({"text": _("Write the personnel report.")})
        if self.period_id and _period_locked(self.period_id):
            raise ValidationError(LOCKED_MESSAGE)


class ReminderLog(models.Model):
    """Påminnelse: a reminder e-mail sent to one chef about one unit's submission.

    The unique constraint is what makes "never the same reminder twice" hold, even
    when two daily runs overlap.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", pgettext_lazy("reminder", "before the deadline")
        AFTER = "after", pgettext_lazy("reminder", "after the deadline")

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("reporting period"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "user", "kind"], name="%(app_label)s_%(class)s_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.unit} – {self.period} → {self.email}"
