"""The change history of governance data, as rows a person can read: who, when, what.

The history rows are read as values and compared here, field by field and for the
many-to-many fields row by row, as django-simple-history's ``diff_against`` compares
them (tests/goals/test_history.py holds the two equal): model instances, their diffs
and two to four queries per change for the m2m rows were a sixth of a goal's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import ForeignKey
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject

from styrning import request_rows
from styrning.history import Change, LogEntry, display_value

# Bookkeeping columns nobody needs to see in a change log.
HIDDEN_FIELDS = {"lft", "rght", "tree_id", "mptt_level", "id", "municipality"}
# The history columns a change log reads besides the object's own.
HISTORY_COLUMNS = (
    "history_id",
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user_id",
    "history_user__username",
    "history_user__first_name",
    "history_user__last_name",
)


@dataclass(frozen=True)
class _Reading:
    """How a change log reads one model's history (``_reading``)."""

    history: type  # the historical model
    # The compared fields, by name: (name, attname, related model or None).
    fields: tuple
    # The m2m fields: (name, historical through model, its column of the other side,
    # the other side's model).
    m2m: tuple
    columns: tuple  # what each history row is read with (``id`` and ``name`` among them)


@cache
def _reading(model) -> _Reading:
    """Built once per model: ``Model.history`` builds a manager class on every access."""
    history = model.history.model
    fields = tuple(
        sorted(
            (f.name, f.attname, f.related_model if isinstance(f, ForeignKey) else None)
            for f in history.tracked_fields
            if f.editable and f.name not in HIDDEN_FIELDS
        )
    )
    m2m = []
    for field in history._history_m2m_fields:
        through = getattr(history, field.name).model
        other = through._meta.get_field(field.m2m_reverse_field_name())
        m2m.append((field.name, through, other.attname, other.related_model))
    tracked = {f.attname for f in history.tracked_fields}
    own = [name for name in ("id", "name") if name in tracked]  # an indicator's name
    columns = (*own, *(attname for _name, attname, _model in fields), *HISTORY_COLUMNS)
    return _Reading(history, fields, tuple(m2m), tuple(dict.fromkeys(columns)))


@cache
def _records_sql(model, key: str) -> str:
    """The SQL of ``_records``, compiled by the ORM once per process: compiling its two
    dozen columns cost more than running it. Its one parameter is the key's value."""
    reading = _reading(model)
    rows = reading.history.objects.filter(**{key: 0}).order_by("history_date", "history_id")
    sql, params = rows.values(*reading.columns).query.sql_with_params()
    assert list(params) == [0], params
    return sql


@cache
def _column_fields(model) -> list:
    """The model field each of ``_records``'s columns reads (through ``__`` relations)."""
    fields = []
    for column in _reading(model).columns:
        target, *path = column.split("__")
        field = _reading(model).history._meta.get_field(target)
        for name in path:
            field = field.related_model._meta.get_field(name)
        fields.append(field)
    return fields


def _records(model, key: str, value) -> list[dict]:
    """``model``'s history rows whose ``key`` is ``value``, oldest first, as ``.values()``
    gives them (one query, on a plain cursor, converted as the ORM converts)."""
    columns = _reading(model).columns
    rows = request_rows.fetch(
        connection.alias, _records_sql(model, key), [value], _column_fields(model)
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _m2m_rows(model, records) -> dict:
    """(m2m field name, history id) → the sorted ids of the other side, for the rows of
    ``records`` that changed something ("~"). One query per m2m field, none without."""
    rows: dict = {}
    if not any(r["history_type"] == "~" for r in records):
        return rows
    ids = {r["history_id"] for r in records}
    for name, through, column, _target in _reading(model).m2m:
        for history_id, other_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", column
        ):
            rows.setdefault((name, history_id), []).append(other_id)
    for key in rows:
        rows[key].sort(key=lambda pk: (pk is None, pk))
    return rows


def _who(record) -> str:
    if record["history_user_id"] is None:
        return _("the system")
    full_name = f"{record['history_user__first_name']} {record['history_user__last_name']}"
    return full_name.strip() or record["history_user__username"]


def _entries(model, records, subject) -> list[LogEntry]:
    """Entries whose changes hold raw values, ``(model, field name, old, new, related
    model)``: for a relation ``old`` and ``new`` are ids (a sorted list of them for an
    m2m field). Queries: ``_m2m_rows``'."""
    reading = _reading(model)
    m2m = _m2m_rows(model, records) if reading.m2m else {}
    words = {"+": _("Created"), "-": _("Deleted"), "~": _("Changed")}
    entries = []
    previous = None
    for record in records:
        entry = LogEntry(
            when=record["history_date"],
            who=_who(record),
            subject=subject,
            action=words.get(record["history_type"], words["~"]),
            reason=record["history_change_reason"] or "",
        )
        if previous is not None and record["history_type"] == "~":
            changes = []
            for name, attname, target in reading.fields:
                old, new = previous[attname], record[attname]
                if old != new:
                    changes.append((name, old, new, target))
            for name, _through, _column, target in reading.m2m:
                old = m2m.get((name, previous["history_id"]), [])
                new = m2m.get((name, record["history_id"]), [])
                if old != new:
                    changes.append((name, old, new, target))
            changes.sort(key=lambda change: change[0])
            for name, old, new, target in changes:
                label = str(model._meta.get_field(name).verbose_name).capitalize()
                entry.changes.append(Change(label, (model, name, old, new, target), None))
            if not entry.changes and not entry.reason:
                previous = record
                continue
        entries.append(entry)
        previous = record
    return entries


def _objects(related) -> dict:
    """(model, pk) → the object, for the ids ``related`` collected (one query per model)."""
    found = {}
    for model, ids in related.items():
        ids.discard(None)
        if ids:
            for pk, obj in model._base_manager.in_bulk(ids).items():
                found[model, pk] = obj
    return found


def _readable_goals(user, objects) -> set | None:
    """The pks of the goals among ``objects`` that ``user`` may read; None for all."""
    from goals.models import Goal

    pks = {pk for (model, pk) in objects if model is Goal}
    if user is None or not pks:
        return None
    return set(Goal.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))


def _show(entries, user) -> None:
    """Turn the entries' raw changes into text; goals ``user`` may not read (drafts of
    other units) read "a draft you may not read". Queries: ``_objects``' and one for
    the goals' visibility when the changes name goals."""
    from goals.models import Goal

    related: dict = {}
    for entry in entries:
        for change in entry.changes:
            _model, _name, old, new, target = change.old
            if target is not None:
                ids = related.setdefault(target, set())
                ids.update(old if isinstance(old, list) else [old])
                ids.update(new if isinstance(new, list) else [new])
    objects = _objects(related)
    readable = _readable_goals(user, objects)

    def value(target, pk):
        if target is None:
            return pk
        if pk is None:
            return None
        return objects.get((target, pk), DeletedObject(target, pk))

    def text(model, name, raw, target):
        if isinstance(raw, list):
            return display_value(model, name, [value(target, pk) for pk in raw])
        hidden = readable is not None and (Goal, raw) in objects and raw not in readable
        if target is Goal and hidden:
            return _("a draft you may not read")
        return display_value(model, name, value(target, raw))

    for entry in entries:
        for change in entry.changes:
            model, name, old, new, target = change.old
            change.old = text(model, name, old, target)
            change.new = text(model, name, new, target)


def change_log(obj, include_indicators=True, user=None):
    """History of one object (and a goal's indicators), newest first.

    With ``user``, goals that user may not read (a parent changed from or to
    another unit's draft) show as "a draft you may not read", never by title.
    Queries: one per history read (the object's, its indicators'); where something
    changed, one for the m2m rows (a goal's perspectives), one per kind of object
    a relation changed from or to, and one for the goals' visibility.
    """
    model = obj._meta.model
    subject = str(obj._meta.verbose_name).capitalize()
    entries = _entries(model, _records(model, "id", obj.pk), subject)
    if include_indicators and getattr(obj, "indicators", None) is not None:
        from goals.models import Indicator

        by_indicator: dict = {}
        for record in _records(Indicator, "goal_id", obj.pk):
            by_indicator.setdefault(record["id"], []).append(record)
        for records in by_indicator.values():
            subject = _("Indicator %(name)s") % {"name": records[-1]["name"]}
            entries.extend(_entries(Indicator, records, subject))
    _show(entries, user)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
