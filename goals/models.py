"""The goal chain (målkedjan): levels, goals, perspectives, indicators, measurements, assignments.

The municipality's governance model is data: ``GoalLevel`` rows name the levels
and say who may own a goal at each; ``Goal.clean()`` enforces the chain's rules
so that every form and every import obeys them.
"""

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from mptt.exceptions import InvalidMove
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from goals.tree import ancestor_ids, derive_tree_parent_id
from styrning.formatting import number, whole, year_span
from styrning.models import MPTT_FIELDS, Municipality, OrgUnit
from styrning.validators import (
    date_range_q,
    validate_date,
    validate_year,
    year_range_q,
)


class GoalLevel(models.Model):
    """Målnivå: one level of the municipality's chain, e.g. inriktningsmål or åtagande."""

    class Horizon(models.TextChoices):
        LONG_TERM = "long_term", _("long term")
        MANDATE_PERIOD = "mandate_period", _("mandate period")
        MULTI_YEAR = "multi_year", _("several years")
        BUDGET_YEAR = "budget_year", _("one budget year")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="goal_levels",
        verbose_name=_("municipality"),
    )
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("1 is the top of the chain."))
    name = models.CharField(_("name"), max_length=80)
    name_plural = models.CharField(_("plural name"), max_length=80)
    owner_kinds = models.JSONField(
        _("unit kinds that may own a goal"),
        default=list,
        help_text=_("The kinds of unit that may own a goal at this level."),
    )
    horizon = models.CharField(
        _("horizon"), max_length=20, choices=Horizon.choices, default=Horizon.BUDGET_YEAR
    )
    has_indicators = models.BooleanField(_("carries indicators"), default=True)
    is_assessed = models.BooleanField(_("assessed in follow-up"), default=True)
    uses_takt = models.BooleanField(
        _("TAKT criteria"),
        default=False,
        help_text=_("Clear, assigned, quantifiable and time-bound before adoption."),
    )
    has_activity_fields = models.BooleanField(
        _("carries activity fields"),
        default=False,
        help_text=_(
            "Goals at this level say who carries them out and when (a responsible person, a "
            "start and an end date), as an activity plan does. TAKT levels always do."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality", "order"]
        verbose_name = _("goal level")
        verbose_name_plural = _("goal levels")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "order"], name="%(app_label)s_%(class)s_unique_order"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        valid = set(OrgUnit.Kind.values)
        if not isinstance(self.owner_kinds, list) or not self.owner_kinds:
            raise ValidationError({"owner_kinds": _("Name at least one kind of unit.")})
        unknown = [kind for kind in self.owner_kinds if kind not in valid]
        if unknown:
            raise ValidationError(
                {"owner_kinds": _("Unknown unit kinds: %(kinds)s") % {"kinds": ", ".join(unknown)}}
            )

    def allows_owner(self, unit):
        return unit.kind in self.owner_kinds

    @property
    def shows_activity_fields(self) -> bool:
        """Whether its goals carry who and when (TAKT asks for both)."""
        return self.has_activity_fields or self.uses_takt

    def count_label(self, count):
        """A count with the level's own word: "1 verksamhetsplan", "2 verksamhetsplaner"."""
        word = self.name if count == 1 else self.name_plural
        return f"{whole(count)} {word.lower()}"


class Perspective(models.Model):
    """Styrperspektiv: a configurable tag, e.g. invånare, ekonomi, medarbetare."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="perspectives",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
        ]

    def __str__(self):
        return self.name


class GoalQuerySet(TreeQuerySet):
    def visible_to(self, user):
        """Goals the user may read: adopted ones, and drafts of units in their scope."""
        from styrning.permissions import scope_for

        scope = scope_for(user)
        if scope.reads_everything:
            return self
        adopted = models.Q(status=Goal.Status.ADOPTED)
        if not (scope.read_roots or scope.draft_boards):
            # No drafts to read (a politician): the same SQL as with an empty set of
            # units, which Django drops from the condition only after building it.
            return self.filter(adopted)
        return self.filter(adopted | models.Q(owner__in=scope.readable_units()))

    def tree_goals(self, user=None, readable=None):
        """Rows of /mal/ with everything a row shows, in stored-tree order, as ``TreeGoal``.

        Three queries: goals (with their level's and owner's names and the number of
        children ``user`` may read, ``child_count``; or, given ``readable``, of those
        among ``readable``), their perspectives' names, and
        their indicators with the latest total value. Plain values, no model instances:
        a filtered page shows hundreds of rows.
        """
        return tree_goals_of(self.tree_goal_rows(user, readable))

    def tree_goal_rows(self, user=None, readable=None):
        """``tree_goals``' first query: the values of each ``TreeGoal`` as a ``values_list``
        (no query until evaluated)."""
        from goals.tree import TreeGoal

        rows = self.order_by("tree_id", "lft")
        if user is not None or readable is not None:
            rows = rows.with_child_counts(user, readable)
        else:
            rows = rows.annotate(child_count=models.Value(0))
        # Only a vision's text is shown (above the tree); the rest stay in the database.
        rows = rows.annotate(
            vision_text=models.Case(
                models.When(level__order=1, then="description"),
                default=models.Value(""),
                output_field=models.TextField(),
            )
        )
        return rows.values_list(*TreeGoal.FIELDS, "child_count", "vision_text")

    def in_chain_order(self):
        """Ordered as the chain reads, each body's tree right below the goal it serves.

        Each tree's root names the goal above it (``parent``, in KF's tree): goals sort
        by that goal's place, then their own tree and place. Two subqueries per row.
        """
        root = Goal.objects.filter(tree_id=OuterRef("tree_id"), tree_parent__isnull=True)
        return (
            self.annotate(
                chain_above_tree=Subquery(root.values("parent__tree_id")[:1]),
                chain_above_lft=Subquery(root.values("parent__lft")[:1]),
            )
            .annotate(
                chain_tree=Coalesce("chain_above_tree", "tree_id"),
                chain_lft=Coalesce("chain_above_lft", "lft"),
                chain_own=models.Case(
                    models.When(chain_above_tree__isnull=False, then="tree_id"),
                    default=models.Value(0),
                ),
            )
            .order_by(*self.CHAIN_ORDER)
        )

    CHAIN_ORDER = ("chain_tree", "chain_lft", "chain_own", "lft", "pk")

    def with_child_counts(self, user, readable=None):
        """Annotate ``child_count``: the goals directly below each that ``user`` may read.

        ``readable``, if given, is ``Goal.objects.visible_to(user)`` (perhaps narrowed to
        the municipality) as the view already has it.
        """
        if readable is None:
            readable = Goal.objects.visible_to(user)
        children = (
            readable.filter(parent=OuterRef("pk"))
            .order_by()
            .values("parent")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            child_count=Coalesce(Subquery(children, output_field=models.IntegerField()), 0)
        )


class GoalManager(TreeManager.from_queryset(GoalQuerySet)):
    def visibility_key(self, user):
        """What the SQL of ``GoalQuerySet.visible_to(user)`` depends on (no query, nor a
        queryset): the units whose drafts the user reads, by their place in the trees, or
        "all". One key, one SQL: ``permissions.get_compiled_for_user`` keeps a statement
        per key."""
        from styrning.permissions import scope_for

        scope = scope_for(user)
        if scope.reads_everything:
            return "all"
        return tuple((u.tree_id, u.lft, u.rght) for u in scope.read_roots + scope.draft_boards)

    def move_node(self, node, target, position="last-child"):
        """Move a goal (the admin's drag and drop) only where the chain's rules allow.

        ``target`` and ``position`` speak of the chain: the goal becomes a child of
        ``target`` or its sibling. Raises ``InvalidMove`` with the rule's message;
        writes a history row. The stored trees follow through ``Goal.save()``.
        """
        new_parent = target if position in ("last-child", "first-child") else target.parent
        candidate = Goal.objects.get(pk=node.pk)
        candidate.parent = new_parent
        try:
            candidate.full_clean()
        except ValidationError as error:
            raise InvalidMove(" ".join(error.messages)) from error
        with transaction.atomic():
            candidate._change_reason = gettext("Moved in the tree")
            candidate.save()  # a new chain parent moves the goal (and its subtree) in the trees
            if position in ("left", "right") and target.pk != candidate.pk:
                sibling = Goal.objects.get(pk=target.pk)
                if sibling.tree_parent_id == candidate.tree_parent_id:
                    # Place it beside its sibling within the stored tree (or among roots).
                    super().move_node(Goal.objects.get(pk=node.pk), sibling, position)
        node.refresh_from_db()

    def _get_next_tree_id(self):
        """A new tree's number; concurrent new trees wait for each other, nothing else does."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_ID_LOCK])
        return super()._get_next_tree_id()


# pg_advisory_xact_lock key taken while numbering a new goal tree.
TREE_ID_LOCK = 9_041_001


class Goal(MPTTModel):
    """Mål: one goal in the chain (vision, inriktningsmål, nämndmål, åtgärd, aktivitet …)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="goals", verbose_name=_("municipality")
    )
    level = models.ForeignKey(
        GoalLevel, on_delete=models.PROTECT, related_name="goals", verbose_name=_("level")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent goal"),
    )
    # The nested set's parent, derived from ``parent`` on every save (see
    # ``derive_tree_parent``): the same, except that a goal owned by another body than
    # the goal above it (a nämndmål under KF's inriktningsmål) roots a tree of its own.
    tree_parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="tree_children",
        verbose_name=_("parent in the stored tree"),
    )
    owner = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="goals", verbose_name=_("owner")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    perspectives = models.ManyToManyField(
        Perspective, blank=True, related_name="goals", verbose_name=_("perspectives")
    )
    start_year = models.PositiveSmallIntegerField(
        _("valid from (year)"), validators=[validate_year]
    )
    end_year = models.PositiveSmallIntegerField(_("valid to (year)"), validators=[validate_year])
    responsible = models.CharField(
        _("responsible person"),
        max_length=150,
        blank=True,
        help_text=_("Who carries it out (for activities)."),
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_date]
    )
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[validate_date])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decided_by = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_goals",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(
        _("decision date"), null=True, blank=True, validators=[validate_date]
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=120,
        blank=True,
        help_text=_("E.g. KF 2025-11-24 § 123."),
    )
    history = HistoricalRecords(
        m2m_fields=[perspectives], excluded_fields=[*MPTT_FIELDS, "tree_parent"]
    )

    objects = GoalManager()

    class MPTTMeta:
        # ``level`` is our GoalLevel; mptt's own depth counter gets another name.
        level_attr = "mptt_level"
        # One nested set per body (KF's goals, each nämnd's, each styrelse's): adding a
        # goal shifts and locks the rows of its own body's tree only.
        parent_attr = "tree_parent"

    # Fields that an adopted goal may change only together with a new decision.
    DECIDED_FIELDS = ("title", "description", "start_year", "end_year", "parent_id", "owner_id")

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(decided_on__isnull=False) & ~models.Q(decision_reference="")),
                name="%(app_label)s_%(class)s_adopted_has_decision",
            ),
            models.CheckConstraint(
                condition=year_range_q("start_year") & year_range_q("end_year"),
                name="%(app_label)s_%(class)s_year_range",
            ),
            models.CheckConstraint(
                condition=date_range_q("start_date", nullable=True)
                & date_range_q("end_date", nullable=True)
                & date_range_q("decided_on", nullable=True),
                name="%(app_label)s_%(class)s_date_range",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("goals:detail", args=[self.pk])

    @property
    def is_adopted(self):
        return self.status == self.Status.ADOPTED

    @property
    def access_unit(self):
        return self.owner

    @property
    def access_decided(self):
        return self.is_adopted

    def clean(self):
        super().clean()
        errors = {}
        level = self.level if self.level_id else None
        parent = self.parent if self.parent_id else None
        owner = self.owner if self.owner_id else None
        if level and self.municipality_id and level.municipality_id != self.municipality_id:
            errors["level"] = _("The level belongs to another municipality.")
        if level and parent is None and level.order != 1:
            errors["parent"] = _("A %(level)s must have a goal one level above it.") % {
                "level": level.name
            }
        if level and parent is not None:
            if parent.level.order + 1 != level.order:
                errors["parent"] = _(
                    "A %(level)s must sit directly below a goal one level up, not below a "
                    "%(parent_level)s."
                ) % {"level": level.name, "parent_level": parent.level.name}
            elif self.pk and (parent.pk == self.pk or self.pk in ancestor_ids(parent)):
                errors["parent"] = _("A goal cannot be placed below itself.")
        if parent is not None and owner is not None and not _unit_within(owner, parent.owner):
            errors["owner"] = _(
                "The owner must be %(unit)s or a unit below it, as the goal above belongs to it."
            ) % {"unit": parent.owner.name}
        if level and owner and not level.allows_owner(owner):
            errors["owner"] = _("A %(level)s cannot be owned by %(unit)s (%(kind)s).") % {
                "level": level.name,
                "unit": owner.name,
                "kind": owner.get_kind_display(),
            }
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The last year cannot come before the first year.")
        if parent is not None and self.start_year and self.end_year:
            if self.start_year < parent.start_year or self.end_year > parent.end_year:
                errors["start_year"] = _(
                    "The years must lie within the parent goal's years, %(years)s."
                ) % {"years": year_span(parent.start_year, parent.end_year)}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot come before the start date.")
        if self.is_adopted:
            if not self.decided_on:
                errors["decided_on"] = _("An adopted goal needs the date of the decision.")
            if not self.decision_reference.strip():
                errors["decision_reference"] = _("An adopted goal needs a decision reference.")
            if parent is not None and not parent.is_adopted:
                errors["status"] = _("A goal can be adopted only when the goal above it is.")
            if level and level.uses_takt:
                missing = self.takt_missing()
                if missing:
                    errors["status"] = _(
                        "It cannot be adopted before it is TAKT. Missing: %(missing)s."
                    ) % {"missing": ", ".join(str(m) for m in missing)}
            self._check_new_decision(errors)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Save, deriving the stored tree's parent from the chain (see goals/tree.py).

        One query to derive it; inserting or moving into a tree first locks that
        tree's root, so two goals added to one nämnd's tree at once cannot interleave
        (other nämnders' trees are not touched).
        """
        self.tree_parent_id = derive_tree_parent_id(self)
        with transaction.atomic():
            if self.tree_parent_id is not None:
                if self.tree_parent_id == self.parent_id and self.parent is not None:
                    self.tree_parent = self.parent
                moving = self._state.adding or (
                    self._mptt_cached_fields.get("tree_parent") != self.tree_parent_id
                )
                if moving:
                    root_of = Goal.objects.filter(pk=self.tree_parent_id).values("tree_id")
                    list(
                        Goal.objects.select_for_update()
                        .filter(tree_id=Subquery(root_of), lft=1)
                        .values_list("pk", flat=True)
                    )
            super().save(*args, **kwargs)

    def _check_new_decision(self, errors):
        """An adopted goal's decided content changes only with a new decision (one query)."""
        if not self.pk:
            return
        before = (
            Goal.objects.filter(pk=self.pk)
            .values("status", "decided_on", "decision_reference", *self.DECIDED_FIELDS)
            .first()
        )
        if not before or before["status"] != self.Status.ADOPTED:
            return
        changed = [f for f in self.DECIDED_FIELDS if before[f] != getattr(self, f)]
        same_decision = (
            before["decided_on"] == self.decided_on
            and before["decision_reference"] == self.decision_reference
        )
        if changed and same_decision:
            errors["decision_reference"] = _(
                "An adopted goal changes only through a new decision: give the new decision's "
                "reference and date."
            )

    def takt_missing(self):
        """Which TAKT criteria a goal lacks (queries its indicators when saved)."""
        missing = []
        if not (self.title.strip() and self.description.strip()):
            missing.append(_("clear (a title and a description)"))
        if not self.responsible.strip():
            missing.append(_("assigned (a responsible person)"))
        has_target = bool(self.pk) and any(
            i.target_value is not None for i in self.indicators.all()
        )
        if not has_target:
            missing.append(_("quantifiable (an indicator with a target value)"))
        if not self.end_date:
            missing.append(_("time-bound (an end date)"))
        return missing

    def period_label(self):
        """The years it is valid for: "2026" or "2024–2038"."""
        return year_span(self.start_year, self.end_year)


def _unit_within(unit, ancestor) -> bool:
    """Is ``unit`` at or below ``ancestor`` in the organisation tree?

    One query, on the stored tree: in-memory units may hold stale lft/rght.
    """
    if unit.pk == ancestor.pk:
        return True
    outer = OrgUnit.objects.filter(pk=ancestor.pk)
    return OrgUnit.objects.filter(
        pk=unit.pk,
        tree_id=Subquery(outer.values("tree_id")),
        lft__gt=Subquery(outer.values("lft")),
        rght__lt=Subquery(outer.values("rght")),
    ).exists()


# ``perspective_names`` on PostgreSQL: a statement Django need not build for every page.
PERSPECTIVE_NAMES_SQL = (
    "SELECT t.goal_id, p.name FROM goals_goal_perspectives t "
    "JOIN goals_perspective p ON p.id = t.perspective_id "
    'WHERE t.goal_id = ANY(%s) ORDER BY p."order", p.name'
)


def tree_goals_of(rows):
    """The ``TreeGoal``s of ``tree_goal_rows``' rows, each with its perspectives' names and
    its indicators with the latest total value (two queries; none without rows)."""
    from goals.tree import TreeGoal

    goals = [TreeGoal(*values) for values in rows]
    if not goals:
        return goals
    by_pk = {goal.pk: goal for goal in goals}
    for goal_id, name in perspective_names(list(by_pk)):
        by_pk[goal_id].perspectives.append(name)
    indicators = Indicator.objects.with_latest_total(list(by_pk))
    for goal_id, *values in indicators:
        by_pk[goal_id].indicators.append(values)
    return goals


def perspective_names(goal_ids):
    """``(goal_id, perspective name)`` of the goals' perspectives, in the perspectives'
    order (one query)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PERSPECTIVE_NAMES_SQL, [[int(i) for i in goal_ids]])
            return cursor.fetchall()
    return list(
        Goal.perspectives.through.objects.filter(goal_id__in=goal_ids)
        .order_by("perspective__order", "perspective__name")
        .values_list("goal_id", "perspective__name")
    )


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Indicators of the goals the user may read."""
        return self.filter(goal__in=Goal.objects.visible_to(user))

    # ``with_latest_total`` on PostgreSQL: the latest total found per indicator through
    # the measurements' index, in a statement Django need not build for every page.
    LATEST_TOTAL_SQL = (
        "SELECT i.goal_id, i.name, i.unit, i.baseline_value, i.baseline_year, i.target_value, "
        "i.target_year, latest.value, latest.year FROM goals_indicator i "
        "LEFT JOIN LATERAL (SELECT m.value, m.year FROM goals_measurement m "
        "WHERE m.indicator_id = i.id AND m.gender = %s "
        "ORDER BY m.year DESC, m.month DESC NULLS LAST LIMIT 1) latest ON true "
        'WHERE i.goal_id = ANY(%s) ORDER BY i.goal_id, i."order", i.name'
    )

    def with_latest_total(self, goal_ids):
        """The indicators of ``goal_ids`` as ``(goal_id, *TreeGoal.INDICATOR_FIELDS)``
        tuples, each with its latest total value and that value's year (one query)."""

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    self.LATEST_TOTAL_SQL, [Measurement.Gender.TOTAL, [int(i) for i in goal_ids]]
                )
                return cursor.fetchall()
        return self.latest_total_portable(goal_ids)

    def latest_total_portable(self, goal_ids):
        """``with_latest_total`` for every database (each latest value a subquery)."""
        from goals.tree import TreeGoal

        latest = Measurement.objects.filter(
            indicator=OuterRef("pk"), gender=Measurement.Gender.TOTAL
        ).order_by("-year", models.F("month").desc(nulls_last=True))
        return list(
            self.filter(goal_id__in=goal_ids)
            .annotate(
                latest_value=Subquery(latest.values("value")[:1]),
                latest_year=Subquery(latest.values("year")[:1]),
            )
            .order_by("goal_id", "order", "name")
            .values_list("goal_id", *TreeGoal.INDICATOR_FIELDS)
        )


class Indicator(models.Model):
    """Indikator / nyckeltal: how a goal is measured, from utgångsvärde to målvärde."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(
        pgettext_lazy("unit of measure", "unit"),
        max_length=30,
        blank=True,
        # xgettext:no-python-format
        help_text=_("E.g. index, %, kr."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=[validate_year]
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True, validators=[validate_year]
    )
    kolada_kpi = models.CharField(_("Kolada KPI id"), max_length=20, blank=True)
    gender_split = models.BooleanField(_("split by gender"), default=False)
    cumulative = models.BooleanField(
        _("cumulative within the year"),
        default=False,
        help_text=_(
            "The year's value is the sum of its months' values (e.g. new companies). "
            "Otherwise the latest value counts. Never summed across years."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["goal", "order", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=year_range_q("baseline_year", nullable=True)
                & year_range_q("target_year", nullable=True),
                name="%(app_label)s_%(class)s_year_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if (self.baseline_value is None) != (self.baseline_year is None):
            errors["baseline_year"] = _("Give both the baseline value and its year, or neither.")
        if (self.target_value is None) != (self.target_year is None):
            errors["target_year"] = _("Give both the target value and its year, or neither.")
        if self.goal_id and not self.goal.level.has_indicators:
            errors["goal"] = _("Goals at the level %(level)s carry no indicators.") % {
                "level": self.goal.level.name
            }
        if errors:
            raise ValidationError(errors)

    def value_error(self, value) -> str:
        """Why ``value`` cannot be a measurement of this indicator ("" when it can): a
        value in per cent lies between −100 and 100 (545 for 54,5 is the usual slip)."""
        if value is not None and self.unit.strip() == "%" and abs(value) > 100:
            return _("A value in per cent lies between −100 and 100, not %(value)s.") % {
                "value": number(value)
            }
        return ""

    @property
    def access_unit(self):
        return self.goal.owner

    @property
    def access_decided(self):
        return self.goal.is_adopted


class Measurement(models.Model):
    """Mätvärde: an indicator's value for a year or a month, in total or for women or men."""

    class Gender(models.TextChoices):
        TOTAL = "T", _("total")
        WOMEN = "K", _("women")
        MEN = "M", _("men")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("Empty for a whole year.")
    )
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.TOTAL
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "month", "gender"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [
            # An indicator's latest value of one gender up to a period, newest first (the
            # roll-up asks it of every indicator: DESC puts a whole year before its months,
            # as its NULLS FIRST does), read from the index alone. The unique indexes are
            # partial, one for months and one for years, so neither orders both.
            models.Index(
                fields=["indicator", "gender", "-year", "-month"],
                include=["value"],
                name="goals_measurement_latest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "gender"],
                condition=models.Q(month__isnull=True),
                name="%(app_label)s_%(class)s_unique_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "month", "gender"],
                condition=models.Q(month__isnull=False),
                name="%(app_label)s_%(class)s_unique_month",
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
            ),
            models.CheckConstraint(
                condition=year_range_q("year"), name="%(app_label)s_%(class)s_year_range"
            ),
        ]

    def __str__(self):
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.indicator}: {self.value} ({period}, {self.gender})"

    def clean(self):
        super().clean()
        if (
            self.gender != self.Gender.TOTAL
            and self.indicator_id
            and not self.indicator.gender_split
        ):
            raise ValidationError({"gender": _("This indicator is not split by gender.")})


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assignments are decided by a political body: every logged-in user reads them."""
        if not user.is_authenticated:
            return self.none()
        return self

    def for_list(self):
        """Rows for the assignment list, with giver, receiver and goal (one query)."""
        return self.select_related("given_by", "unit", "goal__level")


class Assignment(models.Model):
    """Särskilt uppdrag: a task given by KF, KS or a nämnd to a unit, with a due date."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    given_by = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="assignments_given",
        verbose_name=_("given by"),
    )
    decision_reference = models.CharField(_("decision reference"), max_length=120)
    decided_on = models.DateField(_("decision date"), validators=[validate_date])
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("assigned to"),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("goal it serves"),
    )
    due_date = models.DateField(_("due date"), validators=[validate_date])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    comment = models.TextField(_("follow-up comment"), blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("special assignment")
        verbose_name_plural = _("special assignments")
        constraints = [
            models.CheckConstraint(
                condition=date_range_q("decided_on") & date_range_q("due_date"),
                name="%(app_label)s_%(class)s_date_range",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("goals:assignment", args=[self.pk])

    @property
    def access_unit(self):
        return self.unit

    # Assignments are decided when given: the receiving unit's chef reports on them.
    access_decided = True

    @property
    def is_overdue(self):
        """Past its due date and neither done nor cancelled (today in Stockholm time)."""
        return self.overdue(self.status, self.due_date)

    @classmethod
    def overdue(cls, status, due_date, today=None):
        """``is_overdue`` for plain values; ``today`` defaults to today in Stockholm."""
        closed = (cls.Status.DONE, cls.Status.CANCELLED)
        return status not in closed and due_date < (today or timezone.localdate())

    def clean(self):
        super().clean()
        givers = (OrgUnit.Kind.COUNCIL, OrgUnit.Kind.EXECUTIVE, OrgUnit.Kind.COMMITTEE)
        if self.given_by_id and self.given_by.kind not in givers:
            raise ValidationError(
                {
                    "given_by": _(
                        "An assignment is given by the council, the executive board or a committee."
                    )
                }
            )
        closed = (self.Status.DONE, self.Status.CANCELLED)
        if self.status in closed and not self.comment.strip():
            raise ValidationError(
                {"comment": _("Say how the assignment was carried out or why it was stopped.")}
            )
        if self.due_date and self.decided_on and self.due_date < self.decided_on:
            raise ValidationError({"due_date": _("The due date cannot come before the decision.")})
