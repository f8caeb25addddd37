import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0005_jobs_importbatch_job_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='importbatch',
            name='finished',
        ),
        migrations.RemoveField(
            model_name='importbatch',
            name='lines_done',
        ),
        migrations.RemoveField(
            model_name='importbatch',
            name='lines_total',
        ),
        migrations.RemoveField(
            model_name='importbatch',
            name='status',
        ),
        migrations.RemoveField(
            model_name='importbatch',
            name='summary',
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='job',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='import_batch', to='styrning.job', verbose_name='job'),
        ),
    ]
