"""Celery tasks of the reports: they take primary keys and call ``reports.services``."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="reports.tasks.render",
    acks_late=True,  # a worker that dies mid-render leaves the message to another
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database went away before the job
    retry_backoff=True,
    max_retries=3,
)
def render(report_id: int) -> int:
    """Render a report; its Job row says how it went. Idempotent: a report whose job is
    no longer queued (done, failed or taken by another worker) is not rendered again."""
    from reports.services import run_report

    run_report(report_id)
    return report_id


@shared_task(name="reports.tasks.make_due_drafts")
def make_due_drafts() -> list[int]:
    """Beat's daily run: the draft reports of the periods whose deadline has just passed
    (reports.schedule); returns the new reports' pks."""
    from reports.schedule import make_due_drafts as make

    return make()
