"""Drafts on the årshjul's schedule: the day after a period's deadline, its report is made.

Beat runs ``reports.tasks.make_due_drafts`` daily (styrning/celery.py); which reports
are due comes from the periods in the database, never from a list in the code.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from followup.models import ReportingPeriod
from reports.context import SUPPORTED

# A beat that was down for a few days still makes the drafts it missed, but a new
# installation does not make drafts for every past period.
CATCH_UP_DAYS = 7


def due_periods(today: dt.date | None = None):
    """Periods whose deadline has passed (yesterday, or up to CATCH_UP_DAYS ago), whose kind
    of report Styrning makes, not locked, and without any report yet (no query until
    evaluated)."""
    today = today or timezone.localdate()
    return (
        ReportingPeriod.objects.filter(
            kind__in=SUPPORTED,
            deadline__lt=today,
            deadline__gte=today - dt.timedelta(days=CATCH_UP_DAYS),
        )
        .exclude(state=ReportingPeriod.State.LOCKED)
        .exclude(reports__isnull=False)
        .select_related("municipality")
        .order_by("deadline", "pk")
    )


def make_due_drafts(today: dt.date | None = None) -> list[int]:
    """Ask for the due periods' reports and start them; returns the reports' pks."""
    from reports.services import request_report
    from reports.tasks import render
    from styrning.jobs import run_in_background

    made = []
    for period in due_periods(today):
        report = request_report(period)
        run_in_background(render, report.pk)
        made.append(report.pk)
    return made
