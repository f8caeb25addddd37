"""The roll-up's data: the rule per goal level, the uppdrag status mapping, the overrides.

``followup.rollup`` reads them; the rules and the mapping are edited in the Django
admin (with history), an override on the goal's "hur bedömningen gjordes" page.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import Fulfilment
from followup.models.periods import ReportingPeriod
from goals.models import Assignment, Goal, GoalLevel
from styrning.models import Municipality

SHARE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
WEIGHT_VALIDATORS = [MinValueValidator(Decimal("0"))]


class RollupRule(models.Model):
    """Regel för sammanvägd bedömning: how a goal at one level is suggested from below.

    ``share``: fulfilled when at least ``fulfilled_share`` of what was assessed below
    is fulfilled, partly when at least ``partly_share`` is fulfilled or partly, else
    not fulfilled. ``worst``: the worst assessment below. ``weighted``: each item's
    score (fulfilled, partly, not fulfilled) weighted by its kind (goal, indicator,
    uppdrag), the mean against the same two thresholds. What was not assessed takes
    no part.
    """

    class Kind(models.TextChoices):
        SHARE = "share", _("share thresholds")
        WORST = "worst", _("worst of")
        WEIGHTED = "weighted", _("weighted mean")

    level = models.OneToOneField(
        GoalLevel, on_delete=models.CASCADE, related_name="rollup_rule", verbose_name=_("level")
    )
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices, default=Kind.SHARE)
    fulfilled_share = models.DecimalField(
        _("fulfilled from (share)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=SHARE_VALIDATORS,
        # xgettext:no-python-format
        help_text=_("0.75: at least 75 % fulfilled (weighted: a mean score of 0.75)."),
    )
    partly_share = models.DecimalField(
        _("partly fulfilled from (share)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=SHARE_VALIDATORS,
        # xgettext:no-python-format
        help_text=_("0.50: at least 50 % fulfilled or partly fulfilled."),
    )
    fulfilled_score = models.DecimalField(
        _("score of fulfilled"), max_digits=4, decimal_places=2, default=Decimal("1")
    )
    partly_score = models.DecimalField(
        _("score of partly fulfilled"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    not_fulfilled_score = models.DecimalField(
        _("score of not fulfilled"), max_digits=4, decimal_places=2, default=Decimal("0")
    )
    goal_weight = models.DecimalField(
        _("weight of a goal below"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=WEIGHT_VALIDATORS,
    )
    indicator_weight = models.DecimalField(
        _("weight of an indicator"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=WEIGHT_VALIDATORS,
    )
    assignment_weight = models.DecimalField(
        _("weight of an assignment"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=WEIGHT_VALIDATORS,
    )
    use_indicators = models.BooleanField(
        _("indicators count"),
        default=True,
        help_text=_("The goal's own indicators' progress from baseline to target counts."),
    )
    use_assignments = models.BooleanField(
        _("assignments count"),
        default=False,
        help_text=_("The special assignments linked to the goal count, by the status mapping."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["level__municipality", "level__order"]
        verbose_name = _("roll-up rule")
        verbose_name_plural = _("roll-up rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    fulfilled_share__gte=0,
                    fulfilled_share__lte=1,
                    partly_share__gte=0,
                    partly_share__lte=models.F("fulfilled_share"),
                ),
                name="%(app_label)s_%(class)s_shares_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(goal_weight__gte=0, indicator_weight__gte=0)
                & models.Q(assignment_weight__gte=0),
                name="%(app_label)s_%(class)s_weights_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.level}: {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if (
            self.partly_share is not None
            and self.fulfilled_share is not None
            and self.partly_share > self.fulfilled_share
        ):
            raise ValidationError(
                {"partly_share": _("The share for partly fulfilled cannot exceed fulfilled's.")}
            )

    def as_rule(self):
        """The rule as plain values for ``followup.rollup``."""
        from followup.rollup import Rule

        return Rule(
            kind=self.kind,
            fulfilled_share=self.fulfilled_share,
            partly_share=self.partly_share,
            fulfilled_score=self.fulfilled_score,
            partly_score=self.partly_score,
            not_fulfilled_score=self.not_fulfilled_score,
            goal_weight=self.goal_weight,
            indicator_weight=self.indicator_weight,
            assignment_weight=self.assignment_weight,
            use_indicators=self.use_indicators,
            use_assignments=self.use_assignments,
        )


class AssignmentStatusMapping(models.Model):
    """Uppdragens bedömning: an uppdrag's status counted as an assessment (halvtid).

    Default: genomfört → uppfyllt, pågår → delvis uppfyllt, ej påbörjat and avbrutet →
    ej uppfyllt; a status without a row here takes the default.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="assignment_mappings",
        verbose_name=_("municipality"),
    )
    assignment_status = models.CharField(
        _("assignment status"), max_length=20, choices=Assignment.Status.choices
    )
    fulfilment = models.CharField(_("counts as"), max_length=15, choices=Fulfilment.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality", "assignment_status"]
        verbose_name = _("assignment status mapping")
        verbose_name_plural = _("assignment status mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "assignment_status"],
                name="%(app_label)s_%(class)s_unique_status",
            ),
        ]

    def __str__(self):
        return f"{self.get_assignment_status_display()} → {self.get_fulfilment_display()}"


class RollupOverrideQuerySet(models.QuerySet):
    def for_page(self, goal, period):
        """The goal's override in the period, with the user who set it, or None (one query).

        Ordered by pk alone: there is at most one, and the models' ordering (by the
        period and goal) joined four tables to sort it.
        """
        override = (
            self.select_related("set_by").filter(goal=goal, period=period).order_by("pk").first()
        )
        if override is not None:
            override.goal, override.period = goal, period
        return override


class RollupOverride(models.Model):
    """Ändrad sammanvägd bedömning: the goal's owner sets another assessment than the
    suggested one, for one period, with a written reason. Refused in a locked period."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="rollup_overrides", verbose_name=_("goal")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="rollup_overrides",
        verbose_name=_("reporting period"),
    )
    status = models.CharField(_("assessment"), max_length=15, choices=Fulfilment.choices)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)
    history = HistoricalRecords()

    objects = RollupOverrideQuerySet.as_manager()

    # For styrning.permissions: the owner's own judgement, changed with drafting rights.
    access_decided = False

    class Meta:
        ordering = ["period", "goal"]
        verbose_name = _("changed roll-up assessment")
        verbose_name_plural = _("changed roll-up assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "period"], name="%(app_label)s_%(class)s_unique_period"
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="%(app_label)s_%(class)s_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.goal} – {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if self.period_id and self._period_locked():
            raise ValidationError(_("The period is locked: its report has been adopted."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._period_locked():
            raise ValidationError(_("The period is locked: its report has been adopted."))
        return super().delete(*args, **kwargs)

    @property
    def access_unit(self):
        return self.goal.owner

    def _period_locked(self) -> bool:
        """Is the period locked in the database? (one query)"""
        return ReportingPeriod.objects.filter(
            pk=self.period_id, state=ReportingPeriod.State.LOCKED
        ).exists()

    def clean(self):
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Say why the assessment differs.")})
        if self.goal_id and self.period_id:
            if self.goal.municipality_id != self.period.municipality_id:
                raise ValidationError({"period": _("The period belongs to another municipality.")})
            if self._period_locked():
                raise ValidationError(_("The period is locked: its report has been adopted."))
