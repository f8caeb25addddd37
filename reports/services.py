"""Asking for a report, rendering it as a job, and recording its adoption.

Views, the Celery task, beat and the management command call these; nothing
else writes a ``Report``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followup.calendar import close_period, lock_period
from followup.models import ReportingPeriod
from reports import context as contexts
from reports.models import MIDTERM, Report
from reports.pdf import render_pdf
from styrning import formatting
from styrning.jobs import JobFailed, run_job
from styrning.models import Job
from styrning.services import save_validated


def request_report(period: ReportingPeriod, user=None, kind: str | None = None) -> Report:
    """A new draft report of ``period``, queued (start it with ``reports.tasks.start``);
    its kind is the period's, or ``MIDTERM`` for the halvtidsuppföljning of its year."""
    if kind != MIDTERM and period.kind not in contexts.SUPPORTED:
        raise ValidationError(
            _("Styrning cannot make a %(kind)s yet.") % {"kind": period.get_kind_display()}
        )
    with transaction.atomic():
        report = Report(
            municipality_id=period.municipality_id,
            kind=kind or period.kind,
            period=period,
            requested_by=user,
            job=Job.objects.create(kind=Job.Kind.REPORT, requested_by=user),
        )
        return save_validated(report, user)


def as_snapshot(context: dict) -> dict:
    """The context as JSON keeps it (Decimals and dates become text)."""
    import json

    return json.loads(json.dumps(context, cls=DjangoJSONEncoder))


def run_report(report_id: int, made_on=None) -> bool:
    """Render a queued report as its job; True when done. The job always ends.

    ``made_on``: the date the report says it was made, when not today (the demo makes
    last year's reports as they were made then)."""
    report = Report.objects.select_related("period__municipality").get(pk=report_id)

    def work(job, progress):
        if report.is_adopted:
            raise JobFailed(_("The report has been adopted and can no longer change."))
        try:
            context = contexts.build(report.period, report.kind)
            if made_on is not None:
                context["made_on"] = formatting.long_date(made_on)
            context = as_snapshot(context)
        except contexts.NotSupported as error:
            raise JobFailed(str(error)) from error
        pdf = render_pdf(context, progress)
        with transaction.atomic():
            fresh = Report.objects.select_for_update().get(pk=report.pk)
            if fresh.is_adopted:
                raise JobFailed(_("The report has been adopted and can no longer change."))
            if fresh.file:
                fresh.file.delete(save=False)  # a retried render replaces its own file
            fresh.file.save(fresh.filename, ContentFile(pdf.data), save=False)
            fresh.size = len(pdf.data)
            fresh.page_count = pdf.page_count
            fresh.sha256 = pdf.sha256
            fresh.snapshot = context
            fresh.rendered_at = timezone.now()
            fresh.save()

    with translation.override(settings.LANGUAGE_CODE):
        return run_job(report.job_id, work)


def not_ended_message(period) -> str:
    """Why a report of ``period`` cannot be adopted yet: its figures are not the period's
    until the period has ended (an årsredovisning made in December holds ten months)."""
    return _(
        "The report can be adopted only after its period has ended (%(day)s): until then its "
        "figures are those to date."
    ) % {"day": formatting.iso_date(period.period_end)}


def adopt(report: Report, body, reference: str, user=None, adopted_at=None) -> Report:
    """Record that ``body`` adopted the report (``reference``: e.g. "KF 2026-10-26 § 98";
    ``adopted_at``: when, if not now).

    The report is frozen with its file and snapshot, and its period is locked (closed
    first if it is still open). One transaction: either all of it or nothing.
    """
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(
            {"decision_reference": _("Give the decision that adopted the report.")}
        )
    with transaction.atomic():
        report = (
            Report.objects.select_for_update().select_related("period", "job").get(pk=report.pk)
        )
        if report.is_adopted:
            raise ValidationError(_("The report has been adopted and can no longer change."))
        if not report.is_done:
            raise ValidationError(_("Only a finished report can be adopted."))
        other = Report.objects.adopted().filter(period=report.period, kind=report.kind).first()
        if other is not None:
            raise ValidationError(
                _("Another report of this period has already been adopted (%(ref)s).")
                % {"ref": other.decision_reference}
            )
        adopted_at = adopted_at or timezone.now()
        period = report.period
        if timezone.localtime(adopted_at).date() <= period.period_end:
            raise ValidationError({"meeting_date": not_ended_message(period)})
        report.adopted_by = body
        report.decision_reference = reference
        report.adopted_at = adopted_at
        report.adopted_recorded_by = user
        if report.is_midterm:
            # The halvtidsuppföljning reads its year's period but is not that period's
            # report: adopting it freezes the report, not the period.
            return save_validated(report, user, reference)
        if period.state == ReportingPeriod.State.OPEN:
            period = close_period(period, user)
        if period.state != ReportingPeriod.State.LOCKED:
            lock_period(period, reference, user)
        return save_validated(report, user, reference)
