"""Submissions (uppföljningar): one reporting unit's report for one period.

Nothing in a locked period can change, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
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
    decided: int = 0  # approved (or locked with its period)


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Submissions the user may read (one query for the scope, none here).

        Approved and locked ones are decided: every logged-in user. In progress: the
        ekonomichef and administrators, the people of the unit and of the units above
        and below it (not politicians), and the delegate.
        """
        from styrning.permissions import scope_for

        scope = scope_for(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.reads_everything:
            return self
        q = models.Q(state__in=Submission.DECIDED_STATES) | models.Q(delegate=user)
        q |= models.Q(unit__in=scope.readable_units())
        for root in scope.read_roots:
            q |= models.Q(
                unit__tree_id=root.tree_id, unit__lft__lte=root.lft, unit__rght__gte=root.rght
            )
        return self.filter(q)

    def decided_visible_to(self, user):
        """The decided (approved, locked) submissions the user may read: every one for a
        logged-in user, as ``visible_to`` says, without its rules for those in progress
        (their filter cost more to build than the query took). No query."""
        from styrning.permissions import scope_for

        if not scope_for(user).is_authenticated:
            return self.none()
        return self.filter(state__in=Submission.DECIDED_STATES)

    def for_page(self):
        """One submission with what its page shows beside it (one query)."""
        return self.select_related("period", "unit__parent", "delegate", "sent_by", "decided_by")

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
                decided=models.Count("pk", filter=models.Q(state__in=Submission.DECIDED_STATES)),
                late=models.Count(
                    "pk",
                    filter=models.Q(
                        state__in=Submission.SENT_STATES,
                        first_sent_at__date__gt=models.F("period__deadline"),
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
                decided=by_period.get(p.pk, {}).get("decided", 0),
            )
            for p in periods
        }


class Submission(models.Model):
    """Uppföljning: one reporting unit's (förvaltning or bolag) report for one period.

    Its state and who moved it, the economic comment, the åtgärdsplan and the
    delegate the förvaltningschef named. The goals' assessments, the assignments'
    follow-up and evidence files hang off it (``followup.models.assessments``); the
    helårsprognos is the budget's ``Forecast`` rows and indicator values are
    ``goals.Measurement`` rows. ``followup.submissions`` changes it.
    """

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("submission state", "draft")
        SENT = "sent", pgettext_lazy("submission state", "sent")
        RETURNED = "returned", pgettext_lazy("submission state", "returned")
        APPROVED = "approved", pgettext_lazy("submission state", "approved")
        LOCKED = "locked", pgettext_lazy("submission state", "locked")

    SENT_STATES = (State.SENT, State.APPROVED, State.LOCKED)
    EDITABLE_STATES = (State.DRAFT, State.RETURNED)
    # Decided content: every logged-in user reads it (a public document).
    DECIDED_STATES = (State.APPROVED, State.LOCKED)
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
    # Lateness is the first send's: one sent in time, returned after the deadline and sent
    # again is not late (a trial saw a corrected follow-up marked late by its resend).
    first_sent_at = models.DateTimeField(_("first sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    economic_comment = models.TextField(_("economic comment"), blank=True)
    action_plan = models.TextField(
        _("action plan"),
        blank=True,
        help_text=_("Required when the full-year forecast deviates beyond the threshold."),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegated_submissions",
        verbose_name=_("delegate"),
        help_text=_("A colleague who may fill in and send the follow-up for the chef."),
    )
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
        if self.first_sent_at is None:
            self.first_sent_at = self.sent_at  # the first send, kept through returns
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("followup:submission", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self._period_locked():
            raise ValidationError(_("The period is locked: its report has been adopted."))
        return super().delete(*args, **kwargs)

    @property
    def access_unit(self):
        return self.unit

    @property
    def access_in_progress(self) -> bool:
        """For styrning.permissions: not yet approved (only its unit's people read it)."""
        return self.state not in self.DECIDED_STATES

    @property
    def access_editable(self) -> bool:
        """For styrning.permissions: utkast or återsänd in an open period."""
        return (
            self.state in self.EDITABLE_STATES and self.period.state == ReportingPeriod.State.OPEN
        )

    @property
    def access_reviewable(self) -> bool:
        """For styrning.permissions: inskickad in a period that is not locked."""
        return self.state == self.State.SENT and not self.period.is_locked

    @property
    def is_sent(self) -> bool:
        return self.state in self.SENT_STATES

    @property
    def left_unsent(self) -> bool:
        """Not sent when its period closed: nobody can send it until the period reopens."""
        closed = self.period.state == ReportingPeriod.State.CLOSED
        return closed and self.state in self.EDITABLE_STATES

    @property
    def late(self) -> bool:
        """First sent after the period's deadline (a day in Swedish time)."""
        first = self.first_sent_at or self.sent_at
        if first is None:
            return False
        return timezone.localdate(first) > self.period.deadline

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
