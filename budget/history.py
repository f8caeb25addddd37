"""The budget's history on the pages: who changed what in a budget year, and when.

Reads django-simple-history's rows for the year's budget (the year itself, its
frames, changes, detaljbudget and forecasts), newest first, with old → new
values and Swedish labels. A page of the log costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import models
from django.db.models import CharField, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget import signs
from budget.models import (
    AccountGroup,
    BudgetChange,
    BudgetFrame,
    BudgetYear,
    DetailBudget,
    Forecast,
)
from styrning import formatting
from styrning.history import Change, LogEntry
from styrning.models import OrgUnit

# kind → (model, how its history rows are found for a municipality and a year)
SOURCES = {
    "year": (BudgetYear, {"municipality": "municipality", "year": "year"}),
    "frame": (
        BudgetFrame,
        {"municipality": "budget_year__municipality", "year": "budget_year__year"},
    ),
    "change": (
        BudgetChange,
        {"municipality": "budget_year__municipality", "year": "budget_year__year"},
    ),
    "detail": (
        DetailBudget,
        {"municipality": "budget_year__municipality", "year": "budget_year__year"},
    ),
    "forecast": (Forecast, {"municipality": "unit__municipality", "year": "year"}),
}
# Columns nobody needs in a change log (the page is already about one year).
HIDDEN = {"id", "municipality", "budget_year"}
# What the subject line already says: left out of a created or deleted row's values.
IN_SUBJECT = {
    "year": {"year"},
    "frame": {"unit", "year"},
    "change": {"decision_reference"},
    "detail": {"unit", "group", "month"},
    "forecast": {"unit", "year", "month", "group"},
}
# The amounts, as the page each came from shows them: tkr, frames and budget changes as
# money to spend (+), detaljbudget and forecasts in table sign (intäkter +, kostnader −).
AMOUNTS = {
    ("frame", "amount"): (gettext_lazy("Frame (tkr)"), signs.frame_to_table),
    ("change", "amount"): (gettext_lazy("Amount (tkr)"), signs.frame_to_table),
    ("detail", "amount"): (
        gettext_lazy("Amount (tkr, revenue +, costs −)"),
        signs.to_table,
    ),
    ("forecast", "amount"): (
        gettext_lazy("Full-year forecast (tkr, revenue +, costs −)"),
        signs.to_table,
    ),
}
ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


def history_rows(municipality, year):
    """(history_id, history_date, kind) of every history row of the year, newest first.

    A union of the five history tables: no query until evaluated, and a
    paginator's count and slice are one query each.
    """
    parts = []
    for kind, (model, lookups) in SOURCES.items():
        parts.append(
            model.history.filter(**{lookups["municipality"]: municipality, lookups["year"]: year})
            .annotate(source=Value(kind, output_field=CharField()))
            .values_list("history_id", "history_date", "source")
            .order_by()
        )
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


def log_entries(page_rows) -> list[LogEntry]:
    """The readable entries for one page of ``history_rows`` (fixed number of queries).

    Per kind on the page: one query for its rows and the earlier rows of the same
    objects (for old → new), then one each for the names of units, account
    groups and the changes a reversal refers to.
    """
    wanted = defaultdict(list)
    for history_id, _when, kind in page_rows:
        wanted[kind].append(history_id)
    records, previous = {}, {}
    for kind, ids in wanted.items():
        model = SOURCES[kind][0]
        page = list(model.history.filter(history_id__in=ids).select_related("history_user"))
        object_ids = {r.id for r in page}
        earlier = model.history.filter(id__in=object_ids).order_by(
            "id", "history_date", "history_id"
        )
        last_seen = {}
        for record in earlier:
            previous[(kind, record.history_id)] = last_seen.get(record.id)
            last_seen[record.id] = record
        for record in page:
            records[(kind, record.history_id)] = record
    names = _Names(records.values())
    entries = []
    for history_id, _when, kind in page_rows:
        record = records.get((kind, history_id))
        if record is not None:
            entries.append(_entry(kind, record, previous.get((kind, history_id)), names))
    return entries


class _Names:
    """Names of the units, account groups and changes the records refer to (3 queries)."""

    def __init__(self, records):
        unit_ids, group_ids, change_ids = set(), set(), set()
        for record in records:
            for name in ("unit_id", "from_unit_id", "to_unit_id", "decided_by_id"):
                unit_ids.add(getattr(record, name, None))
            group_ids.add(getattr(record, "group_id", None))
            change_ids.add(getattr(record, "reverses_id", None))
        self.units = dict(
            OrgUnit.objects.filter(pk__in=unit_ids - {None}).values_list("pk", "name")
        )
        self.groups = dict(
            AccountGroup.objects.filter(pk__in=group_ids - {None}).values_list("pk", "name")
        )
        self.changes = dict(
            BudgetChange.objects.filter(pk__in=change_ids - {None}).values_list(
                "pk", "decision_reference"
            )
        )

    def of(self, model_field, value) -> str:
        target = model_field.related_model
        if target is OrgUnit:
            return self.units.get(value, str(value))
        if target is AccountGroup:
            return self.groups.get(value, str(value))
        if target is BudgetChange:
            return self.changes.get(value, str(value))
        return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def _fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN
        and not (f.is_relation and f.related_model._meta.model_name == "user")
    ]


def _show(model_field, value, names) -> str:
    if value is None or value == "":
        return formatting.EMPTY
    if model_field.is_relation:
        return names.of(model_field, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2:
        return formatting.kr(value) if model_field.max_digits > 5 else formatting.number(value)
    if isinstance(value, Decimal):
        return formatting.number(value)
    if isinstance(value, dt.date):
        return formatting.iso_date(value)
    if model_field.name == "month":
        return formatting.month_name(value)
    return str(value)


def _show_amounts(old, new, to_shown) -> tuple[str, str]:
    """A stored amount's old and new value in tkr and the sign of its page: "−22 467 tkr".

    Rounded to whole tkr as the pages show them, unless that would show a change as two
    equal figures: then exactly ("22 466,503 tkr → 22 466,7 tkr")."""

    def rounded(value):
        return formatting.tkr(to_shown(value)) if value is not None else formatting.EMPTY

    def exact(value):
        if value is None:
            return formatting.EMPTY
        return f"{formatting.number(signs.to_tkr(to_shown(value)))} tkr"

    shown = rounded(old), rounded(new)
    if shown[0] == shown[1] and old != new:
        return exact(old), exact(new)
    return shown


def _subject(kind, record, names) -> str:
    unit = names.units.get(getattr(record, "unit_id", None), "")
    group = names.groups.get(getattr(record, "group_id", None), "")
    if kind == "year":
        return _("Budget year %(year)s") % {"year": record.year}
    if kind == "frame":
        return _("Frame: %(unit)s %(year)s") % {"unit": unit, "year": record.year}
    if kind == "change":
        return _("Budget change %(reference)s") % {"reference": record.decision_reference}
    if kind == "detail":
        if record.month:
            return _("Detail budget: %(unit)s, %(group)s, %(month)s") % {
                "unit": unit,
                "group": group,
                "month": formatting.month_name(record.month),
            }
        return _("Detail budget: %(unit)s, %(group)s") % {"unit": unit, "group": group}
    return _("Forecast: %(unit)s, %(group)s, made in %(month)s") % {
        "unit": unit,
        "group": group,
        "month": formatting.month_name(record.month),
    }


def _entry(kind, record, before, names) -> LogEntry:
    model = SOURCES[kind][0]
    entry = LogEntry(
        when=record.history_date,
        who=_who(record),
        subject=_subject(kind, record, names),
        action=str(ACTIONS.get(record.history_type, record.history_type)),
        reason=record.history_change_reason or "",
    )
    for model_field in _fields(model):
        if record.history_type != "~" and model_field.name in IN_SUBJECT[kind]:
            continue
        name = model_field.attname
        new = getattr(record, name)
        if record.history_type == "-":
            old, new = new, None
        else:
            old = getattr(before, name) if before is not None else None
        if old == new or (record.history_type == "~" and before is None):
            continue
        if record.history_type != "~" and (old in (None, "") and new in (None, "")):
            continue
        amount = AMOUNTS.get((kind, model_field.name))
        if amount is not None:
            label, to_shown = amount
            shown_old, shown_new = _show_amounts(old, new, to_shown)
            entry.changes.append(Change(label=str(label), old=shown_old, new=shown_new))
            continue
        entry.changes.append(
            Change(
                label=str(model_field.verbose_name).capitalize(),
                old=_show(model_field, old, names),
                new=_show(model_field, new, names),
            )
        )
    return entry
