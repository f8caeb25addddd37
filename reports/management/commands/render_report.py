"""Render a report synchronously:
``render_report KIND --year Y [--period P] [--municipality M] --output FILE.pdf``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from followup.choices import ReportKind
from followup.models import ReportingPeriod
from reports import context as contexts
from reports.midterm import midterm_year_period
from reports.models import MIDTERM
from reports.pdf import render_pdf
from reports.services import as_snapshot
from styrning.models import Municipality

KINDS = {
    "manadsrapport": ReportKind.MONTHLY,
    "månadsrapport": ReportKind.MONTHLY,
    "monthly": ReportKind.MONTHLY,
    "delarsrapport": ReportKind.INTERIM,
    "delårsrapport": ReportKind.INTERIM,
    "interim": ReportKind.INTERIM,
    "arsredovisning": ReportKind.ANNUAL,
    "årsredovisning": ReportKind.ANNUAL,
    "annual": ReportKind.ANNUAL,
    "halvtid": MIDTERM,
    "halvtidsuppfoljning": MIDTERM,
    "halvtidsuppföljning": MIDTERM,
    "midterm": MIDTERM,
}


def find_period(municipality, kind, year, month=None) -> ReportingPeriod:
    """The period of ``kind`` in ``year`` (month ``month``; without it, the year's last)."""
    periods = ReportingPeriod.objects.filter(municipality=municipality, year=year, kind=kind)
    if month is not None:
        periods = periods.filter(month=month)
    period = periods.order_by("-month").first()
    if period is None:
        raise CommandError(
            _("There is no %(kind)s period in %(year)s%(month)s.")
            % {
                "kind": ReportKind(kind).label,
                "year": year,
                "month": f"-{month:02}" if month else "",
            }
        )
    return period


def find_municipality(asked: str | None) -> Municipality:
    """The municipality by its code ("0483"), demo model ("katrineholm") or name; without
    ``asked`` the one this installation serves."""
    if not asked:
        return Municipality.objects.current()
    found = Municipality.objects.filter(
        Q(code=asked) | Q(model_name=asked.lower()) | Q(name__iexact=asked)
    ).first()
    if found is None:
        raise CommandError(
            _("There is no municipality %(asked)s (give its code, model or name).")
            % {"asked": asked}
        )
    return found


class Command(BaseCommand):
    help = (
        "Render a report (månadsrapport, delårsrapport, årsredovisning, halvtidsuppföljning) "
        "as PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--period", type=int, help="The period's month (1–12).")
        parser.add_argument(
            "--municipality",
            help="The municipality's code, demo model or name (default: the one served).",
        )
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, **options):
        month = options["period"]
        if month is not None and not 1 <= month <= 12:
            raise CommandError(_("The period is a month, 1–12."))
        municipality = find_municipality(options["municipality"])
        kind = KINDS[options["kind"]]
        if kind == MIDTERM:
            period = midterm_year_period(municipality, options["year"])
            if period is None:
                raise CommandError(
                    _("There is no follow-up of goals in %(year)s.") % {"year": options["year"]}
                )
        else:
            period = find_period(municipality, kind, options["year"], month)
        try:
            context = as_snapshot(contexts.build(period, kind))
        except contexts.NotSupported as error:
            raise CommandError(str(error)) from error
        pdf = render_pdf(context)
        Path(options["output"]).write_bytes(pdf.data)
        self.stdout.write(
            _("%(title)s: %(pages)s pages, %(bytes)s bytes, SHA-256 %(sha)s → %(path)s")
            % {
                "title": context["title"],
                "pages": pdf.page_count,
                "bytes": len(pdf.data),
                "sha": pdf.sha256,
                "path": options["output"],
            }
        )
