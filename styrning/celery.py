"""The Celery app. Without REDIS_URL tasks run eagerly in the web process.

Beat sweeps dead jobs every CELERY_BEAT_SWEEP_SECONDS, and every worker sweeps
once when it is ready, so a job whose worker died never stays "running". Beat also
runs the årshjul's daily task (followup.tasks.daily) at FOLLOWUP_DAILY_HOUR, and half an
hour later the reports' drafts of the periods whose deadline has passed.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")

app = Celery("styrning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule(sender, **kwargs):
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.CELERY_BEAT_SWEEP_SECONDS), sweep_jobs.s(), name="sweep stale jobs"
    )
    # The årshjul's daily run: it reads the periods and does what is due (followup.calendar).
    sender.add_periodic_task(
        crontab(hour=settings.FOLLOWUP_DAILY_HOUR, minute=0),
        sender.signature("followup.tasks.daily"),
        name="follow-up: the calendar's daily run",
    )
    # Draft reports the day after a period's deadline (reports.schedule reads the periods).
    sender.add_periodic_task(
        crontab(hour=settings.FOLLOWUP_DAILY_HOUR, minute=30),
        sender.signature("reports.tasks.make_due_drafts"),
        name="reports: drafts after each period's deadline",
    )


@app.task(name="styrning.sweep_jobs")
def sweep_jobs() -> int:
    """Mark jobs whose worker or server died as failed (see styrning.jobs)."""
    from styrning.jobs import sweep_stale_jobs

    return sweep_stale_jobs()


@worker_ready.connect
def _sweep_on_start(sender=None, **kwargs):
    from styrning.jobs import sweep_stale_jobs

    sweep_stale_jobs()
