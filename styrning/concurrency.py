"""A version check for governance forms: the second of two concurrent saves is refused.

Two people open the same goal; the first saves; the second's save must not
silently overwrite the first. ``VersionCheckMixin`` gives a ``ModelForm`` a
hidden ``version`` field holding the object's version when the form was
opened. The version is the id of the object's latest django-simple-history
row (every governance model keeps a history, so no extra column is needed).
Inside the save's transaction the row is locked with ``select_for_update`` and
its version read again; if it moved, the save is refused:

- the form gets a Swedish error that says who saved when and, per field, what
  the person typed and what is stored now (from the history);
- everything they typed stays in the (bound) form;
- the hidden version is moved on to the stored one, so saving again after
  reading the message deliberately replaces what is stored.

Use it in a form::

    class GoalForm(VersionCheckMixin, AccessibleFormMixin, forms.ModelForm):
        ...

and in the view, around the save::

    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                goal = form.save()
        except EditConflict:
            pass  # the form now carries the message; render it again
        else:
            return redirect(goal)

Render hidden fields in the template (``{% for field in form.hidden_fields %}``).
A new object (no pk yet) is never checked. A POST without a version (an old
page, a hand-made request) is refused the same way. ``save(commit=False)`` is
not checked: call ``check_version()`` yourself inside your transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from styrning.history import display_value, history_model

VERSION_FIELD = "version"


class EditConflict(Exception):
    """Someone else saved the object after the form was opened; the form holds the message."""


def current_version(instance) -> int | None:
    """The id of the object's latest history row (one query)."""
    if instance.pk is None:
        return None
    return (
        history_model(type(instance))
        .objects.filter(**{instance._meta.pk.attname: instance.pk})
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def current_versions(model, pks) -> dict[int, int]:
    """Object pk → the id of its latest history row, for many objects (one query)."""
    from django.db.models import Max

    history = history_model(model)
    rows = history.objects.filter(id__in=list(pks)).values("id").annotate(v=Max("history_id"))
    return {row["id"]: row["v"] for row in rows}


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


@dataclass
class RowChange:
    """One object's change since a moment: its history row then (None if it did not
    exist), its newest row, and who changed it."""

    before: object
    newest: object
    who: str

    def value(self, name, which="newest"):
        """A field's value in ``before`` or ``newest`` (None where the row did not exist)."""
        record = getattr(self, which)
        if record is None or record.history_type == "-":
            return None
        return getattr(record, name)

    def changed(self, name) -> bool:
        before, after = self.value(name, "before"), self.value(name)
        if before in (None, "") and after in (None, ""):
            return False
        return before != after


def changes_since(history, since) -> list[RowChange]:
    """The objects of ``history`` (a historical model's queryset) changed at or after
    ``since``, in the order of their first change (two queries; portable SQL, no
    ``DISTINCT ON``: ``make run`` uses SQLite)."""
    later = list(
        history.filter(history_date__gte=since)
        .select_related("history_user")
        .order_by("history_id")
    )
    if not later:
        return []
    newest, who = {}, {}
    for record in later:
        newest[record.id] = record
        who.setdefault(record.id, {})[_who(record)] = None
    before = {}
    for record in history.filter(id__in=list(newest), history_date__lt=since).order_by(
        "history_id"
    ):
        before[record.id] = record
    return [RowChange(before.get(pk), row, ", ".join(who[pk])) for pk, row in newest.items()]


class VersionCheckMixin:
    """A hidden version field compared inside the save's transaction (see the module doc)."""

    def __init__(self, *args, version=None, **kwargs):
        # ``version``: the object's version read beforehand (``current_versions``), so a
        # page of many forms reads them in one query instead of one each.
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk is not None:
            if version is None:
                version = current_version(self.instance)
            self.initial[VERSION_FIELD] = str(version or "")

    def save(self, commit=True):
        if commit and self.instance.pk is not None:
            with transaction.atomic():
                self.check_version()
                return super().save(commit=commit)
        return super().save(commit=commit)

    def check_version(self):
        """Lock the row and compare versions; raise ``EditConflict`` with the message set.

        Two queries (the lock and the version), and two more on a conflict.
        """
        instance = self.instance
        model = type(instance)
        list(model._default_manager.select_for_update().filter(pk=instance.pk).values("pk"))
        stored = current_version(instance)
        sent = (self.cleaned_data.get(VERSION_FIELD) or "").strip()
        if sent == str(stored or ""):
            return
        self._refuse(sent, stored)
        raise EditConflict

    def _refuse(self, sent, stored):
        instance = self.instance
        history = instance.history.select_related("history_user").order_by("history_id")
        base = history.filter(history_id=int(sent)).first() if sent.isdigit() else None
        later = list(history.filter(history_id__gt=base.history_id)) if base else []
        latest = later[-1] if later else history.last()
        # When the first save after the form was opened began: related rows (a form
        # of many parts) changed from then on are the other person's.
        self.conflict_since = later[0].history_date if later else None
        messages = []
        if base is not None and later:
            who = ", ".join(dict.fromkeys(_who(r) for r in later))
            messages.append(
                _(
                    "%(who)s saved changes at %(when)s, after you opened this form. Your entries "
                    "are kept below: compare them with what changed, and save again if yours "
                    "should replace what is stored."
                )
                % {
                    "who": who,
                    "when": timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M"),
                }
            )
            messages += self._changes(base, latest)
        else:
            messages.append(
                _(
                    "What is stored may have changed since this form was opened. Your entries "
                    "are kept below: check them and save again."
                )
            )
        self.add_error(None, ValidationError(messages))
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = str(stored or "")
        self.data = data

    def _changes(self, base, latest):
        """One line per field of this form that changed between ``base`` and ``latest``."""
        model = type(self.instance)
        delta = latest.diff_against(base, foreign_keys_are_objs=True)
        lines = []
        for change in delta.changes:
            if change.field not in self.fields or change.field == VERSION_FIELD:
                continue
            field = self.fields[change.field]
            stored = display_value(model, change.field, change.new)
            label = field.label or change.field
            if field.disabled:  # not the user's to change: what they have is what is stored
                lines.append(
                    _("%(field)s: now stored “%(stored)s”.") % {"field": label, "stored": stored}
                )
                continue
            typed = self.cleaned_data.get(change.field)
            yours = display_value(model, change.field, typed)
            if yours == display_value(model, change.field, change.old):
                # The user had not touched it: the form now holds what was saved.
                lines.append(self.take_stored(change.field, change.new, label, stored))
                continue
            lines.append(
                _("%(field)s: you have “%(yours)s”, now stored “%(stored)s”.")
                % {"field": label, "yours": yours, "stored": stored}
            )
        return lines

    def take_stored(self, name, value, label, shown) -> str:
        """Put the stored ``value`` into the re-rendered field ``name`` (the user had not
        changed it, so saving again keeps the other person's work); the line saying so."""
        data = self.data.copy()
        data[name] = _as_data(value)
        self.data = data
        return _(
            "%(field)s: you had not changed it; it now shows what was saved: “%(stored)s”."
        ) % {
            "field": label,
            "stored": shown,
        }


def _as_data(value) -> str:
    """A stored value as a form posts it."""
    from decimal import Decimal

    from styrning import formatting

    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, Decimal):
        return formatting.number(value)
    return str(value)
