"""Saving governance data: one upsert-if-changed for imports, forms and the demo.

Rows are found by a natural key, created when missing, saved only when a value
differs (so the history shows real changes and a repeated save writes nothing),
and — only when asked — removed when the caller's data no longer has them. Every
row is validated by the model's own rules (``full_clean``) before it is written,
and every write goes through django-simple-history with the user who caused it.

    sync = RowSync(Outcome, Outcome.objects.filter(...), key=lambda o: (o.unit_id, o.month),
                   user=request.user)
    sync.put((unit.pk, 3), lookup={"unit": unit, "month": 3, ...}, values={"amount": amount})
    counts = sync.finish(remove_missing=True)   # Counts(created=…, changed=…, removed=…)

``save_if_changed`` is the one-row form for forms and the demo. ``sync_rows`` is the
set-based form for imports of many rows on PostgreSQL: the rows go in by COPY and are
compared, created, changed and removed in a few statements, each writing its history rows
in the same statement. None of them opens a transaction: callers wrap the whole save in one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH_SIZE = 2000  # rows per INSERT/UPDATE in the bulk writes


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    removed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created,
            self.changed + other.changed,
            self.removed + other.removed,
        )


def _differs(obj, values: dict) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def save_if_changed(model, lookup: dict, values: dict, *, user=None, reason: str = ""):
    """Find the row by ``lookup``; create it, or save it only if a value differs.

    Returns ``(obj, state)`` with state "created", "changed" or "unchanged". One
    query to find the row, plus the write (and its history row) when there is one.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        state = "created"
    elif _differs(obj, values):
        for name, value in values.items():
            setattr(obj, name, value)
        state = "changed"
    else:
        return obj, "unchanged"
    return save_validated(obj, user, reason), state


def save_validated(obj, user=None, reason: str = ""):
    """``full_clean()`` then save, with who and why in the history row; returns ``obj``."""
    obj.full_clean()
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


@dataclass
class Stored:
    """A row known by its primary key and the values compared (not a model instance).

    Imports load a million rows this way (``RowSync.from_values``) instead of as objects.
    """

    pk: int
    values: dict


class RowSync:
    """Many rows of one model against those loaded once, by a natural key.

    Validation runs per row without the per-row database round trips of foreign
    key and uniqueness checks (the keys and related rows come from the caller's
    loaded data, and the database's constraints still hold); new rows are bulk
    created and changed rows bulk updated, each with its history row. ``extra``
    values (e.g. the import that wrote a row) are written with a change but never
    make one.
    """

    def __init__(
        self,
        model,
        queryset: Iterable,
        key: Callable[[object], Hashable],
        *,
        user=None,
        reason: str = "",
        validate: bool = True,
    ):
        self.model = model
        self.user = user
        self.reason = reason or None
        self.validate = validate
        self.existing = {key(obj): obj for obj in queryset}
        self.seen: set = set()
        self.removed: dict = {}
        self.new: list = []
        self.changed: dict = {}
        self.fields: set[str] = set()
        self._exclude = [f.name for f in model._meta.concrete_fields if f.is_relation]

    @classmethod
    def from_values(cls, model, queryset, key_fields: list[str], value_fields: list[str], **kw):
        """Load only keys and values (one query, tuples): for imports of many rows.

        The key of a row is the tuple of its ``key_fields`` (attnames, e.g. "unit_id").
        """
        sync = cls(model, [], key=lambda obj: None, **kw)
        width = len(key_fields)
        for pk, *row in queryset.values_list("pk", *key_fields, *value_fields):
            key = tuple(row[:width])
            sync.existing[key] = Stored(pk, dict(zip(value_fields, row[width:], strict=True)))
        return sync

    def put(self, key: Hashable, lookup: dict, values: dict, extra: dict | None = None):
        """Make the row at ``key`` hold ``values`` (``lookup`` completes a new row)."""
        self.seen.add(key)
        extra = extra or {}
        obj = self.existing.get(key)
        if obj is None:
            obj = self.model(**lookup, **values, **extra)
            self._clean(obj)
            self.new.append(obj)
            self.existing[key] = obj
        elif isinstance(obj, Stored):
            if any(obj.values.get(name) != value for name, value in values.items()):
                row = self.model(**lookup, **values, **extra)
                row.pk = obj.pk
                self._clean(row)
                self.changed[key] = row
                self.fields.update(values, extra)
                return row
        elif obj.pk is not None and _differs(obj, values):
            for name, value in {**values, **extra}.items():
                setattr(obj, name, value)
            self._clean(obj)
            self.changed[key] = obj
            self.fields.update(values, extra)
        return obj

    def remove(self, key: Hashable) -> None:
        """Remove the row at ``key``, if there is one (a field deliberately emptied)."""
        self.seen.add(key)
        obj = self.existing.get(key)
        if obj is not None and obj.pk is not None:
            self.removed[key] = obj
        self.changed.pop(key, None)

    def missing(self) -> list:
        """Loaded rows that no ``put`` named (what ``finish(remove_missing=True)`` removes)."""
        return [
            obj for key, obj in self.existing.items() if key not in self.seen and obj.pk is not None
        ]

    def counts(self, *, remove_missing: bool = False) -> Counts:
        """What ``finish`` would write, without writing (a dry run reports the same)."""
        removed = len(self.removed) + (len(self.missing()) if remove_missing else 0)
        return Counts(len(self.new), len(self.changed), removed)

    def finish(self, *, remove_missing: bool = False, progress=None) -> Counts:
        """Write: bulk create, bulk update, then remove what was removed (or not put).

        ``progress(done, total)`` is called after each batch of rows.
        """
        counts = self.counts(remove_missing=remove_missing)
        total = counts.created + counts.changed + counts.removed
        done = 0
        for start in range(0, len(self.new), BATCH_SIZE):
            part = self.new[start : start + BATCH_SIZE]
            bulk_create_with_history(
                part,
                self.model,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            done += len(part)
            if progress:
                progress(done, total)
        changed = list(self.changed.values())
        for start in range(0, len(changed), BATCH_SIZE):
            part = changed[start : start + BATCH_SIZE]
            bulk_update_with_history(
                part,
                self.model,
                sorted(self.fields),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            done += len(part)
            if progress:
                progress(done, total)
        gone = list(self.removed.values()) + (self.missing() if remove_missing else [])
        if gone:
            self._remove(gone)
            if progress:
                progress(total, total)
        self.new, self.changed, self.removed, self.fields = [], {}, {}, set()
        return counts

    def _remove(self, rows: list) -> None:
        """Delete ``rows``, each with a "-" history row naming the user.

        A model nothing refers to is deleted in one statement (its history rows
        bulk-written here); otherwise row by row, so Django's cascade rules and
        protections apply.
        """
        pks = [obj.pk for obj in rows]
        if self.model._meta.related_objects:
            for obj in self.model.objects.filter(pk__in=pks):
                obj._history_user = self.user
                obj._change_reason = self.reason
                obj.delete()
            return
        history = getattr(self.model, "history", None)
        if history is not None:
            historical = history.model
            now = timezone.now()
            names = [
                f.attname for f in historical._meta.fields if not f.name.startswith("history_")
            ]
            historical.objects.bulk_create(
                [
                    historical(
                        **{name: getattr(obj, name) for name in names if hasattr(obj, name)},
                        history_type="-",
                        history_date=now,
                        history_user=self.user,
                        history_change_reason=self.reason,
                    )
                    for obj in self.model.objects.filter(pk__in=pks).iterator()
                ],
                batch_size=BATCH_SIZE,
            )
        queryset = self.model.objects.filter(pk__in=pks)
        queryset._raw_delete(queryset.db)

    def _clean(self, obj) -> None:
        if self.validate:
            obj.full_clean(exclude=self._exclude, validate_unique=False, validate_constraints=False)


# --- set-based, for PostgreSQL -----------------------------------------------------------


def bulk_session(cursor) -> None:
    """Settings for the rest of this transaction's bulk statements (PostgreSQL; else none).

    A year's ledger is sorted, grouped and windowed in one statement: with the default
    4 MB of work memory those spill to disk. Set locally, it ends with the transaction
    (outside one it would do nothing, so it is not sent). One query. (The JIT, which
    compiled those expressions for longer than they ran, is off for every connection:
    settings.DATABASES.)
    """
    connection = cursor.db
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        cursor.execute("SELECT set_config('work_mem', '64MB', true)")


ANALYZE_ROWS = 10_000  # rows created or removed after which the table's statistics are renewed
_temp_names = itertools.count(1)
_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallAutoField",
    "SmallIntegerField",
}


def sync_rows(
    model,
    scope,
    key_fields: list[str],
    value_fields: list[str],
    rows: Iterable[tuple],
    *,
    constants: dict | None = None,
    extra: dict | None = None,
    user=None,
    reason: str = "",
    remove_missing: bool = False,
    dry_run: bool = False,
    progress=None,
) -> Counts:
    """Make the rows of ``scope`` hold ``rows``, set-based on PostgreSQL; what it wrote.

    ``rows`` are tuples of the ``key_fields`` then the ``value_fields`` (attnames, e.g.
    "unit_id"); a key names at most one row of ``scope``. A row whose key ``scope`` lacks
    is created with ``constants`` (the columns the key leaves out, e.g. the municipality);
    a row whose values differ is changed; with ``remove_missing``, rows of ``scope`` that
    ``rows`` lack are removed. ``extra`` columns (e.g. the import that wrote a row) are
    written on created and changed rows but never make a change. Each kind is one statement
    that writes the model's django-simple-history rows ("+", "~", "-") with ``user`` and
    ``reason`` beside its own, so exactly what changed has history and a repeat writes
    nothing. ``dry_run`` counts the same without touching the table. Values are not
    validated here: callers pass rows they checked (the database's constraints hold).
    Queries: a temporary table, its COPY, the comparison kept in a second one and counted
    (a dry run only counts it), and one statement per kind of write that has rows (then
    ANALYZE after a large change).
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return _sync_rows_by_row(
            model,
            scope,
            key_fields,
            value_fields,
            rows,
            constants=constants,
            extra=extra,
            user=user,
            reason=reason,
            remove_missing=remove_missing,
            dry_run=dry_run,
            progress=progress,
        )
    constants, extra = constants or {}, extra or {}
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    fields = {f.attname: f for f in opts.concrete_fields}
    q = connection.ops.quote_name
    staged = f"sync_rows_{next(_temp_names)}"
    diff = f"{staged}_diff"
    columns = [*key_fields, *value_fields]
    definitions = ", ".join(f"{q(name)} {fields[name].db_type(connection)}" for name in columns)
    scope_sql, scope_params = scope.order_by().values_list("pk", *columns).query.sql_with_params()
    join = " AND ".join(_same(fields[name], q(name)) for name in key_fields)
    differs = (
        " OR ".join(f"o.{q(name)} IS DISTINCT FROM t.{q(name)}" for name in value_fields) or "false"
    )
    pk = q(opts.pk.attname)
    selected = ", ".join(f"t.{q(name)}" for name in columns)
    names = ", ".join(q(name) for name in columns)
    # The temporary tables live until the transaction ends (a savepoint when there is one).
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        bulk_session(cursor)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} ({definitions}, sync_in boolean NOT NULL "
            "DEFAULT true) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {staged} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        outer = "FULL" if remove_missing else "LEFT"
        differences = (
            f"SELECT CASE WHEN o.pk IS NULL THEN '+' WHEN t.sync_in IS NULL THEN '-' "
            f"ELSE '~' END AS op, o.pk AS pk, {selected} "
            f"FROM {staged} t {outer} JOIN ({scope_sql}) AS o (pk, {names}) ON {join} "
            f"WHERE o.pk IS NULL OR t.sync_in IS NULL OR {differs}"
        )
        if dry_run:  # counted, not kept
            cursor.execute(f"SELECT op, count(*) FROM ({differences}) d GROUP BY op", scope_params)
            return _counts(cursor.fetchall())
        cursor.execute(
            f"CREATE TEMPORARY TABLE {diff} ON COMMIT DROP AS {differences}", scope_params
        )
        cursor.execute(f"SELECT op, count(*) FROM {diff} GROUP BY op")
        counts = _counts(cursor.fetchall())
        history = _HistoryWriter(model, connection, user, reason)
        total, done = counts.created + counts.changed + counts.removed, 0
        if counts.removed:
            cursor.execute(
                history.wrap(
                    f"DELETE FROM {table} WHERE {pk} IN (SELECT pk FROM {diff} WHERE op = '-') "
                    f"RETURNING {history.returning('')}",
                    "-",
                ),
                history.params("-"),
            )
            done += counts.removed
            if progress:
                progress(done, total)
        if counts.changed:
            assignments = [f"{q(name)} = d.{q(name)}" for name in value_fields]
            assignments += [f"{q(name)} = %s" for name in extra]
            cursor.execute(
                history.wrap(
                    f"UPDATE {table} AS o SET {', '.join(assignments)} FROM {diff} d "
                    f"WHERE o.{pk} = d.pk AND d.op = '~' RETURNING {history.returning('o.')}",
                    "~",
                ),
                [*extra.values(), *history.params("~")],
            )
            done += counts.changed
            if progress:
                progress(done, total)
        if counts.created:
            fixed = {**constants, **extra}
            insert = [*columns, *fixed]
            values = [f"d.{q(name)}" for name in columns] + ["%s"] * len(fixed)
            cursor.execute(
                history.wrap(
                    f"INSERT INTO {table} ({', '.join(q(name) for name in insert)}) "
                    f"SELECT {', '.join(values)} FROM {diff} d WHERE d.op = '+' "
                    f"RETURNING {history.returning('')}",
                    "+",
                ),
                [*fixed.values(), *history.params("+")],
            )
            done += counts.created
            if progress:
                progress(done, total)
        if counts.created + counts.removed >= ANALYZE_ROWS:
            # The pages plan their queries on the table; its history is read by row and
            # time only, and autovacuum renews its statistics without the import waiting.
            cursor.execute(f"ANALYZE {table}")
    return counts


def _counts(rows) -> Counts:
    found = dict(rows)
    return Counts(found.get("+", 0), found.get("~", 0), found.get("-", 0))


def _same(field, name: str) -> str:
    """The join of a key column; nullable integer keys (e.g. an optional unit) compare
    through coalesce, so the join stays a hash join."""
    if not field.null:
        return f"o.{name} = t.{name}"
    if field.get_internal_type() in _INTEGER_TYPES or (
        field.is_relation and field.target_field.get_internal_type() in _INTEGER_TYPES
    ):
        return f"coalesce(o.{name}, -1) = coalesce(t.{name}, -1)"
    return f"o.{name} IS NOT DISTINCT FROM t.{name}"


class _HistoryWriter:
    """The django-simple-history rows of a set-based write, in the same statement."""

    def __init__(self, model, connection, user, reason):
        history = getattr(model, "history", None)
        q = connection.ops.quote_name
        self.q = q
        own = {f.attname for f in model._meta.concrete_fields}
        if history is None:
            self.table, self.columns = None, [model._meta.pk.attname]
        else:
            historical = history.model._meta
            self.table = q(historical.db_table)
            self.columns = [
                f.attname
                for f in historical.concrete_fields
                if not f.name.startswith("history_") and f.attname in own
            ]
        self.now = timezone.now()
        self.user_id = getattr(user, "pk", None)
        self.reason = reason or None

    def returning(self, prefix: str) -> str:
        return ", ".join(f"{prefix}{self.q(name)}" for name in self.columns)

    def wrap(self, statement: str, kind: str) -> str:
        if self.table is None:
            return statement
        names = ", ".join(self.q(name) for name in self.columns)
        return (
            f"WITH written AS ({statement}) INSERT INTO {self.table} ({names}, history_date, "
            "history_type, history_user_id, history_change_reason) "
            f"SELECT {names}, %s, %s, %s, %s FROM written"
        )

    def params(self, kind: str) -> list:
        return [] if self.table is None else [self.now, kind, self.user_id, self.reason]


def _sync_rows_by_row(
    model,
    scope,
    key_fields,
    value_fields,
    rows,
    *,
    constants,
    extra,
    user,
    reason,
    remove_missing,
    dry_run,
    progress,
) -> Counts:
    """``sync_rows`` on a database without COPY (SQLite under ``make run``): the same
    rows, counts and history through ``RowSync``, in bulk statements of its batch size."""
    sync = RowSync.from_values(
        model,
        scope,
        key_fields,
        value_fields,
        user=user,
        reason=reason,
        validate=False,  # as in sync_rows: callers pass checked rows
    )
    width = len(key_fields)
    for row in rows:
        key = tuple(row[:width])
        sync.put(
            key,
            {**(constants or {}), **dict(zip(key_fields, key, strict=True))},
            dict(zip(value_fields, row[width:], strict=True)),
            extra=extra,
        )
    if dry_run:
        return sync.counts(remove_missing=remove_missing)
    return sync.finish(remove_missing=remove_missing, progress=progress)
