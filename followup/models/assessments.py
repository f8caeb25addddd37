"""The contents of a submission: goal assessments, assignment follow-up, evidence files.

Nothing here changes in a locked period (``Submission.save`` and the checks below
refuse it); ``followup.submissions`` is the one place that writes these rows.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import Fulfilment
from followup.models.periods import ReportingPeriod
from followup.models.submissions import Submission
from goals.models import Assignment, Goal, Indicator, Measurement

LOCKED_MESSAGE = _("The period is locked: its report has been adopted.")


class _InSubmission(models.Model):
    """A part of a submission: refuses to change once the submission's period is locked."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.submission_id and self._period_locked():
            raise ValidationError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._period_locked():
            raise ValidationError(LOCKED_MESSAGE)
        return super().delete(*args, **kwargs)

    def _period_locked(self) -> bool:
        """Is the submission's period locked in the database? (one query)"""
        return ReportingPeriod.objects.filter(
            submissions=self.submission_id, state=ReportingPeriod.State.LOCKED
        ).exists()


class Assessment(_InSubmission):
    """Bedömning av ett mål: one goal's assessment in one submission (and so one period).

    ``status`` is the assessment (at delår: of where the goal stands now);
    ``prognosis`` is the separate prognosis for the year-end asked for at delår.
    The indicator trend is computed from the measurements, never stored.
    """

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("submission"),
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("goal")
    )
    status = models.CharField(
        _("assessment"), max_length=15, choices=Fulfilment.choices, blank=True
    )
    prognosis = models.CharField(
        _("prognosis for the year-end"), max_length=15, choices=Fulfilment.choices, blank=True
    )
    analysis = models.TextField(_("analysis"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "goal__tree_id", "goal__lft"]
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "goal"], name="%(app_label)s_%(class)s_unique_goal"
            ),
        ]

    def __str__(self):
        return f"{self.goal} – {self.get_status_display() or '–'}"


class AssignmentReport(_InSubmission):
    """Uppföljning av ett särskilt uppdrag: its status and comment as reported in one period.

    Saving it through ``followup.submissions`` also moves the ``Assignment`` itself, by
    the goals app's own rules (``Assignment.full_clean``).
    """

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="assignment_reports",
        verbose_name=_("submission"),
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("special assignment"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Assignment.Status.choices, blank=True
    )
    comment = models.TextField(_("follow-up comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "assignment__due_date", "assignment__title"]
        verbose_name = _("assignment follow-up")
        verbose_name_plural = _("assignment follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "assignment"],
                name="%(app_label)s_%(class)s_unique_assignment",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} – {self.get_status_display() or '–'}"


EVIDENCE_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def evidence_path(instance, filename) -> str:
    """A random name under MEDIA_ROOT/underlag/: the uploaded name is kept on the row only."""
    suffix = PurePath(filename).suffix.lower()
    return f"underlag/{secrets.token_hex(16)}{suffix}"


class ReportedValue(_InSubmission):
    """An indicator's value for the period as a submission reports it: it becomes the
    indicator's measurement when the submission is approved (``followup.submissions.
    approve``), so nobody but those who work on the submission sees a value not yet
    approved. ``value`` None: the submission clears the period's measurement."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="reported_values",
        verbose_name=_("submission"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="reported_values",
        verbose_name=_("indicator"),
    )
    gender = models.CharField(
        _("gender"),
        max_length=1,
        choices=Measurement.Gender.choices,
        default=Measurement.Gender.TOTAL,
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported indicator value")
        verbose_name_plural = _("reported indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator", "gender"],
                name="followup_reportedvalue_unique",
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.gender}: {self.value}"


class Evidence(_InSubmission):
    """Underlag: a file attached to a goal's assessment or to the economic comment.

    Stored under a random name; downloaded only through a view that asks the
    permission path whether the user may read the submission.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("submission")
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("goal assessment"),
        help_text=_("Empty: attached to the economic comment."),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__lte=EVIDENCE_MAX_BYTES),
                name="%(app_label)s_%(class)s_size_limit",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("followup:evidence", args=[self.pk])

    def clean(self):
        super().clean()
        suffix = PurePath(self.name or "").suffix.lower()
        if suffix not in EVIDENCE_EXTENSIONS:
            raise ValidationError(
                {"file": _("Attach a PDF, an image (PNG, JPEG) or a spreadsheet (XLSX, ODS, CSV).")}
            )
        if self.size is not None and self.size > EVIDENCE_MAX_BYTES:
            raise ValidationError({"file": _("The file is larger than 10 MB.")})
        if (
            self.assessment_id
            and self.submission_id
            and self.assessment.submission_id != self.submission_id
        ):
            raise ValidationError({"assessment": _("The assessment belongs to another follow-up.")})


class PartDone(_InSubmission):
    """An enhetschef's word that their enhet's part of a follow-up is filled in: the
    förvaltningschef, who sends the whole, sees which enheter have reported and which
    have not (a part copied forward from the last period is filled in from the start,
    so being filled in does not say it was reviewed)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="parts_done", verbose_name=_("follow-up")
    )
    unit = models.ForeignKey(
        "styrning.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked by"),
    )
    done_at = models.DateTimeField(_("marked at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit's part done")
        verbose_name_plural = _("units' parts done")
        constraints = [
            models.UniqueConstraint(fields=["submission", "unit"], name="one_part_done_per_unit")
        ]

    def __str__(self):
        return f"{self.submission} – {self.unit}"
