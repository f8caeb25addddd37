"""The årshjul: calendar templates, the reporting periods made from them, and submissions.

``followup.calendar`` makes periods and moves them through their states; views, the
daily task and the management command call it. A locked period (its report adopted)
refuses every change, and so do the submissions in it, whoever asks.
"""

from followup.models.assessments import (  # noqa: I001
    Assessment,
    AssignmentReport,
    Evidence,
    PartDone,
    ReportedValue,
)
from followup.models.periods import (
    CalendarEntry,
    CalendarTemplate,
    ReportingPeriod,
    month_end,
)
from followup.models.personnel import PersonnelFigure, PersonnelReport, ReminderLog
from followup.models.rollup import AssignmentStatusMapping, RollupOverride, RollupRule
from followup.models.submissions import Submission, SubmissionCount

__all__ = [
    "Assessment",
    "AssignmentReport",
    "AssignmentStatusMapping",
    "Evidence",
    "PartDone",
    "CalendarEntry",
    "CalendarTemplate",
    "PersonnelFigure",
    "PersonnelReport",
    "ReminderLog",
    "ReportedValue",
    "ReportingPeriod",
    "RollupOverride",
    "RollupRule",
    "Submission",
    "SubmissionCount",
    "month_end",
]
