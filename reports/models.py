"""Rapporter: a månadsrapport, delårsrapport or årsredovisning rendered as a PDF.

A report is made from live data while it is a draft. The context the file was
rendered from is kept beside it (``snapshot``); when the report is adopted
(``adopted_by`` and ``decision_reference``) it is frozen with its file, its
period is locked, and the row refuses every change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import ReportKind
from followup.models import ReportingPeriod
from styrning.models import Job, Municipality, OrgUnit

ADOPTED_MESSAGE = _("The report has been adopted and can no longer change.")

# The halvtidsuppföljning: a report of a mandate period's midterm year, not a period's own
# report. Its ``period`` is the year's last goal period (the one the /uppfoljning/halvtid/
# page reads), which it does not lock.
MIDTERM = "midterm"
KIND_CHOICES = [*ReportKind.choices, (MIDTERM, _("midterm review"))]


def report_path(instance, filename) -> str:
    return f"rapporter/{instance.period.year}/{filename}"


class ReportQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(adopted_at__isnull=False)

    def visible_to(self, user):
        """Adopted reports are public documents (everyone, also anonymous visitors);
        drafts only for the ekonomichef and administrators (one query for the scope)."""
        from styrning.permissions import may_manage_reports

        if user is not None and user.is_authenticated and may_manage_reports(user):
            return self
        return self.adopted()

    def for_list(self):
        """Rows of the lists with what they show beside them (one query)."""
        return self.select_related("period", "job", "requested_by", "adopted_by")


class Report(models.Model):
    """Rapport: one rendering of a report for one reporting period, and its adoption."""

    Kind = ReportKind

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("report"), max_length=10, choices=KIND_CHOICES)
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reporting period"),
    )
    job = models.OneToOneField(
        Job, on_delete=models.PROTECT, related_name="report", verbose_name=_("job")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=report_path, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    # The context the file was rendered from; frozen with the report when it is adopted.
    snapshot = models.JSONField(_("content"), null=True, blank=True, editable=False)
    adopted_by = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_reports",
        verbose_name=_("adopted by"),
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=120,
        blank=True,
        help_text=_("The adoption, e.g. “KF 2026-10-26 § 98”."),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adoption recorded by"),
    )
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    # For styrning.permissions: the ekonomichef (and administrators) make and adopt reports.
    access_finance_only = True
    access_decided = True
    access_unit = None

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind"],
                condition=models.Q(adopted_at__isnull=False),
                name="%(app_label)s_%(class)s_one_adopted_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(adopted_at__isnull=True)
                | (
                    models.Q(adopted_by__isnull=False)
                    & ~models.Q(decision_reference="")
                    & ~models.Q(sha256="")
                ),
                name="%(app_label)s_%(class)s_adopted_has_decision_and_file",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Whoever calls (a view, the admin, a script): an adopted report never changes.
        if self._stored_adopted():
            raise ValidationError(ADOPTED_MESSAGE)
        if self.job_id is None:
            self.job = Job.objects.create(kind=Job.Kind.REPORT, requested_by=self.requested_by)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self._stored_adopted():
            raise ValidationError(ADOPTED_MESSAGE)
        return super().delete(*args, **kwargs)

    def download_url(self):
        return reverse("reports:download", args=[self.pk])

    @property
    def title(self) -> str:
        """ "Delårsrapport per 31 augusti 2026" (the period's label); "Halvtidsuppföljning
        2020" (its year)."""
        if self.kind == MIDTERM:
            return _("Midterm review %(year)s") % {"year": self.period.year}
        return self.period.label

    @property
    def is_midterm(self) -> bool:
        return self.kind == MIDTERM

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None

    @property
    def is_done(self) -> bool:
        return self.job.state == Job.State.DONE and bool(self.sha256)

    @property
    def filename(self) -> str:
        """ "delarsrapport-2026-08.pdf"."""
        names = {
            ReportKind.MONTHLY: "manadsrapport",
            ReportKind.INTERIM: "delarsrapport",
            ReportKind.ANNUAL: "arsredovisning",
        }
        if self.kind == MIDTERM:
            return f"halvtidsuppfoljning-{self.period.year}.pdf"
        return f"{names.get(self.kind, 'rapport')}-{self.period.year}-{self.period.month:02}.pdf"

    def _stored_adopted(self) -> bool:
        """Is the row adopted in the database? (one query; False for a new row)"""
        if self.pk is None:
            return False
        return type(self).objects.filter(pk=self.pk, adopted_at__isnull=False).exists()

    def clean(self):
        super().clean()
        if self.kind == MIDTERM:
            if self.period_id and self.period.kind not in GOAL_PERIOD_KINDS:
                raise ValidationError(
                    {"period": _("A midterm review reads a period that assesses the goals.")}
                )
        elif self.period_id and self.kind and self.period.kind != self.kind:
            raise ValidationError({"period": _("The period is not one of this kind of report.")})
        if (
            self.period_id
            and self.municipality_id
            and (self.period.municipality_id != self.municipality_id)
        ):
            raise ValidationError({"period": _("The period belongs to another municipality.")})
        if self.adopted_by_id is not None:
            allowed = adopting_kinds(self.kind)
            if self.adopted_by.kind not in allowed:
                raise ValidationError(
                    {"adopted_by": _("This body does not adopt this kind of report.")}
                )


GOAL_PERIOD_KINDS = (ReportKind.INTERIM, ReportKind.ANNUAL)


def adopting_kinds(kind) -> tuple:
    """The kinds of body that adopt a report: KF the delårsrapport and årsredovisning,
    KS or a nämnd (or styrelse) a månadsrapport."""
    if kind == ReportKind.MONTHLY:
        return (OrgUnit.Kind.COUNCIL, *OrgUnit.GOVERNING_KINDS)
    return (OrgUnit.Kind.COUNCIL,)
