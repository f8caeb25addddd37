"""Pages of the goal chain: the tree, a goal, its forms, and the särskilda uppdrag."""

from html import escape
from urllib.parse import parse_qsl

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Window
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import pgettext as django_pgettext
from django.views.decorators.http import require_GET

from followup.fulfilment_queries import CompiledQuery
from goals import detail_html
from goals.additions import tree_addition
from goals.forms import (
    AssignmentStatusForm,
    DecisionForm,
    GoalFilterForm,
    GoalForm,
    IndicatorForm,
)
from goals.history import change_log
from goals.models import (
    Assignment,
    Goal,
    GoalLevel,
    Indicator,
    Measurement,
    Perspective,
    tree_goals_of,
)
from goals.tree import (
    UrlPattern,
    ancestor_ids,
    chain_up_sql,
    id_list,
    render_nodes,
    top_of_chain,
    tree_rows,
    with_perspective_sql,
)
from styrning.concurrency import EditConflict
from styrning.formatting import number, truncator, year_month
from styrning.models import Municipality, OrgUnit
from styrning.permissions import (
    can_change,
    can_decide,
    get_compiled_for_user,
    get_for_user,
    scope_for,
)
from styrning.request_rows import select_related_rows, values_rows

# A filtered view renders at most this many matches (with the goals above them); a
# broader filter says how many more there are and offers the next ones.
ROW_CAP = 150
# "Open all levels" renders a nämnd's whole part of the chain only up to this many
# matches; above it the page is the ordinary filtered view with a note instead.
ALL_LEVELS_CAP = 2000


def _asked_for(request, addition) -> bool:
    """Did the reader's own query choose what ``addition``'s query keeps?"""
    if addition is None or not addition.query:
        return False
    return all(request.GET.get(key) == value for key, value in parse_qsl(addition.query))


@require_GET
@login_required
def goal_tree(request):
    """/mal/: the chain from the top, opened a level at a time, or filtered in SQL.

    Unfiltered it shows the goals at the top of the chain and the level below them;
    every other level is fetched when opened (``goal_children``, or ``?oppna=<pk>``
    without JavaScript). Filtered by nämnd, perspective and year it shows the first
    ``ROW_CAP`` matches with the goals above them; ``?alla=1`` with a nämnd shows its
    whole part of the chain, every level open, for reading and printing. Without a
    year it shows the goals in force this year or later (``in_force``); with one, those
    valid in it, and the follow-up chosen beside them defaults to that year's.

    Queries: a constant number whatever the size of the chain.
    """
    municipality = Municipality.objects.current()
    levels = _levels(municipality.pk)
    visible = Goal.objects.visible_to(request.user).filter(municipality=municipality)
    years = goal_years(visible)
    this_year = timezone.localdate().year
    form = GoalFilterForm(
        request.GET or None, municipality=municipality, years=years, this_year=this_year
    )
    criteria = form.criteria() if form.is_bound and form.is_valid() else {}
    year = criteria.get("year")
    opened, opened_until = _opened(request, visible) if not criteria else ([], None)
    earlier = opened_until if opened_until is not None and opened_until < this_year else None
    # The follow-up shown beside the goals defaults to the chosen (or opened) year's.
    addition = tree_addition(request, municipality, years, year=year or earlier)
    context = {
        "form": form,
        "addition_form": addition.form if addition else None,
        # "Clear filters" clears the tree's filters, not the other app's choice (the
        # period): the reader's own, not one a year filter chose in its place (a trial
        # cleared a 2025 filter and read this year's goals under "Bokslut 2025").
        "clear_query": f"?{addition.query}" if _asked_for(request, addition) else "",
        "filtered": bool(criteria),
        "levels": levels.values(),
        # What the filter chose, named in the result line (and so on a printout).
        "filter_label": ", ".join(
            str(criteria[key]) for key in ("unit", "perspective", "year") if key in criteria
        ),
    }
    unit = criteria.get("unit")
    if criteria:
        asked_all = unit is not None and request.GET.get("alla") == "1"
        cap = ALL_LEVELS_CAP if asked_all else _cap(request)
        matches = matching_goals(visible, **criteria)
        # What the rows count below them: the goals of the same years as the matches.
        scope = valid_in(visible, year) if year else in_force(visible, this_year)
        if year is None:
            matches = in_force(matches, this_year)
            context["from_year"] = this_year
        # One query gives the first matches and (as a window) how many there are.
        found = list(
            matches.order_by("tree_id", "lft")
            .annotate(total=Window(Count("pk")))
            .values_list("pk", "total")[: cap + 1]
        )
        total = found[0][1] if found else 0
        show_all = asked_all and total <= ALL_LEVELS_CAP
        if asked_all and not show_all:
            context["too_many_for_all"] = total
            cap = _cap(request)
            found = found[: cap + 1]
        elif show_all:
            cap = None
        matched = {pk for pk, _total in found[:cap]}
        # The chain above the matches, as ids first: the rows' query then plans for the
        # few rows it fetches, not for a recursive query's guess.
        shown = Goal.objects.filter(pk__in=chain_up_sql(matched)).values_list("pk", flat=True)
        goals = visible.filter(pk__in=id_list(shown)).tree_goals(readable=scope)
        context.update(
            match_count=total,
            shown_count=len(matched),
            more_url=_more_url(request, cap) if cap and total > cap else "",
            # A nämnd's filtered view that is not cut off already has every level open;
            # one that is cut off offers all its goals on one page (for printing).
            show_all=show_all
            or bool(unit and "too_many_for_all" not in context and total <= (cap or 0)),
            all_levels_url=_query(request, alla="1")
            if unit and not asked_all and cap < total <= ALL_LEVELS_CAP
            else "",
        )
        nodes = tree_rows(goals, matched, levels, **_with_addition(addition, goals))
        if cap and cap > ROW_CAP:
            # "Show more" lands on the first row it added (rows are counted in match order).
            _mark_first(nodes, {pk for pk, _total in found[cap - ROW_CAP : cap]}, cap - ROW_CAP)
    else:
        if earlier is not None:
            # A goal of an earlier year opened (its page's "show in the chain"): the
            # chain of its year, not this year's copies beside it; the filter shows that
            # year, so that "Filtrera" goes on in it (the form is only rendered now).
            scope = valid_in(visible, earlier)
            context["in_year"] = earlier
            form.data = form.data.copy()
            form.data["year"] = str(earlier)
        else:
            scope = in_force(visible, this_year)
            context["from_year"] = this_year
        goals = scope.filter(pk__in=top_of_chain(municipality, opened)).tree_goals(readable=scope)
        nodes = tree_rows(goals, None, levels, **_with_addition(addition, goals))
    context.update(
        nodes=render_nodes(nodes) if nodes else "",
        # The top of the chain is shown once, above the tree with its follow-up line; its
        # row in the tree is hidden (CSS) and the tree reads from its toggle down.
        visions=[
            (row.goal, mark_safe(row.extra or ""))  # noqa: S308 — built escaped by the addition
            for row, _children in nodes
            if row.goal.level_order == 1
        ],
    )
    return render(request, "goals/tree.html", context)


def _levels(municipality_id):
    """The municipality's goal levels by their order (one query; by order alone, as the
    models' ordering by municipality would join it for its name)."""
    levels = select_related_rows(_levels_of, municipality_id)  # compiled once a process
    return {level.order: level for level in levels}


def _levels_of(municipality_id):
    return GoalLevel.objects.filter(municipality_id=municipality_id).order_by("order")


def _with_addition(addition, goals):
    """``tree_rows``' keywords for what another app shows beside the rows: the query its
    links keep and a line per goal (the addition's queries, a fixed number)."""
    if addition is None:
        return {}
    return {"query": addition.query, "extras": addition.lines(goals) if goals else {}}


def in_force(goals, year):
    """The goals still in force in ``year`` or later: what the unfiltered chain shows.

    Nämndmål are set year by year under inriktningsmål that last a mandate: without this
    an inriktningsmål in its fourth year lists four years' nämndmål, often with the same
    titles. Earlier years' goals are one filter away (the year), and an ended goal (reached
    that way) still lists everything below it (``goal_children``, ``_above_and_below``).
    """
    return goals.filter(end_year__gte=year)


def valid_in(goals, year):
    """The goals valid in ``year`` (a year chosen in /mal/'s filter)."""
    return goals.filter(start_year__lte=year, end_year__gte=year)


def goal_years(goals):
    """The years the filter offers: those the goals are valid in (one query, in SQL).

    Long horizons (a vision to 2038) add no years of their own beyond twenty.
    """
    pairs = goals.order_by().values_list("start_year", "end_year").distinct()
    return sorted(
        {y for start, end in pairs if end - start < 20 for y in range(start, end + 1) if y >= 2000}
    )


def matching_goals(visible, unit=None, perspective=None, year=None):
    """The goals a filter matches, as a queryset (no query until evaluated).

    A nämnd matches the goals its units own; a year those valid in it; a perspective
    the goals that have it: their own perspectives or, for a goal with none of its
    own, those of the nearest goal above it that has some (``with_perspective_sql``).
    """
    condition = Q()
    if unit is not None:
        condition &= Q(owner__in=OrgUnit.objects.in_subtrees([unit]))
    if year is not None:
        condition &= Q(start_year__lte=year, end_year__gte=year)  # as ``valid_in``
    if perspective is not None:
        condition &= Q(pk__in=with_perspective_sql(perspective))
    return visible.filter(condition)


def _cap(request):
    try:
        asked = int(request.GET.get("visa", ROW_CAP))
    except ValueError:
        asked = ROW_CAP
    return min(max(asked, ROW_CAP), 20 * ROW_CAP)


def _query(request, **changes):
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


def _more_url(request, cap):
    """The next matches, landing on the first of them (``_mark_first``)."""
    return _query(request, visa=str(cap + ROW_CAP)) + f"#rad-{cap + 1}"


def _mark_first(nodes, added, before):
    """Give the first rendered row of ``added`` the id "rad-<before + 1>". No queries."""
    stack = list(reversed(nodes))
    while stack:
        row, children = stack.pop()
        if row.goal.pk in added:
            row.anchor = f"rad-{before + 1}"
            return
        stack.extend(reversed(children))


def _opened(request, visible):
    """``?oppna=<pk>``: that goal and those above it, whose children the page shows open,
    and the last year the goal is in force.

    Returns (ids, end year) (two queries when given, none otherwise; ``([], None)``).
    """
    try:
        pk = int(request.GET.get("oppna", ""))
    except ValueError:
        return [], None
    goal = visible.filter(pk=pk).first()
    if goal is None:
        return [], None
    return [*ancestor_ids(goal), goal.pk], goal.end_year


def _goal_with_level():
    return Goal.objects.select_related("municipality", "level")


def _goal_for_page():
    return Goal.objects.select_related("level", "owner", "decided_by")


@require_GET
@login_required
def goal_children(request, pk):
    """The goals directly below one: an HTML fragment for /mal/'s script to insert.

    Fetched by tree.js (``X-Requested-With: fetch``) it is the list alone; followed as
    a link (no JavaScript) it is a page of its own, with the chain above. 404 for a
    goal the user may not read. Queries: a constant number.
    """
    goal = get_compiled_for_user(request, Goal, _goal_with_level, pk)
    levels = _levels(goal.municipality_id)
    year = timezone.localdate().year
    in_force_year = year if goal.end_year >= year else None
    children = tree_goals_of(
        _readable_rows(request.user, "goals below", _below, goal.pk, in_force_year)
    )
    addition = tree_addition(request, goal.municipality, with_form=False)
    nodes = tree_rows(children, None, levels, **_with_addition(addition, children))
    context = {"nodes": render_nodes(nodes), "goal": goal}
    if request.headers.get("X-Requested-With") == "fetch":
        response = render(request, "goals/_tree_children.html", context)
    else:
        if not nodes:
            context["nodes"] = ""
        context["ancestors"] = _ancestors(request.user, goal, in_force_year)
        context["next_level"] = levels.get(goal.level.order + 1)
        response = render(request, "goals/children.html", context)
    patch_vary_headers(response, ["X-Requested-With"])
    return response


def _readable_rows(user, name, rows_of, goal_id, year):
    """``rows_of(visible, goal_id)``, a ``values_list`` of the goals ``user`` may read
    (``visible``; those in force in ``year`` unless None), its SQL compiled once a process
    per ``name`` and reader's visibility (``values_rows``): building and compiling it
    through the ORM cost more Python than its rows. One query."""
    key = (name, year is not None, Goal.objects.visibility_key(user))
    if year is None:
        return values_rows(
            lambda goal_id: rows_of(Goal.objects.visible_to(user), goal_id), goal_id, key=key
        )
    return values_rows(
        lambda goal_id, year: rows_of(in_force(Goal.objects.visible_to(user), year), goal_id),
        goal_id,
        year,
        key=key,
    )


def _below(visible, goal_id):
    return visible.filter(parent=goal_id).tree_goal_rows(readable=visible)


def _above(visible, goal_id):
    return (
        visible.filter(pk__in=chain_up_sql([goal_id]))
        .exclude(pk=goal_id)
        .order_by("level__order")
        .values_list("pk", "level__name", "title")
    )


def _ancestors(user, goal, year):
    """The goals above ``goal`` that ``user`` may read (those in force in ``year`` unless
    None), from the top: ``{url, level, title}`` (one query).

    Found by ``parent`` across the stored trees; each is one level above the next. A
    draft's title never shows to those who may not read it.
    """
    url = UrlPattern("goals:detail")
    rows = _readable_rows(user, "goals above", _above, goal.pk, year)
    return [{"url": url(pk), "level": level, "title": title} for pk, level, title in rows]


# The goal page's lists of fixed shape, compiled once a process (the ORM's building and
# compiling cost more Python than the queries): the same statements as
# ``goal.perspectives``, ``goal.indicators`` and ``goal.assignments`` give.
# Unique per municipality and order; by pk, as the models' ordering joins the municipality.
_NEXT_LEVEL = CompiledQuery(
    lambda municipality_id, order: GoalLevel.objects.filter(
        municipality_id=municipality_id, order=order
    ).order_by("pk")[:1]
)
_PERSPECTIVES = CompiledQuery(
    lambda goal_id: Perspective.objects.filter(goals__id=goal_id).values_list("name")
)
_INDICATORS = CompiledQuery(
    lambda goal_id: Indicator.objects.filter(goal=goal_id).order_by("order", "name")
)
_MEASUREMENTS = CompiledQuery(
    lambda indicator_ids: (
        Measurement.objects.filter(indicator_id__in=indicator_ids)
        .order_by()
        .values_list("indicator_id", "year", "month", "gender", "value")
    ),
    in_list=0,
)
_ASSIGNMENTS = CompiledQuery(
    lambda goal_id: Assignment.objects.filter(goal=goal_id).values_list(
        "pk", "title", "unit__name", "due_date", "status"
    )
)


@require_GET
@login_required
def goal_detail(request, pk):
    """A goal with its indicators, children, assignments and change history.

    The lists hold the values they show, not model instances.
    """
    goal = get_compiled_for_user(request, Goal, _goal_for_page, pk)
    ancestors, children = _above_and_below(request.user, goal)
    # Below a goal in force, those of earlier years apart (as /mal/ leaves them out).
    year = timezone.localdate().year
    earlier = [c for c in children if c["end_year"] < year] if goal.end_year >= year else []
    children = [c for c in children if c not in earlier]
    next_level = next(iter(_NEXT_LEVEL(goal.level.municipality_id, goal.level.order + 1)), None)
    can_edit = can_change(request.user, goal)
    # The lists written in Python (goals/detail_html.py).
    return render(
        request,
        "goals/detail.html",
        {
            "goal": goal,
            "ancestor_items": detail_html.ancestor_items(ancestors),
            "perspectives": [name for (name,) in _PERSPECTIVES(goal.pk)],
            "indicator_sections": detail_html.indicator_sections(_indicator_tables(goal), can_edit),
            "children": children,
            "child_items": detail_html.child_items(children),
            "earlier_children": earlier,
            "earlier_items": detail_html.child_items(earlier, earlier=True),
            "next_level": next_level,
            "assignments": _goal_assignments(goal),
            "history": change_log(goal, user=request.user),
            "can_edit": can_edit,
            "can_decide": not goal.is_adopted and can_decide(request.user, goal),
            "can_add_child": next_level is not None
            and bool(_owner_candidates(request.user, next_level, goal)),
            "takt_missing": goal.takt_missing()
            if goal.level.uses_takt and not goal.is_adopted
            else [],
        },
    )


def _above_and_below_rows(visible, goal_id):
    up = chain_up_sql([goal_id])
    table = Goal._meta.db_table
    both = RawSQL(
        f"{up.sql} UNION SELECT id FROM {table} WHERE parent_id = %s", (*up.params, goal_id)
    )
    return (
        visible.filter(pk__in=both)
        .exclude(pk=goal_id)
        .order_by("level__order", "tree_id", "lft")
        .values_list("pk", "parent_id", "level__name", "title", "owner__name", "status", "end_year")
    )


def _above_and_below(user, goal):
    """The readable goals above ``goal`` (as ``_ancestors`` gives them) and directly
    below it (``{url, title, owner, is_adopted, end_year}``, in the tree's order). One
    query."""
    url = UrlPattern("goals:detail")
    rows = _readable_rows(user, "goals above and below", _above_and_below_rows, goal.pk, None)
    ancestors, children = [], []
    for pk, parent_id, level, title, owner, status, end_year in rows:
        if parent_id == goal.pk:
            adopted = status == Goal.Status.ADOPTED
            children.append(
                {
                    "url": url(pk),
                    "title": title,
                    "owner": owner,
                    "is_adopted": adopted,
                    "end_year": end_year,
                }
            )
        else:
            ancestors.append({"url": url(pk), "level": level, "title": title})
    return ancestors, children


def _indicator_tables(goal):
    """Each indicator with its table's rows (period, total, women, men) and its latest total.

    Two queries (one without indicators): the measurements as values, in no order
    (the rows are sorted here; the models' ordering would join the goal).
    """
    indicators = _INDICATORS(goal.pk)
    if not indicators:
        return []
    measured: dict = {indicator.pk: [] for indicator in indicators}
    for indicator_id, *values in _MEASUREMENTS(list(measured)):
        measured[indicator_id].append(values)
    return [_indicator_table(i, measured[i.pk]) for i in indicators]


def _indicator_table(indicator, measurements):
    """The table of one indicator from (year, month, gender, value): its rows as HTML
    and the latest period with a total (``{"year", "month", "T", "K", "M"}``)."""
    periods: dict = {}
    for year, month, gender, value in measurements:
        key = (year, month or 0)
        periods.setdefault(key, {"year": year, "month": month})[gender] = value
    rows = [periods[k] for k in sorted(periods)]
    latest = next((r for r in reversed(rows) if "T" in r), None)
    return {
        "indicator": indicator,
        "rows": _measurement_rows(rows, indicator.gender_split),
        "latest": latest,
    }


def _measurement_rows(rows, gender_split):
    """The rows of an indicator's table: period, total and, split by gender, women and
    men ("–" where none was measured). Written here rather than in a template loop;
    tests/goals/test_goal_page.py holds the markup."""
    genders = ("T", "K", "M") if gender_split else ("T",)
    language = get_language()  # once, not once a figure
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{year_month(row["year"], row["month"])}</th>'
            + "".join(
                f'<td class="num">{number(row.get(g), language=language)}</td>' for g in genders
            )
            + "</tr>"
            for row in rows
        )
    )


def _goal_assignments(goal):
    """The goal's assignments as the page lists them (one query)."""
    url = UrlPattern("goals:assignment")
    labels = dict(Assignment.Status.choices)
    today = timezone.localdate()
    return [
        {
            "url": url(pk),
            "title": title,
            "unit": unit,
            "due_date": due,
            "status": status,
            "status_label": labels.get(status, status),
            "is_overdue": Assignment.overdue(status, due, today),
        }
        for pk, title, unit, due, status in _ASSIGNMENTS(goal.pk)
    ]


def _owner_candidates(user, level, parent=None):
    """Units the user may draft for, of a kind the level allows, below the parent's owner.

    One query.
    """
    scope = scope_for(user)
    if not (scope.is_admin or scope.is_finance or scope.manage_roots or scope.draft_boards):
        return []  # drafts for no unit (a politician): the querysets below would be empty
    units = scope.changeable_units() if not scope.is_admin else OrgUnit.objects.all()
    if scope.is_finance and not scope.is_admin:
        units = units | OrgUnit.objects.filter(
            kind__in=(OrgUnit.Kind.COUNCIL, OrgUnit.Kind.EXECUTIVE)
        )
    if parent is not None:
        units = units & OrgUnit.objects.in_subtrees([parent.owner])
    return [
        u
        for u in units.filter(municipality_id=level.municipality_id).order_by("tree_id", "lft")
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
    """Särskilda uppdrag, with their status as words. Two queries (and the login's)."""
    status = request.GET.get("status")
    if status not in Assignment.Status.values:
        status = None
    return render(
        request,
        "goals/assignment_list.html",
        {
            "rows": assignment_rows(request.user, status),
            "statuses": Assignment.Status.choices,
            "status": status,
        },
    )


ASSIGNMENT_FIELDS = (
    "pk",
    "title",
    "given_by__name",
    "decision_reference",
    "unit__name",
    "due_date",
    "status",
    "goal_id",
    "goal__title",
    "goal__level__name",
)


def assignment_rows(user, status=None):
    """The assignment list's table rows as HTML, from the columns they show (two queries);
    with ``status``, only the assignments with that status. ``user`` is logged in.

    Rendered in Python rather than a template loop (the list holds every assignment of
    the municipality); tests/goals/test_assignments.py holds the markup. A goal the
    user may not read (a draft) is not named. The unfiltered list's query is compiled
    once a process (``values_rows``): every logged-in user reads the same assignments.
    """
    visible = Assignment.objects.visible_to(user)
    if status is None:
        rows = values_rows(lambda: visible.values_list(*ASSIGNMENT_FIELDS), key="assignments")
    else:
        rows = list(visible.filter(status=status).values_list(*ASSIGNMENT_FIELDS))
    goal_ids = {row[7] for row in rows if row[7]}
    readable = (
        set(
            Goal.objects.visible_to(user)
            .filter(pk__in=id_list(goal_ids))
            .values_list("pk", flat=True)
        )
        if goal_ids
        else set()
    )
    url = UrlPattern("goals:assignment")
    labels = {value: escape(capfirst(label)) for value, label in Assignment.Status.choices}
    overdue_word = _("Overdue")  # outside the f-string, where makemessages finds it
    overdue = f'<br><span class="status status--warning">{escape(overdue_word)}</span>'
    # truncatechars:60, its ending looked up once rather than twice a row. Django's message,
    # which Django's catalog translates: the alias keeps makemessages from copying it here.
    shorten = truncator(
        60, django_pgettext("String to return when truncating text", "%(truncated_text)s…")
    )
    closed = (Assignment.Status.DONE, Assignment.Status.CANCELLED)
    today = timezone.localdate()
    # What repeats down the list is written once: the givers', units' and levels' names,
    # each goal's line and each status's badge.
    names: dict[str, str] = {}
    goals: dict[int, str] = {}
    badges = {
        status: f'<span class="status status--{escape(status)}">{labels.get(status, "")}</span>'
        for status in {row[6] for row in rows}
    }
    out = []
    for pk, title, giver, reference, unit, due, status, goal_id, goal_title, level in rows:
        if goal_id not in goals:
            if goal_id in readable:
                if level not in names:
                    names[level] = escape(level)
                goals[goal_id] = (
                    f'<br><span class="muted">{names[level]}: {escape(shorten(goal_title))}</span>'
                )
            else:
                goals[goal_id] = ""
        if giver not in names:
            names[giver] = escape(giver)
        if unit not in names:
            names[unit] = escape(unit)
        late = overdue if status not in closed and due < today else ""
        out.append(
            f'\n  <tr><td><a href="{url(pk)}">{escape(title)}</a>{goals[goal_id]}</td>'
            f'<td>{names[giver]}<br><span class="muted">'
            f"{escape(reference)}</span></td><td>{names[unit]}</td>"
            f"<td>{due.isoformat()}{late}</td><td>{badges[status]}"
            "</td></tr>\n  "
        )
    return mark_safe("".join(out))


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
