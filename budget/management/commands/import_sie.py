"""python manage.py import_sie FILE [--year Y] [--dimension N] [--dry-run] [--json]"""

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
    help = (
        "Imports outcomes, #PBUDGET and balances from an SIE 4 (or 3, or 4I) file. All or "
        "nothing: exits with an error, naming the lines, only when the file is refused; "
        "what was read leniently is printed as warnings with their lines."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--year", type=int, help="the file's year; needed for SIE 4I without vouchers"
        )
        parser.add_argument("--dimension", type=int, default=1)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file, year, dimension, dry_run, json: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("There is no file %(file)s.") % {"file": file})
            if dry_run and json:
                return self._json(path, year, dimension)
            municipality = _municipality_or_none()
            if municipality is None:
                if dry_run:
                    return self._json(path, year, dimension)  # the file alone, no database
                raise CommandError(_("No municipality has been set up yet."))
            try:
                # Read as a stream: memory does not grow with the file.
                result = import_sie(
                    municipality, path, year=year, dimension=dimension, dry_run=dry_run
                )
            except ImportFailed as failure:
                raise CommandError("\n".join(failure.errors)) from failure
            if json:
                self._write_warnings(result.warnings)
                self.stdout.write(json_dumps(result.as_dict()))
            else:
                write_summary(self.stdout, result)

    def _json(self, path, year, dimension):
        try:
            parsed = sie_format.parse_sie(path, year=year, keep_vouchers=False)
        except sie_format.SieError as error:
            errors = getattr(error, "errors", None) or [error]
            raise CommandError("\n".join(str(e) for e in errors)) from error
        summary = sie_format.summary_json(parsed, dimension=dimension)
        self._write_warnings(summary["warnings"])
        self.stdout.write(json_dumps(summary))

    def _write_warnings(self, warnings):
        """Warnings on stderr, so that the JSON on stdout stays JSON."""
        for warning in warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})


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
    if summary["warnings"]:
        out.write(_("Warnings (read anyway):"))
    for warning in summary["warnings"] + summary["skipped"]:
        out.write(f"  {warning}")
    months = summary["months"]
    for unit in summary["units"]:
        cells = ", ".join(f"{m}: {a}" for m, a in zip(months, unit["amounts"], strict=True) if a)
        out.write(f"  {unit['unit']}: {cells}")
