"""python manage.py import_outcomes FILE [--dry-run] — CSV (semicolon, decimal comma) or XLSX."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from budget.imports.service import ImportFailed, import_outcomes
from budget.management.commands.import_sie import write_summary
from styrning.models import Municipality


class Command(BaseCommand):
    help = "Imports outcomes per unit code, month and account group from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, dry_run, **options):
        with translation.override(settings.LANGUAGE_CODE):
            path = Path(file)
            municipality = Municipality.objects.first()
            if municipality is None:
                raise CommandError(_("No municipality has been set up yet."))
            try:
                result = import_outcomes(
                    municipality, path.read_bytes(), path.name, dry_run=dry_run
                )
            except ImportFailed as failure:
                raise CommandError("\n".join(failure.errors)) from failure
            write_summary(self.stdout, result)
