"""Beat makes draft reports the day after a period's deadline, from the periods in the DB."""

import datetime as dt

from followup.models import ReportingPeriod
from reports.models import Report
from reports.schedule import due_periods, make_due_drafts
from styrning.celery import app
from tests.followup.factories import make_year


def test_the_schedule_is_the_periods_deadlines(world, budget, settings):
    settings.BACKGROUND_JOBS = "inline"
    periods = make_year(world, 2026)
    march = periods[3]
    # Moving a deadline in the database moves the draft: nothing is hard-coded.
    ReportingPeriod.objects.filter(pk=march.pk).update(deadline=dt.date(2026, 4, 20))
    assert list(due_periods(dt.date(2026, 4, 20))) == []
    assert list(due_periods(dt.date(2026, 4, 21))) == [ReportingPeriod.objects.get(pk=march.pk)]
    made = make_due_drafts(dt.date(2026, 4, 21))
    report = Report.objects.get(pk__in=made)
    assert report.period_id == march.pk and not report.is_adopted
    assert report.job.state == "done", report.job.reason
    # Once made, not again; and every kind Styrning makes is due after its own deadline.
    assert make_due_drafts(dt.date(2026, 4, 22)) == []
    interim = periods[8]
    assert list(due_periods(interim.deadline + dt.timedelta(days=1))) == [interim]


def test_beat_runs_the_drafts_daily():
    app.loader.import_default_modules()
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "reports.tasks.make_due_drafts" in schedule
