"""/uppfoljning/bedomning/<goal>/: how a goal's assessment was made, and its owner's override.

The view parses and redirects; ``followup.rollup_page`` gathers the page and
``followup.rollup`` saves the override. Access through ``styrning.permissions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from followup import fulfilment, rollup, rows
from followup.forms import RollupOverrideForm
from followup.rollup_page import assessment_page, page_url
from goals.models import Goal
from styrning.permissions import (
    get_compiled_for_user,
    may_override_rollup,
    may_read_followup_in_progress,
)


def _period(request, goal, periods):
    """The period of ``?period=`` (404 if it is not one of the goal's municipality's goal
    periods), else the latest goal period that has opened in the goal's years (else the
    latest; None if none has)."""
    asked = request.GET.get("period")
    if not asked:
        # The latest within the goal's years: a goal of an earlier year opens on its own
        # year's follow-up, not on one it was never assessed in (a trial's dead end).
        within = [p for p in periods if goal.start_year <= p.year <= goal.end_year]
        return (within or periods or [None])[0]
    for period in periods:
        if str(period.pk) == asked:
            return period
    raise Http404


def _adopted_goal():
    return Goal.objects.filter(status=Goal.Status.ADOPTED).select_related(
        "owner", "level", "municipality"
    )


@require_http_methods(["GET", "POST"])
@login_required
def assessment(request, goal_pk):
    """Hur bedömningen gjordes: the goal's suggested assessment and how it was reached,
    the goals below with their units' own texts, its indicators; the override form for
    the goal's owner. Drafts' assessments only for those who may read follow-ups in
    progress of the goal's unit; everyone else sees the approved ones."""
    goal = get_compiled_for_user(request, Goal, _adopted_goal, goal_pk)
    periods = fulfilment.goal_periods(goal.municipality)  # its SQL compiled once a process
    period = _period(request, goal, periods)
    can_override = may_override_rollup(request.user, goal, period)
    form = RollupOverrideForm()
    if request.method == "POST":
        if not can_override:
            raise PermissionDenied
        if request.POST.get("action") == "clear":
            try:
                if rollup.clear_override(goal, period, request.user):
                    messages.success(request, _("The assessment follows the roll-up again."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect(page_url(goal.pk, period))
        form = RollupOverrideForm(request.POST)
        if form.is_valid():
            try:
                rollup.set_override(
                    goal,
                    period,
                    form.cleaned_data["assessment"],
                    form.cleaned_data["reason"],
                    request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The goal's assessment has been saved."))
            return redirect(page_url(goal.pk, period))
    decided_only = not may_read_followup_in_progress(request.user, goal.owner)
    context = assessment_page(goal, period, decided_only)
    override = context.get("override")
    if override is not None and request.method == "GET":
        form = RollupOverrideForm(
            initial={"assessment": override.status, "reason": override.reason}
        )
    context.update(periods=periods, can_override=can_override, form=form)
    # The period choice and the counts written in Python (rollup.html's loops).
    context["period_options"] = rows.rollup_period_options(periods, period)
    if "counts" in context:
        context["count_rows"] = rows.rollup_count_rows(context["counts"])
    return render(request, "followup/rollup.html", context)
