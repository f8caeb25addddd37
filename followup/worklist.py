"""/uppfoljning/: "Min uppföljning" for chefs, the review overview for the ekonomichef.

Both read a fixed number of queries, whatever the number of units and periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models.sql.query import Query

from followup.models import PartDone, ReportingPeriod, Submission
from styrning.formatting import swedish_key
from styrning.models import OrgUnit
from styrning.permissions import scope_for
from styrning.request_rows import convert_rows

State = Submission.State
PeriodState = ReportingPeriod.State


# --- queries compiled once ----------------------------------------------------------------
# Compiling these querysets cost more Python than their rows (the review page's: a third
# of the page). Each is compiled once per connection and shape with placeholders for the
# values that change, then run on a plain cursor with the request's values; the instances
# are built as the ORM builds them (``from_db``, annotations as attributes, select_related
# in the related instances' cache). Same SQL, same parameters; only Python is saved.
_INT_PLACEHOLDERS = tuple(range(32_001, 32_101))
_DATE_PLACEHOLDER = dt.date(1901, 2, 3)


class _Uncompilable(Exception):
    """A shape this module cannot compile on this database: the ORM runs it instead."""


# Kept in place of a _Compiled for a shape the ORM runs (see ``_kept``).
_ORM = object()


def _require(condition) -> None:
    if not condition:
        raise _Uncompilable


def _kept(key, using, make):
    """The connection and the compiled query kept under ``key`` (made by ``make`` the
    first time), or ``_ORM``: on a database other than PostgreSQL (the embedded demo's
    SQLite passes dates as text, so the placeholders cannot be found among the
    parameters), or for a shape ``make`` cannot compile."""
    connection = connections[using]
    kept = connection.__dict__.setdefault("_followup_compiled", {})
    compiled = kept.get(key)
    if compiled is None:
        try:
            _require(connection.vendor == "postgresql")
            compiled = make()
        except _Uncompilable:
            compiled = _ORM
        kept[key] = compiled
    return connection, compiled


@dataclass
class _Compiled:
    sql: str
    slots: list  # per parameter: (index of the argument, its type) or (None, the constant)
    model: type
    own: list  # the model's fields read (its concrete fields but those deferred)
    annotations: list  # the annotations' names, in the select's order
    relations: list  # (name, related model, its concrete fields) of select_related
    converters: list  # (position, converters, expression) as the ORM's compiler gives them


def _placeholder(value, index):
    return (
        _DATE_PLACEHOLDER + dt.timedelta(days=index)
        if isinstance(value, dt.date)
        else (_INT_PLACEHOLDERS[index])
    )


def _slots(params, placeholders) -> list:
    """Where each of the compiled ``params`` comes from: an argument (its placeholder's
    position, and the type the ORM gave it) or the constant it is."""
    where = {p: i for i, p in enumerate(placeholders)}
    slots = []
    for param in params:
        index = where.get(param) if isinstance(param, (int, dt.date)) else None
        if index is not None and not isinstance(param, bool):
            slots.append((index, type(param)))  # e.g. psycopg's Int2 for a small integer
        else:
            slots.append((None, param))
    _require({i for i, _t in slots if i is not None} == set(range(len(placeholders))))
    return slots


def _compile(build, args, using) -> _Compiled:
    placeholders = [_placeholder(value, i) for i, value in enumerate(args)]
    queryset = build(*placeholders)
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    slots = _slots(params, placeholders)
    model = queryset.model
    info = compiler.klass_info
    # The columns as the ORM selects them: the model's (those not deferred), the
    # annotations', then each related instance's (one level of select_related).
    own = [compiler.select[i][0].target for i in info["select_fields"]]
    _require(info["select_fields"] == list(range(len(own))))
    annotations = list(queryset.query.annotation_select)
    _require(
        list(compiler.annotation_col_map.values())
        == list(range(len(own), len(own) + len(annotations)))
    )
    relations = []
    position = len(own) + len(annotations)
    for related in info.get("related_klass_infos", []):
        _require(not related.get("related_klass_infos") and not related["reverse"])
        fields = [compiler.select[i][0].target for i in related["select_fields"]]
        _require(related["select_fields"] == list(range(position, position + len(fields))))
        position += len(fields)
        relations.append((related["field"].name, related["model"], fields))
    _require(len(compiler.select) == position)
    found = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    converters = [
        (position, functions, expression) for position, (functions, expression) in found.items()
    ]
    return _Compiled(sql, slots, model, own, annotations, relations, converters)


class _Compiling(Exception):
    """Raised with a count's SQL and parameters in place of running it."""


class _CountQuery(Query):
    """A query whose compilers give their SQL instead of running it (``_count_sql``)."""

    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)

        def execute_sql(*_args, **_kwargs):
            raise _Compiling(compiler.as_sql())

        compiler.execute_sql = execute_sql
        return compiler


def _count_sql(queryset, using):
    """The SQL and parameters ``queryset.count()`` runs, without running it."""
    query = queryset.query.clone()
    query.__class__ = _CountQuery
    try:
        query.get_count(using)
    except _Compiling as compiled:
        return compiled.args[0]
    raise _Uncompilable  # the count was not one query


def _params(compiled, args) -> list:
    return [
        (value if type(value := args[index]) is kind else kind(value))
        if index is not None
        else kind
        for index, kind in compiled.slots
    ]


def compiled_count(key, build, *args, using: str = "default") -> int:
    """``build(*args).count()``, its SQL compiled once per connection and ``key`` (as
    ``compiled_rows``)."""

    def make():
        placeholders = [_placeholder(value, i) for i, value in enumerate(args)]
        sql, params = _count_sql(build(*placeholders), using)
        return _Compiled(sql, _slots(params, placeholders), None, [], [], [], [])

    connection, compiled = _kept(key, using, make)
    if compiled is _ORM:
        return build(*args).count()
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, _params(compiled, args))
        return cursor.fetchone()[0]


def compiled_values(key, build, *args, using: str = "default") -> list[tuple]:
    """The rows of ``build(*args)``, a ``values_list`` queryset, as tuples (its SQL
    compiled once per connection and ``key``, as ``compiled_rows``)."""

    def make():
        placeholders = [_placeholder(value, i) for i, value in enumerate(args)]
        queryset = build(*placeholders)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        found = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        converters = [(position, *functions) for position, functions in found.items()]
        return _Compiled(sql, _slots(params, placeholders), None, [], [], [], converters)

    connection, compiled = _kept(key, using, make)
    if compiled is _ORM:
        # As the cursor gives them: tuples, also of a flat values_list.
        return [row if isinstance(row, tuple) else (row,) for row in build(*args)]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, _params(compiled, args))
        rows = cursor.fetchall()
    return _converted(rows, compiled.converters, connection) if compiled.converters else rows


def _converted(rows, converters, connection) -> list:
    """The values converted as the ORM's compiler converts them."""
    return convert_rows(rows, converters, connection)


def compiled_rows(key, build, *args, using: str = "default") -> list:
    """``list(build(*args))``: a queryset (one level of ``select_related`` at most) whose SQL
    is compiled once per connection and ``key`` (its shape: what changes the SQL besides
    the ``args``, which are ids, numbers and dates, each passed to the query as is)."""
    connection, compiled = _kept(key, using, lambda: _compile(build, args, using))
    if compiled is _ORM:
        return list(build(*args))
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, _params(compiled, args))
        rows = cursor.fetchall()
    if compiled.converters:
        rows = _converted(rows, compiled.converters, connection)
    model, own, annotations, relations = (
        compiled.model,
        compiled.own,
        compiled.annotations,
        compiled.relations,
    )
    names = [f.attname for f in own]
    related_names = [[f.attname for f in fields] for _n, _m, fields in relations]
    first = len(own)
    result = []
    for row in rows:
        instance = model.from_db(using, names, row[:first])
        position = first
        for name in annotations:
            setattr(instance, name, row[position])
            position += 1
        cache = instance._state.fields_cache
        for (name, related_model, fields), attnames in zip(relations, related_names, strict=True):
            values = row[position : position + len(fields)]
            position += len(fields)
            cache[name] = (
                None if values[0] is None else related_model.from_db(using, attnames, values)
            )
        result.append(instance)
    return result


@dataclass
class WorkRow:
    """One line of the list: a submission, or an enhet's part of one."""

    submission: Submission
    deadline: dt.date
    part_of: OrgUnit | None = None  # the enhet whose part this is (enhetschefer)
    overdue: bool = False  # not sent and past its deadline
    part_done: bool = False  # the enhet's part marked done by its chef

    @property
    def late_sent(self) -> bool:
        return self.submission.is_sent and self.submission.late


def _overdue(submission, deadline, today) -> bool:
    """Not sent and past its deadline while it can still be sent (its period open; a
    closed period's draft can no longer be, until the period is reopened)."""
    return (
        submission.state in Submission.EDITABLE_STATES
        and deadline < today
        and submission.period.state == PeriodState.OPEN
    )


def reports_a_part(root) -> bool:
    """An enhet's chef (not a förvaltning's, a nämnd's or the council's) reports her enhet's
    part of the submission of the unit above it, in the periods that ask for goals."""
    return not root.is_office and not root.is_governing_body and root.kind != OrgUnit.Kind.COUNCIL


def chef_rows(user, today) -> list[WorkRow]:
    """What the chef (or delegate) must report in open periods, overdue first (one query
    besides the scope's)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return []
    shape = tuple(reports_a_part(root) for root in scope.manage_roots)
    part_roots = [root for root, part in zip(scope.manage_roots, shape, strict=True) if part]
    bounds = [n for root in scope.manage_roots for n in (root.tree_id, root.lft, root.rght)]
    rows = []
    for submission in compiled_rows(
        ("chef", shape), lambda *args: _chef_queryset(shape, *args), user.pk, *bounds
    ):
        unit = submission.unit
        parts = [
            r
            for r in part_roots
            if r.tree_id == unit.tree_id and unit.lft < r.lft and r.rght < unit.rght
        ]
        own = submission.delegate_id == user.pk or any(
            r.tree_id == unit.tree_id and r.lft <= unit.lft and unit.rght <= r.rght
            for r in scope.manage_roots
        )
        if own:
            deadline = submission.period.deadline
            rows.append(WorkRow(submission, deadline, None, _overdue(submission, deadline, today)))
        elif submission.period.asks_goals:
            deadline = submission.period.unit_deadline
            for part in parts:
                rows.append(
                    WorkRow(submission, deadline, part, _overdue(submission, deadline, today))
                )
    _mark_parts_done([r for r in rows if r.part_of is not None])
    rows.sort(key=lambda r: (not r.overdue, r.deadline, swedish_key(r.submission.unit.name)))
    return rows


def _chef_queryset(parts, user_pk, *bounds):
    """The submissions of the open periods the chef reports: delegated to them, of the
    units they manage (tree, lft, rght in ``bounds``, a unit at a time), and for an
    enhet's chef (``parts``: a flag a unit) those of the units above it."""
    mine = models.Q(delegate=user_pk)
    for i, part in enumerate(parts):
        tree, lft, rght = bounds[3 * i : 3 * i + 3]
        mine |= models.Q(unit__tree_id=tree, unit__lft__gte=lft, unit__rght__lte=rght)
        if part:
            mine |= models.Q(unit__tree_id=tree, unit__lft__lt=lft, unit__rght__gt=rght)
    return (
        Submission.objects.filter(mine, period__state=PeriodState.OPEN)
        .select_related("period", "unit")
        .order_by("period__deadline", "unit__name")
    )


def _mark_parts_done(rows) -> None:
    """An enhet's part marked done is done: not overdue, not due (one query, none
    without parts)."""
    if not rows:
        return
    done = PartDone.objects.filter(submission__in={r.submission.pk for r in rows}).values_list(
        "submission_id", "unit__tree_id", "unit__lft"
    )
    for row in rows:
        root = row.part_of
        row.part_done = any(
            pk == row.submission.pk and tree == root.tree_id and root.lft <= lft < root.rght
            for pk, tree, lft in done
        )
        row.overdue = row.overdue and not row.part_done


def has_due(rows) -> bool:
    """Is anything still to be written or sent (an enhet's part marked done is not)?"""
    return any(r.submission.state in Submission.EDITABLE_STATES and not r.part_done for r in rows)


REVIEW_ORDER = {State.SENT: 1, State.RETURNED: 2, State.DRAFT: 3, State.APPROVED: 4}
REVIEW_PAGE_SIZE = 50
REVIEW_PERIOD_STATES = (PeriodState.OPEN, PeriodState.CLOSED)


def _review_periods(municipality_id):
    return ReportingPeriod.objects.filter(
        municipality=municipality_id, state__in=REVIEW_PERIOD_STATES
    ).order_by("-year", "-month")


def review_periods(municipality) -> list[ReportingPeriod]:
    """The open and closed periods, latest first: what the review list can be limited to
    (one query, compiled once per connection)."""
    return compiled_rows("review periods", _review_periods, municipality.pk)


def _review_submissions(municipality, period=None):
    """The submissions of the open and closed periods (or of ``period``): what the review
    list counts."""
    submissions = Submission.objects.filter(
        period__municipality=municipality, period__state__in=REVIEW_PERIOD_STATES
    )
    if period is not None:
        submissions = submissions.filter(period=period)
    return submissions


def review_queryset(municipality, today, period=None):
    """Every reporting unit × open or closed period (or only ``period``) with its
    submission, ordered in SQL: late ones first, then those waiting for review (sent,
    returned, draft, approved), the latest period first, then by unit."""
    overdue = models.Case(
        models.When(
            state__in=Submission.EDITABLE_STATES,
            period__deadline__lt=today,
            period__state=PeriodState.OPEN,
            then=models.Value(0),
        ),
        default=models.Value(1),
    )
    state_order = models.Case(
        *[
            models.When(state=state, then=models.Value(order))
            for state, order in REVIEW_ORDER.items()
        ],
        default=models.Value(5),
    )
    # The list shows the unit's name and the period, not who sent it or the delegate: the
    # name without a unit (an MPTT model's instance costs a hundred calls to build), and
    # the rows of one period share the period the page already has (review_page).
    submissions = _review_submissions(municipality, period)
    if period is None:
        submissions = submissions.select_related("period")
    return submissions.annotate(
        review_overdue=overdue, review_state=state_order, unit_name=models.F("unit__name")
    ).order_by(
        "review_overdue",
        "review_state",
        "-period__year",
        "-period__month",
        "unit__name",
        "pk",
    )


def review_page(municipality, today, period=None, number=None):
    """One page (``REVIEW_PAGE_SIZE`` rows) of the review list: the Paginator's page, whose
    ``rows`` are WorkRows (two queries: the count and the page, whatever the number of
    units and periods)."""
    paginator = Paginator(_ReviewList(municipality, today, period), REVIEW_PAGE_SIZE)
    page = paginator.get_page(number)
    if period is not None:
        cache = Submission._meta.get_field("period")
        for submission in page.object_list:
            cache.set_cached_value(submission, period)
    page.rows = [
        WorkRow(s, s.period.deadline, None, _overdue(s, s.period.deadline, today))
        for s in page.object_list
    ]
    return page


class _ReviewList:
    """The review queryset as the Paginator reads it: its count through the ORM, a page's
    rows compiled once per shape (``compiled_rows``); the same two queries."""

    ordered = True

    def __init__(self, municipality, today, period):
        self.municipality, self.today, self.period = municipality, today, period

    def count(self) -> int:
        if self.period is None:
            return compiled_count(("review count", True), _review_submissions, self.municipality.pk)
        return compiled_count(
            ("review count", False), _review_submissions, self.municipality.pk, self.period.pk
        )

    def __getitem__(self, limits: slice) -> list[Submission]:
        bottom, top = limits.start, limits.stop
        if bottom == top:
            return []  # the ORM's empty slice: no query
        key = ("review", self.period is None, bottom, top)
        if self.period is None:
            return compiled_rows(
                key,
                lambda municipality, today: review_queryset(municipality, today)[bottom:top],
                self.municipality.pk,
                self.today,
            )
        return compiled_rows(
            key,
            lambda municipality, today, period: review_queryset(municipality, today, period)[
                bottom:top
            ],
            self.municipality.pk,
            self.today,
            self.period.pk,
        )


@dataclass
class Decided:
    """The approved follow-ups that concern a user (``decided_for``): read with
    ``decided_periods`` and ``decided_rows``, compiled once per number of units."""

    user: object
    bounds: list  # tree, lft, rght of each of the user's units
    everyone: bool  # a user with no unit: every approved follow-up
    visible: bool  # a logged-in user (no query at all otherwise)

    def queryset(self, *bounds):
        """The approved follow-ups, near the units of ``bounds`` (tree, lft, rght each)."""
        submissions = Submission.objects.decided_visible_to(self.user)
        if not self.everyone:
            near = models.Q(pk__in=[])
            for i in range(0, len(bounds), 3):
                tree, lft, rght = bounds[i : i + 3]
                same_tree = models.Q(unit__tree_id=tree)
                below = models.Q(unit__lft__gte=lft, unit__rght__lte=rght)
                above = models.Q(unit__lft__lte=lft, unit__rght__gte=rght)
                near |= same_tree & (below | above)
            submissions = submissions.filter(near)
        return submissions

    @property
    def key(self):
        return (len(self.bounds), self.everyone)


def decided_for(user) -> Decided:
    """The approved follow-ups that concern the user: those of their own units, of the
    units below them (a nämnd's förvaltning) and above them (an enhet's förvaltning);
    every one for a user with no unit (no query)."""
    scope = scope_for(user)
    units = scope.units
    return Decided(
        user,
        [n for unit in units for n in (unit.tree_id, unit.lft, unit.rght)],
        everyone=not units,
        visible=scope.is_authenticated,
    )


def _decided_periods(municipality, decided, *bounds):
    return ReportingPeriod.objects.filter(
        municipality=municipality, pk__in=decided.queryset(*bounds).values("period")
    ).order_by("-year", "-month")


def decided_periods(municipality, decided: Decided):
    """The periods of the ``decided`` follow-ups (``decided_for``), latest first (one query)."""
    if not decided.visible:
        return list(_decided_periods(municipality, decided, *decided.bounds))
    return compiled_rows(
        ("decided periods", *decided.key),
        lambda municipality, *bounds: _decided_periods(municipality, decided, *bounds),
        municipality.pk,
        *decided.bounds,
    )


def _decided_rows(decided, period, *bounds):
    return (
        decided.queryset(*bounds)
        .filter(period=period)
        .select_related("period", "unit", "decided_by")
        .order_by("unit__tree_id", "unit__lft")
    )


def decided_rows(decided: Decided, period) -> list[Submission]:
    """The ``decided`` follow-ups of ``period``, in the organisation's order (one query)."""
    if not decided.visible:
        return list(_decided_rows(decided, period, *decided.bounds))
    return compiled_rows(
        ("decided rows", *decided.key),
        lambda period, *bounds: _decided_rows(decided, period, *bounds),
        period.pk,
        *decided.bounds,
    )
