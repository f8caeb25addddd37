"""python manage.py sweep_jobs [--server-restarted] — end background jobs whose worker died.

Without options it marks stale jobs failed (no heartbeat for JOB_HEARTBEAT_TIMEOUT,
or queued for JOB_QUEUE_TIMEOUT), as Celery beat does. ``--server-restarted`` is for
a start of `make run`, where jobs run in threads of the one web process: every job
still queued or running died with the previous process.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from styrning.jobs import fail_unfinished_jobs, sweep_stale_jobs


class Command(BaseCommand):
    help = "Marks background jobs whose worker or server died as failed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--server-restarted",
            action="store_true",
            help="Every unfinished job died with the previous process (make run, threads).",
        )

    def handle(self, *args, server_restarted, **options):
        with translation.override(settings.LANGUAGE_CODE):
            count = sweep_stale_jobs()
            if server_restarted:
                count += fail_unfinished_jobs()
            if count or options["verbosity"] > 1:
                self.stdout.write(
                    _("Interrupted jobs marked as failed: %(count)s") % {"count": count}
                )
