"""python manage.py import_indicator_values FILE --user USERNAME [--dry-run]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from followup.csvimport import ImportFailed
from followup.indicator_values import import_indicator_values
from styrning.models import Municipality


class Command(BaseCommand):
    help = "Import indicator values from a CSV file (indikator;period;kön;värde), as USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="whose rights apply and whom the history names"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count only")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        try:
            with open(options["file"], "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            result = import_indicator_values(
                Municipality.objects.order_by("pk").first(),
                data,
                user,
                dry_run=options["dry_run"],
            )
        except ImportFailed as error:
            raise CommandError("\n".join(error.errors)) from error
        verb = "would be" if result.dry_run else "were"
        self.stdout.write(
            f"{result.created} new, {result.changed} changed and {result.unchanged} unchanged "
            f"values {verb} imported."
        )
