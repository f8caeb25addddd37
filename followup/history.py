"""A submission's history as a person reads it: who did what, when, to which part."""

from __future__ import annotations

import dataclasses

from django.db.models import F
from django.utils.translation import gettext as _

from budget import signs
from budget.models import Forecast
from followup.models import (
    Assessment,
    AssignmentReport,
    Evidence,
    PartDone,
    PersonnelFigure,
    ReportedValue,
    Submission,
)
from followup.submissions import COPY_REASON
from followup.worklist import compiled_rows
from styrning import formatting
from styrning.history import Change, LogEntry, display_value, history_model

HIDDEN = {
    "id",
    "submission",
    "period",
    "unit",
    "sent_by",
    "decided_by",
    "sent_at",
    "first_sent_at",
    "decided_at",
    "file",
    "uploaded_by",
    "content_type",
    "size",
    "assessment",
    # The keys of the other parts' rows: named in the entry's subject.
    "indicator",
    "gender",
    "group",
    "year",
    "month",
    "version",
    # Who and when: the entry says so itself (they read "ändrad av: 4 → 7").
    "updated_at",
    "updated_by",
    "done_by",
    "done_at",
}


def _who(record) -> str:
    if record.history_user is None:
        return _("the system")
    if record.history_change_reason == str(COPY_REASON):
        # Copied forward by Styrning when the period opened: not the opener's own text (a
        # trial read it as the ekonomichef's assessment).
        return _("Styrning, when %(name)s opened the period") % {
            "name": _person(record.history_user)
        }
    return _person(record.history_user)


def _values(record, before, model) -> list[tuple]:
    """(field, old, new) of what ``record`` changed against ``before``; of a created row,
    each of its own values (old None; of its relations only the delegate)."""
    if before is not None:
        return [(c.field, c.old, c.new) for c in record.diff_against(before).changes]
    if record.history_type != "+":
        return []
    return [
        (f.name, None, getattr(record, f.attname))
        for f in model._meta.concrete_fields
        if not f.is_relation or f.name == "delegate"
    ]


def _person(user) -> str:
    if user is None:
        return formatting.EMPTY
    return user.get_full_name() or user.username


def _action(record) -> str:
    return {"+": _("Created"), "~": _("Changed"), "-": _("Removed")}[record.history_type]


def submission_log(submission, limit: int | None = None) -> tuple[list[LogEntry], bool]:
    """Newest first: the submission, its assessments, assignment follow-ups, files,
    reported indicator values, the enheter's parts marked done, its forecast and its
    units' personnel figures (eight queries); at most ``limit`` entries, and whether there are more.

    Each record brings the name its entry is about (``about``: the goal's title, ...) rather
    than the whole goal, indicator or unit: a submission gathers hundreds of records and
    shows twenty."""
    unit, period = submission.unit, submission.period
    # (model, the key of its query's shape, a builder of the query from plain values, the
    # values, the subject of an entry): each query compiled once per connection
    # (followup.worklist.compiled_rows; the ORM on SQLite).
    sources = [
        (
            Submission,
            lambda pk: history_model(Submission).objects.filter(id=pk).select_related("delegate"),
            [submission.pk],
            lambda r: _("Follow-up"),
        ),
        (
            Assessment,
            lambda pk: (
                history_model(Assessment)
                .objects.filter(submission_id=pk)
                .annotate(about=F("goal__title"))
            ),
            [submission.pk],
            lambda r: _("Assessment of “%(goal)s”") % {"goal": r.about},
        ),
        (
            AssignmentReport,
            lambda pk: (
                history_model(AssignmentReport)
                .objects.filter(submission_id=pk)
                .annotate(about=F("assignment__title"))
            ),
            [submission.pk],
            lambda r: _("Assignment “%(assignment)s”") % {"assignment": r.about},
        ),
        (
            Evidence,
            lambda pk: history_model(Evidence).objects.filter(submission_id=pk),
            [submission.pk],
            lambda r: _("File “%(name)s”") % {"name": r.name},
        ),
        (
            ReportedValue,
            lambda pk: (
                history_model(ReportedValue)
                .objects.filter(submission_id=pk)
                .annotate(about=F("indicator__name"))
            ),
            [submission.pk],
            lambda r: (
                _("Indicator “%(indicator)s” (%(gender)s)")
                % {"indicator": r.about, "gender": r.get_gender_display()}
            ),
        ),
        (
            PartDone,
            lambda pk: (
                history_model(PartDone)
                .objects.filter(submission_id=pk)
                .annotate(about=F("unit__name"))
            ),
            [submission.pk],
            # Marked done (created), or no longer (removed: the part changed after it).
            lambda r: _("The part of %(unit)s marked done") % {"unit": r.about},
        ),
        # The helårsprognos is the budget's Forecast of the unit for the period's month, and
        # the personnel figures the period's rows of the units it covers: their history too.
        (
            Forecast,
            lambda unit_id, year, month: (
                history_model(Forecast)
                .objects.filter(unit_id=unit_id, year=year, month=month)
                .annotate(about=F("group__name"))
            ),
            [submission.unit_id, period.year, period.month],
            lambda r: _("Full-year forecast, %(group)s") % {"group": r.about},
        ),
        (
            PersonnelFigure,
            lambda period_id, tree_id, lft, rght: (
                history_model(PersonnelFigure)
                .objects.filter(
                    period_id=period_id,
                    unit__tree_id=tree_id,
                    unit__lft__gte=lft,
                    unit__rght__lte=rght,
                )
                .annotate(about=F("unit__name"))
            ),
            [submission.period_id, unit.tree_id, unit.lft, unit.rght],
            lambda r: _("Personnel figures, %(unit)s") % {"unit": r.about},
        ),
    ]
    # Every record with the one before it of the same row, newest first; the changes are
    # worked out only for the entries shown (a submission gathers hundreds of records).
    candidates = []
    for model, build, values, subject in sources:
        previous = {}
        for record in compiled_rows(
            ("submission log", model.__name__),
            lambda *args, build=build: (
                build(*args).select_related("history_user").order_by("history_id")
            ),
            *values,
        ):
            candidates.append((record, previous.get(record.id), model, subject))
            previous[record.id] = record
    candidates.sort(key=lambda c: (c[0].history_date, c[0].history_id), reverse=True)
    entries = []
    comments = {}
    for record, before, model, subject in candidates:
        entry = _entry(record, before, model, subject)
        if entry is None:
            continue
        found = _forecast_entries(entry, comments) if model is Forecast else [entry]
        for item in found:
            if limit is not None and len(entries) == limit:
                return entries, True
            entries.append(item)
    return entries, False


def _forecast_entries(entry, comments: dict) -> list[LogEntry]:
    """A forecast row's entry with its comment as an entry of its own, once a save: the
    comment is kept on every account group's row, and a trial read one edit of it seven
    times ("Helårsprognos, Övriga kostnader: ändrades", …). ``comments``: the comment
    changes listed so far, with when (the rows of one save are written within moments)."""
    label = str(Forecast._meta.get_field("comment").verbose_name).capitalize()
    own = [c for c in entry.changes if c.label != label]
    found = [dataclasses.replace(entry, changes=own)] if own else []
    for change in entry.changes:
        if change.label != label:
            continue
        key = (entry.who, change.old, change.new)
        listed = comments.get(key)
        if listed is not None and abs((listed - entry.when).total_seconds()) < SAME_SAVE_SECONDS:
            continue
        comments[key] = entry.when
        found.append(
            dataclasses.replace(entry, subject=_("Comment on the forecast"), changes=[change])
        )
    return found


# The rows of one save are written within this many seconds of each other.
SAME_SAVE_SECONDS = 10


def _entry(record, before, model, subject) -> LogEntry | None:
    """The log entry of ``record``, or None for a save that changed nothing shown. A row
    created shows the values it was created with (a value imported or copied forward
    read only "skapades")."""
    changes = []
    for name, old, new in _values(record, before, model):
        if name in HIDDEN or (before is None and new in (None, "")):
            continue
        if model is Submission and name == "delegate":
            # Who was named (the record holds the user's id).
            changes.append(
                Change(
                    str(model._meta.get_field("delegate").verbose_name).capitalize(),
                    _person(before.delegate if before is not None else None),
                    _person(record.delegate),
                )
            )
        elif model is Forecast and name == "amount":
            # As the form and /budget/ show it: table sign, tkr.
            changes.append(
                Change(
                    _("Full-year forecast (tkr)"),
                    formatting.EMPTY if old is None else formatting.whole(signs.table_tkr(old)),
                    formatting.whole(signs.table_tkr(new)),
                )
            )
        else:
            changes.append(
                Change(
                    str(model._meta.get_field(name).verbose_name).capitalize(),
                    display_value(model, name, old),
                    display_value(model, name, new),
                )
            )
    if before is not None and not changes:
        return None  # a save that changed nothing shown (e.g. only the version moved)
    return LogEntry(
        when=record.history_date,
        who=_who(record),
        subject=subject(record),
        action=_action(record),
        reason=record.history_change_reason or "",
        changes=changes,
    )
