"""/uppfoljning/personal/: personnel figures, the personalberättelse and the CSV imports.

Views parse and redirect; followup.personnel and followup.indicator_values save. Access
goes through styrning.permissions ("# Personnel figures").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from budget.imports.tabular import TabularError, decode_text
from followup import personnel as service
from followup.csvimport import ImportFailed
from followup.indicator_values import import_indicator_values, reportable_indicators
from followup.models import ReportingPeriod
from followup.personnel_forms import (
    CsvUploadForm,
    FigureRowForm,
    OfficeForm,
    PersonnelReportForm,
    UnboundFigureRows,
    UnboundRow,
)
from followup.rows import indicator_rows, personnel_index_rows, personnel_table_rows
from styrning.models import Municipality
from styrning.permissions import (
    can_read_personnel_report,
    is_personnel_manager,
    may_enter_personnel,
    may_report_indicators,
    personnel_changeable_units,
    personnel_readable_roots,
)


def _planned_message(period) -> str:
    """The page's word on a period not yet open (its locked state has its own)."""
    return service.closed_message(period) if period.state == ReportingPeriod.State.PLANNED else ""


def _period(request, pk):
    """A goal period of the municipality (404 for any other), for a logged-in user."""
    period = service.goal_period(Municipality.objects.current(), pk)
    if period is None:
        raise Http404
    return period


@require_GET
@login_required
def index(request):
    """The goal periods, each with its figures and personalberättelse; the imports."""
    periods = service.goal_period_list(Municipality.objects.current())
    written = service.periods_with_report(periods)
    # Whether the personalberättelse may be read depends on the period's lock alone.
    readable = {locked: can_read_personnel_report(request.user, locked) for locked in (False, True)}
    rows = [
        {
            "period": period,
            "report_written": period.pk in written,
            "report_readable": readable[period.is_locked],
        }
        for period in periods
    ]
    return render(
        request,
        "personnel/index.html",
        {
            "rows": rows,
            # The rows written in Python (followup/rows.py).
            "rows_html": personnel_index_rows(rows),
            "may_enter": may_enter_personnel(request.user),
            "may_report_indicators": may_report_indicators(request.user),
        },
    )


# Above this many units the table shows one förvaltning or bolag at a time (?forvaltning=):
# a city's thousand enheter with five fields each is a page nobody can use.
PERSONNEL_TABLE_UNITS = 150


@dataclass
class _Table:
    rows: list
    offices: list  # the förvaltningar and bolag the user reads, for the selector
    office: object = None  # the one shown, or None for all
    all_allowed: bool = True  # few enough units to show them all at once


def _table(request, period, data=None) -> _Table:
    """The rows of the period's table: every unit the user may read (of one förvaltning
    or bolag when ``?forvaltning=`` names it, or when there are too many to show at once),
    a form where they may enter figures (bound to ``data`` on a POST). Five queries."""
    readable = service.ReadableUnits(
        period.municipality, personnel_readable_roots(request.user, period.is_locked)
    )
    offices = readable.offices()
    table = _Table(rows=[], offices=offices)
    table.all_allowed = readable.count() <= PERSONNEL_TABLE_UNITS
    asked = request.GET.get("forvaltning", "")
    office = next((o for o in offices if str(o.pk) == asked), None)
    if office is None and not table.all_allowed and offices:
        office = offices[0]
    table.office = office
    units = readable.units(office)
    changeable = set()
    if not service.closed_message(period):
        changeable = set(
            personnel_changeable_units(request.user)
            .filter(pk__in=[u.pk for u in units])
            .values_list("pk", flat=True)
        )
    figures = service.figure_lookup(period, units)
    # A GET writes the rows' fields without a form a row (UnboundFigureRows).
    unbound = UnboundFigureRows() if data is None and changeable else None
    for unit in units:
        figure = figures.get(unit.pk)
        form = None
        if unit.pk in changeable:
            initial = {n: getattr(figure, n) for n in figure.VALUE_FIELDS} if figure else {}
            if unbound is not None:
                form = UnboundRow(unbound.row(unit, initial))
            else:
                form = FigureRowForm(data, unit=unit, initial=initial)
        table.rows.append({"unit": unit, "figure": figure, "form": form})
    return table


def _error_links(forms) -> list[dict]:
    """The error summary's lines: each names the unit and the field and links to the field
    (to the unit's row for an error about the whole row)."""
    links = []
    for form in forms:
        for name, field_errors in form.errors.items():
            if name in form.fields:
                href = f"#{form[name].auto_id}"
                where = f"{form.unit.name}: {form.fields[name].label}"
            else:
                href, where = f"#unit-{form.unit.pk}", form.unit.name
            links += [{"href": href, "text": f"{where}: {error}"} for error in field_errors]
    return links


def _period_url(period, office) -> str:
    url = reverse("personnel:period", args=[period.pk])
    return f"{url}?forvaltning={office.pk}" if office is not None else url


@login_required
def period(request, pk):
    """The period's table of units and figures; those who may, enter them (one save)."""
    period = _period(request, pk)
    if request.method == "POST":
        if not may_enter_personnel(request.user):
            raise PermissionDenied
        closed = service.closed_message(period)
        if closed:
            messages.error(request, closed)
            return redirect("personnel:period", pk=period.pk)
    data = request.POST if request.method == "POST" else None
    table = _table(request, period, data)
    rows = table.rows
    errors = []
    if data is not None:
        forms = {row["unit"].pk: row["form"] for row in rows if row["form"] is not None}
        valid = [form.is_valid() for form in forms.values()]
        if all(valid) and forms:
            values = {form.unit: form.cleaned_data for form in forms.values()}
            try:
                result = service.save_figures(period, values, request.user)
            except service.FiguresRefused as refused:
                for refusal in refused.refusals:
                    form = forms.get(refusal.unit.pk)
                    if form is None:
                        errors.append({"text": str(refusal)})
                        continue
                    field = refusal.field if refusal.field in form.fields else None
                    form.add_error(field, refusal.message)
            except ValidationError as error:
                errors += [{"text": message} for message in error.messages]
            else:
                messages.success(
                    request,
                    _("Saved: %(created)s new and %(changed)s changed units.")
                    % {"created": result.created, "changed": result.changed},
                )
                return redirect(_period_url(period, table.office))
        errors += _error_links(forms.values())
    office_choices = [("", _("All units"))] if table.all_allowed else []
    office_choices += [(str(o.pk), o.name) for o in table.offices]
    return render(
        request,
        "personnel/period.html",
        {
            "period": period,
            "rows": rows,
            # The rows written in Python (followup/rows.py): HR's table has 750 fields.
            "rows_html": personnel_table_rows(rows),
            "errors": errors,
            "can_edit": any(row["form"] is not None for row in rows),
            "report_readable": can_read_personnel_report(request.user, period.is_locked),
            "planned_message": _planned_message(period),
            "office_form": OfficeForm(
                initial={"forvaltning": str(table.office.pk) if table.office else ""},
                choices=office_choices,
            )
            if len(table.offices) > 1
            else None,
            "one_at_a_time": not table.all_allowed,
        },
        status=200,
    )


@login_required
def report(request, pk):
    """The personalberättelse: HR writes it; staff read it, politicians once it is adopted."""
    period = _period(request, pk)
    if not can_read_personnel_report(request.user, period.is_locked):
        raise Http404
    can_edit = is_personnel_manager(request.user) and not service.closed_message(period)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    existing = service.personnel_report(period)
    form = None
    if can_edit:
        form = PersonnelReportForm(
            request.POST if request.method == "POST" else None,
            initial={"text": existing.text if existing else ""},
        )
        if request.method == "POST" and form.is_valid():
            try:
                service.save_personnel_report(period, form.cleaned_data["text"], request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The personnel report is saved."))
                return redirect("personnel:report", pk=period.pk)
    return render(
        request,
        "personnel/report.html",
        {
            "period": period,
            "report": existing,
            "written_by": _name(existing.written_by) if existing else "",
            "form": form,
            "can_edit": can_edit,
            "planned_message": _planned_message(period),
        },
    )


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _csv_import(request, *, allowed, run, template, context):
    """Upload → dry run with "N new, M changed" → confirm (the file's text comes back in a
    hidden field and is checked again in full) → saved."""
    if not allowed:
        raise PermissionDenied
    municipality = Municipality.objects.current()
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    preview = errors = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["data"]
        confirm = "confirm" in request.POST and not form.cleaned_data.get("file")
        try:
            result = run(municipality, data, request.user, dry_run=not confirm)
        except ImportFailed as failed:
            errors = failed.errors
        else:
            if confirm:
                messages.success(
                    request,
                    _("Imported: %(created)s new and %(changed)s changed, %(unchanged)s unchanged.")
                    % vars(result),
                )
                if getattr(result, "pending", 0):
                    messages.info(
                        request,
                        ngettext(
                            "%(count)s value was kept in its follow-up: it reaches the "
                            "politicians when the follow-up is approved.",
                            "%(count)s values were kept in their follow-ups: they reach the "
                            "politicians when the follow-ups are approved.",
                            result.pending,
                        )
                        % {"count": result.pending},
                    )
                return redirect(request.path)
            try:
                text = decode_text(data)
            except TabularError:  # read once already: cannot happen
                text = ""
            preview = {"result": result, "form": CsvUploadForm(initial={"content": text})}
    return render(
        request,
        template,
        {"form": form, "preview": preview, "errors": errors, **context},
    )


@login_required
def figures_import(request):
    """CSV import of personnel figures."""
    return _csv_import(
        request,
        allowed=may_enter_personnel(request.user),
        run=service.import_figures,
        template="personnel/figures_import.html",
        context={"columns": ";".join(service.CSV_COLUMNS)},
    )


@login_required
def indicator_import(request):
    """CSV import of indicator values, with the numbers of the indicators one may report on."""
    allowed = may_report_indicators(request.user)
    indicators = (
        reportable_indicators(Municipality.objects.current(), request.user) if allowed else []
    )
    return _csv_import(
        request,
        allowed=allowed,
        run=import_indicator_values,
        template="personnel/indicator_import.html",
        # The table written in Python (followup/rows.py): a row costs a dozen tags.
        context={"indicators": indicators, "indicator_rows": indicator_rows(indicators)},
    )
