"""The budget: years, frames, changes, detaljbudget, outcomes, forecasts, investments.

Amounts are in kronor with the ledger's sign (debit +, credit −): a cost or a
frame (net cost) is positive, a revenue negative. ``budget.signs`` converts
for tables. Frames are never edited after the budget is adopted: the current
frame is the adopted frame plus its ``BudgetChange``s.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from styrning.models import Job, Municipality, OrgUnit

MONEY = {"max_digits": 16, "decimal_places": 2}

# Years and dates a budget can speak of: anything else is a typing slip (year 0, 20266).
FIRST_YEAR, LAST_YEAR = 1900, 2100
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def validate_sensible_date(value):
    """Refuse a date outside 1900–2100 (a decision date of year 0 or 20026)."""
    if value is not None and not (FIRST_YEAR <= value.year <= LAST_YEAR):
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": dt.date(FIRST_YEAR, 1, 1), "last": dt.date(LAST_YEAR, 12, 31)},
            code="date_range",
        )


def year_range_constraint():
    """A named CheckConstraint: ``year`` lies within 1900–2100."""
    return models.CheckConstraint(
        condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
        name="%(app_label)s_%(class)s_year_range",
    )


class FinanceManaged:
    """Mixin for the permission helper: only the ekonomichef (and admins) change these rows.

    Budget figures are public documents: every logged-in user reads them.
    """

    access_finance_only = True
    access_decided = True

    @property
    def access_unit(self):
        return None


class PublicBudgetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Budget figures are public documents: every logged-in user reads them."""
        return self if user.is_authenticated else self.none()


class AccountGroup(FinanceManaged, models.Model):
    """Kontogrupp i driftredovisningen, e.g. Intäkter, Personalkostnader, Skatteintäkter."""

    class Kind(models.TextChoices):
        REVENUE = "revenue", _("revenue")
        COST = "cost", _("cost")
        FINANCING = "financing", _("taxes, grants and financial items")
        BALANCE = "balance", _("balance sheet")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="account_groups",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("account group")
        verbose_name_plural = _("account groups")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_operating(self):
        return self.kind in (self.Kind.REVENUE, self.Kind.COST)


class AccountMapping(FinanceManaged, models.Model):
    """Which account group an account belongs to: the longest matching prefix wins."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="account_mappings",
        verbose_name=_("municipality"),
    )
    prefix = models.CharField(
        _("account prefix"), max_length=10, help_text=_("E.g. 3 for all revenue, 46 or 4610.")
    )
    group = models.ForeignKey(
        AccountGroup,
        on_delete=models.CASCADE,
        related_name="mappings",
        verbose_name=_("account group"),
    )
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("account mapping")
        verbose_name_plural = _("account mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "prefix"], name="%(app_label)s_%(class)s_unique_prefix"
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… → {self.group}"

    def clean(self):
        super().clean()
        if not self.prefix.isdigit():
            raise ValidationError({"prefix": _("An account prefix is made of digits only.")})


class BudgetYear(FinanceManaged, models.Model):
    """Budgetår: KF's budget for a year, with the flerårsplan years after it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="budget_years",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    plan_years = models.PositiveSmallIntegerField(
        _("plan years"), default=2, help_text=_("How many years the flerårsplan covers after it.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decided_on = models.DateField(
        _("decision date"), null=True, blank=True, validators=[validate_sensible_date]
    )
    decision_reference = models.CharField(_("decision reference"), max_length=120, blank=True)
    deviation_threshold_amount = models.DecimalField(
        _("deviation threshold (kr)"),
        default=Decimal("1000000"),
        **MONEY,
        help_text=_("A negative deviation larger than this needs an action plan."),
    )
    deviation_threshold_percent = models.DecimalField(
        _("deviation threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("…or larger than this share of the frame."),
    )
    financial_target_percent = models.DecimalField(
        # xgettext:no-python-format
        _("financial target, result as % of taxes and grants"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
    )
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="%(app_label)s_%(class)s_unique_year"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(decided_on__isnull=False) & ~models.Q(decision_reference="")),
                name="%(app_label)s_%(class)s_adopted_has_decision",
            ),
            year_range_constraint(),
        ]

    def __str__(self):
        return str(self.year)

    def get_absolute_url(self):
        return reverse("budget:overview") + f"?ar={self.year}"

    def clean(self):
        super().clean()
        if self.pk and self.status == self.Status.DRAFT:
            before = BudgetYear.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if before == self.Status.ADOPTED:
                message = _("An adopted budget stays adopted: it changes through budget changes.")
                raise ValidationError({"status": message})

    @property
    def is_adopted(self):
        return self.status == self.Status.ADOPTED

    @property
    def years(self):
        return list(range(self.year, self.year + self.plan_years + 1))


class BudgetFrame(FinanceManaged, models.Model):
    """Driftram: a nämnd's or styrelse's net cost for a year, as KF adopted it."""

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.CASCADE, related_name="frames", verbose_name=_("budget year")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="frames",
        verbose_name=_("committee or board"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount = models.DecimalField(_("frame (net cost, kr)"), **MONEY)
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["budget_year", "unit__name", "year"]
        verbose_name = _("budget frame")
        verbose_name_plural = _("budget frames")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "unit", "year"], name="%(app_label)s_%(class)s_unique"
            ),
            year_range_constraint(),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.amount}"

    def clean(self):
        super().clean()
        errors = {}
        if self.unit_id and not self.unit.is_governing_body:
            errors["unit"] = _("Frames are set for committees and boards.")
        if self.budget_year_id and self.year not in self.budget_year.years:
            errors["year"] = _("The year must be the budget year or one of its plan years.")
        if self.pk and self.budget_year_id and self.budget_year.is_adopted:
            before = BudgetFrame.objects.filter(pk=self.pk).values_list("amount", flat=True).first()
            if before is not None and before != self.amount:
                errors["amount"] = _(
                    "The budget is adopted: the frame changes only through a decided budget change."
                )
        if errors:
            raise ValidationError(errors)


FIRST_YEAR, LAST_YEAR = 1900, 2100


class BudgetChangeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Decided changes are public documents: every logged-in user reads them."""
        return self if user.is_authenticated else self.none()


class BudgetChange(models.Model):
    """Budgetförändring: an omfördelning or tilläggsbudget, always with its decision.

    A decided change is never deleted: one registered by mistake is reversed by a
    new decision, a counter-change (``reverses``) with the same units and the
    amount negated, so the history keeps every step.
    """

    class Kind(models.TextChoices):
        REALLOCATION = "reallocation", _("reallocation")
        SUPPLEMENTARY = "supplementary", _("supplementary budget")

    budget_year = models.ForeignKey(
        BudgetYear,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("budget year"),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    from_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes_out",
        verbose_name=_("from"),
        help_text=_("Where the money is taken from (empty for a supplementary budget)."),
    )
    to_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="changes_in", verbose_name=_("to")
    )
    amount = models.DecimalField(
        _("amount (kr)"),
        **MONEY,
        help_text=_(
            "The money moved or added. A supplementary budget may be negative: the frame shrinks."
        ),
    )
    funding = models.CharField(
        _("where the money comes from"),
        max_length=200,
        blank=True,
        help_text=_("For a supplementary budget, e.g. the council's reserve or the result."),
    )
    decided_by = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="budget_decisions",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decision date"))
    decision_reference = models.CharField(
        _("decision reference"), max_length=120, help_text=_("E.g. KF 2026-04-22 § 45.")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
        help_text=_("The change this decision reverses."),
    )
    history = HistoricalRecords()

    objects = BudgetChangeQuerySet.as_manager()

    class Meta:
        ordering = ["budget_year", "decided_on", "pk"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount=0), name="%(app_label)s_%(class)s_not_zero"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision_reference=""),
                name="%(app_label)s_%(class)s_has_reference",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} {self.amount} → {self.to_unit} ({self.decision_reference})"
        )

    def clean(self):
        super().clean()
        errors = {}
        if not (self.decision_reference or "").strip():
            errors["decision_reference"] = _(
                "A budget change needs the decision reference, e.g. KF 2026-04-22 § 45."
            )
        if self.amount is not None and self.amount == 0:
            errors["amount"] = _("A budget change of zero kronor changes nothing: give the amount.")
        elif (
            self.amount is not None
            and self.amount < 0
            and self.kind == self.Kind.REALLOCATION
            and not self.reverses_id
        ):
            errors["amount"] = _(
                "Give a reallocation as a positive sum moved from one unit to the other."
            )
        if self.decided_on and not FIRST_YEAR <= self.decided_on.year <= LAST_YEAR:
            errors["decided_on"] = _(
                "The decision date must lie between %(first)s and %(last)s."
            ) % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
        if self.reverses_id:
            errors.update(self._reversal_errors())
        if self.kind == self.Kind.REALLOCATION and not self.from_unit_id:
            errors["from_unit"] = _("A reallocation takes the money from a unit: choose which.")
        if self.kind == self.Kind.SUPPLEMENTARY and not self.funding.strip():
            errors["funding"] = _("Say where the money for the supplementary budget comes from.")
        if self.from_unit_id and self.from_unit_id == self.to_unit_id:
            errors["to_unit"] = _("Money cannot be moved to the unit it comes from.")
        if self.to_unit_id and self.decided_by_id and not errors:
            required = self.required_decider()
            if required is not None and required.pk != self.decided_by_id:
                errors["decided_by"] = _("This change must be decided by %(body)s.") % {
                    "body": required.name
                }
        if self.budget_year_id and not self.budget_year.is_adopted:
            errors["budget_year"] = _(
                "The budget is not adopted yet: change the frames themselves instead."
            )
        if errors:
            raise ValidationError(errors)

    def _reversal_errors(self) -> dict:
        """A counter-change mirrors the change it reverses (one query)."""
        original = self.reverses
        if self.pk and original.pk == self.pk:
            return {"reverses": _("A change cannot reverse itself.")}
        if original.reverses_id:
            return {
                "reverses": _(
                    "A reversal cannot be reversed: register the change again with its new "
                    "decision."
                )
            }
        mirrors = (
            original.budget_year_id == self.budget_year_id
            and original.kind == self.kind
            and original.from_unit_id == self.from_unit_id
            and original.to_unit_id == self.to_unit_id
            and original.amount == -(self.amount or 0)
        )
        if not mirrors:
            return {
                "reverses": _(
                    "A reversal has the same year, kind and units as the change it reverses, "
                    "and the amount negated."
                )
            }
        if self.decided_on and original.decided_on and self.decided_on < original.decided_on:
            return {
                "decided_on": _(
                    "A reversal cannot be decided before the change it reverses (%(date)s)."
                )
                % {"date": original.decided_on.isoformat()}
            }
        return {}

    def counter_change(self, **decision):
        """The unsaved counter-change that reverses this one, with its own decision."""
        return BudgetChange(
            budget_year=self.budget_year,
            kind=self.kind,
            from_unit=self.from_unit,
            to_unit=self.to_unit,
            amount=-self.amount,
            funding=self.funding,
            decided_by=self.decided_by,
            reverses=self,
            **decision,
        )

    @property
    def is_reversal(self):
        return self.reverses_id is not None

    # For the permission helper: a decided change is changed (reversed) by those who
    # record the decisions of the body that decided it.
    access_decided = True

    @property
    def access_unit(self):
        return self.decided_by

    def required_decider(self):
        """KF for moves between nämnder and for added money; the nämnd itself inside it."""
        board_to = self.to_unit.governing_body()
        board_from = self.from_unit.governing_body() if self.from_unit_id else None
        council = OrgUnit.objects.filter(
            municipality_id=self.to_unit.municipality_id, kind=OrgUnit.Kind.COUNCIL
        ).first()
        if self.kind == self.Kind.REALLOCATION and board_to and board_to == board_from:
            return board_to
        return council


class DetailBudget(FinanceManaged, models.Model):
    """Detaljbudget: a frame broken down per unit and account group (and month, optionally)."""

    budget_year = models.ForeignKey(
        BudgetYear,
        on_delete=models.CASCADE,
        related_name="detail_budgets",
        verbose_name=_("budget year"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="detail_budgets", verbose_name=_("unit")
    )
    group = models.ForeignKey(
        AccountGroup,
        on_delete=models.PROTECT,
        related_name="detail_budgets",
        verbose_name=_("account group"),
    )
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    amount = models.DecimalField(_("amount (ledger sign, kr)"), **MONEY)
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["budget_year", "unit", "group", "month"]
        verbose_name = _("detail budget")
        verbose_name_plural = _("detail budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "unit", "group"],
                condition=models.Q(month__isnull=True),
                name="%(app_label)s_%(class)s_unique_year",
            ),
            models.UniqueConstraint(
                fields=["budget_year", "unit", "group", "month"],
                condition=models.Q(month__isnull=False),
                name="%(app_label)s_%(class)s_unique_month",
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.group} {self.amount}"


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports are the ekonomichef's working files: finance and admins only (others 404)."""
        from styrning.permissions import scope_for

        return self if scope_for(user).reads_everything else self.none()


class ImportBatch(models.Model):
    """One import of a file: its checksum, who, the options it ran with and what it did.

    State and progress live on its ``job`` (styrning.models.Job). ``options`` is
    what went in (dimension), ``result`` what came out (counts, per-unit table);
    ``errors`` are the lines a failed import refused. A batch whose rows exist
    cannot be deleted (Outcome.batch and BalanceAmount.batch protect it).
    """

    class Kind(models.TextChoices):
        SIE = "sie", _("SIE file from the ledger")
        OUTCOMES = "outcomes", _("outcomes (CSV or Excel)")
        DETAIL_BUDGET = "detail_budget", _("detail budget (CSV or Excel)")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("municipality"),
    )
    job = models.OneToOneField(
        Job, on_delete=models.PROTECT, related_name="import_batch", verbose_name=_("job")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Checked the file only; nothing was saved.")
    )
    filename = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to="imports/%Y/", blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.filename

    def save(self, *args, **kwargs):
        """Every batch has its job: the first save makes one, asked for by ``created_by``."""
        if self.job_id is None:
            self.job = Job.objects.create(kind=Job.Kind.IMPORT, requested_by=self.created_by)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("budget:import_detail", args=[self.pk])

    @property
    def status_key(self):
        """For the lists' CSS class: "dry_run" for a finished dry run, else the job's state."""
        if self.dry_run and self.job.state == Job.State.DONE:
            return "dry_run"
        return self.job.state

    @property
    def status_label(self):
        """What the lists show: the job's state, and "Provkörning" for a finished dry run."""
        if self.dry_run and self.job.state == Job.State.DONE:
            return _("Dry run")
        return self.job.get_state_display()


class Outcome(FinanceManaged, models.Model):
    """Utfall: the ledger's amount per unit, month and account group.

    ``unit`` is empty for amounts the ledger did not put on any ansvar
    ("ej fördelat på ansvar").
    """

    # A ledger import writes a year's rows at once (84 000 at Stockholm's size), so each
    # index and each per-row foreign-key check costs the import: the municipality and the
    # unit are read through the indexes below (their leading columns), and the
    # municipality and the import batch, the same on every row an import writes, are not
    # checked row by row at commit (Django still cascades and protects on delete).
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="outcomes",
        db_index=False,
        db_constraint=False,
        verbose_name=_("municipality"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        db_index=False,
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("month"))
    group = models.ForeignKey(
        AccountGroup,
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("account group"),
    )
    amount = models.DecimalField(_("amount (ledger sign, kr)"), **MONEY)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        db_constraint=False,
        verbose_name=_("import"),
    )
    # The history is read by row (id) and time only: no index on the copied keys, and
    # the user who imported is not checked once per row.
    history = HistoricalRecords(
        no_db_index=["municipality", "unit", "group", "batch"], user_db_constraint=False
    )

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month", "unit", "group"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month", "group"],
                condition=models.Q(unit__isnull=False),
                name="%(app_label)s_%(class)s_unique",
            ),
            models.UniqueConstraint(
                fields=["municipality", "year", "month", "group"],
                condition=models.Q(unit__isnull=True),
                name="%(app_label)s_%(class)s_unique_none",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
            year_range_constraint(),
        ]
        indexes = [
            # The latest booked month, whether a month has bookings, and the import's
            # rows of the months a file covers: none of them reads the whole table.
            models.Index(fields=["municipality", "year", "month"], name="budget_outcome_month_idx"),
        ]

    def __str__(self):
        return f"{self.unit or '–'} {self.year}-{self.month:02d} {self.group}: {self.amount}"


class OutcomeTotal(models.Model):
    """Utfall hittills: Outcome summed per unit, month and account group, kept beside it.

    Derived data, rewritten from Outcome by ``budget.totals.refresh_totals`` in the
    transaction that writes the outcomes (so not in the history: the Outcome rows are).
    A key that has an outcome in a year has a row for every month from its first booked
    month to December (no row before it: the same as zeros): ``amount`` is the month's
    own, ``to_date`` January up to and including the month, ``bookings`` the Outcome
    rows up to and including it. So a page for month m reads month m's rows only.

    ``scope`` says what the key sums: one unit's rows, the rows on no ansvar (``unit``
    empty), or the whole municipality's (``unit`` empty), allocated or not.
    """

    class Scope(models.TextChoices):
        UNIT = "unit", _("unit")
        UNALLOCATED = "none", _("not allocated to a responsibility code")
        MUNICIPALITY = "all", _("whole municipality")

    # Derived rows, rewritten in bulk (120 000 a year at Stockholm's size): no index of
    # their own on the keys (the constraints and the month index lead with them) and no
    # foreign-key check per row at commit; Django still cascades deletes.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("municipality"),
    )
    scope = models.CharField(_("scope"), max_length=4, choices=Scope.choices)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    group = models.ForeignKey(
        AccountGroup,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("account group"),
    )
    amount = models.DecimalField(_("the month's amount (ledger sign, kr)"), **MONEY)
    to_date = models.DecimalField(_("amount to date (ledger sign, kr)"), **MONEY)
    bookings = models.PositiveIntegerField(_("outcome rows to date"))

    class Meta:
        ordering = ["year", "month", "scope", "unit", "group"]
        verbose_name = _("outcome to date")
        verbose_name_plural = _("outcomes to date")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month", "group"],
                condition=models.Q(unit__isnull=False),
                name="%(app_label)s_%(class)s_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["municipality", "scope", "year", "month", "group"],
                condition=models.Q(unit__isnull=True),
                name="%(app_label)s_%(class)s_unique_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(scope="unit", unit__isnull=False)
                | models.Q(scope__in=["none", "all"], unit__isnull=True),
                name="%(app_label)s_%(class)s_scope_unit",
            ),
        ]
        indexes = [
            # A month's rows of the whole municipality (the overview, the exports).
            models.Index(
                fields=["municipality", "year", "month", "scope"], name="budget_total_month_idx"
            ),
        ]

    def __str__(self):
        return (
            f"{self.unit or self.scope} {self.year}-{self.month:02d} {self.group}: {self.to_date}"
        )


class Forecast(models.Model):
    """Helårsprognos: the expected full-year amount per unit and account group, by month made."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("made in month"))
    group = models.ForeignKey(
        AccountGroup,
        on_delete=models.PROTECT,
        related_name="forecasts",
        verbose_name=_("account group"),
    )
    amount = models.DecimalField(_("full-year amount (ledger sign, kr)"), **MONEY)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month", "unit", "group"]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month", "group"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
            year_range_constraint(),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}-{self.month:02d} {self.group}: {self.amount}"

    def clean(self):
        super().clean()
        errors = {}
        if self.year is not None and not FIRST_YEAR <= self.year <= LAST_YEAR:
            errors["year"] = _("The year must lie between %(first)s and %(last)s.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
        if self.month is not None and not 1 <= self.month <= 12:
            errors["month"] = _("The month is a number from 1 to 12.")
        if (
            self.group_id
            and self.unit_id
            and self.group.municipality_id != self.unit.municipality_id
        ):
            errors["group"] = _("The account group belongs to another municipality.")
        if errors:
            raise ValidationError(errors)

    # For the permission helper: the unit's chef writes it, finance too.
    access_decided = True

    @property
    def access_unit(self):
        return self.unit


class BalanceAmount(FinanceManaged, models.Model):
    """Balansräkning: a balance account's opening or closing amount for a year (kommun level)."""

    class Kind(models.TextChoices):
        OPENING = "IB", _("opening balance")
        CLOSING = "UB", _("closing balance")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="balances",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    account = models.CharField(_("account"), max_length=10)
    name = models.CharField(_("account name"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (ledger sign, kr)"), **MONEY)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="balances",
        verbose_name=_("import"),
    )
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "account", "kind"]
        verbose_name = _("balance amount")
        verbose_name_plural = _("balance amounts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "kind", "account"],
                name="%(app_label)s_%(class)s_unique",
            ),
            year_range_constraint(),
        ]

    def __str__(self):
        return f"{self.year} {self.kind} {self.account}: {self.amount}"


class InvestmentProject(FinanceManaged, models.Model):
    """Investeringsprojekt with its budget for the year and its outcome so far."""

    budget_year = models.ForeignKey(
        BudgetYear,
        on_delete=models.CASCADE,
        related_name="investments",
        verbose_name=_("budget year"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="investments", verbose_name=_("unit")
    )
    code = models.CharField(_("project code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    budget = models.DecimalField(_("budget for the year (kr)"), **MONEY)
    total_expenditure = models.DecimalField(
        _("decided total expenditure (kr)"), null=True, blank=True, **MONEY
    )
    estimated_total_expenditure = models.DecimalField(
        _("estimated total expenditure (kr)"),
        null=True,
        blank=True,
        **MONEY,
        help_text=_("What the whole project is now expected to cost (RKR R14)."),
    )
    outcome = models.DecimalField(_("outcome to date (kr)"), default=0, **MONEY)
    history = HistoricalRecords()

    objects = PublicBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["budget_year", "unit__name", "code"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        if self.budget_year_id and self.code:
            taken = InvestmentProject.objects.filter(
                budget_year_id=self.budget_year_id, code__iexact=self.code.strip()
            ).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(
                    {
                        "code": _(
                            "Project code %(code)s is already used by another project in "
                            "%(year)s: choose another code."
                        )
                        % {"code": self.code, "year": self.budget_year.year}
                    }
                )
