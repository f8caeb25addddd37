"""An uploaded import runs in a real Celery worker over Redis, as in production."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from budget.models import ImportBatch, Outcome
from budget.tasks import run_import
from styrning.celery import app

ROOT = Path(__file__).resolve().parents[2]
CSV = "ansvar;månad;kontogrupp;belopp\n400;2026-09;personal;11 900 000\n"


@pytest.fixture
def worker(tmp_path, settings, real_clock):
    """A Celery worker on its own Redis database, reading the test database (the test on
    the worker's clock, the real one)."""
    broker = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        REDIS_URL=broker,
        MEDIA_ROOT=str(tmp_path),
        BACKGROUND_JOBS="celery",
    )
    settings.MEDIA_ROOT = str(tmp_path)
    settings.BACKGROUND_JOBS = "celery"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "styrning",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    process.broker = broker
    before = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False  # really through Redis to the worker
    app.conf.broker_url = broker
    yield process
    app.conf.task_always_eager, app.conf.broker_url = before
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_import_runs_in_a_celery_worker(world, budget, worker):
    batch = ImportBatch.objects.create(
        municipality=world.m,
        kind="outcomes",
        filename="utfall.csv",
        checksum="x" * 64,
        options={"dimension": 1},
    )
    batch.file.save("utfall.csv", ContentFile(CSV.encode()), save=True)
    with app.connection_for_write(worker.broker) as conn:
        run_import.apply_async(args=[batch.pk], connection=conn)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch.job.refresh_from_db()
        if batch.job.is_finished:
            break
        time.sleep(0.3)
    assert batch.job.state == "done", (batch.job.state, batch.job.reason)
    assert Outcome.objects.get(unit=world.fA, month=9).amount == 11_900_000


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_queued_on_redis_and_ended_by_the_worker(client, world, budget, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.finance)
    response = client.post(
        reverse("budget:imports"),
        {"kind": "outcomes", "dimension": 1, "file": SimpleUploadedFile("u.csv", CSV.encode())},
    )
    assert response.status_code == 302
    job = ImportBatch.objects.get().job
    deadline = time.monotonic() + 60
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.state == "done", job.reason
    assert job.requested_by == world.finance
    assert Outcome.objects.get(unit=world.fA, month=9).amount == 11_900_000
