"""The core: the municipality, its organisation tree, people's roles and mandate periods."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from styrning.formatting import year_span
from styrning.validators import validate_year, year_range_q


class MunicipalityManager(models.Manager):
    def current(self):
        """The municipality this deployment serves (one query); 404 before one is set up.

        Most views start here: the query is written once per process (request_rows)."""
        from styrning import request_rows

        municipality = request_rows.first_row(self.model, self.db)
        if municipality is None:
            from django.http import Http404

            raise Http404(_("No municipality has been set up yet."))
        return municipality


class Municipality(models.Model):
    """Kommun: the one municipality this deployment serves."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    model_name = models.SlugField(
        _("governance model"),
        max_length=40,
        default="hedemora",
        help_text=_("The seed model the demo data was built from."),
    )
    financial_target_percent = models.DecimalField(
        # xgettext:no-python-format
        _("financial target (% of taxes and grants)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    objects = MunicipalityManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


# The tree's bookkeeping columns: the history keeps the parent, not the numbers.
MPTT_FIELDS = ["lft", "rght", "tree_id", "mptt_level"]


class OrgUnitQuerySet(TreeQuerySet):
    def visible_to(self, user):
        """Units are not secret: every logged-in user sees the organisation; anonymous none."""
        return self if user is not None and user.is_authenticated else self.none()

    def in_subtrees(self, units):
        """Units at or below any of ``units`` (no query until evaluated)."""
        condition = models.Q(pk__in=[])
        for unit in units:
            condition |= models.Q(tree_id=unit.tree_id, lft__gte=unit.lft, rght__lte=unit.rght)
        return self.filter(condition)

    def governing_bodies(self):
        """KS, nämnder and bolagsstyrelser: the bodies a förvaltning or bolag serves."""
        return self.filter(kind__in=OrgUnit.GOVERNING_KINDS)


class OrgUnit(MPTTModel):
    """Organisationsenhet: KF, KS, nämnd, bolagsstyrelse, förvaltning, bolag or enhet."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("municipal council")
        EXECUTIVE = "executive", _("municipal executive board")
        COMMITTEE = "committee", _("committee")
        BOARD = "board", _("company board")
        ADMINISTRATION = "administration", _("administration")
        COMPANY = "company", _("company")
        UNIT = "unit", _("unit")

    # The political bodies a förvaltning or bolag serves: KS, a nämnd, a bolagsstyrelse.
    GOVERNING_KINDS = (Kind.EXECUTIVE, Kind.COMMITTEE, Kind.BOARD)
    OFFICE_KINDS = (Kind.ADMINISTRATION, Kind.COMPANY)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="units", verbose_name=_("municipality")
    )
    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # In Swedish order wherever they are sorted, the tree's siblings too (order_insertion_by).
    name = models.CharField(_("name"), max_length=150, db_collation=settings.NAME_COLLATION)
    ansvarskod = models.CharField(
        _("responsibility code"),
        max_length=20,
        blank=True,
        help_text=_("The code the ledger uses for this unit (ansvar)."),
    )
    history = HistoricalRecords(excluded_fields=MPTT_FIELDS)

    objects = TreeManager.from_queryset(OrgUnitQuerySet)()

    class MPTTMeta:
        order_insertion_by = ["name"]
        level_attr = "mptt_level"

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "ansvarskod"],
                condition=~models.Q(ansvarskod=""),
                name="%(app_label)s_%(class)s_unique_ansvarskod",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.municipality_id != self.municipality_id:
            raise ValidationError({"parent": _("The parent unit belongs to another municipality.")})
        if self.pk and self.parent_id:
            if self.parent_id == self.pk or (
                self.parent.tree_id == self.tree_id and self.lft < self.parent.lft < self.rght
            ):
                raise ValidationError({"parent": _("A unit cannot be placed below itself.")})

    @property
    def is_governing_body(self):
        """KS, a nämnd or a bolagsstyrelse (Kind.BOARD alone is a bolagsstyrelse)."""
        return self.kind in self.GOVERNING_KINDS

    def governing_body(self):
        """The nämnd or styrelse this unit belongs to (itself if it is one); None above them.

        Reads the stored tree (two queries): an in-memory unit may hold stale lft/rght.
        """
        fresh = OrgUnit.objects.get(pk=self.pk)
        if fresh.is_governing_body:
            return fresh
        return fresh.get_ancestors(ascending=True).filter(kind__in=self.GOVERNING_KINDS).first()

    # For the permission helper: what belongs to a unit is decided by its chef.
    access_decided = True

    @property
    def access_unit(self):
        return self

    @property
    def is_office(self):
        return self.kind in self.OFFICE_KINDS


class Membership(models.Model):
    """Roll: a person's role on an organisational unit."""

    class Role(models.TextChoices):
        POLITICIAN = "politician", _("politician")
        MANAGER = "manager", _("manager")
        FINANCE = "finance", _("finance director")
        HR = "hr", _("HR manager")
        ADMIN = "admin", _("system administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username", "unit__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="%(app_label)s_%(class)s_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.role_label} – {self.unit}"

    @property
    def role_label(self):
        """The Swedish title: a manager is förvaltningschef, VD or enhetschef by the unit."""
        if self.role == self.Role.MANAGER:
            if self.unit.kind == OrgUnit.Kind.COMPANY:
                return _("CEO")
            if self.unit.kind == OrgUnit.Kind.ADMINISTRATION:
                return _("head of administration")
            return _("unit manager")
        return self.get_role_display()


class MandatePeriod(models.Model):
    """Mandatperiod: the council's four-year term, e.g. 2023–2026."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="mandate_periods",
        verbose_name=_("municipality"),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=[validate_year])
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=[validate_year])
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        verbose_name = _("mandate period")
        verbose_name_plural = _("mandate periods")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "start_year"], name="%(app_label)s_%(class)s_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_end_after_start",
            ),
            models.CheckConstraint(
                condition=year_range_q("start_year") & year_range_q("end_year"),
                name="%(app_label)s_%(class)s_year_range",
            ),
        ]

    def __str__(self):
        return year_span(self.start_year, self.end_year)

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError(
                {"end_year": _("The last year cannot come before the first year.")}
            )


class JobQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(state__in=(Job.State.QUEUED, Job.State.RUNNING))

    def stale(self, now=None):
        """Unfinished jobs nobody is working on: no heartbeat for too long, or never started.

        The limits are JOB_HEARTBEAT_TIMEOUT and JOB_QUEUE_TIMEOUT (seconds).
        """
        from datetime import timedelta

        from django.utils import timezone

        now = now or timezone.now()
        silent = now - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
        waited = now - timedelta(seconds=settings.JOB_QUEUE_TIMEOUT)
        return self.filter(
            models.Q(state=Job.State.RUNNING, heartbeat__lt=silent)
            | models.Q(state=Job.State.QUEUED, created__lt=waited)
        )


class Job(models.Model):
    """Bakgrundsjobb: an import (and, next, a report) run outside the request.

    State goes queued → running → done or failed; a failed job has a short
    Swedish reason. ``styrning.jobs.run_job`` is the one place that moves it.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        REPORT = "report", _("report")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job state", "queued")
        RUNNING = "running", pgettext_lazy("job state", "running")
        DONE = "done", pgettext_lazy("job state", "done")
        FAILED = "failed", pgettext_lazy("job state", "failed")

    FINISHED = (State.DONE, State.FAILED)
    REASON_MAX = 500

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["state", "heartbeat"], name="styrning_job_state_beat")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} ({self.get_state_display()})"

    @property
    def is_finished(self):
        return self.state in self.FINISHED

    @property
    def percent(self):
        if not self.progress_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def progress_label(self):
        """ "168 000 av 300 033 rader" ("168 000 rader" when the total is not known)."""
        from django.utils.translation import gettext

        from styrning.formatting import whole

        if not self.progress_total:
            if not self.progress_done:
                return ""
            return gettext("%(done)s rows") % {"done": whole(self.progress_done)}
        return gettext("%(done)s of %(total)s rows") % {
            "done": whole(self.progress_done),
            "total": whole(self.progress_total),
        }
