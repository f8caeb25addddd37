"""The change history of governance data, as rows a person can read: who, when, what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Bookkeeping columns nobody needs to see in a change log.
HIDDEN_FIELDS = {"lft", "rght", "tree_id", "mptt_level", "id", "municipality"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class LogEntry:
    when: dt.datetime
    who: str
    subject: str
    action: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _display(record, name, value):
    if value is None or value == "":
        return "–"
    model_field = record.instance_type._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):  # m2m: through-rows as dicts {"goal": …, "perspective": …}
        own = record.instance_type._meta.model_name
        names = [str(v) for row in value for key, v in row.items() if key != own]
        return ", ".join(sorted(names)) or "–"
    return str(value)


def _entries(records, subject):
    entries = []
    previous = None
    for record in records:
        who = (
            record.history_user.get_full_name() or record.history_user.username
            if (record.history_user)
            else _("the system")
        )
        entry = LogEntry(
            when=record.history_date,
            who=who,
            subject=subject,
            action=record.get_history_type_display(),
            reason=record.history_change_reason or "",
        )
        if record.history_type == "+":
            entry.action = _("Created")
        elif record.history_type == "-":
            entry.action = _("Deleted")
        else:
            entry.action = _("Changed")
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = str(record.instance_type._meta.get_field(change.field).verbose_name)
                entry.changes.append(
                    Change(
                        label=label.capitalize(),
                        old=_display(record, change.field, change.old),
                        new=_display(record, change.field, change.new),
                    )
                )
            if not entry.changes and not entry.reason:
                previous = record
                continue
        entries.append(entry)
        previous = record
    return entries


def change_log(obj, include_indicators=True):
    """History of one object (and a goal's indicators), newest first.

    Runs a query per object's history, plus one per changed relation value.
    """
    records = obj.history.select_related("history_user").order_by("history_date", "history_id")
    entries = _entries(list(records), str(obj._meta.verbose_name).capitalize())
    indicators = getattr(obj, "indicators", None)
    if include_indicators and indicators is not None:
        from goals.models import Indicator

        history = Indicator.history.filter(goal_id=obj.pk).select_related("history_user")
        by_indicator: dict = {}
        for record in history.order_by("history_date", "history_id"):
            by_indicator.setdefault(record.id, []).append(record)
        for recs in by_indicator.values():
            subject = _("Indicator %(name)s") % {"name": recs[-1].name}
            entries.extend(_entries(recs, subject))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
