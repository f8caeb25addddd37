""" "Hur bedömningen gjordes": one goal's roll-up in one period, as the page shows it.

The view asks the permission path who may see drafts and who may override; this module
only gathers what the page shows (a fixed number of queries, see ``assessment_page``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from followup import finals, rollup
from followup.choices import GOAL_CONTENTS, ReportContent
from followup.fulfilment_queries import CompiledQuery
from followup.history import _action, _who
from followup.models import Assessment, ReportingPeriod, RollupOverride, Submission
from followup.rows import rollup_indicator_rows
from goals.models import Assignment, Goal, GoalLevel
from goals.tree import UrlPattern
from styrning.history import Change, LogEntry, display_value, history_model
from styrning.request_rows import select_related_rows


def goal_periods(municipality):
    """The periods whose submissions assess goals (delår, årsbokslut) and that have opened,
    newest first (no query until evaluated)."""
    return (
        ReportingPeriod.objects.filter(municipality=municipality, content__in=GOAL_CONTENTS)
        .exclude(state=ReportingPeriod.State.PLANNED)
        .order_by("-year", "-month")
    )


# The goal's uppdrag as the period knew them, approved reports only and all: compiled once
# a process.
_ASSIGNMENTS = {
    decided: CompiledQuery(
        lambda goal_id, period_id, period_end, end, decided=decided: (
            rollup.assignments_at(
                Assignment.objects.filter(goal=goal_id), period_id, period_end, end, decided
            )
            .order_by("due_date", "title", "pk")
            .values_list("pk", "title", "period_status", "period_comment")
        )
    )
    for decided in (True, False)
}


def _assignments(goal, period, decided_only) -> list[dict]:
    """The uppdrag linked to ``goal`` as ``period`` knew them (``rollup.assignments_in_period``,
    the rule the counts follow): title, link, status label and comment, by due date."""
    labels = dict(Assignment.Status.choices)
    url = UrlPattern("goals:assignment")
    rows = _ASSIGNMENTS[decided_only](
        goal.pk, period.pk, period.period_end, rollup.period_end_time(period)
    )
    return [
        {"url": url(pk), "title": title, "status": labels.get(status, status), "comment": comment}
        for pk, title, status, comment in rows
    ]


def page_url(goal_pk, period) -> str:
    url = reverse("followup:rollup", args=[goal_pk])
    return f"{url}?period={period.pk}" if period is not None else url


@dataclass
class ChildRow:
    pk: int
    title: str
    level: str
    owner: str
    status: str
    source: str
    analysis: str
    reported_by: str
    in_progress: bool
    url: str
    goal_url: str
    prognosis: str = ""  # its rolled-up prognosis for the year-end (delår), else ""


def _sources() -> dict[str, str]:
    """Where an assessment came from, in words (looked up once a page, not once a row)."""
    return {
        "override": _("changed by the goal's owner"),
        "own": _("own assessment"),
        "below": _("suggested from below"),
    }


def _source(goal_rollup, words) -> str:
    if goal_rollup.override:
        return words["override"]
    if goal_rollup.own:
        return words["own"]
    return words["below"]


def _analysis_query(goal_ids, period_id, decided_only: bool):
    rows = Assessment.objects.filter(submission__period=period_id, goal_id__in=goal_ids)
    if decided_only:
        rows = rows.filter(submission__state__in=Submission.DECIDED_STATES)
    return rows.order_by("submission__pk").values_list(
        "goal_id", "analysis", "submission__unit__name", "submission__state"
    )


# Decided submissions only, and all of them: compiled once a process.
_ANALYSES = {
    decided: CompiledQuery(
        lambda goal_ids, period_id, decided=decided: _analysis_query(goal_ids, period_id, decided),
        in_list=0,
    )
    for decided in (True, False)
}


def _analyses(period, goal_ids, decided_only):
    """goal pk → (analysis, unit name, in progress) of its assessment in the period (one
    query); a decided submission's wins over one in progress."""
    found = {}
    for goal_id, analysis, unit, state in _ANALYSES[bool(decided_only)](list(goal_ids), period.pk):
        in_progress = state not in Submission.DECIDED_STATES
        if goal_id in found and in_progress and not found[goal_id][2]:
            continue
        found[goal_id] = (analysis, unit, in_progress)
    return found


def _override_history(goal_id, period_id):
    """The override's history records in the period with their users (``override_log``,
    its SQL compiled once a process by ``select_related_rows``)."""
    return (
        history_model(RollupOverride)
        .objects.filter(goal_id=goal_id, period_id=period_id)
        .select_related("history_user")
        .order_by("history_id")
    )


def _override(goal_id, period_id):
    """``RollupOverride.objects.for_page``'s query (compiled once a process)."""
    return (
        RollupOverride.objects.select_related("set_by")
        .filter(goal=goal_id, period=period_id)
        .order_by("pk")[:1]
    )


def override_for_page(goal, period):
    """``RollupOverride.objects.for_page(goal, period)``: the goal's override in the
    period with the user who set it, or None (the same query, on a plain cursor)."""
    found = select_related_rows(_override, goal.pk, period.pk)
    override = found[0] if found else None
    if override is not None:
        override.goal, override.period = goal, period
    return override


def override_log(goal, period) -> list[LogEntry]:
    """The changes of the goal's override in the period, newest first (one query)."""
    entries = []
    previous = None
    records = select_related_rows(_override_history, goal.pk, period.pk)
    for record in records:
        changes = []
        if previous is not None and previous.id == record.id:
            for change in record.diff_against(previous).changes:
                if change.field not in ("status", "reason"):
                    continue
                changes.append(
                    Change(
                        str(RollupOverride._meta.get_field(change.field).verbose_name).capitalize(),
                        display_value(RollupOverride, change.field, change.old),
                        display_value(RollupOverride, change.field, change.new),
                    )
                )
        previous = record
        entries.append(
            LogEntry(
                when=record.history_date,
                who=_who(record),
                subject=_("Changed roll-up assessment"),
                action=_action(record),
                reason=record.history_change_reason or "",
                changes=changes
                or [
                    Change(
                        _("Assessment"),
                        "",
                        display_value(RollupOverride, "status", record.status),
                    )
                ],
            )
        )
    entries.reverse()
    return entries


def set_by_text(override) -> str:
    """Who set an override; the user may since have been removed."""
    user = override.set_by
    if user is None:
        return _("a removed user")
    return user.get_full_name() or user.username


# The name of the level below a goal's: its SQL compiled once a process (as
# ``.values_list("name_plural", flat=True).first()`` writes it).
_level_below = CompiledQuery(
    lambda municipality_id, order: (
        GoalLevel.objects.filter(municipality=municipality_id, order=order)
        .order_by("pk")
        .values_list("name_plural")[:1]
    )
)


_CHILDREN = CompiledQuery(
    lambda goal_ids: (
        Goal.objects.filter(pk__in=goal_ids)
        .order_by("owner__tree_id", "owner__lft", "tree_id", "lft")
        .values_list("pk", "title", "level__name", "owner__name")
    ),
    in_list=0,
)


def assessment_page(goal, period, decided_only: bool) -> dict:
    """Everything the page shows of ``goal`` in ``period`` (period may be None: nothing
    has opened yet). The roll-up, then the children, their analyses, the level below,
    the override and its log: a fixed number of queries (at delår, the roll-up of the
    prognoses for the year-end too)."""
    context = {"goal": goal, "period": period, "decided_only": decided_only}
    if period is None:
        return context
    # The goal's roll-up and its children's, kept between requests (followup.finals).
    stamp = finals.fingerprint()
    result = finals.kept_rollups(
        goal.municipality, period, [goal.pk], decided_only=decided_only, children=True, stamp=stamp
    )
    mine = result.get(goal.pk)
    context["rollup"] = mine
    if mine is None:
        return context
    # Unique per municipality and order; by pk, as the models' ordering joins the municipality.
    below = next(iter(_level_below(goal.municipality_id, goal.level.order + 1)), ("",))[0] or ""
    context["level_below"] = below
    context["rule_text"] = rollup.rule_text(
        rollup.rules_for(goal.municipality)[goal.level_id], below
    )
    prognoses = {}
    if period.content == ReportContent.GOALS_PROGNOSIS:
        prognoses = finals.kept_rollups(
            goal.municipality,
            period,
            [goal.pk],
            decided_only=decided_only,
            children=True,
            prognosis=True,
            stamp=stamp,
        )
        context["prognosis"] = prognoses.get(goal.pk)
    context["counts"] = [
        {"status": status, "n": mine.counts.get(status, 0)} for status in rollup.STATUS_ORDER
    ]
    # The indicators' rows written in Python (the template's loop cost a fifth of the page).
    context["indicator_rows"] = rollup_indicator_rows(mine.indicators)
    context["assignment_counts"] = [
        {"label": label, "n": mine.assignment_counts[value]}
        for value, label in Assignment.Status.choices
        if mine.assignment_counts.get(value)
    ]
    # The uppdrag themselves, named, with the status and comment the period knew: a
    # count alone left the reader asking which. One query, also for a goal without any
    # (the page's queries do not depend on its data).
    context["assignments"] = _assignments(goal, period, decided_only)
    analyses = _analyses(period, [goal.pk, *mine.child_ids], decided_only)
    own = analyses.get(goal.pk)
    context["own_analysis"] = own[0] if own else ""
    context["own_reported_by"] = own[1] if own else ""
    context["own_in_progress"] = own[2] if own else False
    # The columns the rows show, not the goals, their owners and levels as instances; the
    # URLs reversed once, not once a row.
    children = _CHILDREN(list(mine.child_ids))
    rollup_url, goal_url = UrlPattern("followup:rollup"), UrlPattern("goals:detail")
    query = f"?period={period.pk}"
    sources = _sources()
    rows = []
    for pk, title, level, owner in children:
        child_rollup = result[pk]
        analysis, unit, in_progress = analyses.get(pk, ("", "", False))
        rows.append(
            ChildRow(
                pk=pk,
                title=title,
                level=level,
                owner=owner,
                status=child_rollup.final,
                source=_source(child_rollup, sources),
                analysis=analysis,
                reported_by=unit,
                in_progress=in_progress,
                url=rollup_url(pk) + query,
                goal_url=goal_url(pk),
                prognosis=prognoses[pk].final if pk in prognoses else "",
            )
        )
    context["children"] = rows
    context["source"] = _source(mine, sources)
    override = override_for_page(goal, period)
    context["override"] = override
    context["override_by"] = set_by_text(override) if override else ""
    context["log"] = override_log(goal, period)
    return context
