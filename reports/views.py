"""/rapporter/: ask for a report, follow its rendering, read, download and adopt it;
/oppen/: the adopted reports for everyone, without logging in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from followup.fulfilment import default_midterm_year
from followup.worklist import compiled_rows
from reports.docx import CONTENT_TYPE as DOCX_TYPE
from reports.docx import write_docx
from reports.forms import AdoptForm, MidtermRequestForm, RequestForm
from reports.midterm import midterm_year_period, midterm_years
from reports.models import MIDTERM, Report, ReportText, WordTemplate
from reports.pdf import body_template
from reports.services import adopt as adopt_report
from reports.services import not_ended_message, request_report
from reports.tasks import render as render_task
from styrning.jobs import fail_job, run_in_background, short_reason, sweep_stale_jobs
from styrning.models import Job, MandatePeriod, Municipality
from styrning.permissions import get_for_user, may_manage_reports
from styrning.request_rows import select_related_rows


def _reports(municipality):
    return Report.objects.filter(municipality=municipality).for_list()


@login_required
def index(request):
    """The ekonomichef's reports (ask for one, see them all); others the adopted ones."""
    municipality = Municipality.objects.current()
    manager = may_manage_reports(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    form = midterm_form = None
    if manager:
        asks_midterm = "ar" in request.POST
        form = RequestForm(
            None if asks_midterm else (request.POST or None), municipality=municipality
        )
        midterm_form = _midterm_form(request, municipality, asks_midterm)
        _compiled_choices(form.fields["period"], municipality)
        asked = midterm_form if asks_midterm else form
        if request.method == "POST" and asked.is_valid():
            try:
                if asks_midterm:
                    report = _request_midterm(municipality, asked.cleaned_data["ar"], request.user)
                else:
                    report = request_report(form.cleaned_data["period"], request.user)
            except ValidationError as error:
                asked.add_error(None, error)
            else:
                _start(request, report)
                return redirect(report)
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "midterm_form": midterm_form,
            "can_manage": manager,
            # Read where the list is shown (the query in its place), compiled once.
            "reports": _Rows(
                lambda: compiled_rows(
                    ("reports list", manager),
                    lambda municipality: (
                        _reports(municipality).visible_to(request.user).defer("snapshot")[:50]
                    ),
                    municipality.pk,
                )
            ),
            # "Mina texter" only for those who write (or hand out) the report's chapters.
            "writes_texts": manager or ReportText.objects.filter(owner=request.user).exists(),
        },
    )


class _Rows:
    """Rows read when the template first asks for them (as a queryset would be)."""

    def __init__(self, read):
        self._read, self._rows = read, None

    def _all(self) -> list:
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _compiled_choices(field, municipality):
    """The report form's periods as its select lists them, read when the form is shown
    (the query and its place as before) with SQL compiled once (followup.worklist):
    compiling it cost more than the select. The field's queryset still validates."""

    read = []  # the select is iterated more than once: read once

    def choices():
        if not read:
            periods = compiled_rows(
                "report periods",
                lambda municipality: (
                    RequestForm(municipality=municipality).fields["period"].queryset
                ),
                municipality.pk,
            )
            read.append([] if field.empty_label is None else [("", field.empty_label)])
            read[0].extend((p.pk, field.label_from_instance(p)) for p in periods)
        return read[0]

    field.choices = choices


def _midterm_form(request, municipality, asked):
    """The halvtidsuppföljning's form: the years with a goal period (None without any).
    Two queries: the goal periods and the mandate periods (read once for both uses)."""
    # municipality.mandate_periods.all(), its SQL compiled once (followup.worklist).
    mandates = compiled_rows(
        "report mandates",
        lambda municipality: MandatePeriod.objects.filter(municipality=municipality),
        municipality.pk,
    )
    for mandate in mandates:
        mandate._state.fields_cache["municipality"] = municipality  # as the manager does
    years = midterm_years(municipality, mandates)
    if asked:
        return MidtermRequestForm(request.POST, years=years)
    if not years:
        return None
    year = default_midterm_year(mandates, years)
    return MidtermRequestForm(initial={"ar": year}, years=years)


def _request_midterm(municipality, year, user):
    period = midterm_year_period(municipality, year)
    if period is None:
        raise ValidationError(_("There is no follow-up of goals in %(year)s.") % {"year": year})
    return request_report(period, user, kind=MIDTERM)


def _start(request, report):
    """Hand the rendering to the background; if even that fails the job ends, with a message."""
    try:
        mode = run_in_background(render_task, report.pk)
    except Exception as error:
        reason = _("The report could not be started: %(error)s") % {
            "error": short_reason(error, 200)
        }
        fail_job(report.job_id, reason)
        messages.error(request, reason)
        return
    if mode == "thread" and settings.BACKGROUND_JOBS == "celery":
        messages.warning(
            request,
            _(
                "The job service does not answer; the report is made in the web server "
                "instead. It may take longer."
            ),
        )


def _report_for(request, pk, action="view"):
    """The report, for those who may read it: adopted ones everyone, drafts the ekonomichef
    (others 404); a job whose worker died is marked failed here instead of polling forever."""
    report = get_for_user(request, _reports(Municipality.objects.current()), pk, action)
    if not report.job.is_finished and sweep_stale_jobs(Job.objects.filter(pk=report.job_id)):
        report.job.refresh_from_db()
    return report


@require_GET
def detail(request, pk):
    """A report's page. Adopted reports are public documents: anyone reads them, logged
    in or not (from /oppen/); a draft asks an anonymous visitor to log in."""
    if request.user.is_authenticated:
        report = _report_for(request, pk)
    else:
        municipality = Municipality.objects.current()
        report = _reports(municipality).adopted().filter(pk=pk).first()
        if report is None:
            return redirect_to_login(request.get_full_path())
    manager = may_manage_reports(request.user)
    adopted = None if report.is_adopted else _adopted_instead(report)
    # Before its period has ended a report holds the figures to date: it is a draft to read,
    # not one to adopt (reports.services.adopt refuses it too).
    ended = report.period.period_end < timezone.localdate()
    offer = manager and report.is_done and not report.is_adopted and adopted is None
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "r": report.snapshot,
            "body_template": body_template(report.kind) if report.snapshot else None,
            "can_manage": manager,
            "adopted_instead": adopted,
            "adopt_form": AdoptForm(report=report) if offer and ended else None,
            "not_ended": not_ended_message(report.period) if offer and not ended else "",
            "unfinished": _unfinished_chapters(report) if offer and ended else [],
        },
    )


def _unfinished_chapters(report):
    """The period's chapters not marked done or locked (one query): the adoption would
    lock them as they are, so the page names them before it is recorded. A
    halvtidsuppföljning has none: the chapters of its year's period are the
    årsredovisning's, and adopting it does not lock them."""
    if report.is_midterm:
        return []
    return list(
        ReportText.objects.filter(period=report.period_id)
        .exclude(state__in=[ReportText.State.DONE, ReportText.State.LOCKED])
        .select_related("unit")
    )


def _adopted_instead(report):
    """The report of the same period and kind that was adopted instead of this draft."""
    return (
        Report.objects.adopted()
        .filter(period=report.period_id, kind=report.kind)
        .exclude(pk=report.pk)
        .first()
    )


@require_GET
@login_required
def status(request, pk):
    """The progress fragment the detail page's script polls (HTML)."""
    return render(request, "reports/_status.html", {"report": _report_for(request, pk)})


def _downloadable(request, pk):
    """The report whose files the user may download: an adopted one everyone (also without
    logging in), a draft the ekonomichef; else 404, or the login for anonymous visitors
    (returned as the response)."""
    visible = _reports(Municipality.objects.current()).visible_to(request.user)
    report = visible.filter(pk=pk).first()
    if report is None:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise Http404
    return report


@require_GET
def download(request, pk):
    """The PDF, for those who may download the report."""
    report = _downloadable(request, pk)
    if not isinstance(report, Report):
        return report
    if not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )


@require_GET
def download_docx(request, pk):
    """The same report as a Word document on the municipality's template: the figures and
    texts of the PDF (its snapshot), for the same people."""
    report = _downloadable(request, pk)
    if not isinstance(report, Report):
        return report
    if not report.snapshot:
        raise Http404
    template = WordTemplate.objects.filter(municipality_id=report.municipality_id).first()
    data = write_docx(report.snapshot, template.file if template else None)
    filename = report.filename.removesuffix(".pdf") + ".docx"
    response = HttpResponse(data, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
def adopt(request, pk):
    report = _report_for(request, pk, action="decide")
    form = AdoptForm(request.POST, report=report)
    if form.is_valid():
        try:
            adopt_report(
                report,
                form.cleaned_data["body"],
                form.cleaned_data["decision_reference"],
                request.user,
                adopted_at=form.adopted_at(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The report has been recorded as adopted."))
            return redirect(report)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "r": report.snapshot,
            "body_template": body_template(report.kind) if report.snapshot else None,
            "can_manage": True,
            "adopt_form": form,
        },
    )


def _adopted_reports(municipality_id):
    return (
        Report.objects.filter(municipality_id=municipality_id)
        .for_list()
        .adopted()
        .defer("snapshot")
    )


@require_GET
def public(request):
    """/oppen/: the adopted reports, for everyone."""
    municipality = Municipality.objects.current()
    return render(
        request,
        "reports/public.html",
        {
            "reports": select_related_rows(_adopted_reports, municipality.pk),
            "municipality": municipality,
        },
    )
