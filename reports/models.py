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
from django.utils.translation import pgettext_lazy
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


def document_title(period, kind: str) -> str:
    """A report's title, on its page, in its list and on its cover alike: "Delårsrapport per
    31 augusti 2026" (the period's label), "Årsredovisning 2025" and "Halvtidsuppföljning
    2020" (the year)."""
    if kind == MIDTERM:
        # Filtered in Python: a list that prefetches the mandate periods asks nothing more.
        mandate = next(
            (
                m
                for m in period.municipality.mandate_periods.all()
                if m.start_year <= period.year <= m.end_year
            ),
            None,
        )
        if mandate is not None:
            return _("Midterm review of the mandate period %(mandate)s") % {"mandate": mandate}
        return _("Midterm review %(year)s") % {"year": period.year}
    if kind == ReportKind.ANNUAL:
        return _("Annual report %(year)s") % {"year": period.year}
    return period.label


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
        """The title the document itself carries (see ``document_title``)."""
        return document_title(self.period, self.kind)

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
        # Not a company's board: a bolag's styrelse does not adopt the kommun's report.
        return (OrgUnit.Kind.COUNCIL, OrgUnit.Kind.EXECUTIVE, OrgUnit.Kind.COMMITTEE)
    return (OrgUnit.Kind.COUNCIL,)


# --- the report's written texts -----------------------------------------------------------


class ReportTextQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ekonomichef and administrators read every text; others the texts of the
        periods where they write a chapter and those of the units whose follow-ups they may
        read (politicians none: drafts). No query until evaluated."""
        from styrning.permissions import report_text_reader_filter

        condition = report_text_reader_filter(user)
        if condition is None:
            return self
        return self.filter(condition).distinct()

    def for_page(self):
        """What the lists show beside each text (one query)."""
        return self.select_related("period", "unit", "owner")

    def due_for(self, user):
        """The texts ``user`` still has to write: theirs, not yet done, in a period whose
        report has not been adopted (no query until evaluated)."""
        return (
            self.filter(owner=user, state=ReportText.State.DRAFT)
            .exclude(period__state=ReportingPeriod.State.LOCKED)
            .order_by(models.F("deadline").asc(nulls_last=True), "period__year", "order")
        )


class ReportText(models.Model):
    """Rapporttext (kapitel): one written part of a period's report — the sammanfattning,
    a section of the förvaltningsberättelse or a nämnd's analysis — with its owner, the
    ekonomichef's anvisningar and deadline, and its state (utkast → klar → låst).

    Nothing locked changes: neither a locked text nor any text of a locked period (an
    adopted report locks its period).
    """

    class Section(models.TextChoices):
        SUMMARY = "summary", _("Summary of the report")
        OVERVIEW = "overview", _("Important conditions for the result and financial position")
        EVENTS = "events", _("Events of significant importance")
        GOVERNANCE = "governance", _("Governance and follow-up")
        ECONOMY = "economy", _("Good financial management and financial position")
        OUTLOOK = "outlook", _("Expected development")
        BODY = "body", _("Analysis of a committee or board")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("text state", "draft")
        DONE = "done", pgettext_lazy("text state", "done")
        LOCKED = "locked", pgettext_lazy("text state", "locked")

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="report_texts",
        verbose_name=_("reporting period"),
    )
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_texts",
        verbose_name=_("committee or board"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_texts",
        verbose_name=_("writer"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    instructions = models.TextField(
        _("instructions"),
        blank=True,
        help_text=_("The finance director's instructions, shown beside the text while writing."),
    )
    text = models.TextField(_("text"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    history = HistoricalRecords()

    objects = ReportTextQuerySet.as_manager()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "section"],
                condition=models.Q(unit__isnull=True),
                name="%(app_label)s_%(class)s_one_section_per_period",
            ),
            models.UniqueConstraint(
                fields=["period", "unit"],
                condition=models.Q(unit__isnull=False),
                name="%(app_label)s_%(class)s_one_per_unit_and_period",
            ),
            models.CheckConstraint(
                condition=(models.Q(section="body") & models.Q(unit__isnull=False))
                | (~models.Q(section="body") & models.Q(unit__isnull=True)),
                name="%(app_label)s_%(class)s_body_has_unit",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._stored_frozen():
            raise ValidationError(TEXT_LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reports:text", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self._stored_frozen():
            raise ValidationError(TEXT_LOCKED_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def title(self) -> str:
        """The chapter's heading: the nämnd's name, or the section's."""
        if self.unit_id is not None:
            return self.unit.name
        return str(self.get_section_display())

    @property
    def access_unit(self):
        return self.unit

    @property
    def is_frozen(self) -> bool:
        """Locked, or its period is (the report adopted): nothing changes."""
        return self.state == self.State.LOCKED or self.period.is_locked

    @property
    def shown_state(self) -> str:
        return str(self.State.LOCKED.label if self.is_frozen else self.get_state_display())

    def _stored_frozen(self) -> bool:
        """Is the stored row locked, or its period? (one query; False for a new row)"""
        if self.pk is None:
            return False
        return (
            type(self)
            .objects.filter(pk=self.pk)
            .filter(models.Q(state=self.State.LOCKED) | models.Q(period__state="locked"))
            .exists()
        )

    def clean(self):
        super().clean()
        if self.state in (self.State.DONE, self.State.LOCKED) and not self.text.strip():
            raise ValidationError({"text": _("Write the text before marking it done.")})
        if self.unit_id is not None and self.period_id is not None:
            if self.unit.municipality_id != self.period.municipality_id:
                raise ValidationError({"unit": _("The unit belongs to another municipality.")})


TEXT_LOCKED_MESSAGE = _("The text is locked and can no longer change.")


class ReportTextComment(models.Model):
    """Kommentar: one message in the thread beside a report text."""

    report_text = models.ForeignKey(
        ReportText, on_delete=models.CASCADE, related_name="comments", verbose_name=_("text")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created = models.DateTimeField(_("written at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.body[:60]


def word_template_path(instance, filename) -> str:
    return f"rapporter/mallar/{filename}"


class WordTemplate(models.Model):
    """Wordmall: the municipality's own .docx template (logo, fonts, heading styles) that
    the reports' Word export is written on."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="word_template",
        verbose_name=_("municipality"),
    )
    file = models.FileField(_("Word template"), upload_to=word_template_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality"]
        verbose_name = _("Word template")
        verbose_name_plural = _("Word templates")

    def __str__(self):
        return self.file.name
