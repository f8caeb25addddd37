"""The change history of governance data, as rows a person can read: who, when, what."""

from __future__ import annotations

from django.utils.translation import gettext as _

from styrning.history import Change, LogEntry, display_value

# Bookkeeping columns nobody needs to see in a change log.
HIDDEN_FIELDS = {"lft", "rght", "tree_id", "mptt_level", "id", "municipality"}


def _goal_pks(value):
    """Primary keys of the goals a diff value points at (a goal, or none)."""
    from goals.models import Goal

    return {value.pk} if isinstance(value, Goal) else set()


class _Masker:
    """Replaces goals the reader may not read (drafts of other units) with a neutral text."""

    def __init__(self, user):
        self.user = user
        self.readable = None
        self.pending = set()

    def note(self, value):
        self.pending |= _goal_pks(value)

    def resolve(self):
        from goals.models import Goal

        if self.user is None or not self.pending:
            self.readable = self.pending
            return
        self.readable = set(
            Goal.objects.visible_to(self.user)
            .filter(pk__in=self.pending)
            .values_list("pk", flat=True)
        )

    def show(self, model, name, value):
        if _goal_pks(value) - self.readable:
            return _("a draft you may not read")
        return display_value(model, name, value)


def _entries(records, subject, masker):
    """Entries with raw changes; ``masker`` collects the goals they name (no queries)."""
    entries = []
    previous = None
    for record in records:
        who = (
            record.history_user.get_full_name() or record.history_user.username
            if (record.history_user)
            else _("the system")
        )
        if record.history_type == "+":
            action = _("Created")
        elif record.history_type == "-":
            action = _("Deleted")
        else:
            action = _("Changed")
        entry = LogEntry(
            when=record.history_date,
            who=who,
            subject=subject,
            action=action,
            reason=record.history_change_reason or "",
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            model = record.instance_type
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = str(model._meta.get_field(change.field).verbose_name)
                masker.note(change.old)
                masker.note(change.new)
                entry.changes.append(Change(label.capitalize(), (model, change), None))
            if not entry.changes and not entry.reason:
                previous = record
                continue
        entries.append(entry)
        previous = record
    return entries


def change_log(obj, include_indicators=True, user=None):
    """History of one object (and a goal's indicators), newest first.

    With ``user``, goals that user may not read (a parent changed from or to
    another unit's draft) show as "a draft you may not read", never by title.
    Runs a query per object's history, one per changed relation value and one
    for the goals' visibility.
    """
    masker = _Masker(user)
    records = obj.history.select_related("history_user").order_by("history_date", "history_id")
    entries = _entries(list(records), str(obj._meta.verbose_name).capitalize(), masker)
    indicators = getattr(obj, "indicators", None)
    if include_indicators and indicators is not None:
        from goals.models import Indicator

        history = Indicator.history.filter(goal_id=obj.pk).select_related("history_user")
        by_indicator: dict = {}
        for record in history.order_by("history_date", "history_id"):
            by_indicator.setdefault(record.id, []).append(record)
        for recs in by_indicator.values():
            subject = _("Indicator %(name)s") % {"name": recs[-1].name}
            entries.extend(_entries(recs, subject, masker))
    masker.resolve()
    for entry in entries:
        for change in entry.changes:
            model, raw = change.old
            change.old = masker.show(model, raw.field, raw.old)
            change.new = masker.show(model, raw.field, raw.new)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
