"""Måluppfyllelse: the politicians' view of goal fulfilment, its drill-down and the
mandate period's halvtidsuppföljning.

The pages read the roll-up (``followup.rollup.rollup_for_period``), never compute it:
each goal's final assessment (the owner's override, else its own assessment, else the
suggestion from the goals below), the counts below it and the sentence that explains
it. Politicians (and everyone but the ekonomichef and administrators) see decided
results only: assessments of approved or locked submissions.

Every builder makes a fixed number of queries whatever the size of the chain; the
roll-up is one call per period shown (the chosen one and at most ``TREND_PERIODS``
earlier ones for the trend).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from followup import finals, rollup, rollup_page
from followup.charts import CountBar, TrendPoint, count_bars_svg, trend_svg
from followup.choices import ReportContent, ReportKind
from followup.fulfilment_queries import CompiledQuery
from followup.models import Assessment, ReportingPeriod, Submission
from followup.rollup import STATUS_ORDER, assignment_mapping, label, rollup_for_period
from goals.models import Assignment, Goal, GoalLevel
from goals.tree import UrlPattern, chain_up_sql
from styrning.models import MandatePeriod

# Earlier goal periods in a card's trend (beside the chosen one).
TREND_PERIODS = 5


_status = rollup.shown  # a status to show: empty or unknown reads as ej bedömt


@dataclass(frozen=True)
class CountItem:
    status: str
    count: int


def count_items(counts: dict) -> list[CountItem]:
    """Counts by status in the fixed order, best first (zeros included: "0 ej uppfyllda"
    says something too)."""
    return [CountItem(status, counts.get(status, 0)) for status in STATUS_ORDER]


# Periods -------------------------------------------------------------------------------


_GOAL_PERIODS = CompiledQuery(lambda municipality_id: rollup_page.goal_periods(municipality_id))


def goal_periods(municipality) -> list[ReportingPeriod]:
    """The periods that assess goals (delår, årsbokslut) and have opened, newest first
    (one query, ``rollup_page.goal_periods`` compiled once a process)."""
    return _GOAL_PERIODS(municipality.pk)


def with_results(periods: list[ReportingPeriod]) -> list[ReportingPeriod]:
    """``periods`` without those opened before their months have passed: an årsbokslut
    opened in December has no result yet, only last year's indicator values (a trial read
    its "Bokslut 2026" as the year's result). No query."""
    today = timezone.localdate()
    return [p for p in periods if p.state != ReportingPeriod.State.OPEN or p.period_end < today]


def default_period(periods: list[ReportingPeriod], years=None) -> ReportingPeriod | None:
    """The newest period whose submissions are in (closed or locked), else the newest;
    among those in ``years`` (the years the overview's goals are valid in) when any is."""
    done = (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED)
    if years:
        periods = [p for p in periods if p.year in years] or periods
    return next((p for p in periods if p.state in done), periods[0] if periods else None)


def overview_years(municipality) -> set[int]:
    """The years some adopted goal of the overview's level is valid in (two queries)."""
    level = overview_level(levels_of(municipality))
    if level is None:
        return set()
    return {y for start, end in _SPANS(level.pk) for y in range(start, end + 1)}


_SPANS = CompiledQuery(
    lambda level_id: (
        Goal.objects.filter(level=level_id, status=Goal.Status.ADOPTED)
        .order_by()
        .values_list("start_year", "end_year")
        .distinct()
    )
)


def asks_prognosis(period) -> bool:
    """Does the period ask for a prognosis for the year-end (delår)? No query."""
    return period is not None and period.content == ReportContent.GOALS_PROGNOSIS


def period_short(period) -> tuple[str, str]:
    """The two lines of a period on a chart's axis: ("Delår", "2026")."""
    if period.kind == ReportKind.INTERIM:
        return _("Interim"), str(period.year)
    if period.kind == ReportKind.ANNUAL:
        return _("Year-end"), str(period.year)
    return period.get_kind_display().capitalize(), f"{period.year}-{period.month:02d}"


def period_name(period) -> str:
    """ "Delår 2026", "Bokslut 2026"."""
    return " ".join(period_short(period))


def _earlier(periods, period) -> list[ReportingPeriod]:
    """At most ``TREND_PERIODS`` goal periods before ``period``, oldest first."""
    before = [p for p in periods if (p.year, p.month) < (period.year, period.month)]
    return list(reversed(before[:TREND_PERIODS]))


# The overview ---------------------------------------------------------------------------


@dataclass
class GoalCard:
    """One goal of the overview (or a row of the drill-down) with its roll-up."""

    pk: int
    title: str
    owner: str
    status: str
    counts: list[CountItem]
    below: int  # goals directly below
    explanation: str
    override_reason: str
    rollup_url: str
    drill_url: str
    trend: str = ""  # SVG markup
    prognosis: str = ""  # the rolled-up prognosis for the year-end (delår), else ""
    comments: list = field(default_factory=list)  # UnitComment


@dataclass(frozen=True)
class UnitComment:
    """A unit's own assessment of a goal: the text a politician reads at the bottom."""

    unit: str
    status: str
    prognosis: str
    analysis: str
    state: str  # the submission's state, shown when it is not yet approved


def page_query(period, decided_only) -> str:
    """The query string that keeps a page's choices on its links."""
    if period is None:
        return ""
    return f"?period={period.pk}" + ("" if decided_only else "&pagaende=1")


def _explanation(rollup) -> str:
    """How the final assessment came about, in words: the roll-up's sentence, said to be
    a suggestion when the goal's owner assessed it in the follow-up."""
    if rollup is None:
        return _("No assessment in this period.")
    if rollup.own and not rollup.override:
        return _("Assessed by its owner in the follow-up. Suggested from below: %(how)s") % {
            "how": rollup.explanation
        }
    return rollup.explanation


def _card(goal_pk, title, owner, rollup, urls, query) -> GoalCard:
    counts = dict(rollup.counts) if rollup else {}
    return GoalCard(
        pk=goal_pk,
        title=title,
        owner=owner,
        status=_status(rollup.final if rollup else ""),
        counts=count_items(counts),
        below=sum(counts.values()),
        explanation=_explanation(rollup),
        override_reason=(rollup.override_reason if rollup and rollup.override else ""),
        rollup_url=urls["rollup"](goal_pk) + query,
        drill_url=urls["drill"](goal_pk) + query,
    )


def _urls() -> dict:
    return {
        "rollup": UrlPattern("followup:rollup"),  # "hur bedömningen gjordes"
        "drill": UrlPattern("followup:fulfilment_goal"),
    }


_LEVELS = CompiledQuery(
    lambda municipality_id: GoalLevel.objects.filter(municipality_id=municipality_id)
)


def levels_of(municipality) -> dict:
    """The municipality's goal levels by order (one query: ``municipality.goal_levels``
    compiled once a process, each level knowing its municipality as the manager's do)."""
    levels = {}
    for level in _LEVELS(municipality.pk):
        level._state.fields_cache["municipality"] = municipality
        levels[level.order] = level
    return levels


def overview_level(levels: dict):
    """The level the overview shows: the one under the top of the chain (under the vision)."""
    return levels.get(2) or levels.get(1)


# The arguments in the order of the query's conditions (filter() sorts its keywords).
_LEVEL_GOALS = CompiledQuery(
    lambda last, level_id, municipality_id, first: (
        Goal.objects.filter(
            municipality=municipality_id,
            level=level_id,
            status=Goal.Status.ADOPTED,
            start_year__lte=first,
            end_year__gte=last,
        )
        .order_by("tree_id", "lft")
        .values_list("pk", "title", "owner__name")
    )
)


def fulfilment_page(municipality, period, periods, decided_only: bool) -> dict:
    """The overview's context: a card per goal of the level under the vision.

    Queries: the levels, the goals, and the roll-up of the chosen period and of each
    earlier period in the trend; at delår the roll-up of the prognoses for the year-end.
    """
    levels = levels_of(municipality)
    level = overview_level(levels)
    context = {"level": level, "child_level": None, "cards": []}
    if level is None or period is None:
        return context
    context["child_level"] = levels.get(level.order + 1)
    goals = _LEVEL_GOALS(period.year, level.pk, municipality.pk, period.year)
    if not goals:
        return context
    # The roll-ups of the whole tree, kept between requests while nothing they are
    # computed from has changed (followup.finals): the cards' own, and the finals of the
    # earlier periods (the trend) and of the prognosis.
    stamp = finals.fingerprint()
    current = finals.kept_rollups(
        municipality, period, [pk for pk, _t, _o in goals], decided_only=decided_only, stamp=stamp
    )
    earlier = _earlier(periods, period)
    history = [
        (p, finals.final_statuses(municipality, p, decided_only, stamp=stamp)) for p in earlier
    ]
    history.append((period, {pk: r.final for pk, r in current.items()}))
    prognoses = (
        finals.final_statuses(municipality, period, decided_only, prognosis=True, stamp=stamp)
        if asks_prognosis(period)
        else None
    )
    urls = _urls()
    query = page_query(period, decided_only)
    # Looked up once a page, not once a card: each period's names, each status's words,
    # the charts' labels.
    shorts = [period_short(p) for p, _statuses in history]
    names = [" ".join(short) for short in shorts]
    labels = {status: label(status) for status in STATUS_ORDER}
    chart_title = _("Assessment over the periods: %(goal)s")
    words = {}
    for pk, title, owner in goals:
        card = _card(pk, title, owner, current.get(pk), urls, query)
        if prognoses is not None:
            card.prognosis = _status(prognoses.get(pk, ""))
        points = []
        for (_p, statuses), name, short in zip(history, names, shorts, strict=True):
            status = _status(statuses.get(pk, ""))
            points.append(TrendPoint(name, short, status, labels[status]))
        card.trend = trend_svg(points, chart_title % {"goal": title}, f"trend-{pk}", words)
        context["cards"].append(card)
    return context


# The drill-down --------------------------------------------------------------------------


def _comment_query(goal_ids, period_id, decided_only: bool):
    rows = Assessment.objects.filter(goal_id__in=list(goal_ids), submission__period=period_id)
    if decided_only:
        rows = rows.filter(submission__state__in=Submission.DECIDED_STATES)
    return rows.order_by("goal_id", "submission__unit__name").values_list(
        "goal_id", "submission__unit__name", "status", "prognosis", "analysis", "submission__state"
    )


# Decided submissions only, and all of them: compiled once a process (a midterm review
# asks for hundreds of goals).
_COMMENT_ROWS = {
    decided: CompiledQuery(
        lambda goal_ids, period_id, decided=decided: _comment_query(goal_ids, period_id, decided),
        in_list=0,
    )
    for decided in (True, False)
}


def _comment_rows(goal_ids, period, decided_only) -> list[tuple]:
    """The units' own assessments of ``goal_ids`` in ``period`` as rows: goal, unit,
    status, prognosis, analysis and the submission's state (one query)."""
    return _COMMENT_ROWS[bool(decided_only)](list(goal_ids), period.pk)


def _comments(goal_ids, period, decided_only) -> dict[int, list[UnitComment]]:
    """The units' own assessments of ``goal_ids`` in ``period`` (one query)."""
    found = defaultdict(list)
    choices = dict(Submission.State.choices)
    states = {}  # translated once a state, not once a row
    decided = Submission.DECIDED_STATES
    for goal_id, unit, status, prognosis, analysis, state in _comment_rows(
        goal_ids, period, decided_only
    ):
        if state in decided:
            shown_state = ""
        else:
            shown_state = states.get(state)
            if shown_state is None:
                shown_state = states[state] = str(choices[state])
        found[goal_id].append(
            UnitComment(
                unit=unit,
                status=_status(status),
                prognosis=prognosis,
                analysis=analysis,
                state=shown_state,
            )
        )
    return found


def _analyses(goal_ids, period, decided_only) -> dict[int, str]:
    """The units' own analyses of each of ``goal_ids`` in ``period`` joined by a blank
    line, in the order ``_comments`` gives them (the same query): what the midterm
    review shows of them."""
    found = defaultdict(list)
    for goal_id, _unit, _s, _p, analysis, _state in _comment_rows(goal_ids, period, decided_only):
        if analysis:
            found[goal_id].append(analysis)
    return {goal_id: "\n\n".join(texts) for goal_id, texts in found.items()}


def drill_page(goal, visible, municipality, period, decided_only: bool) -> dict:
    """One goal with its roll-up and the goals directly below it, each with the units' own
    assessments and texts; the chain above it for the way back.

    ``visible`` is ``Goal.objects.visible_to(user)``. The goals below are those the
    roll-up counted (adopted, valid in the period's year, at an assessed level).
    Queries: the chain above, the roll-up of the goal's part of the chain, the goals
    below, the units' assessments.
    """
    urls = _urls()
    query = page_query(period, decided_only)
    above = list(
        visible.filter(pk__in=chain_up_sql([goal.pk]))
        .exclude(pk=goal.pk)
        .filter(level__order__gt=1)
        .order_by("level__order")
        .values_list("pk", "level__name", "title")
    )
    rollups = rollup_for_period(municipality, period, root=goal.pk, decided_only=decided_only)
    rollup = rollups.get(goal.pk)
    child_ids = list(rollup.child_ids) if rollup else []
    children = list(
        visible.filter(pk__in=child_ids)
        .order_by("tree_id", "lft")
        .values_list("pk", "title", "owner__name")
    )
    comments = _comments([goal.pk, *child_ids], period, decided_only)
    card = _card(goal.pk, goal.title, goal.owner.name, rollup, urls, query)
    card.comments = comments.get(goal.pk, [])
    rows = []
    for pk, title, owner in children:
        row = _card(pk, title, owner, rollups.get(pk), urls, query)
        row.comments = comments.get(pk, [])
        rows.append(row)
    return {
        "card": card,
        "rows": rows,
        "above": [
            {"url": urls["drill"](pk) + query, "level": level, "title": title}
            for pk, level, title in above
        ],
    }


# The halvtidsuppföljning ----------------------------------------------------------------


@dataclass
class MidtermItem:
    """A resultatmål or an uppdrag with its assessment and comment."""

    title: str
    owner: str
    status: str
    status_label: str  # an uppdrag's own status ("pågår"); "" for a goal
    comment: str
    url: str


@dataclass
class MidtermGoal:
    """An övergripande mål: the summed assessment of its resultatmål and uppdrag."""

    pk: int
    title: str
    goals: list[CountItem]
    assignments: list[CountItem]
    total: list[CountItem]
    goal_items: list[MidtermItem]
    assignment_items: list[MidtermItem]
    rollup_url: str


_MANDATES = CompiledQuery(
    lambda municipality_id: MandatePeriod.objects.filter(municipality=municipality_id)
)


def mandate_periods(municipality) -> list[MandatePeriod]:
    """``municipality.mandate_periods.all()``, oldest first (one query, compiled once a
    process), each knowing its municipality as the manager's do."""
    mandates = _MANDATES(municipality.pk)
    for mandate in mandates:
        mandate._state.fields_cache["municipality"] = municipality
    return mandates


def midterm_years(periods, mandates=()) -> list[int]:
    """The years with a goal period that has opened, newest first (no query); with the
    municipality's mandate periods, only years inside one (a halvtidsuppföljning is of a
    mandate period: a year outside every recorded one has nothing to follow up)."""
    years = {p.year for p in periods}
    mandates = list(mandates)
    if mandates:
        years = {y for y in years if any(m.start_year <= y <= m.end_year for m in mandates)}
    return sorted(years, reverse=True)


def default_midterm_year(mandate_periods, years) -> int | None:
    """The midterm (the second year) of the latest mandate period that has reached it;
    when that year has no goal period here (followed up before Styrning), the mandate's
    year nearest to it, the earlier of two; else the latest year with a goal period.
    ``mandate_periods`` oldest first. (The trial was shown the term's last year as its
    halvtid.)"""
    offered = set(years)
    for mandate in reversed(list(mandate_periods)):
        midterm = mandate.start_year + 1
        within = [y for y in offered if mandate.start_year <= y <= mandate.end_year]
        if within and (midterm in offered or max(within) > midterm):
            return min(within, key=lambda y: (abs(y - midterm), y))
    return years[0] if years else None


def midterm_period(periods, year) -> ReportingPeriod | None:
    """The year's last goal period whose submissions are in (closed or locked), else its
    last that has opened: its årsbokslut, else its delår. An årsbokslut opened before the
    year has ended is still being reported on: the delår's approved follow-ups are the
    year's result until then (a trial read indicator suggestions as the term's result)."""
    of_year = [p for p in periods if p.year == year]
    return default_period(of_year) if of_year else None


_MIDTERM_TOPS = CompiledQuery(
    lambda municipality_id, level_id, year: (
        Goal.objects.filter(
            municipality=municipality_id,
            level=level_id,
            status=Goal.Status.ADOPTED,
            start_year__lte=year,
            end_year__gte=year,
        )
        .order_by("tree_id", "lft")
        .values_list("pk", "title")
    )
)
_MIDTERM_BELOW = CompiledQuery(
    lambda goal_ids: (
        Goal.objects.filter(pk__in=goal_ids)
        .order_by("tree_id", "lft")
        .values_list("pk", "parent_id", "title", "owner__name")
    ),
    in_list=0,
)

# The uppdrag of the tops and the goals below them as the period knew them
# (``rollup.assignments_in_period``), approved reports only and all: compiled once a process.
_MIDTERM_ASSIGNMENTS = {
    decided: CompiledQuery(
        lambda goal_ids, period_id, period_end, end, decided=decided: (
            rollup.assignments_at(
                Assignment.objects.filter(goal_id__in=goal_ids), period_id, period_end, end, decided
            )
            .order_by("due_date", "title")
            .values_list("pk", "goal_id", "title", "unit__name", "period_status", "period_comment")
        ),
        in_list=0,
    )
    for decided in (True, False)
}


def midterm_page(municipality, period, decided_only: bool) -> dict:
    """Per goal of the level under the vision (Katrineholm's övergripande mål): the summed
    assessment of the goals directly below it (resultatmål) and of the uppdrag that serve
    it or them, each listed with its assessment and comment.

    The counts are the roll-up's: the goals' final assessments, and the uppdrag by their
    status in the period (reported, else their own) turned into assessments by the
    municipality's mapping (``followup.rollup.assignment_mapping``). Queries: the levels,
    the goals, the roll-up, the mapping, the units' comments, the uppdrag and their reports.
    """
    levels = levels_of(municipality)
    level = overview_level(levels)
    mapping = assignment_mapping(municipality)
    # Translated once, not once an uppdrag (a mandate period lists hundreds).
    status_labels = {status: str(label) for status, label in Assignment.Status.choices}
    context = {
        "level": level,
        "child_level": None,
        "rows": [],
        "chart": "",
        "mapping": [
            (status_labels[status], _status(mapping.get(status)))
            for status in Assignment.Status.values
        ],
    }
    if level is None or period is None:
        return context
    child_level = context["child_level"] = levels.get(level.order + 1)
    tops = _MIDTERM_TOPS(municipality.pk, level.pk, period.year)
    # The tops' roll-ups and their children's, kept between requests (followup.finals).
    rollups = finals.kept_rollups(
        municipality, period, [pk for pk, _t in tops], decided_only=decided_only, children=True
    )
    tops = [(pk, title) for pk, title in tops if pk in rollups]
    children = [c for pk, _t in tops for c in rollups[pk].child_ids]
    top_of = {c: pk for pk, _t in tops for c in rollups[pk].child_ids}
    below = _MIDTERM_BELOW(children)
    comments = _analyses(children, period, decided_only)
    assignments = _MIDTERM_ASSIGNMENTS[decided_only](
        [*top_of, *(pk for pk, _t in tops)],
        period.pk,
        period.period_end,
        rollup.period_end_time(period),
    )
    goal_url, assignment_url = UrlPattern("goals:detail"), UrlPattern("goals:assignment")
    rollup_url = UrlPattern("followup:rollup")
    goal_items = defaultdict(list)
    for pk, parent, title, owner in below:
        goal_items[parent].append(
            MidtermItem(
                title=title,
                owner=owner,
                status=_status(rollups[pk].final if pk in rollups else ""),
                status_label="",
                comment=comments.get(pk, ""),
                url=goal_url(pk),
            )
        )
    assignment_items = defaultdict(list)
    for pk, goal_id, title, unit, status, comment in assignments:
        assignment_items[top_of.get(goal_id, goal_id)].append(
            MidtermItem(
                title=title,
                owner=unit,
                status=_status(mapping.get(status)),
                status_label=str(status_labels.get(status, status)),
                comment=comment,
                url=assignment_url(pk),
            )
        )
    bars = []
    all_goals: dict = defaultdict(int)
    all_assignments: dict = defaultdict(int)
    for pk, title in tops:
        goal_counts = rollups[pk].counts
        assignment_counts: dict = defaultdict(int)
        for goal_id in (pk, *rollups[pk].child_ids):
            if goal_id in rollups:
                for status, n in rollups[goal_id].assignment_counts.items():
                    assignment_counts[_status(mapping.get(status))] += n
        total = {s: goal_counts.get(s, 0) + assignment_counts.get(s, 0) for s in STATUS_ORDER}
        for s in STATUS_ORDER:
            all_goals[s] += goal_counts.get(s, 0)
            all_assignments[s] += assignment_counts.get(s, 0)
        context["rows"].append(
            MidtermGoal(
                pk=pk,
                title=title,
                goals=count_items(goal_counts),
                assignments=count_items(assignment_counts),
                total=count_items(total),
                goal_items=goal_items[pk],
                assignment_items=assignment_items[pk],
                rollup_url=rollup_url(pk) + page_query(period, decided_only),
            )
        )
        bars.append(CountBar(title, total))
    context["totals"] = {
        "goals": count_items(all_goals),
        "assignments": count_items(all_assignments),
        "goal_count": sum(all_goals.values()),
        "assignment_count": sum(all_assignments.values()),
    }
    if bars:
        context["chart"] = count_bars_svg(
            bars,
            _("Summed assessment per %(level)s") % {"level": level.name.lower()},
            _(
                "For each goal one bar: its %(children)s and assignments by assessment, "
                "fulfilled first. The same counts are in the table below."
            )
            % {"children": (child_level.name_plural if child_level else "").lower()},
            "midterm-chart",
        )
    return context
