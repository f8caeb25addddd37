"""/uppfoljning/maluppfyllelse/ and /uppfoljning/halvtid/: goal fulfilment for politicians.

Every logged-in user reads them; what they show comes from ``followup.fulfilment``.
Decided results only (approved or locked submissions), unless the ekonomichef or an
administrator asks for the follow-ups in progress too (``?pagaende=1``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from followup import fulfilment, rows
from followup.forms import FulfilmentForm, YearForm
from followup.overview import submission_counts
from goals.models import Goal
from styrning.models import Municipality
from styrning.permissions import get_for_user, may_see_unapproved_fulfilment


def _period_and_form(
    request,
    municipality,
    periods,
    years=None,
    warn=True,
    labels=None,
    only_years=False,
    with_form=True,
):
    """The goal period asked for (the default one without ``?period=``), whether to show
    follow-ups in progress, and the form to choose them.

    A reader of decided results only is not offered a period opened before its months
    have passed (``fulfilment.with_results``). The default is the newest period whose
    submissions are in, among ``years`` (the
    years the page's goals are valid in; those of the overview's level when None, two
    queries). ``warn``: say so when the period asked for does not exist. ``labels``:
    the periods' names in the select (their full labels by default). ``only_years``: a
    period asked for outside ``years`` gives way to the default (/mal/ with a year chosen:
    its filter form still carries the period chosen for the year before). Without
    ``with_form`` the form is None (a page that only needs the period).
    """
    labels = labels or (lambda p: p.label)
    unapproved = may_see_unapproved_fulfilment(request.user)
    if not unapproved:
        periods = fulfilment.with_results(periods)
    asked = FulfilmentForm(request.GET, periods=periods, labels=labels, unapproved=unapproved)
    period, in_progress = None, False
    if asked.is_valid():
        period = {p.pk: p for p in periods}.get(asked.cleaned_data["period"])
        in_progress = bool(asked.cleaned_data.get("pagaende"))
        if only_years and years and period is not None and period.year not in years:
            period = None
    if period is None:
        if years is None:
            years = fulfilment.overview_years(municipality)
        period = fulfilment.default_period(periods, years)
        if warn and "period" in request.GET and period is not None and not only_years:
            messages.warning(
                request,
                _("There is no such follow-up: showing %(period)s.") % {"period": period.label},
            )
    if not with_form:
        return period, not in_progress, None
    form = FulfilmentForm(
        initial={"period": period.pk if period else None, "pagaende": in_progress},
        periods=periods,
        labels=labels,
        unapproved=unapproved,
    )
    return period, not in_progress, form


@require_GET
@login_required
def overview(request):
    """Måluppfyllelse: each goal of the level under the vision with its final assessment,
    the counts below it, how it was reached, and its trend over the earlier periods."""
    municipality = Municipality.objects.current()
    periods = fulfilment.goal_periods(municipality)
    period, decided_only, form = _period_and_form(request, municipality, periods)
    context = fulfilment.fulfilment_page(municipality, period, periods, decided_only)
    context.update(
        form=form,
        period=period,
        decided_only=decided_only,
        query=fulfilment.page_query(period, decided_only),
    )
    context["submitted"] = _submitted(period)
    return render(request, "followup/fulfilment.html", context)


@require_GET
@login_required
def goal(request, pk):
    """One goal's fulfilment with the goals below it and the units' own texts (404 for a
    goal the user may not read)."""
    municipality = Municipality.objects.current()
    goal = get_for_user(
        request, Goal.objects.filter(municipality=municipality).select_related("owner", "level"), pk
    )
    periods = fulfilment.goal_periods(municipality)
    period, decided_only, form = _period_and_form(request, municipality, periods)
    context = {"goal": goal, "form": form, "period": period, "decided_only": decided_only}
    if period is not None:
        visible = Goal.objects.visible_to(request.user)
        context.update(fulfilment.drill_page(goal, visible, municipality, period, decided_only))
        context["next_level"] = municipality.goal_levels.filter(order=goal.level.order + 1).first()
    context["query"] = fulfilment.page_query(period, decided_only)
    context["submitted"] = _submitted(period)
    return render(request, "followup/fulfilment_goal.html", context)


def _submitted(period):
    """How many of the period's follow-ups are approved, of those expected (two queries):
    a page of few approved ones must not look complete."""
    if period is None:
        return None
    return submission_counts([period])[period.pk]


@require_GET
@login_required
def midterm(request):
    """Halvtidsuppföljning: per goal under the vision, the summed assessment of the goals
    directly below it and of the uppdrag serving them, in the year's last goal period."""
    municipality = Municipality.objects.current()
    periods = fulfilment.goal_periods(municipality)
    mandates = fulfilment.mandate_periods(municipality)
    years = fulfilment.midterm_years(periods, mandates)
    year = fulfilment.default_midterm_year(mandates, years)
    asked = YearForm(request.GET, years=years)
    if "ar" in request.GET:
        if asked.is_valid():
            year = asked.cleaned_data["ar"]
        elif year is not None:
            messages.warning(
                request,
                _("There is no follow-up of goals in %(asked)s: showing %(year)s.")
                % {"asked": request.GET["ar"][:10], "year": year},
            )
    period = fulfilment.midterm_period(periods, year)
    # A report to the council: decided results only, whoever reads it.
    context = fulfilment.midterm_page(municipality, period, decided_only=True)
    mandate = next((m for m in mandates if year and m.start_year <= year <= m.end_year), None)
    context.update(
        form=YearForm(initial={"ar": year}, years=years),
        year=year,
        period=period,
        mandate=mandate,
        # With none approved the counts are the indicators' and the uppdrag's own: the
        # page says so (a trial read the årsbokslut opened early as the term's result).
        submitted=_submitted(period),
    )
    if period is not None and context["rows"]:
        # The table's rows and the section per goal written in Python (the template's
        # loops cost more than the page's SQL), with the words the template translates
        # for its summary.
        context["table_rows"] = rows.midterm_table_rows(context["rows"])
        context["sections"] = rows.midterm_sections(
            context["rows"],
            context["child_level"],
            {
                "counts": _("Assessments"),
                "assignments": _("Assignments"),
                "together": _("Together"),
                "how": _("How the assessment was made"),
            },
        )
    return render(request, "followup/midterm.html", context)
