"""Celery tasks of the follow-up: the daily run of the årshjul."""

from celery import shared_task


@shared_task(name="followup.tasks.daily")
def daily() -> list[int]:
    """Do what the årshjul says is due today: open periods, then send the reminders
    (followup.reminders); returns the opened periods' pks."""
    from followup.calendar import run_due
    from followup.reminders import send_reminders

    opened = [period.pk for period in run_due()]
    send_reminders()
    return opened
