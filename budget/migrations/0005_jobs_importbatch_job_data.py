from django.db import migrations


def jobs_for_batches(apps, schema_editor):
    """Every existing batch gets its job; summary splits into options (in) and result (out)."""
    ImportBatch = apps.get_model("budget", "ImportBatch")
    Job = apps.get_model("styrning", "Job")
    for batch in ImportBatch.objects.all():
        summary = batch.summary or {}
        state = batch.status if batch.status in ("done", "failed") else "failed"
        batch.job = Job.objects.create(
            kind="import",
            state=state,
            reason="" if state == "done" else "Jobbet avbröts före uppdateringen.",
            progress_done=batch.lines_done,
            progress_total=batch.lines_total,
            requested_by_id=batch.created_by_id,
            finished=batch.finished or batch.created,
        )
        batch.dry_run = bool(summary.get("dry_run"))
        batch.options = {"dimension": summary.get("dimension") or 1}
        batch.result = summary if batch.status == "done" else {}
        batch.save(update_fields=["job", "dry_run", "options", "result"])


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0004_jobs_importbatch_job"),
    ]

    operations = [
        migrations.RunPython(jobs_for_batches, migrations.RunPython.noop),
    ]
