"""Submissions (uppföljningar): one reporting unit's report for one period.

Nothing in a locked period can change, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from followup.models.periods import ReportingPeriod
from styrning.models import OrgUnit


@dataclass(frozen=True)
class SubmissionCount:
    """How many reporting units have sent (inskickad or later) of those expected."""

    sent: int
    expected: int
    late: int = 0


class SubmissionQuerySet(models.QuerySet):
    def sent(self):
        """Submissions that have been sent: inskickad, godkänd or låst (and not returned)."""
        return self.filter(state__in=Submission.SENT_STATES)

    def counts_for(self, periods) -> dict[int, SubmissionCount]:
        """Per period pk: sent, expected and late submissions (two queries, any number of periods).

        Expected are the municipality's reporting units (förvaltningar and bolag) as
        they are now.
        """
        periods = list(periods)
        if not periods:
            return {}
        rows = (
            self.filter(period__in=[p.pk for p in periods])
            .values("period")
            .annotate(
                sent=models.Count("pk", filter=models.Q(state__in=Submission.SENT_STATES)),
                late=models.Count(
                    "pk",
                    filter=models.Q(
                        state__in=Submission.SENT_STATES,
                        sent_at__date__gt=models.F("period__deadline"),
                    ),
                ),
            )
            .order_by()
        )
        by_period = {row["period"]: row for row in rows}
        expected = dict(
            OrgUnit.objects.filter(
                municipality__in={p.municipality_id for p in periods},
                kind__in=OrgUnit.OFFICE_KINDS,
            )
            .values("municipality")
            .annotate(n=models.Count("pk"))
            .values_list("municipality", "n")
            .order_by()
        )
        return {
            p.pk: SubmissionCount(
                sent=by_period.get(p.pk, {}).get("sent", 0),
                expected=expected.get(p.municipality_id, 0),
                late=by_period.get(p.pk, {}).get("late", 0),
            )
            for p in periods
        }


class Submission(models.Model):
    """Uppföljning: one reporting unit's (förvaltning or bolag) report for one period.

    The core only: its state and who moved it. The form's contents (comments,
    assessments, prognoses) are added by the submission slice of the follow-up issue.
    """

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("submission state", "draft")
        SENT = "sent", pgettext_lazy("submission state", "sent")
        RETURNED = "returned", pgettext_lazy("submission state", "returned")
        APPROVED = "approved", pgettext_lazy("submission state", "approved")
        LOCKED = "locked", pgettext_lazy("submission state", "locked")

    SENT_STATES = (State.SENT, State.APPROVED, State.LOCKED)
    # For styrning.permissions: a submission is its unit's draft until it is approved.
    access_decided = False

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("reporting period"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("unit")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    history = HistoricalRecords()

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "unit__name"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"], name="%(app_label)s_%(class)s_unique_unit"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="returned") | ~models.Q(return_reason=""),
                name="%(app_label)s_%(class)s_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "returned"])
                | models.Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.period}"

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
        return self.unit

    @property
    def is_sent(self) -> bool:
        return self.state in self.SENT_STATES

    @property
    def late(self) -> bool:
        """Sent after the period's deadline (a day in Swedish time)."""
        if self.sent_at is None:
            return False
        return timezone.localdate(self.sent_at) > self.period.deadline

    def _period_locked(self) -> bool:
        """Is the period locked in the database? (one query)"""
        return ReportingPeriod.objects.filter(
            pk=self.period_id, state=ReportingPeriod.State.LOCKED
        ).exists()

    def clean(self):
        super().clean()
        if self.unit_id and self.unit.kind not in OrgUnit.OFFICE_KINDS:
            raise ValidationError(
                {"unit": _("Only an administration or a company sends a follow-up.")}
            )
        if self.unit_id and self.period_id:
            if self.unit.municipality_id != self.period.municipality_id:
                raise ValidationError({"unit": _("The unit belongs to another municipality.")})
            if self._period_locked():
                raise ValidationError(_("The period is locked: its report has been adopted."))
        if self.state == self.State.RETURNED and not self.return_reason.strip():
            raise ValidationError({"return_reason": _("Say why the follow-up is returned.")})
