"""The ledger imports: upload a file, follow its progress, read what it did."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from budget.forms import ImportForm
from budget.models import ImportBatch
from budget.tasks import run_import
from styrning.jobs import fail_job, run_in_background, short_reason, sweep_stale_jobs
from styrning.models import Job, Municipality
from styrning.permissions import get_for_user, require_budget_manager


@login_required
def imports(request):
    """Upload a ledger file; the import runs in the background and shows its progress."""
    require_budget_manager(request.user)
    municipality = Municipality.objects.current()
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        checksum = hashlib.sha256()
        for chunk in upload.chunks():  # never the whole file in memory
            checksum.update(chunk)
        upload.seek(0)
        with transaction.atomic():
            batch = ImportBatch(
                municipality=municipality,
                kind=form.cleaned_data["kind"],
                dry_run=form.cleaned_data["dry_run"],
                filename=upload.name,
                checksum=checksum.hexdigest(),
                created_by=request.user,
                options={"dimension": form.cleaned_data["dimension"]},
            )
            batch.save()
            batch.file.save(f"{batch.pk}-{upload.name}", upload, save=True)
        _start(request, batch)
        return redirect(batch)
    return render(
        request,
        "budget/imports.html",
        {
            "form": form,
            "batches": ImportBatch.objects.filter(municipality=municipality).select_related(
                "created_by", "job"
            )[:20],
        },
    )


def _start(request, batch):
    """Hand the import to the background; if even that fails the job ends, with a message."""
    try:
        mode = run_in_background(run_import, batch.pk)
    except Exception as error:
        reason = _("The import could not be started: %(error)s") % {
            "error": short_reason(error, 200)
        }
        fail_job(batch.job_id, reason)
        messages.error(request, reason)
        return
    if mode == "thread" and settings.BACKGROUND_JOBS == "celery":
        # The broker was asked for and could not be reached.
        messages.warning(
            request,
            _(
                "The job service does not answer; the import runs in the web server "
                "instead. It may take longer."
            ),
        )


def _batch_for(request, pk):
    """The import, for those who may read it (the ekonomichef and admins; others 404)."""
    batch = get_for_user(
        request,
        ImportBatch.objects.filter(municipality=Municipality.objects.current()).select_related(
            "job", "created_by"
        ),
        pk,
    )
    if not batch.job.is_finished and sweep_stale_jobs(Job.objects.filter(pk=batch.job_id)):
        batch.job.refresh_from_db()  # its worker died: say so instead of polling forever
    return batch


@require_GET
@login_required
def import_detail(request, pk):
    return render(request, "budget/import_detail.html", {"batch": _batch_for(request, pk)})


@require_GET
@login_required
def import_status(request, pk):
    """Progress for the import page's script (JSON); a dead job is marked failed here."""
    batch = _batch_for(request, pk)
    job = batch.job
    return JsonResponse(
        {
            "state": job.state,
            "state_label": str(batch.status_label),
            "percent": job.percent,
            "progress_label": job.progress_label,
            "reason": job.reason,
            "finished": job.is_finished,
        }
    )
