"""A submission's history as a person reads it: who did what, when, to which part."""

from __future__ import annotations

from django.utils.translation import gettext as _

from followup.models import Assessment, AssignmentReport, Evidence, Submission
from styrning.history import Change, LogEntry, display_value

HIDDEN = {
    "id",
    "submission",
    "period",
    "unit",
    "sent_by",
    "decided_by",
    "sent_at",
    "decided_at",
    "delegate",
    "file",
    "uploaded_by",
    "assessment",
}


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def _action(record) -> str:
    return {"+": _("Created"), "~": _("Changed"), "-": _("Removed")}[record.history_type]


def submission_log(submission) -> list[LogEntry]:
    """Newest first: the submission, its assessments, assignment follow-ups and files
    (four queries)."""
    sources = [
        (Submission, Submission.history.filter(id=submission.pk), lambda r: _("Follow-up")),
        (
            Assessment,
            Assessment.history.filter(submission_id=submission.pk).select_related("goal"),
            lambda r: _("Assessment of “%(goal)s”") % {"goal": r.goal.title},
        ),
        (
            AssignmentReport,
            AssignmentReport.history.filter(submission_id=submission.pk).select_related(
                "assignment"
            ),
            lambda r: _("Assignment “%(assignment)s”") % {"assignment": r.assignment.title},
        ),
        (
            Evidence,
            Evidence.history.filter(submission_id=submission.pk),
            lambda r: _("File “%(name)s”") % {"name": r.name},
        ),
    ]
    entries = []
    for model, records, subject in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_id"):
            changes = []
            before = previous.get(record.id)
            if before is not None:
                for change in record.diff_against(before).changes:
                    if change.field in HIDDEN:
                        continue
                    changes.append(
                        Change(
                            str(model._meta.get_field(change.field).verbose_name).capitalize(),
                            display_value(model, change.field, change.old),
                            display_value(model, change.field, change.new),
                        )
                    )
            previous[record.id] = record
            if before is not None and not changes and not record.history_change_reason:
                continue
            entries.append(
                LogEntry(
                    when=record.history_date,
                    who=_who(record),
                    subject=subject(record),
                    action=_action(record),
                    reason=record.history_change_reason or "",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
