"""Sammanvägd bedömning: the roll-up of goal assessments up the chain, for one period.

For every adopted goal valid in the period's year, ``rollup_for_period`` counts the
assessments of the goals directly below it (each child's *final* assessment: its
owner's override, else its own assessment in the period, else its own suggestion —
so the roll-up runs bottom-up through levels nobody assesses, such as KF's
inriktningsmål), counts the uppdrag linked to it by status, and suggests an
assessment of the goal itself by its level's rule from the children and from its
indicators' progress from baseline toward target. Each suggestion says in words how
it was reached ("3 av 5 nämndmål uppfyllda, 2 delvis uppfyllda → delvis uppfyllt").

The whole tree costs a fixed number of queries (goals, assessments, assignments,
indicators, rules, overrides), whatever its size: everything else is done in Python.

An indicator's value is never summed across periods: the latest value up to the
period's month (a year's value counts from the year's end), or, for an indicator
marked cumulative, the year's value or the sum of the year's monthly values up to
the period (within one year only).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followup.choices import Fulfilment
from followup.fulfilment_queries import CompiledQuery
from followup.models import (
    Assessment,
    AssignmentReport,
    AssignmentStatusMapping,
    RollupOverride,
    RollupRule,
    Submission,
)
from goals.models import Assignment, Goal, Indicator, Measurement
from goals.tree import id_list
from styrning import formatting
from styrning.history import history_model
from styrning.services import save_validated

F = Fulfilment
# Best first: the order counts are listed in and worst-of reads backwards.
STATUS_ORDER = (F.FULFILLED, F.PARTLY, F.NOT_FULFILLED, F.NOT_ASSESSED)
ASSESSED = (F.FULFILLED, F.PARTLY, F.NOT_FULFILLED)
# Shown beside the words, never instead of them (and never colour alone).
SYMBOLS = {
    F.FULFILLED: "✔",
    F.PARTLY: "◐",
    F.NOT_FULFILLED: "✖",
    F.NOT_ASSESSED: "–",
}

# An uppdrag's status counted as an assessment (Katrineholm's halvtidsuppföljning).
DEFAULT_ASSIGNMENT_MAPPING = {
    Assignment.Status.DONE: F.FULFILLED,
    Assignment.Status.IN_PROGRESS: F.PARTLY,
    Assignment.Status.NOT_STARTED: F.NOT_FULFILLED,
    Assignment.Status.CANCELLED: F.NOT_FULFILLED,
}


# F.values builds a new list on every call: a page of thousands of badges asks this once.
_KNOWN = frozenset(F.values)


def shown(status) -> str:
    """A status to show: empty or unknown reads as ej bedömt."""
    return status if status in _KNOWN else F.NOT_ASSESSED


def badge(status: str | None) -> str:
    """The status as a badge: its symbol (hidden from screen readers) and its words, with
    a class per status for the colour (never colour alone). Safe HTML."""
    status = status or F.NOT_ASSESSED
    # As format_html wrote it, without its per-call machinery (a page shows dozens).
    return mark_safe(
        f'<span class="status status--fulfilment-{_escape(status)}"><span aria-hidden="true">'
        f"{_escape(symbol(status))}</span> {_escape(_capfirst(label(status)))}</span>"
    )


def counts_list(items, name: str, heads: dict | None = None) -> str:
    """Counts by status (``fulfilment.CountItem``s) as a list: each status's symbol
    (hidden from screen readers), its words and its count; ``name`` labels the list.
    Safe HTML, the markup of the included template it replaced (a midterm review shows
    three lists a goal). ``heads``: a dict kept while a page renders, so each status's
    words are written once a page rather than once a list."""
    if heads is None:
        heads = {}
    lines = []
    for item in items:
        head = heads.get(item.status)
        if head is None:
            head = heads[item.status] = _count_head(item.status)
        lines.append(f"{head}{item.count}</strong></li>\n  ")
    lines = "".join(lines)
    return mark_safe(
        f'<ul class="fulfilment-counts" aria-label="{_escape(name)}">\n  {lines}\n</ul>\n'
    )


def _count_head(status) -> str:
    """A status's list item up to its count (``counts_list``)."""
    return (
        f'<li class="fulfilment-counts__item fulfilment-counts__item--{_escape(status)}">'
        f'<span class="fulfilment__symbol" aria-hidden="true">{_escape(symbol(status))}'
        f"</span> {_escape(_capfirst(label(status)))}: <strong>"
    )


def _escape(text) -> str:
    """Django's ``escape`` without its lazy-text wrapper: plain text for an f-string."""
    return html.escape(str(text))


def _capfirst(text: str) -> str:
    """``capfirst`` of a plain string without its lazy-text wrapper."""
    return text[:1].upper() + text[1:]


def symbol(status: str | None) -> str:
    return SYMBOLS.get(status or F.NOT_ASSESSED, SYMBOLS[F.NOT_ASSESSED])


# Each status's words (lazy: translated when shown), looked up without building the enum.
_LABELS = {value: name for value, name in F.choices}


def label(status: str | None) -> str:
    """The status in words ("delvis uppfyllt"); an empty or unknown status is "ej bedömt"."""
    return str(_LABELS[status if status in _KNOWN else F.NOT_ASSESSED])


@dataclass(frozen=True)
class Rule:
    """How a level's goals are assessed from what lies below them (``RollupRule`` as values).

    ``kind``: "share" (thresholds on the share fulfilled, and fulfilled or partly),
    "worst" (the worst assessment below), "weighted" (the mean of the scores, each
    item weighted, against the two thresholds). Indicators count as items when
    ``use_indicators``; linked uppdrag when ``use_assignments`` (by the mapping).
    """

    kind: str = "share"
    fulfilled_share: Decimal = Decimal("0.75")
    partly_share: Decimal = Decimal("0.50")
    fulfilled_score: Decimal = Decimal("1")
    partly_score: Decimal = Decimal("0.5")
    not_fulfilled_score: Decimal = Decimal("0")
    goal_weight: Decimal = Decimal("1")
    indicator_weight: Decimal = Decimal("1")
    assignment_weight: Decimal = Decimal("1")
    use_indicators: bool = True
    use_assignments: bool = False

    SHARE = "share"
    WORST = "worst"
    WEIGHTED = "weighted"

    def score(self, status) -> Decimal:
        return {
            F.FULFILLED: self.fulfilled_score,
            F.PARTLY: self.partly_score,
            F.NOT_FULFILLED: self.not_fulfilled_score,
        }[status]


DEFAULT_RULE = Rule()


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator of a goal with the value the roll-up used and what it says."""

    indicator_id: int
    name: str
    unit: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal | None
    target_year: int | None
    value: Decimal | None
    value_label: str  # the period of the value: "2026", "2026-08", "2026 t.o.m. augusti"
    cumulative: bool
    status: str  # a Fulfilment value; not_assessed when it cannot be judged

    @property
    def progress(self) -> Decimal | None:
        """How far from baseline to target (1 = reached), None if it cannot be said."""
        return _progress(self.baseline, self.target, self.value)


@dataclass(frozen=True)
class GoalRollup:
    """The roll-up of one goal in one period."""

    goal_id: int
    # Assessment status → number of goals directly below with it (every status present,
    # "not_assessed" for those without one).
    counts: dict[str, int]
    # Assignment status → number of uppdrag linked to the goal.
    assignment_counts: dict[str, int]
    # The goal's own assessment in the period (its owner's submission), None if none.
    own: str | None
    suggested: str
    explanation: str
    override: str | None = None
    override_reason: str = ""
    indicators: tuple[IndicatorProgress, ...] = field(default=(), compare=False)
    child_ids: tuple[int, ...] = field(default=(), compare=False)

    @property
    def final(self) -> str:
        """The override, else the own assessment, else the suggestion."""
        return self.override or self.own or self.suggested

    @property
    def total(self) -> int:
        """Goals directly below that were counted."""
        return sum(self.counts.values())


def _progress(baseline, target, value) -> Decimal | None:
    if baseline is None or target is None or value is None:
        return None
    if target == baseline:
        return Decimal(1) if value == target else None
    return (Decimal(value) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline))


def indicator_status(baseline, target, value, direction=Indicator.Direction.HIGHER) -> str:
    """Target reached → fulfilled; moved from the baseline toward it (not yet there) →
    partly; else not.

    Without a baseline, a target or a value: not assessed.
    """
    if target is None or value is None:
        return F.NOT_ASSESSED
    higher = direction == Indicator.Direction.HIGHER
    if (value >= target) if higher else (value <= target):
        return F.FULFILLED
    progress = _progress(baseline, target, value)
    if progress is None:
        return F.NOT_ASSESSED
    # Between the baseline and the target: on its way. Beyond the target on the far side
    # (progress over 1: a baseline that already met the target, fallen below it since),
    # or back past the baseline: not fulfilled.
    return F.PARTLY if 0 < progress < 1 else F.NOT_FULFILLED


# Loading (one query each) ----------------------------------------------------------------


_GOAL_ROWS = CompiledQuery(
    lambda municipality_id, year: (
        Goal.objects.filter(
            municipality=municipality_id,
            status=Goal.Status.ADOPTED,
            start_year__lte=year,
            end_year__gte=year,
        )
        .order_by()
        .values_list(
            "pk",
            "parent_id",
            "level__order",
            "level__is_assessed",
            "level__name_plural",
            "level",
            "level__name",
        )
    )
)


def _goal_rows(municipality, year):
    """Adopted goals valid in ``year``: (pk, parent_id, level_order, is_assessed,
    level plural name, level pk, level name), in no particular order (one query,
    compiled once a process: every roll-up reads it)."""
    return _GOAL_ROWS(municipality.pk, year)


def _assessments(period, decided_only, goal_ids=None, prognosis=False):
    """goal pk → own assessment status in the period (one query); ``prognosis``: the
    own prognosis for the year-end instead (asked for at delår).

    Where two submissions assess one goal, a decided one wins over one in progress,
    then the later one.
    """
    column = "prognosis" if prognosis else "status"
    rows = Assessment.objects.filter(submission__period=period).exclude(**{column: ""})
    if goal_ids is not None:
        rows = rows.filter(goal_id__in=goal_ids)
    if decided_only:
        rows = rows.filter(submission__state__in=Submission.DECIDED_STATES)
    decided = models.Case(
        models.When(submission__state__in=Submission.DECIDED_STATES, then=models.Value(1)),
        default=models.Value(0),
    )
    own = {}
    for goal_id, status in (
        rows.annotate(decided=decided)
        .order_by("goal_id", "decided", "submission__pk")
        .values_list("goal_id", column)
    ):
        own[goal_id] = status  # the last one wins
    return own


def assignments_in_period(queryset, period, decided_only=True):
    """``queryset`` of uppdrag with ``period_status`` and ``period_comment``: the status
    and comment the period knew — what the period's submissions reported (only approved
    ones with ``decided_only``), else the uppdrag as it stood at the period's end (its
    history; for an uppdrag entered into Styrning after that, as it was first entered) —
    and only uppdrag decided by the period's end. One rule for the roll-up, the
    halvtidsuppföljning and the reports: none shows a status set after the period when
    the history has an earlier one. Subqueries: the queryset stays one query."""
    return assignments_at(
        queryset, period.pk, period.period_end, period_end_time(period), decided_only
    )


def period_end_time(period) -> dt.datetime:
    """The last moment of the period (in the current time zone): what its uppdrag's
    history is read up to."""
    return timezone.make_aware(dt.datetime.combine(period.period_end, dt.time.max))


def assignments_at(queryset, period_id, period_end, end, decided_only=True):
    """``assignments_in_period`` of the period ``period_id`` ending on the date
    ``period_end``, at the moment ``end`` (``period_end_time``): plain values, so that
    its SQL can be compiled once (``followup.fulfilment_queries.CompiledQuery``)."""
    reports = AssignmentReport.objects.filter(
        assignment=OuterRef("pk"), submission__period=period_id
    ).exclude(status="")
    if decided_only:
        reports = reports.filter(submission__state__in=Submission.DECIDED_STATES)
    reports = reports.order_by("-submission__pk", "-pk")
    history = history_model(Assignment).objects.filter(id=OuterRef("pk"))
    then = history.filter(history_date__lte=end).order_by("-history_date", "-history_id")
    first = history.order_by("history_date", "history_id")
    return queryset.filter(decided_on__lte=period_end).annotate(
        period_status=Coalesce(
            Subquery(reports.values("status")[:1]),
            Subquery(then.values("status")[:1]),
            Subquery(first.values("status")[:1]),
            "status",
        ),
        period_comment=models.Case(
            models.When(models.Exists(reports), then=Subquery(reports.values("comment")[:1])),
            default=Coalesce(
                Subquery(then.values("comment")[:1]),
                Subquery(first.values("comment")[:1]),
                "comment",
            ),
        ),
    )


def _assignment_rows(municipality, period, decided_only):
    """(goal pk, status in the period) of uppdrag linked to goals (one query;
    ``assignments_in_period`` says which status)."""
    return list(
        assignments_in_period(
            Assignment.objects.filter(municipality=municipality, goal__isnull=False),
            period,
            decided_only,
        )
        .order_by()
        .values_list("goal_id", "period_status")
    )


def _indicator_rows(municipality, period, goal_ids=None):
    """Indicators of the municipality's goals with the latest total value up to the period
    (and its year and month), and the sum of this year's monthly values so far (one query)."""
    year, month = period.year, period.month
    upto = models.Q(year__lt=year) | models.Q(year=year, month__lte=month)
    if month == 12:
        upto |= models.Q(year=year, month__isnull=True)
    values = Measurement.objects.filter(upto, indicator=OuterRef("pk"), gender="T")
    latest = values.order_by("-year", models.F("month").desc(nulls_first=True))
    this_year = values.filter(year=year)
    year_value = this_year.filter(month__isnull=True).values("value")[:1]
    month_sum = (
        this_year.filter(month__isnull=False)
        .order_by()
        .values("indicator")
        .annotate(total=models.Sum("value"))
        .values("total")
    )
    indicators = Indicator.objects.filter(goal__municipality=municipality)
    if goal_ids is not None:
        indicators = indicators.filter(goal_id__in=goal_ids)
    return list(
        indicators.annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_year=Subquery(latest.values("year")[:1]),
            latest_month=Subquery(latest.values("month")[:1]),
            year_value=Subquery(year_value),
            month_sum=Subquery(month_sum),
        )
        .order_by("goal_id", "order", "name")
        .values(
            "pk",
            "goal_id",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "latest_value",
            "latest_year",
            "latest_month",
            "year_value",
            "month_sum",
            "cumulative",
        )
    )


def _progress_of(row, period) -> IndicatorProgress:
    cumulative = row["cumulative"]
    if cumulative:
        if row["year_value"] is not None:
            value, value_label = row["year_value"], str(period.year)
        elif row["month_sum"] is not None:
            value = row["month_sum"]
            value_label = _("%(year)s up to month %(month)s") % {
                "year": period.year,
                "month": period.month,
            }
        else:
            value, value_label = None, ""
    else:
        value = row["latest_value"]
        if value is None:
            value_label = ""
        elif row["latest_month"]:
            value_label = f"{row['latest_year']}-{row['latest_month']:02d}"
        else:
            value_label = str(row["latest_year"])
    return IndicatorProgress(
        indicator_id=row["pk"],
        name=row["name"],
        unit=row["unit"],
        baseline=row["baseline_value"],
        baseline_year=row["baseline_year"],
        target=row["target_value"],
        target_year=row["target_year"],
        value=value,
        value_label=value_label,
        cumulative=cumulative,
        status=indicator_status(
            row["baseline_value"], row["target_value"], value, row["direction"]
        ),
    )


def _rules(municipality_id):
    # Unordered: the models' ordering joins the levels' municipality to sort by its name.
    return RollupRule.objects.filter(level__municipality=municipality_id).order_by()


_RULES = CompiledQuery(_rules)  # compiled once a process: every roll-up page reads it


def rules_for(municipality) -> dict[int, Rule]:
    """Level pk → its roll-up rule (one query); levels without a stored rule use the default."""
    rules = defaultdict(lambda: DEFAULT_RULE)
    for rule in _RULES(municipality.pk):
        rules[rule.level_id] = rule.as_rule()
    return rules


_MAPPING = CompiledQuery(
    lambda municipality_id: (
        AssignmentStatusMapping.objects.filter(municipality=municipality_id)
        .order_by()  # one per status: no need of the ordering's join
        .values_list("assignment_status", "fulfilment")
    )
)


def assignment_mapping(municipality) -> dict[str, str]:
    """Assignment status → assessment status, as the municipality configured it (one query,
    compiled once a process)."""
    mapping = dict(DEFAULT_ASSIGNMENT_MAPPING)
    for status, fulfilment in _MAPPING(municipality.pk):
        mapping[status] = fulfilment
    return mapping


def with_assignments(goal_rollup: GoalRollup, mapping: dict[str, str]) -> dict[str, int]:
    """The goal's counts with its uppdrag added as assessments by ``mapping`` (from
    ``assignment_mapping``): Katrineholm's summed assessment per övergripande mål."""
    counts = dict(goal_rollup.counts)
    for status, n in goal_rollup.assignment_counts.items():
        as_fulfilment = mapping.get(status, F.NOT_ASSESSED)
        counts[as_fulfilment] = counts.get(as_fulfilment, 0) + n
    return counts


def _overrides(period) -> dict[int, tuple[str, str]]:
    """goal pk → (status, reason) set by the goal's owner for the period (one query)."""
    # Unordered: one a goal, and the models' ordering joins the period, goal and municipality.
    rows = RollupOverride.objects.filter(period=period).order_by()
    return {
        goal_id: (status, reason)
        for goal_id, status, reason in rows.values_list("goal_id", "status", "reason")
    }


# The rule ----------------------------------------------------------------------------------


def suggest(
    rule: Rule,
    counts: dict[str, int],
    indicator_statuses=(),
    assignment_statuses=(),
) -> str:
    """The suggested status from the counts of the goals below, the indicators' and the
    mapped uppdrag's statuses. Items not assessed take no part; none left: not assessed."""
    items = [(s, rule.goal_weight) for s in ASSESSED for _n in range(counts.get(s, 0))]
    if rule.use_indicators:
        items += [(s, rule.indicator_weight) for s in indicator_statuses if s in ASSESSED]
    if rule.use_assignments:
        items += [(s, rule.assignment_weight) for s in assignment_statuses if s in ASSESSED]
    items = [(s, w) for s, w in items if w > 0]
    if not items:
        return F.NOT_ASSESSED
    if rule.kind == Rule.WORST:
        return max((s for s, _w in items), key=ASSESSED.index)
    total = sum(w for _s, w in items)
    if rule.kind == Rule.WEIGHTED:
        score = sum(rule.score(s) * w for s, w in items) / total
        fulfilled_at, partly_at = rule.fulfilled_share, rule.partly_share
        if score >= fulfilled_at:
            return F.FULFILLED
        return F.PARTLY if score >= partly_at else F.NOT_FULFILLED
    fulfilled = sum(w for s, w in items if s == F.FULFILLED) / total
    at_least_partly = sum(w for s, w in items if s in (F.FULFILLED, F.PARTLY)) / total
    if fulfilled >= rule.fulfilled_share:
        return F.FULFILLED
    return F.PARTLY if at_least_partly >= rule.partly_share else F.NOT_FULFILLED


class LevelNames(str):
    """A level's plural name (what it is as a string) that also knows its singular, so
    "0 av 1 aktivitet uppfylld" reads right."""

    def __new__(cls, singular, plural):
        names = super().__new__(cls, plural or "")
        names.singular = singular or plural or ""
        return names

    def __reduce__(self):  # kept in the cache: pickles with both names
        return (LevelNames, (self.singular, str(self)))


def _count_words(counts, level_plural) -> str:
    """ "3 av 5 nämndmål uppfyllda, 2 delvis uppfyllda, 1 ej bedömt"."""
    total = sum(counts.values())
    if total == 1 and isinstance(level_plural, LevelNames):
        return _one_word(counts, level_plural.singular)
    parts = [
        ngettext(
            "%(n)s of %(total)s %(level)s fulfilled",
            "%(n)s of %(total)s %(level)s fulfilled",
            counts.get(F.FULFILLED, 0),
        )
        % {"n": counts.get(F.FULFILLED, 0), "total": total, "level": level_plural.lower()}
    ]
    words = {
        F.PARTLY: lambda n: ngettext("%(n)s partly fulfilled", "%(n)s partly fulfilled", n),
        F.NOT_FULFILLED: lambda n: ngettext("%(n)s not fulfilled", "%(n)s not fulfilled", n),
        F.NOT_ASSESSED: lambda n: ngettext("%(n)s not assessed", "%(n)s not assessed", n),
    }
    for status in (F.PARTLY, F.NOT_FULFILLED, F.NOT_ASSESSED):
        n = counts.get(status, 0)
        if n:
            parts.append(words[status](n) % {"n": n})
    return ", ".join(parts)


def _indicator_words(statuses) -> str:
    judged = [s for s in statuses if s in ASSESSED]
    if not judged:
        return ""
    reached = judged.count(F.FULFILLED)
    moving = judged.count(F.PARTLY)
    parts = [
        ngettext(
            "%(n)s of %(total)s indicators at target",
            "%(n)s of %(total)s indicators at target",
            len(judged),  # "0 av 1 indikator", "1 av 2 indikatorer"
        )
        % {"n": reached, "total": len(judged)}
    ]
    if moving:
        parts.append(
            ngettext("%(n)s moving toward it", "%(n)s moving toward it", moving) % {"n": moving}
        )
    return ", ".join(parts)


def _assignment_words(statuses) -> str:
    judged = [s for s in statuses if s in ASSESSED]
    if not judged:
        return ""
    done = judged.count(F.FULFILLED)
    return ngettext(
        "%(n)s of %(total)s assignments counted as fulfilled",
        "%(n)s of %(total)s assignments counted as fulfilled",
        done,
    ) % {"n": done, "total": len(judged)}


def _one_word(counts, level_name) -> str:
    """One goal below: "1 aktivitet: delvis uppfyllt" (no agreement to get wrong)."""
    status = next((s for s in STATUS_ORDER if counts.get(s)), F.NOT_ASSESSED)
    return _("1 %(level)s: %(status)s") % {"level": level_name.lower(), "status": label(status)}


def explain(rule, counts, level_plural, indicator_statuses, assignment_statuses, suggested):
    """The suggestion in words: what was counted, then "→ <status>"."""
    parts = []
    if sum(counts.values()):
        parts.append(_count_words(counts, level_plural))
    if rule.use_indicators:
        text = _indicator_words(indicator_statuses)
        if text:
            parts.append(text)
    if rule.use_assignments:
        text = _assignment_words(assignment_statuses)
        if text:
            parts.append(text)
    if not parts:
        parts.append(_("nothing below it assessed and no indicator values"))
    return f"{'; '.join(parts)} → {label(suggested)}"


# The roll-up -------------------------------------------------------------------------------


def rollup_for_period(municipality, period, root=None, *, decided_only=False, prognosis=False):
    """goal pk → ``GoalRollup`` for every adopted goal valid in the period's year, or for
    ``root`` (a goal, its pk, or a collection of pks: the rows /mal/ shows) and the goals
    below it in the chain.

    ``decided_only``: count only assessments (and uppdrag reports) of approved or
    locked submissions — reports and public views; otherwise drafts count too.
    ``prognosis``: roll up the prognoses for the year-end (delår) instead of the
    assessments, by the same rules: each goal's own prognosis, else the suggestion from
    the prognoses below it and its indicators' and uppdrag's present state. An owner's
    changed assessment is of the present, so it takes no part in the prognosis.
    Seven queries at most (six with ``prognosis``), whatever the size of the tree.
    """
    rows = _goal_rows(municipality, period.year)
    children = defaultdict(list)
    level_of = {}
    assessed = {}
    plural_of_level = {}
    for pk, parent_id, order, is_assessed, plural, level_id, name in rows:
        children[parent_id].append(pk)
        level_of[pk] = (order, level_id)
        assessed[pk] = is_assessed
        if order not in plural_of_level:  # one per level (order is unique), not per goal
            plural_of_level[order] = LevelNames(name, plural)
    wanted = set(level_of)
    if root is not None:
        roots = root if isinstance(root, (list, tuple, set, frozenset)) else [root]
        stack = [pk for pk in (getattr(r, "pk", r) for r in roots) if pk in level_of]
        wanted = set()
        while stack:
            pk = stack.pop()
            if pk not in wanted:
                wanted.add(pk)
                stack.extend(children.get(pk, ()))
    if not wanted:
        return {}
    goal_filter = id_list(wanted) if len(wanted) < len(level_of) else None
    own = _assessments(period, decided_only, goal_filter, prognosis=prognosis)
    rules = rules_for(municipality)
    overrides = {} if prognosis else _overrides(period)
    mapping = assignment_mapping(municipality)

    assignment_counts = defaultdict(lambda: defaultdict(int))
    assignment_statuses = defaultdict(list)
    for goal_id, status in _assignment_rows(municipality, period, decided_only):
        if goal_id not in wanted:
            continue
        assignment_counts[goal_id][status] += 1
        assignment_statuses[goal_id].append(mapping.get(status, F.NOT_ASSESSED))

    indicators = defaultdict(list)
    for row in _indicator_rows(municipality, period, goal_filter):
        if row["goal_id"] in wanted:
            indicators[row["goal_id"]].append(_progress_of(row, period))

    result: dict[int, GoalRollup] = {}
    reasoned = {}
    # Deepest levels first, so every child's final assessment is known before its parent.
    for pk in sorted(wanted, key=lambda p: -level_of[p][0]):
        order, level_id = level_of[pk]
        rule = rules[level_id]
        counts = dict.fromkeys(STATUS_ORDER, 0)
        kids = [c for c in children.get(pk, ()) if assessed[c]]
        for child in kids:
            counts[result[child].final if child in result else F.NOT_ASSESSED] += 1
        progress = tuple(indicators.get(pk, ()))
        ind_statuses = [p.status for p in progress]
        asg_statuses = assignment_statuses.get(pk, [])
        # Goals alike below (most of a big tree) share one suggestion and its words.
        key = (
            level_id,
            tuple(counts.values()),
            tuple(sorted(ind_statuses)),
            tuple(sorted(asg_statuses)),
        )
        if key not in reasoned:
            suggested = suggest(rule, counts, ind_statuses, asg_statuses)
            reasoned[key] = (
                suggested,
                explain(
                    rule,
                    counts,
                    plural_of_level.get(order + 1, ""),
                    ind_statuses,
                    asg_statuses,
                    suggested,
                ),
            )
        suggested, explanation = reasoned[key]
        override, reason = overrides.get(pk, (None, ""))
        result[pk] = GoalRollup(
            goal_id=pk,
            counts=counts,
            assignment_counts=dict(assignment_counts.get(pk, {})),
            own=own.get(pk) if assessed[pk] else None,
            suggested=suggested,
            explanation=explanation,
            override=override or None,
            override_reason=reason,
            indicators=progress,
            child_ids=tuple(kids),
        )
    return result


def rule_text(rule: Rule, level_plural: str) -> str:
    """The rule in words, for the page that shows how an assessment was made."""
    below = level_plural.lower()
    if rule.kind == Rule.WORST:
        text = _("The worst assessment among the %(below)s below.") % {"below": below}
    elif rule.kind == Rule.WEIGHTED:
        text = _(
            "The weighted mean of the scores below (fulfilled %(f)s, partly %(p)s, not "
            "%(n)s): fulfilled from %(fs)s, partly fulfilled from %(ps)s."
        ) % {
            "f": formatting.number(rule.fulfilled_score),
            "p": formatting.number(rule.partly_score),
            "n": formatting.number(rule.not_fulfilled_score),
            "fs": formatting.number(rule.fulfilled_share),
            "ps": formatting.number(rule.partly_share),
        }
    else:
        text = _(
            "Fulfilled when at least %(fs)s %% of what is assessed below is fulfilled; partly "
            "fulfilled when at least %(ps)s %% is fulfilled or partly fulfilled; otherwise "
            "not fulfilled."
        ) % {
            "fs": formatting.number(rule.fulfilled_share * 100, 0),
            "ps": formatting.number(rule.partly_share * 100, 0),
        }
    counted = []
    if rule.use_indicators:
        # What "på väg dit" in the explanations counts as (a trial could not tell).
        counted.append(
            _(
                "The goal's own indicators count, each as one item: at its target as "
                "fulfilled, moved from its baseline toward the target as partly fulfilled, "
                "otherwise as not fulfilled."
            )
        )
    if rule.use_assignments:
        counted.append(_("The special assignments linked to the goal count, by the mapping."))
    counted.append(_("What is not assessed takes no part."))
    return " ".join([text, *counted])


# Overrides ---------------------------------------------------------------------------------


def set_override(goal, period, status, reason, user=None) -> RollupOverride:
    """Set (or change) the owner's assessment of ``goal`` in ``period``, with a reason.

    Permissions are the view's business (``styrning.permissions.may_override_rollup``);
    a locked period refuses it here whoever asks (ValidationError). One transaction;
    the history row names the user.
    """
    with transaction.atomic():
        override = (
            RollupOverride.objects.select_for_update().filter(goal=goal, period=period).first()
        ) or RollupOverride(goal=goal, period=period)
        override.status = status
        override.reason = (reason or "").strip()
        override.set_by = user if getattr(user, "pk", None) else None
        return save_validated(override, user, _("Roll-up assessment set by the goal's owner"))


def clear_override(goal, period, user=None) -> bool:
    """Go back to the suggestion (or the own assessment); False if there was no override.
    A locked period refuses it (ValidationError). The history keeps the removed row."""
    with transaction.atomic():
        override = (
            RollupOverride.objects.select_for_update().filter(goal=goal, period=period).first()
        )
        if override is None:
            return False
        if getattr(user, "pk", None):
            override._history_user = user
        override._change_reason = _("Roll-up assessment removed by the goal's owner")
        override.delete()
        return True
