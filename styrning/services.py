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

``save_if_changed`` is the one-row form for forms and the demo. Neither opens a
transaction: callers wrap the whole save in one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

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
    obj.full_clean()
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj, state


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
