"""python manage.py import_sie FILE [--year Y] [--dimension N] [--dry-run [--json]]"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from budget.imports import sie as sie_format
from budget.imports.service import ImportFailed, import_sie
from styrning.models import Municipality


class Command(BaseCommand):
    help = "Imports outcomes, #PBUDGET and balances from an SIE 4 (or 3) file. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int)
        parser.add_argument("--dimension", type=int, default=1)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file, year, dimension, dry_run, json: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            data = Path(file).read_bytes()
            if dry_run and json:
                return self._json(data, dimension)
            municipality = _municipality_or_none()
            if municipality is None:
                if dry_run:
                    return self._json(data, dimension)  # the file alone, no database needed
                raise CommandError(_("No municipality has been set up yet."))
            try:
                result = import_sie(
                    municipality, data, year=year, dimension=dimension, dry_run=dry_run
                )
            except ImportFailed as failure:
                raise CommandError("\n".join(failure.errors)) from failure
            write_summary(self.stdout, result)

    def _json(self, data, dimension):
        try:
            parsed = sie_format.parse_sie(data)
        except sie_format.SieError as error:
            errors = getattr(error, "errors", None) or [error]
            raise CommandError("\n".join(str(e) for e in errors)) from error
        self.stdout.write(json_dumps(sie_format.summary_json(parsed, dimension=dimension)))


def _municipality_or_none():
    try:
        return Municipality.objects.first()
    except DatabaseError:  # not even migrated: a dry run still judges the file
        return None


def json_dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)


def write_summary(out, result):
    """What an import did (or would do), per unit and month, for the terminal."""
    summary = result.as_dict()
    heading = _("Checked, nothing saved") if result.dry_run else _("Imported")
    out.write(f"{heading}: {summary['year']}")
    out.write(
        _("Outcome rows: %(c)s new, %(ch)s changed, %(r)s removed")
        % {
            "c": summary["outcomes_created"],
            "ch": summary["outcomes_changed"],
            "r": summary["outcomes_removed"],
        }
    )
    out.write(
        _("Detail budget rows: %(n)s; balance amounts: %(b)s")
        % {"n": summary["budgets_written"], "b": summary["balances_written"]}
    )
    for warning in summary["warnings"] + summary["skipped"]:
        out.write(f"  {warning}")
    months = summary["months"]
    for unit in summary["units"]:
        cells = ", ".join(f"{m}: {a}" for m, a in zip(months, unit["amounts"], strict=True) if a)
        out.write(f"  {unit['unit']}: {cells}")
