"""Probe of the goal chain at Stockholm size (issue 9): not a test, a measurement.

Builds ~20 000 goals over five levels in the database of DATABASE_URL (bulk insert and
one tree rebuild), then times /mal/ (unfiltered, by nämnd, by perspective, by year), a
goal's children fragment, the all-levels view of a nämnd, the goal page, and adding and
moving a goal. Run from the project root, against your own database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/styrning_NAME \
        .venv/bin/python bench/goals_probe.py [--build] [--runs 15]

``--build`` flushes that database first. Works on the code before the per-body trees
(one tree per municipality, tree fields computed here) and after them
(``goals.tree.rebuild_goal_trees``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from goals.models import Goal, Indicator, Measurement, Perspective  # noqa: E402
from styrning.models import Membership, Municipality, OrgUnit  # noqa: E402
from tests.factories import make_levels, make_user  # noqa: E402

Kind = OrgUnit.Kind
NEW_DESIGN = hasattr(Goal, "tree_parent")
YEARS = (2024, 2025, 2026)
DECISION = {"decided_on": dt.date(2025, 11, 24), "decision_reference": "KF 2025-11-24 § 1"}


def _units(m):
    """KF, KS with its förvaltning, 49 nämnder/styrelser, 2 offices each, 10 enheter each."""
    kf = OrgUnit.objects.create(municipality=m, name="Kommunfullmäktige", kind=Kind.COUNCIL)
    bodies = [
        OrgUnit.objects.create(
            municipality=m, name="Kommunstyrelsen", kind=Kind.EXECUTIVE, parent=kf
        )
    ]
    for n in range(45):
        bodies.append(
            OrgUnit.objects.create(
                municipality=m, name=f"Nämnd {n:02}", kind=Kind.COMMITTEE, parent=kf
            )
        )
    for n in range(4):
        bodies.append(
            OrgUnit.objects.create(municipality=m, name=f"Styrelse {n}", kind=Kind.BOARD, parent=kf)
        )
    offices, enheter = {}, {}
    code = 1000
    for body in bodies:
        kind = Kind.COMPANY if body.kind == Kind.BOARD else Kind.ADMINISTRATION
        offices[body.pk] = []
        for k in range(2):
            code += 1
            office = OrgUnit.objects.create(
                municipality=m,
                name=f"{body.name} förvaltning {k}",
                kind=kind,
                parent=body,
                ansvarskod=str(code),
            )
            offices[body.pk].append(office)
            enheter[office.pk] = []
            for e in range(10):
                code += 1
                enheter[office.pk].append(
                    OrgUnit.objects.create(
                        municipality=m,
                        name=f"{office.name} enhet {e}",
                        kind=Kind.UNIT,
                        parent=office,
                        ansvarskod=str(code),
                    )
                )
    return kf, bodies, offices, enheter


def build():
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(9)
    started = time.perf_counter()
    m = Municipality.objects.create(name="Skalby kommun", code="9998")
    levels = make_levels(m)
    perspectives = [
        Perspective.objects.create(municipality=m, name=name, order=i)
        for i, name in enumerate(
            ["Invånare", "Ekonomi", "Medarbetare", "Samhälle och miljö", "Värdegrund"]
        )
    ]
    kf, bodies, offices, enheter = _units(m)
    make_user("politiker", Membership.Role.POLITICIAN, kf)
    make_user("ekonomichef", Membership.Role.FINANCE, bodies[0])
    make_user("chef", Membership.Role.MANAGER, offices[bodies[1].pk][0])
    rows = []

    def goal(level, owner, parent, title, years, adopted=True):
        g = Goal(
            municipality=m,
            level=levels[level],
            owner=owner,
            parent=parent,
            title=title,
            start_year=years[0],
            end_year=years[1],
            lft=0,
            rght=0,
            tree_id=0,
            mptt_level=0,
        )
        if adopted:
            g.status, g.decided_by = Goal.Status.ADOPTED, owner
            g.decided_on, g.decision_reference = (
                DECISION["decided_on"],
                DECISION["decision_reference"],
            )
        rows.append(g)
        return g

    def flush_rows():
        Goal.objects.bulk_create(rows, batch_size=2000)
        made = list(rows)
        rows.clear()
        return made

    vision = goal(1, kf, None, "Skalby 2035", (2023, 2035))
    flush_rows()
    directions = [goal(2, kf, vision, f"Inriktningsmål {i}", (2023, 2030)) for i in range(10)]
    flush_rows()
    committee_goals = []
    for body in bodies:
        for i in range(6):
            year = YEARS[i % 3]
            committee_goals.append(
                goal(3, body, rng.choice(directions), f"{body.name} mål {i}", (year, year))
            )
    flush_rows()
    plans = []
    for cg in committee_goals:
        for i in range(10):
            office = offices[cg.owner_id][i % 2]
            plans.append(
                goal(
                    4,
                    office,
                    cg,
                    f"{office.name} plan {cg.pk}-{i}",
                    (cg.start_year, cg.end_year),
                    adopted=i != 9,
                )
            )
    flush_rows()
    for n in range(16_700):
        plan = plans[n % len(plans)]
        unit = rng.choice(enheter[plan.owner_id])
        goal(
            5,
            unit,
            plan,
            f"Aktivitet {n}",
            (plan.start_year, plan.end_year),
            adopted=plan.status == Goal.Status.ADOPTED and n % 7 != 0,
        )
    flush_rows()
    through = Goal.perspectives.through
    links = [
        through(goal_id=g.pk, perspective_id=perspectives[i % 5].pk)
        for i, g in enumerate(directions + committee_goals)
    ]
    links += [
        through(goal_id=g.pk, perspective_id=perspectives[(i + 2) % 5].pk)
        for i, g in enumerate(committee_goals[::3])
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)
    indicators = [
        Indicator(
            goal=g,
            name=f"Indikator {g.pk}",
            baseline_value=50,
            baseline_year=2022,
            target_value=60,
            target_year=2026,
        )
        for g in committee_goals + plans[::3]
    ]
    Indicator.objects.bulk_create(indicators, batch_size=2000)
    Measurement.objects.bulk_create(
        [
            Measurement(indicator=i, year=y, value=50 + y % 7)
            for i in indicators
            for y in (2024, 2025)
        ],
        batch_size=5000,
    )
    built = time.perf_counter()
    if NEW_DESIGN:
        from goals.tree import rebuild_goal_trees

        rebuild_goal_trees(m)
    else:
        _legacy_single_tree(m)
    done = time.perf_counter()
    print(
        f"built {Goal.objects.count()} goals in {built - started:.1f} s; "
        f"trees in {done - built:.1f} s"
    )


def _legacy_single_tree(m):
    """Tree fields for the old design: one nested set over the whole chain."""
    children: dict = {}
    for pk, parent_id in (
        Goal.objects.filter(municipality=m).order_by("pk").values_list("pk", "parent_id")
    ):
        children.setdefault(parent_id, []).append(pk)
    values = []
    tree_id = 0
    for root in children.get(None, []):
        tree_id += 1
        counter = 0
        stack = [(root, 0, False)]
        lft = {}
        while stack:
            pk, depth, done = stack.pop()
            counter += 1
            if done:
                values.append((pk, tree_id, lft[pk], counter, depth))
                continue
            lft[pk] = counter
            stack.append((pk, depth, True))
            for child in reversed(children.get(pk, [])):
                stack.append((child, depth + 1, False))
    with connection.cursor() as cursor:
        for i in range(0, len(values), 5000):
            chunk = values[i : i + 5000]
            cursor.execute(
                "UPDATE goals_goal g SET tree_id = v.t, lft = v.l, rght = v.r, mptt_level = v.d "
                "FROM (VALUES "
                + ",".join(["(%s,%s,%s,%s,%s)"] * len(chunk))
                + ") AS v(id, t, l, r, d) WHERE g.id = v.id",
                [x for row in chunk for x in row],
            )


def _time(client, url, runs, method="get", data=None):
    times, queries, size, status = [], 0, 0, None
    for i in range(runs + 1):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = (
                getattr(client, method)(url, data)
                if data is not None
                else getattr(client, method)(url)
            )
            elapsed = (time.perf_counter() - t) * 1000
        if i:  # the first is a warm-up
            times.append(elapsed)
        queries, size, status = (
            len(ctx.captured_queries),
            len(response.content),
            response.status_code,
        )
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {
        "median_ms": statistics.median(times),
        "p95_ms": p95,
        "queries": queries,
        "kb": size / 1024,
        "status": status,
    }


def probe(runs):
    m = Municipality.objects.get(code="9998")
    settings.ALLOWED_HOSTS = ["*"]
    committee = OrgUnit.objects.get(municipality=m, name="Nämnd 00")
    perspective = Perspective.objects.get(municipality=m, name="Ekonomi")
    direction = Goal.objects.filter(municipality=m, level__order=2).order_by("pk").first()
    cgoal = Goal.objects.filter(owner=committee, level__order=3).order_by("pk").first()
    plan = Goal.objects.filter(parent=cgoal).order_by("pk").first()
    pages = {
        "/mal/": "/mal/",
        "/mal/ by nämnd": f"/mal/?unit={committee.pk}",
        "/mal/ by perspective": f"/mal/?perspective={perspective.pk}",
        "/mal/ by year": "/mal/?year=2026",
        "/mal/ nämnd all levels": f"/mal/?unit={committee.pk}&alla=1",
        "fragment (inriktningsmål)": f"/mal/{direction.pk}/under/",
        "fragment (verksamhetsplan)": f"/mal/{plan.pk}/under/",
        "goal page (nämndmål)": f"/mal/{cgoal.pk}/",
        "goal page (verksamhetsplan)": f"/mal/{plan.pk}/",
    }
    results = {}
    for role in ("politiker", "ekonomichef"):
        client = Client()
        client.force_login(django.contrib.auth.get_user_model().objects.get(username=role))
        for name, url in pages.items():
            r = _time(client, url, runs)
            results[(role, name)] = r
            print(
                f"{role:12} {name:30} {r['status']} {r['median_ms']:8.1f} ms median "
                f"{r['p95_ms']:8.1f} p95 "
                f"{r['queries']:3} q {r['kb']:9.1f} KB"
            )
    _adding(m, plan, runs)
    _moving(m, runs)
    _locks(m)
    return results


def _adding(m, plan, runs):
    chef = django.contrib.auth.get_user_model().objects.get(username="chef")
    client = Client()
    client.force_login(chef)
    enhet = OrgUnit.objects.filter(parent=plan.owner).order_by("pk").first()
    times = []
    for i in range(runs):
        data = {
            "title": f"Ny aktivitet {i}",
            "owner": enhet.pk,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        }
        t = time.perf_counter()
        response = client.post(f"/mal/{plan.pk}/nytt/", data)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 302, response.content.decode()[:2000]
    model_times = []
    level = plan.level.municipality.goal_levels.get(order=5)
    for i in range(runs):
        t = time.perf_counter()
        with transaction.atomic():
            g = Goal(
                municipality=m,
                level=level,
                owner=enhet,
                parent=Goal.objects.get(pk=plan.pk),
                title=f"Modell {i}",
                start_year=plan.start_year,
                end_year=plan.end_year,
            )
            g.full_clean()
            g.save()
        model_times.append((time.perf_counter() - t) * 1000)
    print(
        f"add a goal (POST /mal/<vp>/nytt/): median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms"
    )
    print(
        f"add a goal (full_clean + save):     median {statistics.median(model_times):.1f} ms, "
        f"max {max(model_times):.1f} ms"
    )


def _moving(m, runs):
    """Move a verksamhetsplan between two nämndmål of one nämnd and back (GoalManager.move_node)."""
    committee = OrgUnit.objects.get(municipality=m, name="Nämnd 01")
    first, second = Goal.objects.filter(owner=committee, level__order=3, start_year=2024).order_by(
        "pk"
    )[:2]
    times = []
    for i in range(runs):
        source, target = (first, second) if i % 2 == 0 else (second, first)
        node = Goal.objects.filter(parent=source, status=Goal.Status.DRAFT).order_by("pk").first()
        t = time.perf_counter()
        with transaction.atomic():
            Goal.objects.move_node(node, Goal.objects.get(pk=target.pk), "last-child")
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"move a goal (move_node):            median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms"
    )


def _locks(m):
    """While one transaction adds an activity in nämnd 00, may another lock nämnd 01's goals?"""
    plan = (
        Goal.objects.filter(owner__parent__name="Nämnd 00", level__order=4).order_by("pk").first()
    )
    other = list(
        Goal.objects.filter(owner__parent__name="Nämnd 01").values_list("pk", flat=True)[:50]
    )
    enhet = OrgUnit.objects.filter(parent=plan.owner).order_by("pk").first()
    level = m.goal_levels.get(order=5)
    result = {}
    inserted = threading.Event()
    release = threading.Event()

    def writer():
        try:
            with transaction.atomic():
                g = Goal(
                    municipality=m,
                    level=level,
                    owner=enhet,
                    parent=plan,
                    title="Låstest",
                    start_year=plan.start_year,
                    end_year=plan.end_year,
                )
                g.save()
                inserted.set()
                release.wait(10)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    inserted.wait(10)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            cursor.execute("SELECT id FROM goals_goal WHERE id = ANY(%s) FOR UPDATE", [other])
            result["other"] = "free"
    except Exception as error:  # noqa: BLE001 - a lock timeout is the finding
        result["other"] = f"locked ({type(error).__name__})"
    release.set()
    thread.join()
    print(f"while adding a goal in nämnd 00, nämnd 01's goals are: {result['other']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.build:
        build()
    probe(args.runs)
