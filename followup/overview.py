"""The /arshjul/ page's context: the year's periods, the wheel and the three parallel years.

``calendar_page`` makes a fixed number of queries, whatever the number of periods
and units (tests/followup/test_calendar_page.py pins it).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budget.models import BudgetYear
from followup.choices import ReportKind
from followup.fulfilment_queries import CompiledQuery
from followup.models import ReportingPeriod, Submission, SubmissionCount
from followup.worklist import compiled_rows, compiled_values
from styrning.formatting import iso_date, month_name
from styrning.models import OrgUnit

State = ReportingPeriod.State

# The wheel: a 420 × 420 drawing, January at the top, months clockwise.
SIZE = 420
CENTRE = SIZE / 2
MONTH_RING = (162, 204)
PERIOD_RING = (98, 158)


@dataclass
class PeriodRow:
    period: ReportingPeriod
    count: SubmissionCount
    submitted: str  # "3 av 5 inskickade"; "" for a planned period
    late: str  # "varav 1 för sent"
    locked: str  # "KF 2027-04-20 § 12, låst 2027-04-21 av Karin Berglund"
    can_open: bool = False
    can_close: bool = False
    can_lock: bool = False
    label: str = ""  # the period's label ("Månadsrapport per 31 mars 2026"), made once
    # Planned, and what it covers has not ended: opening it now asks so first.
    opens_early: bool = False


@dataclass
class Sector:
    path: str
    state: str
    letter: str
    state_label: str
    # Coordinates as SVG text ("300.5"): a float would be localised ("300,5") by the
    # template, which SVG does not read.
    x: str
    y: str
    y2: str  # the state's line, under the letter
    title: str


@dataclass
class Wheel:
    months: list = field(default_factory=list)  # (path, label x, label y, name)
    sectors: list = field(default_factory=list)
    today: tuple | None = None  # (x, y, title) of the needle's end
    size: int = SIZE
    centre: str = f"{CENTRE:g}"  # text, as every coordinate: never "210,0"
    centre_text_y: str = f"{CENTRE + 10:g}"
    year: int = 0
    summary: str = ""


@dataclass
class ParallelYear:
    role: str  # "Föregående år: årsredovisning"
    year: int
    text: str
    url: str = ""  # another year of the årshjul
    link_text: str = ""


def _point(angle: float, radius: float) -> tuple[float, float]:
    """The point at ``angle`` degrees clockwise from the top, ``radius`` from the centre."""
    radians = math.radians(angle - 90)
    return CENTRE + radius * math.cos(radians), CENTRE + radius * math.sin(radians)


def _sector_path(start: float, end: float, inner: float, outer: float) -> str:
    x1, y1 = _point(start, outer)
    x2, y2 = _point(end, outer)
    x3, y3 = _point(end, inner)
    x4, y4 = _point(start, inner)
    return (
        f"M{x1:.1f} {y1:.1f}A{outer} {outer} 0 0 1 {x2:.1f} {y2:.1f}"
        f"L{x3:.1f} {y3:.1f}A{inner} {inner} 0 0 0 {x4:.1f} {y4:.1f}Z"
    )


def _period_counts(period_ids):
    # Submission.objects.counts_for's first query, its rows as tuples.
    return (
        Submission.objects.filter(period__in=period_ids)
        .values("period")
        .annotate(
            sent=Count("pk", filter=Q(state__in=Submission.SENT_STATES)),
            decided=Count("pk", filter=Q(state__in=Submission.DECIDED_STATES)),
            late=Count(
                "pk",
                filter=Q(
                    state__in=Submission.SENT_STATES, first_sent_at__date__gt=F("period__deadline")
                ),
            ),
        )
        .order_by()
        .values_list("period", "sent", "decided", "late")
    )


def _expected_counts(municipality_ids):
    # Submission.objects.counts_for's second query.
    return (
        OrgUnit.objects.filter(municipality__in=municipality_ids, kind__in=OrgUnit.OFFICE_KINDS)
        .values("municipality")
        .annotate(n=Count("pk"))
        .values_list("municipality", "n")
        .order_by()
    )


# Compiled once a process: the årshjul and every fulfilment page ask for them.
PERIOD_COUNTS = CompiledQuery(_period_counts, in_list=0)
EXPECTED_COUNTS = CompiledQuery(_expected_counts, in_list=0)


def submission_counts(periods) -> dict[int, SubmissionCount]:
    """``Submission.objects.counts_for(periods)``: per period pk, the follow-ups sent,
    approved and late of those expected (its two queries, compiled once a process;
    building and compiling them through the ORM cost more Python than the rest of the
    årshjul)."""
    periods = list(periods)
    if not periods:
        return {}
    counts = {period: row for period, *row in PERIOD_COUNTS([p.pk for p in periods])}
    expected = dict(EXPECTED_COUNTS([p.municipality_id for p in periods]))
    result = {}
    for p in periods:
        sent, decided, late = counts.get(p.pk, (0, 0, 0))
        result[p.pk] = SubmissionCount(
            sent=sent, expected=expected.get(p.municipality_id, 0), late=late, decided=decided
        )
    return result


def _submitted(period, count: SubmissionCount) -> tuple[str, str]:
    if period.state == State.PLANNED:
        return "", ""
    text = _("%(sent)s of %(expected)s submitted") % {
        "sent": count.sent,
        "expected": count.expected,
    }
    late = ""
    if count.late:
        late = ngettext("%(count)s of them late", "%(count)s of them late", count.late) % {
            "count": count.late
        }
    return text, late


def _locked_text(period) -> str:
    if period.state != State.LOCKED:
        return ""
    user = period.locked_by
    who = (user.get_full_name() or user.username) if user is not None else ""
    if who:
        return _("%(reference)s, locked %(date)s by %(user)s") % {
            "reference": period.decision_reference,
            "date": iso_date(period.locked_at),
            "user": who,
        }
    return _("%(reference)s, locked %(date)s") % {
        "reference": period.decision_reference,
        "date": iso_date(period.locked_at),
    }


def wheel(year: int, rows: list[PeriodRow], today: dt.date) -> Wheel:
    """The year as a wheel: twelve months around, each period in the month it covers."""
    w = Wheel(year=year)
    # The choices' words once, not once a sector.
    states = {value: str(label) for value, label in State.choices}
    letters = {value: str(label)[:1].upper() for value, label in ReportKind.choices}
    for month in range(1, 13):
        start, end = (month - 1) * 30, month * 30
        x, y = _point(start + 15, sum(MONTH_RING) / 2)
        w.months.append(
            (
                _sector_path(start, end, *MONTH_RING),
                f"{x:.1f}",
                f"{y + 4:.1f}",
                month_name(month)[:3],
            )
        )
    sector_title = _("%(period)s: %(state)s, deadline %(deadline)s")  # once, not a sector
    for row in rows:
        p = row.period
        start, end = (p.month - 1) * 30 + 1, p.month * 30 - 1
        x, y = _point((p.month - 1) * 30 + 15, sum(PERIOD_RING) / 2)
        state = states[p.state]
        title = sector_title % {
            "period": row.label,
            "state": state,
            "deadline": iso_date(p.deadline),
        }
        if row.submitted:
            title = f"{title}, {row.submitted}"
        w.sectors.append(
            Sector(
                path=_sector_path(start, end, *PERIOD_RING),
                state=p.state,
                letter=letters[p.kind],
                state_label=state,
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                y2=f"{y + 13:.1f}",
                title=title,
            )
        )
    if today.year == year:
        day = today.timetuple().tm_yday - 1
        days = 366 if (dt.date(year, 12, 31).timetuple().tm_yday == 366) else 365
        x, y = _point(day / days * 360, MONTH_RING[1])
        w.today = (f"{x:.1f}", f"{y:.1f}", _("Today %(date)s") % {"date": iso_date(today)})
    w.summary = ngettext(
        "%(count)s reporting period in %(year)s",
        "%(count)s reporting periods in %(year)s",
        len(rows),
    ) % {"count": len(rows), "year": year}
    return w


def _previous_year(municipality, year) -> ParallelYear:
    """Föregående år: the årsredovisning, i.e. the state of its year-end period."""
    periods = compiled_rows(
        "calendar previous year",
        lambda municipality, year: ReportingPeriod.objects.filter(
            municipality=municipality, year=year, kind=ReportKind.ANNUAL
        ).order_by("-month")[:1],
        municipality.pk,
        year - 1,
    )
    period = periods[0] if periods else None
    if period is None:
        text = _("No year-end period in the calendar.")
    elif period.state == State.LOCKED:
        text = _("%(period)s: adopted (%(reference)s).") % {
            "period": period.label,
            "reference": period.decision_reference,
        }
    else:
        text = _("%(period)s: %(state)s, deadline %(deadline)s.") % {
            "period": period.label,
            "state": period.get_state_display(),
            "deadline": iso_date(period.deadline),
        }
    return ParallelYear(_("Previous year: annual report"), year - 1, text)


def _current_year(year, rows, today) -> ParallelYear:
    """Innevarande år: the follow-up, i.e. the next deadline."""
    upcoming = [
        r.period for r in rows if r.period.deadline >= today and r.period.state != State.LOCKED
    ]
    # Open periods past their deadline first: they are what is still outstanding.
    overdue = [r for r in rows if r.period.state == State.OPEN and r.period.deadline < today]
    if overdue:
        late = min((r.period for r in overdue), key=lambda p: p.deadline)
        text = _("%(period)s is still open: its deadline was %(deadline)s.") % {
            "period": late.label,
            "deadline": iso_date(late.deadline),
        }
        if upcoming:
            nxt = min(upcoming, key=lambda p: p.deadline)
            text += " " + _("Next deadline: %(period)s, %(deadline)s.") % {
                "period": nxt.label,
                "deadline": iso_date(nxt.deadline),
            }
    elif upcoming:
        nxt = min(upcoming, key=lambda p: p.deadline)
        text = _("Next deadline: %(period)s, %(deadline)s (units' parts %(unit_deadline)s).") % {
            "period": nxt.label,
            "deadline": iso_date(nxt.deadline),
            "unit_deadline": iso_date(nxt.unit_deadline),
        }
    elif rows:
        text = _("No more deadlines in %(year)s.") % {"year": year}
    else:
        text = _("No reporting periods yet.")
    return ParallelYear(_("Current year: follow-up"), year, text)


def _next_year(municipality, year) -> ParallelYear:
    """Kommande år: the planning, i.e. the state of the next budget year (read only)."""
    # .first(): the budget year's own ordering, LIMIT 1.
    budget_years = compiled_rows(
        "calendar next year",
        lambda municipality, year: BudgetYear.objects.filter(municipality=municipality, year=year)[
            :1
        ],
        municipality.pk,
        year + 1,
    )
    budget_year = budget_years[0] if budget_years else None
    if budget_year is None:
        text = _("No budget for %(year)s yet.") % {"year": year + 1}
    elif budget_year.is_adopted:
        text = _("Budget %(year)s adopted (%(reference)s).") % {
            "year": budget_year.year,
            "reference": budget_year.decision_reference,
        }
    else:
        text = _("Budget %(year)s is being planned (draft).") % {"year": budget_year.year}
    return ParallelYear(_("Coming year: planning"), year + 1, text)


def calendar_page(municipality, year: int, today: dt.date, can_manage: bool) -> dict:
    """Everything /arshjul/ shows for ``year`` (six queries)."""
    periods = compiled_rows(
        "calendar periods",
        lambda municipality, year: ReportingPeriod.objects.for_year(
            municipality, year
        ).select_related("locked_by"),
        municipality.pk,
        year,
    )
    counts = submission_counts(periods)
    rows = []
    for period in periods:
        count = counts[period.pk]
        submitted, late = _submitted(period, count)
        rows.append(
            PeriodRow(
                period=period,
                label=period.label,
                count=count,
                submitted=submitted,
                late=late,
                locked=_locked_text(period),
                can_open=can_manage and period.state in (State.PLANNED, State.CLOSED),
                can_close=can_manage and period.state == State.OPEN,
                can_lock=can_manage and period.state == State.CLOSED,
                opens_early=period.state == State.PLANNED and today <= period.period_end,
            )
        )
    previous = _previous_year(municipality, year)
    current = _current_year(year, rows, today)
    coming = _next_year(municipality, year)
    return {
        "year": year,
        "rows": rows,
        "wheel": wheel(year, rows, today),
        "parallel": [previous, current, coming],
        "can_manage": can_manage,
        "has_planned": any(r.period.state == State.PLANNED for r in rows),
    }


def years_offered(municipality, today: dt.date, year: int) -> list[int]:
    """The years the selector offers: those with periods, and last, this and next year."""
    stored = {
        year
        for (year,) in compiled_values(
            "calendar years",
            lambda municipality: (
                ReportingPeriod.objects.filter(municipality=municipality)
                .values_list("year", flat=True)
                .distinct()
                .order_by()
            ),
            municipality.pk,
        )
    }
    return sorted(stored | {today.year - 1, today.year, today.year + 1, year}, reverse=True)
