"""Budget pages: the overview, drill-down, frames, changes, forecasts, imports, exports."""

from __future__ import annotations

from collections import namedtuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from budget import exports, signs, tables
from budget import history as budget_history
from budget.chart import frame_forecast_chart
from budget.forms import (
    AdoptBudgetForm,
    BudgetChangeForm,
    DetailBudgetForm,
    ForecastForm,
    FrameForm,
    InvestmentForm,
    ReverseBudgetChangeForm,
    YearForm,
    YearMonthForm,
    forecasts_below_outcome,
)
from budget.models import (
    AccountGroup,
    BudgetChange,
    BudgetFrame,
    BudgetYear,
    DetailBudget,
    Forecast,
    InvestmentProject,
)
from budget.overview import (
    budget_overview,
    default_month,
    default_year,
    forecast_basis,
    forecast_comment,
    unit_detail,
)
from budget.pending import locked_month, pending_forecasts
from budget.years import open_next_year
from followup.worklist import compiled_rows, compiled_values
from styrning import formatting
from styrning.concurrency import EditConflict
from styrning.models import Municipality, OrgUnit
from styrning.permissions import (
    approved_forecasts_only,
    can_change,
    get_for_user,
    get_for_user_by,
    require,
    require_budget_manager,
)
from styrning.services import RowSync, save_if_changed


def _period(request, municipality):
    """The chosen budget year and month, and the years there are to choose from.

    ``?ar=Y`` shows year Y; without it (or with a year that has no budget) the
    default of ``budget.overview.default_year``. ``?manad`` defaults to the
    latest month with bookings. Returns (None, None, None) without any budget year.
    """
    budget_years = _budget_years(request.user, municipality)
    if not budget_years:
        return None, None, None
    by_year = {b.year: b for b in budget_years}
    years = sorted(by_year, reverse=True)
    asked = {}  # without ?ar= and ?manad= (the usual GET) nothing to parse
    if "ar" in request.GET or "manad" in request.GET:
        form = YearMonthForm(request.GET, years=years)
        form.is_valid()  # each field on its own: a bad month keeps a good year
        asked = form.cleaned_data
    budget_year = by_year.get(asked.get("ar")) or default_year(budget_years)
    if "ar" in request.GET and "ar" not in asked:
        messages.warning(
            request,
            _("There is no budget for the year %(asked)s: showing %(year)s.")
            % {"asked": request.GET["ar"][:10], "year": budget_year.year},
        )
    month = asked.get("manad") or default_month(budget_year)
    if "manad" in request.GET and "manad" not in asked:
        messages.warning(
            request,
            _("There is no month %(asked)s: showing %(month)s.")
            % {"asked": request.GET["manad"][:10], "month": formatting.month_name(month)},
        )
    return budget_year, month, years


def _budget_years(user, municipality) -> list:
    """The municipality's budget years the user reads, with their municipality (one query;
    compiled once per connection, as every budget page reads them: compiling it cost more
    than its rows)."""
    visible = BudgetYear.objects.visible_to(
        user
    )  # all of them, or none (budget figures are public)
    if visible.query.is_empty():
        return []
    return compiled_rows(
        "budget years",
        lambda municipality: visible.filter(municipality=municipality).select_related(
            "municipality"
        ),
        municipality.pk,
    )


def _month_from(request):
    """The month the user came from (``?manad=``), or None."""
    value = request.GET.get("manad", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= 12 else None


def _query(year, month=None) -> str:
    """ "ar=2026&manad=6": the period a page shows, carried through links and forms."""
    return urlencode({"ar": year, "manad": month} if month else {"ar": year})


def _back(request, name, year, *args):
    """Redirect to a budget page at the year and month the user came from.

    Forms post to their own URL with its query string, so ``?manad=`` arrives
    here; the target is always one of our own pages (no open redirect).
    """
    return redirect(f"{reverse(name, args=args)}?{_query(year, _month_from(request))}")


def _budget_year(request, municipality, year, action="view"):
    """The budget year of a form's URL: 404 if there is none, 403 if the user may not ``action``."""
    return get_for_user_by(
        request,
        BudgetYear.objects.select_related("municipality"),
        action,
        municipality=municipality,
        year=year,
    )


@require_GET
@login_required
def overview(request):
    """/budget/: per nämnd the frame, its changes, outcome to date, forecast and deviation.

    A fixed number of queries (see budget.overview.budget_overview).
    """
    municipality = Municipality.objects.current()
    budget_year, month, years = _period(request, municipality)
    if budget_year is None:
        can_manage = can_change(request.user, BudgetYear(municipality=municipality))
        return render(request, "budget/empty.html", {"can_manage": can_manage})
    approved_only = approved_forecasts_only(request.user)
    ov = budget_overview(budget_year, month, approved_only=approved_only)
    query = _query(budget_year.year, month)
    unit_url = tables.UrlPattern("budget:unit", query=query)
    can_manage = can_change(request.user, budget_year)
    return render(
        request,
        "budget/overview.html",
        {
            "period_form": tables.period_form(years, budget_year.year, month),
            "ov": ov,
            "table": tables.page_table(ov, lambda row: unit_url(row.unit.pk)),
            "budget_year": budget_year,
            "month": month,
            "chart": frame_forecast_chart(ov.rows),
            "changes": tables.changes_html(ov.changes, True, can_manage, budget_year.year),
            "can_manage": can_manage,
            # The council's detaljbudget and forecast links are for those who manage the budget.
            "council": OrgUnit.objects.filter(municipality=municipality, parent=None).first()
            if can_manage
            else None,
            "query": query,
            "shows_pending": _shows_pending(approved_only, municipality, budget_year.year, month),
        },
    )


def _shows_pending(approved_only, municipality, year, month) -> bool:
    """Whether the page shows a forecast whose follow-up is not approved yet (one query,
    none for those who see approved forecasts only): then the page says so, since
    politicians and the reports see the latest approved one instead."""
    if approved_only is True:
        return False
    pending = pending_forecasts(municipality, year)
    return any(
        made <= month and (approved_only is False or unit_id in approved_only)
        for unit_id, made in pending
    )


@require_GET
@login_required
def unit(request, pk):
    """Drill-down: a nämnd, förvaltning or enhet by account group and month.

    Budget figures are public documents: every logged-in user reads every unit's.
    """
    municipality = Municipality.objects.current()
    org_unit = get_for_user(request, OrgUnit.objects.filter(municipality=municipality), pk)
    budget_year, month, years = _period(request, municipality)
    if budget_year is None:
        raise Http404
    approved_only = approved_forecasts_only(request.user)
    detail = unit_detail(budget_year, org_unit, month, approved_only=approved_only)
    can_manage = can_change(request.user, budget_year)
    return render(
        request,
        "budget/unit.html",
        {
            "period_form": tables.period_form(years, budget_year.year, month),
            "detail": detail,
            "groups": tables.group_table(detail),
            "unit": org_unit,
            "budget_year": budget_year,
            "month": month,
            "ancestors": org_unit.get_ancestors(),
            "changes": tables.changes_html(detail.changes, False, can_manage, budget_year.year),
            "can_forecast": can_change(request.user, Forecast(unit=org_unit)),
            "can_manage": can_manage,
            "query": _query(budget_year.year, month),
            "shows_pending": _shows_pending(approved_only, municipality, budget_year.year, month),
        },
    )


# A nämnd or styrelse as the frames page shows it (a GET reads no more of it).
Board = namedtuple("Board", "pk name")


def _boards(municipality):
    """The bodies that get frames, in tree order (a queryset: no query yet)."""
    return (
        OrgUnit.objects.filter(municipality=municipality)
        .governing_bodies()
        .order_by("tree_id", "lft")
    )


@login_required
def frames(request):
    """The ekonomichef sets the frames of a budget year until KF has adopted it."""
    require_budget_manager(request.user)
    municipality = Municipality.objects.current()
    budget_year, month, years = _period(request, municipality)
    if budget_year is None:
        return render(
            request, "budget/frames.html", {"budget_year": None, "can_open_next_year": True}
        )
    if request.method == "POST":
        boards = list(_boards(municipality.pk))  # a frame is cleaned with its unit
    else:
        boards = [
            Board(pk, name)
            for pk, name in compiled_values(
                "frame boards",
                lambda municipality: _boards(municipality).values_list("pk", "name"),
                municipality.pk,
            )
        ]
    frames = compiled_values(
        "frames",
        lambda budget_year: BudgetFrame.objects.filter(budget_year=budget_year).values_list(
            "unit_id", "year", "amount"
        ),
        budget_year.pk,
    )
    form = FrameForm(
        request.POST if request.method == "POST" else None,
        budget_year=budget_year,
        boards=boards,
        frames={(unit_id, year): amount for unit_id, year, amount in frames},
    )
    if request.method == "POST":
        if budget_year.is_adopted:
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                # Only cells that were posted: an empty POST deletes nothing.
                sync = RowSync(
                    BudgetFrame,
                    budget_year.frames.all(),
                    lambda f: (f.unit_id, f.year),
                    user=request.user,
                )
                for board, year, name in form.submitted_cells:
                    amount = form.cleaned_data[name]
                    if amount is None:
                        sync.remove((board.pk, year))
                        continue
                    sync.put(
                        (board.pk, year),
                        {"budget_year": budget_year, "unit": board, "year": year},
                        {"amount": amount},
                    )
                sync.finish()
            messages.success(request, _("The frames were saved."))
            return _back(request, "budget:frames", budget_year.year)
    return render(
        request,
        "budget/frames.html",
        {
            "budget_year": budget_year,
            "form": form,
            "rows": tables.frame_rows(boards, form),
            "period_form": tables.period_form(years, budget_year.year, month),
            "query": _query(budget_year.year, month),
            "can_open_next_year": _latest_year(municipality).is_adopted,
            "can_adopt": not budget_year.is_adopted,
        },
    )


@login_required
def adopt(request, year):
    """Record KF's adoption of the budget: from then on frames change only by decisions."""
    budget_year = _budget_year(request, Municipality.objects.current(), year, "change")
    if budget_year.is_adopted:
        messages.info(request, _("The budget is already adopted."))
        return _back(request, "budget:frames", year)
    form = AdoptBudgetForm(request.POST if request.method == "POST" else None, instance=budget_year)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            budget_year._change_reason = budget_year.decision_reference
            form.save()
        messages.success(request, _("The adoption of the budget was recorded."))
        return _back(request, "budget:overview", year)
    return render(
        request,
        "budget/adopt.html",
        {
            "form": form,
            "budget_year": budget_year,
            "query": _query(year, _month_from(request)),
        },
    )


@login_required
def change_create(request, year):
    """Register a decided omfördelning or tilläggsbudget."""
    municipality = Municipality.objects.current()
    budget_year = _budget_year(request, municipality, year, "change")
    form = BudgetChangeForm(
        request.POST if request.method == "POST" else None, municipality=municipality
    )
    form.instance.budget_year = budget_year
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            change = form.save(commit=False)
            change.created_by = request.user
            change.save()
        messages.success(request, _("The budget change was registered."))
        return _back(request, "budget:overview", year)
    return render(
        request,
        "budget/change_form.html",
        {"form": form, "budget_year": budget_year, "query": _query(year, _month_from(request))},
    )


def _groups_for(unit):
    """The groups a unit budgets and forecasts: the council holds the kommun-level financing."""
    if unit.kind == OrgUnit.Kind.COUNCIL:
        kinds = (AccountGroup.Kind.FINANCING,)
    else:
        kinds = (AccountGroup.Kind.REVENUE, AccountGroup.Kind.COST)
    return list(unit.municipality.account_groups.filter(kind__in=kinds))


def _forecast_month(request, budget_year):
    """The month a forecast is made in: as posted or ?manad=, else the page's default."""
    chosen = request.POST.get("month") if request.method == "POST" else request.GET.get("manad")
    if chosen and chosen.isdigit() and 1 <= int(chosen) <= 12:
        return int(chosen)
    return default_month(budget_year)


@login_required
def forecast(request, unit_pk, year):
    """A unit's helårsprognos per account group; its chef or the ekonomichef writes it.

    The form speaks the pages' language (tkr, intäkter +, kostnader −), starts from
    the last forecast or utfall to date extrapolated, shows budget and utfall to date
    beside each row, and saves what the unit's page then shows in the same row: the
    forecast of the unit with everything below it (units below keep their own
    forecasts; the unit's own row holds the rest).
    """
    municipality = Municipality.objects.current()
    org_unit = get_for_user(request, OrgUnit.objects.filter(municipality=municipality), unit_pk)
    require(request.user, Forecast(unit=org_unit), "change")
    budget_year = _budget_year(request, municipality, year)
    groups = _groups_for(org_unit)
    month = _forecast_month(request, budget_year)
    basis = forecast_basis(budget_year, org_unit, month, groups)
    # Saving the month's forecast again keeps its comment unless it is changed.
    comment = forecast_comment(org_unit, year, month)
    locked = locked_month(municipality, year, month)
    form = ForecastForm(
        request.POST if request.method == "POST" and not locked else None,
        basis=basis,
        initial={"month": month, "comment": comment or ""},
    )
    if request.method == "POST" and locked:
        messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": locked})
    elif request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        with transaction.atomic():
            totals = form.ledger_amounts()
            for row in basis:
                save_if_changed(
                    Forecast,
                    {"unit": org_unit, "year": year, "month": month, "group": row.group},
                    {"amount": totals[row.group.pk] - row.below, "comment": comment},
                    user=request.user,
                )
        messages.success(
            request,
            _("The forecast made in %(month)s was saved.")
            % {"month": formatting.month_name(month)},
        )
        for warning in forecasts_below_outcome(form, form.group_fields):
            messages.warning(request, warning)
        return redirect(f"{reverse('budget:unit', args=[org_unit.pk])}?{_query(year, month)}")
    rows = []
    for row, name in form.group_fields:
        entered = form.table_tkr(name)
        budget_tkr = signs.table_tkr(row.budget)
        rows.append(
            {
                "basis": row,
                "field": form[name],
                "budget_tkr": budget_tkr,
                "deviation_tkr": None if entered is None else entered - budget_tkr,
            }
        )
    has_below = any(b.below for b in basis)
    return render(
        request,
        "budget/forecast_form.html",
        {
            "form": form,
            "rows": rows,
            "unit": org_unit,
            "budget_year": budget_year,
            "month": month,
            "has_forecast": any(b.has_forecast for b in basis),
            "seasonal": any(b.seasonal for b in basis),
            "has_below": has_below,
            # "Of which units below" only beside a part of the unit's own: a nämnd's
            # figures are all its förvaltning's, and the column repeated the field.
            "shows_below": has_below and any(b.own for b in basis),
            "locked": locked,
        },
    )


@login_required
def detail_budget(request, unit_pk, year):
    """The ekonomichef enters a unit's detaljbudget per account group.

    Only the fields that were posted are saved: an empty POST changes nothing,
    and a row is deleted only when its field was posted empty.
    """
    municipality = Municipality.objects.current()
    org_unit = get_for_user(request, OrgUnit.objects.filter(municipality=municipality), unit_pk)
    budget_year = _budget_year(request, municipality, year, "change")
    groups = _groups_for(org_unit)
    existing = {
        d.group_id: d
        for d in DetailBudget.objects.filter(
            budget_year=budget_year, unit=org_unit, month__isnull=True
        )
    }
    form = DetailBudgetForm(
        request.POST if request.method == "POST" else None,
        groups=groups,
        initial_amounts={g: d.amount for g, d in existing.items()},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            sync = RowSync(DetailBudget, existing.values(), lambda d: d.group_id, user=request.user)
            for group, name in form.submitted_group_fields:
                amount = form.ledger_amount(name)
                if amount is None:
                    sync.remove(group.pk)
                    continue
                sync.put(
                    group.pk,
                    {"budget_year": budget_year, "unit": org_unit, "group": group, "month": None},
                    {"amount": amount},
                )
            sync.finish()
        if form.submitted_group_fields:
            messages.success(request, _("The detail budget was saved."))
        else:
            messages.info(request, _("No amounts were sent: nothing was changed."))
        return _back(request, "budget:unit", year, org_unit.pk)
    return render(
        request,
        "budget/detail_budget_form.html",
        {
            "form": form,
            "unit": org_unit,
            "budget_year": budget_year,
            "query": _query(year, _month_from(request)),
        },
    )


@require_GET
@login_required
def export(request, fmt):
    """The overview table as XLSX or CSV (text cells that could be formulas neutralised)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    municipality = Municipality.objects.current()
    budget_year, month, _years = _period(request, municipality)
    if budget_year is None:
        raise Http404
    ov = budget_overview(budget_year, month, approved_only=approved_forecasts_only(request.user))
    if fmt == "xlsx":
        return exports.overview_xlsx(ov)
    return exports.overview_csv(ov)


@require_GET
@login_required
def investments(request):
    """The year's investment projects: readable by every logged-in user."""
    municipality = Municipality.objects.current()
    budget_year, month, years = _period(request, municipality)
    if budget_year is None:
        raise Http404
    visible = InvestmentProject.objects.visible_to(request.user)  # all or none
    projects = []
    if not visible.query.is_empty():
        # Compiled once per connection: compiling it cost as much as its hundred rows.
        projects = compiled_values(
            "investments",
            lambda budget_year: visible.filter(budget_year=budget_year).values_list(
                *tables.INVESTMENT_FIELDS
            ),
            budget_year.pk,
        )
    can_manage = can_change(request.user, budget_year)
    query = _query(budget_year.year, month)
    edit_url = (
        tables.UrlPattern("budget:investment_edit", budget_year.year, query=query)
        if can_manage
        else None
    )
    return render(
        request,
        "budget/investments.html",
        {
            "rows": tables.investment_rows(projects, edit_url),
            "totals": tables.investment_totals(projects) if projects else None,
            "budget_year": budget_year,
            "period_form": tables.period_form(years, budget_year.year, month),
            "month": month,
            "can_manage": can_manage,
            "query": query,
        },
    )


@login_required
def investment_form(request, year, pk=None):
    """The ekonomichef registers or updates an investment project of the budget year."""
    municipality = Municipality.objects.current()
    budget_year = _budget_year(request, municipality, year, "change")
    project = None
    if pk is not None:
        project = get_for_user(
            request, InvestmentProject.objects.filter(budget_year=budget_year), pk, "change"
        )
    form = InvestmentForm(
        request.POST if request.method == "POST" else None,
        instance=project or InvestmentProject(budget_year=budget_year),
        municipality=municipality,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            # Two saves of the same code at once: the constraint caught the second.
            form.add_error("code", _("This project code is already used in this budget year."))
        except EditConflict:
            pass  # someone saved the project since the form was opened: the form says what
        else:
            messages.success(request, _("The investment project was saved."))
            return _back(request, "budget:investments", year)
    return render(
        request,
        "budget/investment_form.html",
        {
            "form": form,
            "budget_year": budget_year,
            "project": project,
            "query": _query(year, _month_from(request)),
        },
    )


@login_required
def change_reverse(request, year, pk):
    """Reverse a decided change by a new decision: a counter-change, never a deletion.

    The ekonomichef records it (as every decision of KF or a nämnd); the change
    and its reversal both stay in the list and in the history.
    """
    municipality = Municipality.objects.current()
    changes = BudgetChange.objects.filter(
        budget_year__municipality=municipality, budget_year__year=year
    ).select_related("budget_year", "from_unit", "to_unit", "decided_by", "reverses")
    change = get_for_user(request, changes, pk, action="decide")
    back = f"{reverse('budget:overview')}?ar={year}"
    if change.is_reversal or BudgetChange.objects.filter(reverses=change).exists():
        messages.info(request, _("This change is already reversed or is itself a reversal."))
        return redirect(back)
    form = ReverseBudgetChangeForm(
        request.POST if request.method == "POST" else None, instance=change.counter_change()
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Lock the change so that two reversals of it cannot both be saved.
            BudgetChange.objects.select_for_update().filter(pk=change.pk).first()
            if BudgetChange.objects.filter(reverses=change).exists():
                messages.info(request, _("This change is already reversed."))
                return redirect(back)
            counter = form.save(commit=False)
            counter.created_by = request.user
            counter.save()
        messages.success(
            request,
            _("%(reference)s was reversed by %(decision)s.")
            % {"reference": change.decision_reference, "decision": counter.decision_reference},
        )
        return redirect(back)
    return render(
        request,
        "budget/change_reverse.html",
        {"form": form, "change": change, "budget_year": change.budget_year},
    )


def _latest_year(municipality):
    """The newest budget year, or None (one query, compiled once per connection)."""
    latest = compiled_rows(
        "latest budget year",
        lambda municipality: BudgetYear.objects.filter(municipality=municipality).order_by("-year")[
            :1
        ],
        municipality.pk,
    )
    return latest[0] if latest else None


@require_POST
@login_required
def year_create(request):
    """Open the next budget year as a draft, its frames taken from the flerårsplan."""
    require_budget_manager(request.user)
    municipality = Municipality.objects.current()
    latest = _latest_year(municipality)
    if latest is not None and not latest.is_adopted:
        # One draft at a time: a second click must not set up the year after it too.
        messages.info(
            request,
            _("Budget %(year)s is still a draft: the next year is set up once it is adopted.")
            % {"year": latest.year},
        )
        return redirect(f"{reverse('budget:frames')}?ar={latest.year}")
    budget_year, copied = open_next_year(municipality, request.user)
    messages.success(
        request,
        ngettext(
            "Budget year %(year)s was set up as a draft with %(count)s frame from the "
            "multi-year plan.",
            "Budget year %(year)s was set up as a draft with %(count)s frames from the "
            "multi-year plan.",
            copied,
        )
        % {"year": budget_year.year, "count": copied},
    )
    return redirect(f"{reverse('budget:frames')}?ar={budget_year.year}")


HISTORY_PAGE_SIZE = 50


@require_GET
@login_required
def history(request):
    """The budget's history for a year: who changed frames, changes, detaljbudget,
    forecasts and the year itself, when, and from what to what; newest first.

    The ekonomichef (and administrators) read it; others may read the budget but
    not its audit trail (403). A fixed number of queries per page.
    """
    require_budget_manager(request.user)
    municipality = Municipality.objects.current()
    years = list(
        BudgetYear.objects.filter(municipality=municipality).values_list("year", flat=True)
    )
    if not years:
        raise Http404
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data["ar"] if form.is_bound and form.is_valid() else max(years)
    if not form.is_bound or not form.is_valid():
        form = YearForm(initial={"ar": year}, years=years)
    paginator = Paginator(budget_history.history_rows(municipality, year), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("sida"))
    return render(
        request,
        "budget/history.html",
        {
            "form": form,
            "year": year,
            "page": page,
            "entries": budget_history.log_entries(list(page.object_list)),
        },
    )
