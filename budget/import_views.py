"""The ledger imports: upload a file, follow its progress, read what it did."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from budget.forms import ImportForm
from budget.models import ImportBatch
from budget.tasks import run_import
from styrning.jobs import run_in_background
from styrning.models import Municipality
from styrning.permissions import require_budget_manager


@login_required
def imports(request):
    """Upload a ledger file; the import runs in the background and shows its progress."""
    require_budget_manager(request.user)
    municipality = Municipality.objects.current()
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        batch = ImportBatch.objects.create(
            municipality=municipality,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            checksum=hashlib.sha256(data).hexdigest(),
            created_by=request.user,
            summary={
                "dry_run": form.cleaned_data["dry_run"],
                "dimension": form.cleaned_data["dimension"],
            },
        )
        batch.file.save(f"{batch.pk}-{upload.name}", ContentFile(data), save=True)
        run_in_background(run_import, batch.pk)
        return redirect(batch)
    return render(
        request,
        "budget/imports.html",
        {
            "form": form,
            "batches": ImportBatch.objects.filter(municipality=municipality).select_related(
                "created_by"
            )[:20],
        },
    )


@require_GET
@login_required
def import_detail(request, pk):
    require_budget_manager(request.user)
    batch = get_object_or_404(
        ImportBatch.objects.filter(municipality=Municipality.objects.current()), pk=pk
    )
    return render(request, "budget/import_detail.html", {"batch": batch})


@require_GET
@login_required
def import_status(request, pk):
    """Progress for the import page's script (JSON)."""
    require_budget_manager(request.user)
    batch = get_object_or_404(
        ImportBatch.objects.filter(municipality=Municipality.objects.current()), pk=pk
    )
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "percent": batch.percent,
            "lines_done": batch.lines_done,
            "lines_total": batch.lines_total,
            "finished": batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED),
        }
    )
