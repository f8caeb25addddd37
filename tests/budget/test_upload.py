"""The upload page: every kind reaches its importer, dry runs are labelled and counted like
real runs, rows carry who imported them, protected batches, and an absent broker."""

import socket
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse

from budget.imports import service
from budget.models import DetailBudget, ImportBatch, Outcome
from styrning.celery import app
from styrning.models import Job
from tests.budget.sie_builder import Objects, build_sie, record, voucher

OUTCOMES_CSV = (
    "ansvar;månad;kontogrupp;belopp\n"
    "400;2026-07;personal;11 500 000,00\n"
    "400;2026-07;intakter;-1 200 000,50\n"
    "510;2026-07;Övriga kostnader;4 100 000\n"
).encode()
DETAIL_CSV = (
    "ansvar;månad;kontogrupp;belopp\n"
    "400;2026;personal;130 000 000\n"
    "410;2026-03;personal;1 000 000\n"
).encode()


def _sie():
    body = [
        record("#KONTO", 5011, "Löner månadsavlönade"),
        record("#KONTO", 1930, "Bank"),
        record("#OBJEKT", 1, "400", "Socialförvaltningen"),
    ]
    body += voucher(
        "A",
        1,
        "20260731",
        "Löner juli",
        [(5011, Objects((1, "400")), Decimal("650000.00")), (1930, None, Decimal("-650000.00"))],
    )
    return build_sie(body)


FILES = {
    "sie": ("utfall.se", _sie),
    "outcomes": ("utfall.csv", lambda: OUTCOMES_CSV),
    "detail_budget": ("detaljbudget.csv", lambda: DETAIL_CSV),
}


@pytest.fixture
def upload(client, world, budget, settings, tmp_path):
    settings.BACKGROUND_JOBS = "inline"
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.finance)

    def post(kind, dry_run=False, name=None, data=None, **extra):
        filename, content = FILES[kind]
        fields = {
            "kind": kind,
            "dimension": 1,
            "file": SimpleUploadedFile(name or filename, data if data is not None else content()),
        }
        if dry_run:
            fields["dry_run"] = "on"
        return client.post(reverse("budget:imports"), fields, follow=True, **extra)

    return post


# --- the route table ------------------------------------------------------------------------


def test_every_kind_has_a_route():
    assert set(service.IMPORTERS) == set(ImportBatch.Kind.values)


@pytest.mark.parametrize("kind", ImportBatch.Kind.values)
def test_each_kind_lands_where_it_belongs(kind, upload, world):
    outcomes_before = Outcome.objects.filter(month=7).count()
    response = upload(kind)
    assert response.status_code == 200
    batch = ImportBatch.objects.get(kind=kind)
    assert batch.job.state == "done", batch.job.reason
    july = Outcome.objects.filter(year=2026, month=7)
    if kind == ImportBatch.Kind.DETAIL_BUDGET:
        assert DetailBudget.objects.get(unit=world.fA, month=None).amount == 130_000_000
        assert DetailBudget.objects.get(unit=world.eA, month=3).amount == 1_000_000
        assert july.count() == outcomes_before == 0
    else:
        assert july.filter(unit=world.fA, group__code="personal").exists()
        assert not DetailBudget.objects.exists()
        assert all(o.batch_id == batch.pk for o in july)


# --- dry runs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["outcomes", "detail_budget"])
def test_a_dry_run_counts_what_the_real_run_then_does(kind, upload, world):
    upload(kind)  # a first import, so that the second file changes some rows
    changed = {
        "outcomes": OUTCOMES_CSV.replace(b"4 100 000", b"4 200 000") + b"510;2026-08;personal;1\n",
        "detail_budget": DETAIL_CSV.replace(b"130 000 000", b"131 000 000")
        + b"510;2026;personal;5\n",
    }[kind]
    upload(kind, dry_run=True, data=changed)
    dry = ImportBatch.objects.get(dry_run=True)
    upload(kind, data=changed)
    real = ImportBatch.objects.filter(dry_run=False).order_by("-pk").first()
    keys = ["outcomes_created", "outcomes_changed", "outcomes_removed", "budgets_written"]
    assert [dry.result[k] for k in keys] == [real.result[k] for k in keys]
    assert sum(real.result[k] for k in keys) == 2


def test_a_dry_run_is_listed_as_provkorning_and_saves_nothing(upload, client, world):
    response = upload("outcomes", dry_run=True)
    assert "Filen har kontrollerats. Ingenting sparades." in response.content.decode()
    assert "Provkörning" in response.content.decode()
    assert not Outcome.objects.filter(month=7).exists()
    listing = client.get(reverse("budget:imports")).content.decode()
    assert "Provkörning" in listing and "Genomfört" not in listing


# --- audit ----------------------------------------------------------------------------------


def test_imported_rows_carry_the_user_who_ran_the_import(upload, world):
    upload("outcomes")
    upload("detail_budget")
    upload("outcomes", data=OUTCOMES_CSV.replace(b"4 100 000", b"4 200 000"))
    history = Outcome.history.filter(month=7)
    assert history.count() == 4  # three new rows, one changed
    assert {h.history_user_id for h in history} == {world.finance.pk}
    assert {h.history_user_id for h in DetailBudget.history.all()} == {world.finance.pk}
    assert all(h.history_change_reason.startswith("Import ") for h in history)


def test_a_batch_whose_rows_exist_cannot_be_deleted(upload, client, world):
    upload("outcomes")
    batch = ImportBatch.objects.get()
    with pytest.raises(ProtectedError):
        batch.delete()
    client.force_login(world.admin)
    url = reverse("admin:budget_importbatch_delete", args=[batch.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "skyddade" in response.content.decode()
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


# --- the job's page -------------------------------------------------------------------------


def test_the_status_of_a_dead_job_ends_instead_of_polling_forever(client, world, budget, settings):
    batch = ImportBatch.objects.create(
        municipality=world.m, kind="outcomes", filename="u.csv", checksum="0" * 64
    )
    Job.objects.filter(pk=batch.job_id).update(
        state="running",
        heartbeat="2026-01-01T00:00:00Z",
        progress_done=168_000,
        progress_total=300_033,
    )
    client.force_login(world.finance)
    status = client.get(reverse("budget:import_status", args=[batch.pk])).json()
    assert status["finished"] is True and status["state"] == "failed"
    assert status["state_label"] == "misslyckades"
    assert status["reason"].startswith("Jobbet avbröts")
    assert status["progress_label"] == "168\xa0000 av 300\xa0033 rader"
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Jobbet avbröts" in page and "import-progress.js" not in page


def test_a_running_job_shows_its_progress(client, world, budget):
    batch = ImportBatch.objects.create(
        municipality=world.m, kind="outcomes", filename="u.csv", checksum="0" * 64
    )
    Job.objects.filter(pk=batch.job_id).update(
        state="running", heartbeat=batch.created, progress_done=10, progress_total=40
    )
    client.force_login(world.finance)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Pågår – 10 av 40 rader" in page and "import-progress.js" in page
    status = client.get(reverse("budget:import_status", args=[batch.pk])).json()
    assert status == {
        "state": "running",
        "state_label": "pågår",
        "percent": 25,
        "progress_label": "10 av 40 rader",
        "reason": "",
        "finished": False,
    }


# --- an absent broker -----------------------------------------------------------------------


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable_broker(settings, tmp_path):
    """Celery mode with a real kombu connection to a port where nothing listens."""
    settings.BACKGROUND_JOBS = "celery"
    settings.MEDIA_ROOT = str(tmp_path)
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/1"
    app.conf.task_always_eager = False
    yield
    app.conf.broker_url, app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_upload_runs_in_process_and_never_stays_queued(
    client, world, budget, unreachable_broker
):
    client.force_login(world.finance)
    started = time.monotonic()
    response = client.post(
        reverse("budget:imports"),
        {"kind": "outcomes", "dimension": 1, "file": SimpleUploadedFile("u.csv", OUTCOMES_CSV)},
    )
    assert response.status_code == 302
    assert time.monotonic() - started < 15
    job = ImportBatch.objects.get().job
    deadline = time.monotonic() + 30
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.state == "done", job.reason
    assert Outcome.objects.filter(month=7).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Jobbtjänsten svarar inte" in page
