"""Background jobs (imports, reports): start them, run them, and make sure they end.

Every job has a ``styrning.models.Job`` row; its state lives there, never in a
result backend. ``run_job`` is the one helper that runs the work: it marks the
job running, hands the work a ``Progress`` reporter, and marks it done or failed
with a short Swedish reason, whatever happens (also when the database
connection died under the work). ``sweep_stale_jobs`` ends the jobs whose worker
or server died, so no page polls forever.

``run_in_background`` starts a Celery task wherever we are deployed: with Redis
(production) on a worker; without it (`make run`) in a thread of the web
process; in tests inline. When the broker cannot be reached the job runs in a
thread instead, so an upload never stays "köad".
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from styrning.models import Job

logger = logging.getLogger(__name__)

# A progress reporter writes at most once per PROGRESS_ROWS rows or PROGRESS_SECONDS.
PROGRESS_ROWS = 20_000
PROGRESS_SECONDS = 1.0


class JobFailed(Exception):
    """The work cannot be done; ``reason`` is the Swedish text the job row keeps."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def short_reason(text, limit: int = Job.REASON_MAX) -> str:
    """One readable line of at most ``limit`` characters (never a whole cell or file)."""
    text = str(text)
    if len(text) > limit * 4:
        text = text[: limit * 4]  # never walk a 300 MB string
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


class Progress:
    """Called as ``progress(done, total)``; writes to the job row in batches.

    A write happens when PROGRESS_ROWS more rows are done, PROGRESS_SECONDS have
    passed, or the phase is complete, so a million rows cost a few dozen UPDATEs.
    Each write is also the job's heartbeat.
    """

    def __init__(self, job_id, every_rows=PROGRESS_ROWS, every_seconds=PROGRESS_SECONDS):
        self.job_id = job_id
        self.every_rows = every_rows
        self.every_seconds = every_seconds
        self.written_done = -1
        self.written_at = time.monotonic()
        self.writes = 0
        self.seen = (-1, 0)

    def __call__(self, done: int, total: int) -> None:
        """``total`` 0 means not known (an XLSX without its dimension)."""
        self.seen = (done, total)
        now = time.monotonic()
        if (
            done - self.written_done >= self.every_rows
            or now - self.written_at >= self.every_seconds
        ):
            self._write(done, total, now)

    def flush(self) -> None:
        """Write the last count reported, if it was not written yet."""
        done, total = self.seen
        if done != self.written_done:
            self._write(done, total, time.monotonic())

    def _write(self, done, total, now):
        self.written_done, self.written_at = done, now
        self.writes += 1
        Job.objects.filter(pk=self.job_id).update(
            progress_done=done, progress_total=total, heartbeat=timezone.now()
        )


def run_job(job_id: int, work) -> bool:
    """Run ``work(job, progress)`` for the job and always end it; True when it is done.

    A job that is no longer queued (already run, or swept as dead) is not run again.
    ``JobFailed`` ends the job with its reason; any other exception is logged and
    ends it with a short reason naming the error.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started=now, heartbeat=now
    )
    if not claimed:
        logger.warning("Job %s is not queued; not running it again.", job_id)
        return False
    job = Job.objects.get(pk=job_id)
    progress = Progress(job_id)
    try:
        work(job, progress)
        progress.flush()
    except JobFailed as failure:
        _end(job_id, Job.State.FAILED, short_reason(failure.reason))
        return False
    except Exception as error:
        logger.exception("Job %s failed", job_id)
        reason = _("The job stopped unexpectedly: %(error)s") % {
            "error": f"{type(error).__name__}: {short_reason(error, 300)}"
        }
        _end(job_id, Job.State.FAILED, short_reason(reason))
        return False
    _end(job_id, Job.State.DONE, "")
    return True


def _end(job_id, state, reason):
    """Write the job's end; on a fresh connection when the work's connection died."""
    fields = {"state": state, "reason": reason, "finished": timezone.now()}
    fields["heartbeat"] = fields["finished"]
    try:
        Job.objects.filter(pk=job_id).update(**fields)
    except DatabaseError:
        connection = connections[router.db_for_write(Job)]
        if connection.in_atomic_block:
            raise  # the caller's transaction decides; nothing sane to reconnect inside it
        logger.warning("Job %s: the database connection broke; reconnecting.", job_id)
        connection.close()
        Job.objects.filter(pk=job_id).update(**fields)


def fail_job(job_id, reason) -> None:
    """Mark a job that could not even start as failed."""
    _end(job_id, Job.State.FAILED, short_reason(reason))


def sweep_stale_jobs(queryset=None, now=None) -> int:
    """Mark jobs whose worker or server died as failed; returns how many.

    Running jobs without a heartbeat for JOB_HEARTBEAT_TIMEOUT and queued jobs
    not started within JOB_QUEUE_TIMEOUT. ``queryset`` narrows it (one job).
    """
    now = now or timezone.now()
    stale = (queryset if queryset is not None else Job.objects.all()).stale(now)
    reasons = {
        Job.State.RUNNING: _(
            "The job was interrupted: no sign of life for %(minutes)s minutes "
            "(the worker or the server stopped). Start it again."
        )
        % {"minutes": settings.JOB_HEARTBEAT_TIMEOUT // 60},
        Job.State.QUEUED: _(
            "The job was interrupted: no worker started it within %(minutes)s minutes. "
            "Start it again."
        )
        % {"minutes": settings.JOB_QUEUE_TIMEOUT // 60},
    }
    count = 0
    for state, reason in reasons.items():
        with transaction.atomic():
            # A row another transaction holds belongs to a job still writing: it is alive,
            # and waiting for its lock would hang the page that asked.
            ids = list(
                stale.filter(state=state)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            count += Job.objects.filter(pk__in=ids, state=state).update(
                state=Job.State.FAILED, finished=now, reason=short_reason(reason)
            )
    return count


def fail_unfinished_jobs(now=None) -> int:
    """After a restart of the only process that runs jobs (`make run`): all are dead."""
    return Job.objects.unfinished().update(
        state=Job.State.FAILED,
        finished=now or timezone.now(),
        reason=_("The job was interrupted: the server was restarted. Start it again."),
    )


# --- dispatch ------------------------------------------------------------------------------


def run_in_background(task, *args) -> str:
    """Start ``task`` (a Celery task taking primary keys) for ``args``; returns the mode used.

    "celery" queues it on the broker; when the broker cannot be reached it runs
    in a thread of this process instead ("thread"), so the job still ends.
    """
    mode = settings.BACKGROUND_JOBS
    if mode == "celery":
        try:
            _send(task, args)
            return "celery"
        except Exception:  # kombu raises several kinds for a broker that is away
            logger.exception("The broker cannot be reached; running %s in a thread.", task.name)
            mode = "thread"
    if mode == "thread":
        threading.Thread(target=_in_thread, args=(task, args), daemon=True).start()
        return "thread"
    task.run(*args)
    return "inline"


def _send(task, args):
    """Publish once, without kombu's retry loop: an absent broker answers at once."""
    app = task.app
    if app.conf.task_always_eager:
        task.apply(args=args)
        return
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=3)
        task.apply_async(args=args, connection=connection, retry=False)


def _in_thread(task, args):
    close_old_connections()
    try:
        task.run(*args)
    finally:
        connections.close_all()
