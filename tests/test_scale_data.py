"""make_scale_data at tiny scales, and the benchmark's SQL-floor replay and table rendering."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum

from bench import measure, report
from budget.models import DetailBudget, Outcome
from fixtures.scale import (
    BUDGET_YEARS,
    CURRENT_YEAR,
    LAST_MONTH,
    OPERATING,
    Plan,
    plan_for,
    trend_for,
)
from goals.models import Goal, Indicator
from styrning.models import Membership, Municipality, OrgUnit
from tests.factories import make_world

Kind = OrgUnit.Kind


def test_the_formulas_at_two_tiny_scales_and_at_stockholm_size():
    assert plan_for(0.05) == Plan(0.05, 2, 2, 5, 5, 2, 15, 84, 25, 1)
    assert plan_for(0.1) == Plan(0.1, 2, 2, 10, 5, 3, 30, 167, 50, 2)
    big = plan_for(10)
    assert (big.boards, big.offices, big.enheter) == (50, 100, 1000)
    assert (big.direction_goals, big.committee_goals, big.plan_goals, big.activities) == (
        10,
        300,
        3000,
        16700,
    )
    assert big.goals == 20011
    assert big.indicators == 5000
    assert big.outcome_rows >= 1_000_000


def _build(scale):
    call_command("make_scale_data", scale=scale, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Municipality.objects.get()


@pytest.mark.parametrize("scale", [0.05, 0.1])
def test_counts_follow_the_plan(db, scale):
    plan = plan_for(scale)
    m = _build(scale)
    units = OrgUnit.objects.filter(municipality=m)
    assert units.filter(kind__in=OrgUnit.GOVERNING_KINDS).count() == plan.boards
    assert units.filter(kind__in=OrgUnit.OFFICE_KINDS).count() == plan.offices
    assert units.filter(kind=Kind.UNIT).count() == plan.enheter
    assert not units.filter(kind=Kind.UNIT, ansvarskod="").exists()
    per_level = dict(
        Goal.objects.filter(municipality=m)
        .order_by()
        .values("level__order")
        .annotate(n=Count("pk"))
        .values_list("level__order", "n")
    )
    assert per_level == {
        1: 1,
        2: plan.direction_goals,
        3: plan.committee_goals,
        4: plan.plan_goals,
        5: plan.activities,
    }
    assert Indicator.objects.filter(goal__municipality=m).count() == plan.indicators
    assert m.assignments.count() == plan.assignments
    operating = Outcome.objects.filter(municipality=m, group__code__in=OPERATING)
    assert operating.exclude(unit__isnull=True).count() == plan.outcome_rows
    assert m.budget_years.filter(status="adopted").count() == len(BUDGET_YEARS)
    # The demo's logins, each in its role; a chef for every förvaltning and enhet.
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles["politiker"] == "politician" and roles["ekonomichef"] == "finance"
    assert roles["socialchef"] == roles["enhetschef"] == roles["vd"] == "manager"
    assert sum(1 for name in roles if name.startswith("chef")) == plan.offices + plan.enheter
    # Submissions with assessments for this and last year's goal periods.
    from followup.models import Assessment, Submission

    assessed = dict(
        Assessment.objects.filter(submission__unit__municipality=m)
        .order_by()
        .values("submission__period__year")
        .annotate(n=Count("pk"))
        .values_list("submission__period__year", "n")
    )
    assert set(assessed) == {2025, 2026} and min(assessed.values()) > 0
    assert Submission.objects.filter(unit__municipality=m, period__year=2026).exists()
    # Approved and locked ones say when, after they were sent; the others were not decided.
    decided = Submission.objects.filter(unit__municipality=m, state__in=["approved", "locked"])
    assert decided.exists() and not decided.filter(decided_at__isnull=True).exists()
    assert not decided.filter(decided_at__lte=F("sent_at")).exists()
    undecided = Submission.objects.filter(unit__municipality=m).exclude(pk__in=decided)
    assert not undecided.filter(decided_at__isnull=False).exists()


def _assert_tree(rows):
    """Nested-set fields consistent with the stored tree's parent (``parent`` for units,
    ``tree_parent`` for goals: one tree per body): levels, bounds and subtree sizes."""
    attr = f"{type(rows[0])._mptt_meta.parent_attr}_id"
    by_id = {r.pk: r for r in rows}
    size = defaultdict(int)
    for r in rows:
        parent = by_id.get(getattr(r, attr))
        while parent is not None:
            size[parent.pk] += 1
            parent = by_id.get(getattr(parent, attr))
    for r in rows:
        assert r.rght - r.lft - 1 == 2 * size[r.pk], r
        if getattr(r, attr) is None:
            assert r.mptt_level == 0 and r.lft == 1
        else:
            p = by_id[getattr(r, attr)]
            assert r.tree_id == p.tree_id and p.lft < r.lft < r.rght < p.rght, r


def test_goals_obey_the_rules_and_the_trees_are_valid(db):
    m = _build(0.05)
    goals = list(Goal.objects.filter(municipality=m).select_related("level", "parent", "owner"))
    assert {g.status for g in goals} == {Goal.Status.ADOPTED, Goal.Status.DRAFT}
    for goal in goals[::5] + [g for g in goals if g.level.order <= 3]:
        goal.full_clean()
    _assert_tree(goals)
    _assert_tree(list(OrgUnit.objects.filter(municipality=m)))
    # Every row has its first history row, as save() would have written.
    assert Goal.history.filter(history_type="+").count() == len(goals)
    assert Outcome.history.count() == Outcome.objects.count()


def test_a_full_year_of_outcomes_adds_up_to_the_budget_times_the_trend(db):
    m = _build(0.05)
    boards = list(
        OrgUnit.objects.filter(municipality=m, kind__in=OrgUnit.GOVERNING_KINDS).order_by("pk")
    )
    trend = {b.pk: trend_for(i) for i, b in enumerate(boards)}
    board_of = {}
    for unit in OrgUnit.objects.filter(municipality=m, kind__in=OrgUnit.OFFICE_KINDS):
        board_of[unit.pk] = unit.parent_id
    for unit in OrgUnit.objects.filter(municipality=m, kind=Kind.UNIT).select_related("parent"):
        board_of[unit.pk] = unit.parent.parent_id
    year = CURRENT_YEAR - 1
    budgets = DetailBudget.objects.filter(budget_year__year=year, group__code__in=OPERATING)
    totals = (
        Outcome.objects.filter(year=year, unit__isnull=False, group__code__in=OPERATING)
        .order_by()
        .values("unit_id", "group_id")
        .annotate(total=Sum("amount"))
    )
    sums = {(t["unit_id"], t["group_id"]): t["total"] for t in totals}
    assert len(sums) == budgets.count() > 0
    for budget in budgets.select_related("group"):
        drift = 1 if budget.group.code == "intakter" else 1 + trend[board_of[budget.unit_id]]
        expected = float(budget.amount) * drift
        assert abs(float(sums[budget.unit_id, budget.group_id]) - expected) <= 12  # rounding
    # The current year is booked up to LAST_MONTH.
    months = Outcome.objects.filter(year=CURRENT_YEAR).values_list("month", flat=True)
    assert max(months) == LAST_MONTH


def test_it_refuses_a_database_that_holds_another_municipality(db):
    make_world()
    with pytest.raises(CommandError, match="Testby"):
        call_command("make_scale_data", scale=0.05)


# --- the benchmark's own parts ------------------------------------------------------------


def test_the_page_list_reverses_with_its_placeholders():
    pages = measure.read_pages()
    names = {p.url_name for p in pages}
    assert {"goals:tree", "goals:detail", "budget:overview", "budget:export"} <= names
    # Issue 10's pages: /uppfoljning/, Min uppföljning, a submission form (and a part of
    # it), /arshjul/, the politicians' overview, "hur bedömningen gjordes", halvtid.
    assert {
        "followup:mine",
        "followup:submission",
        "followup:calendar",
        "followup:fulfilment",
        "followup:fulfilment_goal",
        "followup:rollup",
        "followup:midterm",
    } <= names
    assert any(p.url_name == "followup:submission" and "del=" in p.query for p in pages)
    fake = dict.fromkeys(
        (
            "board",
            "office",
            "goal",
            "committee_goal",
            "perspective",
            "assignment",
            "goal_period",
            "submission",
            "top_goal",
        ),
        7,
    )
    fake["year"] = 2026
    for page in pages:
        assert page.url(fake).startswith("/")


def test_the_sql_floor_replays_a_pages_queries(client, db):
    world = make_world()
    client.force_login(world.politician)
    result = measure.measure_page(client, "/mal/", n=3, budget=5)
    assert result["status"] == 200 and result["n"] == 3
    assert result["queries"] > 0 and result["floor_skipped"] == 0
    assert result["floor_median_ms"] > 0 and result["ratio"] > 0
    assert result["bytes"] > result["gzip_bytes"] > 0
    # The replay runs exactly the captured statements, and writes nothing.
    _, sql = measure.capture(lambda: client.get("/mal/", secure=True))
    assert len(sql) == result["queries"]
    before = Goal.objects.count()
    measure.Floor(sql).measure(2)
    assert Goal.objects.count() == before


def test_a_page_and_its_floor_are_timed_in_turn(db):
    """Each request is followed by one replay of its floor and of its own queries, so a
    busy moment of the machine falls on both sides of the ratio, not on one."""
    events = []

    class Recorded(measure.Floor):
        def time_once(self, good):
            events.append(self.sql[0])
            return super().time_once(good)

    def get():
        events.append("request")

    floor, own = Recorded(["SELECT 1"]), Recorded(["SELECT 2"])
    times, floor_times, own_times = measure.interleaved(get, floor, own, n=4, budget=5)
    assert len(times) == len(floor_times) == len(own_times) == 4
    assert events == ["request", "SELECT 1", "SELECT 2"] * 4
    assert all(t > 0 for t in floor_times + own_times)
    # A page with no queries of its own replays only its floor.
    events.clear()
    _, _, own_times = measure.interleaved(get, floor, Recorded([]), n=2, budget=5)
    assert own_times == [] and events == ["request", "SELECT 1"] * 2


def _page(label, queries, median, p95, floor, size=10_000, url_name="budget:overview"):
    return {
        "label": label,
        "role": "politiker",
        "url_name": url_name,
        "url": "/x/",
        "queries": queries,
        "median_ms": median,
        "p95_ms": p95,
        "floor_median_ms": floor,
        "ratio": round(median / floor, 2),
        "bytes": size,
        "n": 30,
    }


def test_the_table_marks_each_figure_against_its_target():
    results = {
        "date": "2026-12-04",
        "machine": {"cores": 2, "cpu": "Xeon", "ram_gb": 23, "python": "3.11"},
        "build": {"1": {"seconds": 9.0}, "10": {"seconds": 80.0}},
        "pages": {
            "1": [_page("budget", 18, 20, 25, 10), _page("mål", 11, 50, 60, 20)],
            "10": [
                dict(_page("budget", 18, 100, 120, 50), own_ratio=1.5, own_floor_median_ms=40),
                _page("mål", 12, 900, 1200, 30),
            ],
        },
        "empty": {"10": {"politiker": {"median_ms": 3.1, "queries": 4}}},
        "goals": {"10": {"add_model": {"median_ms": 40, "p95_ms": 45, "goals_rewritten": 0}}},
        "sie": {"status": "not measured", "reason": "no module"},
        "load": {"requests_per_s": 12.5, "errors": 0, "workers": 5, "clients": 20},
    }
    text = report.render(results)
    budget_row = next(line for line in text.splitlines() if line.startswith("| budget |"))
    mal_row = next(line for line in text.splitlines() if line.startswith("| mål |"))
    # p95 120 ms, 2 × floor, 1.5 × its own floor, 18 queries at both scales
    assert budget_row.endswith("| ✓ | ✓ | ✓ | ✓ |")
    assert mal_row.endswith("| ✗ | ✗ | – | ✗ |")  # 1.2 s, 30 × floor, no own queries, 11 → 12
    assert "The empty page (the base layout behind the login): politiker 3.10 ms (10" in text
    assert "add (full_clean + save) | 40 | 45 | 0 | ✓" in text
    assert "not measured: no module" in text
    assert "| requests per second | 12.5 | ≥ 50: ✗ |" in text
    assert "Scale 10 builds in under 300 s: ✓" in text


def test_the_breakdown_charges_each_query_to_its_part_and_uninstalls(client, db):
    from bench import breakdown
    from styrning import context_processors, permissions

    world = make_world()
    client.force_login(world.politician)
    scope_for = permissions.scope_for
    result = measure.measure_page(client, "/mal/", n=3, budget=5)
    parts, queries = result["parts"], result["query_parts"]
    assert sum(queries.values()) == result["queries"]
    # Session and user (2) and the scope (1) are login; the municipality's name is layout.
    assert queries["login"] == 3 and queries["layout"] == 1 and queries["sql"] > 0
    assert parts["n"] >= 3 and parts["sql"] > 0 and parts["login"] > 0 and parts["view"] > 0
    assert parts["total"] == pytest.approx(sum(parts[p] for p in breakdown.PARTS), abs=0.05)
    # Nothing stays wrapped after the measurement.
    assert permissions.scope_for is scope_for and context_processors.scope_for is scope_for
    text = report.render({"pages": {"10": [dict(result, label="mål", role="politiker")]}})
    assert "## Where the time goes (scale 10)" in text
    assert f"| {queries['sql']} + 4 |" in text


def test_the_empty_page_is_the_fixed_cost_and_own_queries_have_their_floor(client, db):
    """measure_pages requests the empty page (bench/urls.py) per login first; a page's
    own floor replays only the queries that are not the login's and the layout's."""
    world = make_world()
    pages = [
        measure.PageSpec("tillgänglighet", "accessibility", (), "", "politiker"),
        measure.PageSpec("mål", "goals:tree", (), "", "politiker"),
    ]
    User = world.politician.__class__
    User.objects.filter(pk=world.politician.pk).update(username="politiker")
    empty = {}
    access, tree = measure.measure_pages(
        pages, 3, 5, log=lambda s: None, empty=empty, found={"board": world.nA.pk}
    )
    assert empty["politiker"]["status"] == 200 and empty["politiker"]["queries"] == 4
    assert access["query_parts"] == {"login": 3, "layout": 1}
    assert access["own_floor_median_ms"] is None and access["own_ratio"] is None
    assert access["fixed_ms"] == empty["politiker"]["median_ms"]
    assert tree["own_floor_median_ms"] > 0 and tree["own_ratio"] is not None
    # The own floor replays the page's queries without the login's and the layout's
    # (compared by count: two timings of a few milliseconds would only compare noise).
    assert tree["own_floor_queries"] == tree["query_parts"]["sql"] == tree["queries"] - 4
    assert access["own_floor_queries"] == 0


def test_the_reports_table_sets_end_to_end_beside_weasyprint():
    figures = {
        "name": "delårsrapport",
        "pages": 14,
        "queries": 30,
        "seconds": 6.0,
        "context_seconds": 0.5,
        "html_seconds": 0.05,
        "weasyprint_seconds": 5.5,
        "ratio": 1.09,
        "n": 3,
    }
    results = {
        "reports": {
            "1": {"interim": figures},
            "10": {
                "interim": dict(figures, ratio=1.5),
                "annual": {"name": "årsredovisning", "status": "not measured", "reason": "x"},
            },
        },
        "load_average": {"start": [1.5, 1.2, 0.9]},
    }
    text = report.render(results)
    assert "| delårsrapport | 1 | 14 | 30 | 0.500 | 0.050 | 6.00 | 5.50 | 1.09 | 3 |  |" in text
    assert text.count("| delårsrapport | 10 |") == 1 and "| 1.50 | 3 | ✗ |" in text
    assert "| årsredovisning | 10 | not measured: x |" in text
    assert "load average (1 / 5 / 15 min; other work shares the cores): start 1.50" in text
