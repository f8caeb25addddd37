"""python manage.py import_outcomes FILE [--dry-run] [--user USERNAME] — CSV or XLSX.

CSV with semicolons and decimal commas as Swedish Excel writes it, or XLSX. With
``--user`` the history of every row written names that user as its author.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from budget.imports.service import ImportFailed, acting_user, import_outcomes
from budget.management.commands.import_sie import write_summary
from styrning.models import Municipality


class Command(BaseCommand):
    help = "Imports outcomes per unit code, month and account group from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", help="The username the rows' history names.")

    def handle(self, *args, file, dry_run, user=None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            path = Path(file)
            municipality = Municipality.objects.first()
            if municipality is None:
                raise CommandError(_("No municipality has been set up yet."))
            author = None
            if user:
                author = get_user_model().objects.filter(username=user).first()
                if author is None:
                    raise CommandError(_("There is no user %(user)s.") % {"user": user})
            try:
                with acting_user(author):
                    result = import_outcomes(
                        municipality, path.read_bytes(), path.name, dry_run=dry_run
                    )
            except ImportFailed as failure:
                raise CommandError("\n".join(failure.errors)) from failure
            write_summary(self.stdout, result)
