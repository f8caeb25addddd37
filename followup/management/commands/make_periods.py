"""python manage.py make_periods --year Y"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from followup.calendar import make_periods
from styrning.models import Municipality
from styrning.validators import FIRST_YEAR, LAST_YEAR


class Command(BaseCommand):
    help = "Makes a year's reporting periods from the active calendar template. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, year, **options):
        from django.core.management.base import CommandError

        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                _("Give a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        with translation.override(settings.LANGUAGE_CODE):
            municipality = Municipality.objects.current()
            result = make_periods(municipality, year)
            self.stdout.write(
                _(
                    "%(year)s: %(created)s periods made, %(updated)s updated, %(removed)s removed, "
                    "%(kept)s already opened and kept."
                )
                % {"year": year, **vars(result)}
            )
