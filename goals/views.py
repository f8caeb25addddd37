"""Pages of the goal chain: the tree, a goal, its forms, and the särskilda uppdrag."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from goals.forms import (
    AssignmentStatusForm,
    DecisionForm,
    GoalFilterForm,
    GoalForm,
    IndicatorForm,
)
from goals.history import change_log
from goals.models import Assignment, Goal, GoalLevel, Indicator
from goals.tree import filter_goals, tree_rows
from styrning.concurrency import EditConflict
from styrning.models import Municipality, OrgUnit
from styrning.permissions import can_change, can_decide, get_for_user, scope_for


@require_GET
@login_required
def goal_tree(request):
    """/mal/: the whole chain, filterable by nämnd, perspective and year.

    Queries: a constant number whatever the size of the tree (goals, their
    perspectives, indicators with latest values, the filter's choices).
    """
    municipality = Municipality.objects.current()
    levels = {level.order: level for level in municipality.goal_levels.all()}
    goals = list(Goal.objects.visible_to(request.user).filter(municipality=municipality).for_tree())
    years = sorted(
        {
            y
            for g in goals
            for y in range(g.start_year, g.end_year + 1)
            if y >= 2000 and g.end_year - g.start_year < 20
        }
    )
    form = GoalFilterForm(request.GET or None, municipality=municipality, years=years)
    units = perspective = year = None
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        if unit is not None:
            units = set(OrgUnit.objects.in_subtrees([unit]).values_list("pk", flat=True))
        if form.cleaned_data["perspective"] is not None:
            perspective = form.cleaned_data["perspective"].pk
        year = form.cleaned_data["year"]
    filtered = any(v is not None for v in (units, perspective, year))
    matched = None
    if filtered:
        goals, matched = filter_goals(goals, units=units, perspective=perspective, year=year)
    rows = tree_rows(goals, matched)
    for row in rows:
        child_level = levels.get(row.goal.level.order + 1)
        row.child_label = child_level.count_label(row.child_count) if child_level else ""
    visions = [g for g in goals if g.parent_id is None and g.level.order == 1]
    return render(
        request,
        "goals/tree.html",
        {
            "form": form,
            "rows": rows,
            "visions": visions,
            "filtered": filtered,
            "levels": levels.values(),
            "match_count": len(matched) if matched is not None else len(rows),
        },
    )


@require_GET
@login_required
def goal_detail(request, pk):
    """A goal with its indicators, children, assignments and change history."""
    goal = get_for_user(
        request, Goal.objects.select_related("level", "owner", "parent__level", "decided_by"), pk
    )
    indicators = goal.indicators.prefetch_related("measurements")
    children = goal.get_children().visible_to(request.user).select_related("level", "owner")
    next_level = goal.level.municipality.goal_levels.filter(order=goal.level.order + 1).first()
    return render(
        request,
        "goals/detail.html",
        {
            "goal": goal,
            # Only the ancestors the user may read: a draft's title never shows to outsiders.
            "ancestors": goal.get_ancestors().visible_to(request.user).select_related("level"),
            "indicators": [_indicator_table(i) for i in indicators],
            "children": children,
            "next_level": next_level,
            "assignments": goal.assignments.for_list(),
            "history": change_log(goal, user=request.user),
            "can_edit": can_change(request.user, goal),
            "can_decide": not goal.is_adopted and can_decide(request.user, goal),
            "can_add_child": next_level is not None
            and bool(_owner_candidates(request.user, next_level, goal)),
            "takt_missing": goal.takt_missing()
            if goal.level.uses_takt and not goal.is_adopted
            else [],
        },
    )


def _indicator_table(indicator):
    """Rows per period with total, women and men, from prefetched measurements."""
    periods: dict = {}
    for m in indicator.measurements.all():
        key = (m.year, m.month or 0)
        periods.setdefault(key, {"year": m.year, "month": m.month})[m.gender] = m.value
    rows = [periods[k] for k in sorted(periods)]
    latest = next((r for r in reversed(rows) if "T" in r), None)
    return {"indicator": indicator, "rows": rows, "latest": latest}


def _owner_candidates(user, level, parent=None):
    """Units the user may draft for, of a kind the level allows, below the parent's owner.

    One query.
    """
    scope = scope_for(user)
    units = scope.changeable_units() if not scope.is_admin else OrgUnit.objects.all()
    if scope.is_finance and not scope.is_admin:
        units = units | OrgUnit.objects.filter(
            kind__in=(OrgUnit.Kind.COUNCIL, OrgUnit.Kind.EXECUTIVE)
        )
    if parent is not None:
        units = units & OrgUnit.objects.in_subtrees([parent.owner])
    return [
        u
        for u in units.filter(municipality=level.municipality).order_by("tree_id", "lft")
        if level.allows_owner(u)
    ]


@login_required
def goal_create(request, parent_pk):
    """Add a goal one level below ``parent_pk`` for a unit the user may draft for."""
    parent = get_for_user(request, Goal.objects.select_related("level", "municipality"), parent_pk)
    level = GoalLevel.objects.filter(
        municipality=parent.municipality, order=parent.level.order + 1
    ).first()
    if level is None:
        raise Http404(_("The chain has no level below this one."))
    owners = _owner_candidates(request.user, level, parent)
    if not owners:
        raise PermissionDenied
    goal = Goal(
        municipality=parent.municipality,
        level=level,
        parent=parent,
        start_year=parent.start_year,
        end_year=parent.end_year,
    )
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        instance=goal,
        owners=OrgUnit.objects.filter(pk__in=[u.pk for u in owners]),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            goal = form.save()
        messages.success(request, _("Saved as a draft: %(title)s") % {"title": goal.title})
        return redirect(goal)
    return render(
        request,
        "goals/form.html",
        {
            "form": form,
            "goal": goal,
            "parent": parent,
            "level": level,
            "creating": True,
        },
    )


@login_required
def goal_edit(request, pk):
    goal = get_for_user(
        request, Goal.objects.select_related("level", "municipality"), pk, action="change"
    )
    owners = _owner_candidates(request.user, goal.level, goal.parent)
    if goal.owner not in owners:
        owners.append(goal.owner)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        instance=goal,
        owners=OrgUnit.objects.filter(pk__in=[u.pk for u in owners]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if goal.is_adopted:
                    goal._change_reason = _("New decision: %(ref)s") % {
                        "ref": form.cleaned_data["decision_reference"]
                    }
                goal = form.save()
        except EditConflict:
            pass  # the form shows what changed and keeps what was typed
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(goal)
    return render(
        request,
        "goals/form.html",
        {
            "form": form,
            "goal": goal,
            "parent": goal.parent,
            "level": goal.level,
            "creating": False,
        },
    )


@login_required
def goal_decide(request, pk):
    """Record the adoption of a draft by the body its level belongs to."""
    goal = get_for_user(request, Goal.objects.select_related("level", "owner"), pk, action="decide")
    if goal.is_adopted:
        messages.info(request, _("The goal is already adopted."))
        return redirect(goal)
    form = DecisionForm(request.POST if request.method == "POST" else None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                goal._change_reason = _("Adopted: %(ref)s") % {"ref": goal.decision_reference}
                form.save()
        except EditConflict:
            pass
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(goal)
    return render(request, "goals/decide.html", {"form": form, "goal": goal})


@login_required
def indicator_create(request, goal_pk):
    goal = get_for_user(
        request, Goal.objects.select_related("level", "owner"), goal_pk, action="change"
    )
    if not goal.level.has_indicators:
        raise Http404(_("Goals at this level carry no indicators."))
    return _indicator_form(request, Indicator(goal=goal))


@login_required
def indicator_edit(request, pk):
    indicator = get_for_user(
        request, Indicator.objects.select_related("goal__level", "goal__owner"), pk, action="change"
    )
    return _indicator_form(request, indicator)


def _indicator_form(request, indicator):
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if "decision" in form.cleaned_data:
                    indicator._change_reason = _("New decision: %(ref)s") % {
                        "ref": form.cleaned_data["decision"]
                    }
                form.save()
        except EditConflict:
            pass
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect(indicator.goal)
    return render(
        request,
        "goals/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "goal": indicator.goal,
        },
    )


@require_GET
@login_required
def assignment_list(request):
    """Särskilda uppdrag, with their status as words."""
    assignments = Assignment.objects.visible_to(request.user).for_list()
    status = request.GET.get("status")
    if status in Assignment.Status.values:
        assignments = assignments.filter(status=status)
    assignments = _with_readable_goals(request.user, list(assignments))
    return render(
        request,
        "goals/assignment_list.html",
        {
            "assignments": assignments,
            "statuses": Assignment.Status.choices,
            "status": status,
        },
    )


@login_required
def assignment_detail(request, pk):
    assignment = get_for_user(request, Assignment.objects.for_list(), pk)
    _with_readable_goals(request.user, [assignment])
    may_update = can_change(request.user, assignment)
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied
        form = AssignmentStatusForm(request.POST, instance=assignment)
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.save()
            except EditConflict:
                pass
            else:
                messages.success(request, _("The status was saved."))
                return redirect(assignment)
    else:
        form = AssignmentStatusForm(instance=assignment)
    return render(
        request,
        "goals/assignment_detail.html",
        {
            "assignment": assignment,
            "form": form if may_update else None,
            "history": change_log(assignment, user=request.user),
        },
    )


def _with_readable_goals(user, assignments):
    """Set ``readable_goal`` on each assignment: its goal, or None if the user may not read it.

    An assignment may serve a draft goal; its title must not reach someone who may
    not read the draft. One query.
    """
    goal_ids = {a.goal_id for a in assignments if a.goal_id}
    readable = set(
        Goal.objects.visible_to(user).filter(pk__in=goal_ids).values_list("pk", flat=True)
    )
    for a in assignments:
        a.readable_goal = a.goal if a.goal_id in readable else None
    return assignments
