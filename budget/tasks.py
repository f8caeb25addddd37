"""Celery tasks of the budget: they take primary keys and call the import service."""

from celery import shared_task


@shared_task
def run_import(batch_id: int) -> int:
    """Run an uploaded import; its Job row says how it went (no result backend)."""
    from budget.imports.service import run_batch

    run_batch(batch_id)
    return batch_id
