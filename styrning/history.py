"""History values as a person reads them: Swedish, never "None", "[]" or "(pk=None)".

``display_value`` turns one value of a django-simple-history diff into text. The
goal pages' change log and the admin's history pages both use it, so a parent
set from nothing to a goal reads "– → Trygg kommun", not "Deleted mål (pk=None)".
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.models import DeletedObject

from styrning import formatting


@functools.cache
def history_model(model):
    """The historical model of ``model`` (django-simple-history's ``HistoricalGoal``),
    looked up once: ``model.history`` builds a new manager class on every access (about
    a millisecond; a page that reads the history of many models paid it each time).
    ``history_model(Goal).objects`` reads the same rows as ``Goal.history``."""
    return model.history.model


def display_value(model, name, value) -> str:
    """One field's value of ``model`` as text (no queries for prefetched relations)."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return formatting.EMPTY
        return _("removed %(kind)s (id %(pk)s)") % {
            "kind": value.model._meta.verbose_name,
            "pk": value.pk,
        }
    if value is None or value == "":
        return formatting.EMPTY
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a column the model no longer has
        field = None
    if isinstance(value, list):
        # m2m through-rows as dicts {"goal": …, "perspective": …}, or plain objects
        own = model._meta.model_name
        names = []
        for row in value:
            if isinstance(row, dict):
                names += [display_value(model, "", v) for k, v in row.items() if k != own]
            else:
                names.append(display_value(model, "", row))
        return ", ".join(sorted(names, key=formatting.swedish_key)) or formatting.EMPTY
    if isinstance(value, models.QuerySet):
        names = [str(v) for v in value]
        return ", ".join(sorted(names, key=formatting.swedish_key)) or formatting.EMPTY
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formatting.iso_date(value)
    if isinstance(value, dt.date):
        return formatting.iso_date(value)
    if isinstance(value, (Decimal, float)):
        return formatting.number(value)
    return str(value)


@dataclass
class Change:
    """One field of one history row: its label and the old and new value as text."""

    label: str
    old: str
    new: str


@dataclass
class LogEntry:
    """One history row as a change log shows it (goal pages, the budget's history)."""

    when: dt.datetime
    who: str
    subject: str
    action: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def local_when(self) -> dt.datetime:
        return timezone.localtime(self.when) if timezone.is_aware(self.when) else self.when

    @property
    def when_iso(self) -> str:
        """For <time datetime>: what the template's date:"c" gave, without its formatter."""
        return self.local_when.isoformat()

    @property
    def when_text(self) -> str:
        """2026-08-31 14:05, in the municipality's time zone."""
        return self.local_when.strftime("%Y-%m-%d %H:%M")


def escape(text) -> str:
    """What Django's ``escape`` writes, without its lazy-text wrapper (a log of dozens of
    entries escapes a few hundred values)."""
    return html.escape(str(text))


def history_list(entries) -> SafeString:
    """``LogEntry``s as the site's change log (templates/_history.html): per entry when,
    who, what and why, and each change as before → after, long texts shortened with the
    whole text behind a disclosure. Written in Python: a log of a submission shows
    dozens of entries, and the template's filters per change cost more than its SQL."""
    if not entries:
        return format_html("<p>{}</p>", _("No changes recorded."))
    shorten = formatting.truncator(LONG)
    whole = escape(_("Show the whole text"))
    before = escape(pgettext("history", "Before"))
    after = escape(pgettext("history", "After"))
    out = ['\n<ol class="history">\n  ']
    for entry in entries:
        reason = f" ({escape(entry.reason)})" if entry.reason else ""
        changes = ""
        if entry.changes:
            items = []
            for c in entry.changes:
                old, new = str(c.old), str(c.new)
                label = escape(c.label)
                details = ""
                if len(old) > LONG or len(new) > LONG:
                    details = (
                        '\n      <details class="history__whole"><summary>'
                        f'{whole}<span class="visually-hidden">: {label}</span></summary>'
                        f"<p><strong>{before}:</strong><br>{linebreaksbr(old)}</p>"
                        f"<p><strong>{after}:</strong><br>{linebreaksbr(new)}</p></details>"
                    )
                items.append(
                    f"<li>{label}: <del>{escape(shorten(old))}</del> → "
                    f"<ins>{escape(shorten(new))}</ins>{details}</li>"
                )
            changes = f"<ul>{''.join(items)}</ul>"
        out.append(
            "\n  <li>\n"
            f'    <p class="history__head"><time datetime="{escape(entry.when_iso)}">'
            f"{escape(entry.when_text)}</time> · {escape(entry.who)} · {escape(entry.subject)}: "
            f"{escape(str(entry.action).lower())}{reason}</p>\n"
            f"    {changes}\n"
            "  </li>\n  "
        )
    out.append("\n</ol>\n")
    return mark_safe("".join(out))


LONG = 120  # characters of a changed value shown before the whole text is put away
