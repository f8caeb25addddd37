"""Background jobs: one helper runs a job and always ends it; a sweep ends the dead ones."""

import datetime as dt

import pytest
from celery.signals import worker_ready
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from styrning.celery import app
from styrning.jobs import JobFailed, Progress, run_job, short_reason, sweep_stale_jobs
from styrning.models import Job
from tests.factories import make_user


def _job(**fields):
    return Job.objects.create(kind=Job.Kind.IMPORT, **fields)


def test_a_job_runs_and_ends_done_with_its_progress(db):
    job = _job()
    seen = {}

    def work(job, progress):
        seen["state"] = Job.objects.get(pk=job.pk).state
        progress(168_000, 300_033)

    assert run_job(job.pk, work) is True
    job.refresh_from_db()
    assert seen["state"] == "running"
    assert job.state == "done" and job.reason == ""
    assert job.started and job.finished and job.heartbeat
    assert job.progress_label == "168\xa0000 av 300\xa0033 rader"
    assert job.percent == 55


def test_a_refusal_ends_the_job_failed_with_its_swedish_reason(db):
    job = _job()

    def work(job, progress):
        raise JobFailed("Inget importerades: rad 5 är fel.")

    assert run_job(job.pk, work) is False
    job.refresh_from_db()
    assert (job.state, job.reason) == ("failed", "Inget importerades: rad 5 är fel.")
    assert job.finished is not None


def test_a_crash_ends_the_job_with_a_short_reason_never_the_whole_string(db):
    job = _job()
    huge = "cell " * 2_000_000  # 10 MB in the exception's message

    def work(job, progress):
        raise ValueError(huge)

    run_job(job.pk, work)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.reason.startswith("Jobbet stannade oväntat: ValueError: cell cell")
    assert len(job.reason) <= Job.REASON_MAX


def test_short_reason_keeps_one_readable_line():
    assert short_reason("a\n  b\tc") == "a b c"
    text = short_reason("x" * 10_000, 50)
    assert len(text) == 50 and text.endswith("…")


@pytest.mark.django_db(transaction=True)
def test_the_failure_is_saved_on_a_fresh_connection_when_the_old_one_died():
    job = _job()

    def work(job, progress):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL to kill the connection")
    assert run_job(job.pk, work) is False
    job.refresh_from_db()
    assert job.state == "failed"
    assert "Jobbet stannade oväntat" in job.reason


def test_progress_is_written_in_batches_not_once_per_row(db):
    job = _job(state="running")
    progress = Progress(job.pk)
    with CaptureQueriesContext(connection) as queries:
        for line in range(1, 100_001):
            progress(line, 100_000)
        progress.flush()  # run_job does this when the work ends
    updates = [q for q in queries if q["sql"].startswith("UPDATE")]
    assert 1 <= len(updates) <= 10
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (100_000, 100_000)


def test_progress_with_an_unknown_total_is_written_in_batches_too(db):
    """An XLSX without its dimension: the total grows with every row read (or is 0)."""
    job = _job(state="running")
    progress = Progress(job.pk)
    with CaptureQueriesContext(connection) as queries:
        for line in range(1, 100_001):
            progress(line, 0)
        progress.flush()
    assert 1 <= len([q for q in queries if q["sql"].startswith("UPDATE")]) <= 10
    job.refresh_from_db()
    assert job.progress_label == "100\xa0000 rader"


def test_a_job_that_is_no_longer_queued_is_not_run_again(db):
    job = _job(state="failed", reason="Jobbet avbröts: …")
    ran = []
    assert run_job(job.pk, lambda job, progress: ran.append(1)) is False
    assert ran == []
    job.refresh_from_db()
    assert job.state == "failed"


def _age(job, **fields):
    Job.objects.filter(pk=job.pk).update(**fields)


def test_the_sweep_fails_silent_running_and_long_queued_jobs_only(db, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 600
    settings.JOB_QUEUE_TIMEOUT = 3600
    now = timezone.now()
    silent, alive, waiting, fresh, done = (_job() for _ in range(5))
    _age(silent, state="running", heartbeat=now - dt.timedelta(minutes=11))
    _age(alive, state="running", heartbeat=now - dt.timedelta(minutes=9))
    _age(waiting, created=now - dt.timedelta(minutes=61))
    _age(done, state="done", created=now - dt.timedelta(days=2))
    assert sweep_stale_jobs() == 2
    states = {j.pk: (j.state, j.reason) for j in Job.objects.all()}
    assert states[silent.pk][0] == "failed"
    assert states[silent.pk][1].startswith("Jobbet avbröts: inget livstecken på 10 minuter")
    assert states[waiting.pk][0] == "failed"
    assert states[waiting.pk][1].startswith("Jobbet avbröts: det startade aldrig")
    assert states[alive.pk] == ("running", "")
    assert states[fresh.pk] == ("queued", "")
    assert states[done.pk] == ("done", "")


def test_the_sweep_runs_when_a_celery_worker_starts(db):
    job = _job(state="running")
    _age(job, heartbeat=timezone.now() - dt.timedelta(days=1))
    worker_ready.send(sender=None)
    job.refresh_from_db()
    assert job.state == "failed" and job.reason.startswith("Jobbet avbröts")


def test_beat_sweeps_on_a_schedule():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "styrning.sweep_jobs"]
    assert len(entries) == 1
    assert 0 < entries[0]["schedule"] <= 15 * 60


def test_the_sweep_task_sweeps(db):
    job = _job(state="running")
    _age(job, heartbeat=timezone.now() - dt.timedelta(days=1))
    assert app.tasks["styrning.sweep_jobs"].run() == 1
    job.refresh_from_db()
    assert job.state == "failed"


def test_sweep_jobs_command(db, capsys):
    stale = _job(state="running")
    _age(stale, heartbeat=timezone.now() - dt.timedelta(days=1))
    running = _job(state="running", heartbeat=timezone.now())
    call_command("sweep_jobs")
    assert Job.objects.get(pk=stale.pk).state == "failed"
    assert Job.objects.get(pk=running.pk).state == "running"
    assert "1" in capsys.readouterr().out
    # At the start of `make run` every unfinished job died with the previous process.
    call_command("sweep_jobs", "--server-restarted")
    running.refresh_from_db()
    assert running.state == "failed"
    assert running.reason == "Jobbet avbröts: servern startades om. Starta det igen."


def test_who_asked_is_kept(db):
    user = make_user("ekonom")
    assert _job(requested_by=user).requested_by == user


@pytest.mark.django_db(transaction=True)
def test_the_sweep_leaves_a_job_whose_transaction_is_still_writing():
    """A job row locked by the import's transaction is alive: no waiting, no failing."""
    import threading

    from django.db import connections, transaction

    job = _job(state="running")
    _age(job, heartbeat=timezone.now() - dt.timedelta(days=1))
    locked, release = threading.Event(), threading.Event()

    def importer():
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(progress_done=5)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=importer)
    thread.start()
    assert locked.wait(10)
    try:
        assert sweep_stale_jobs() == 0
        assert Job.objects.get(pk=job.pk).state == "running"
    finally:
        release.set()
        thread.join()
