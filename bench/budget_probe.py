"""Probe the budget pages at Stockholm size (issue 9): not a test, a measurement.

    DATABASE_URL=postgres://…/styrning_x .venv/bin/python bench/budget_probe.py build
    DATABASE_URL=postgres://…/styrning_x .venv/bin/python bench/budget_probe.py measure
    DATABASE_URL=postgres://…/styrning_x .venv/bin/python bench/budget_probe.py refresh

``build`` empties the database's budget and organisation and makes one municipality:
KF, KS and 49 nämnder, each with a förvaltning and 19 enheter (1 051 units), budget
years 2017–2026 with adopted frames, a yearly detaljbudget and forecasts for 2026, and
about 1.1 million Outcome rows over the ten years (≈ 110 000 a year), written with one
``INSERT … SELECT generate_series`` a year. Then the kept sums (``budget.totals``), if
this branch has them, and ANALYZE.

``measure`` times each budget page in-process with Django's test client (``--runs``
requests after one warm-up, median and 95th percentile), and its SQL floor: the
page's captured queries replayed alone on the same connection, median of the runs.
``refresh`` times ``refresh_totals`` of one year. PostgreSQL only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")
# DEBUG off as users see it; testserver is a local host name.
os.environ.setdefault("LOCAL_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from budget.accounts import ensure_account_groups  # noqa: E402
from budget.models import (  # noqa: E402
    AccountGroup,
    BudgetFrame,
    BudgetYear,
    DetailBudget,
    Forecast,
    Outcome,
)
from styrning.models import Membership, Municipality, OrgUnit  # noqa: E402

YEARS = range(2017, 2027)
BODIES = 50  # KS and 49 nämnder
UNITS_PER_BODY = 19  # enheter under each förvaltning
YEAR = 2026
MONTH = 6
OPERATING = ("intakter", "personal", "lokaler", "kop-av-verksamhet", "bidrag", "kapital", "ovriga")
FINANCING_ON_UNITS = ("finansiella-kostnader", "centrala-poster", "finansiella-intakter")


def _units(m):
    kind = OrgUnit.Kind
    with OrgUnit.objects.disable_mptt_updates():
        mptt = {"tree_id": 1, "lft": 0, "rght": 0, "mptt_level": 0}
        kf = OrgUnit.objects.create(
            municipality=m, kind=kind.COUNCIL, name="Kommunfullmäktige", **mptt
        )
        bodies = OrgUnit.objects.bulk_create(
            OrgUnit(
                municipality=m,
                parent=kf,
                kind=kind.EXECUTIVE if i == 0 else kind.COMMITTEE,
                name="Kommunstyrelsen" if i == 0 else f"Nämnd {i:02}",
                **mptt,
            )
            for i in range(BODIES)
        )
        offices = OrgUnit.objects.bulk_create(
            OrgUnit(
                municipality=m,
                parent=body,
                kind=kind.ADMINISTRATION,
                name=f"Förvaltning {i:02}",
                ansvarskod=f"{i + 1:02}00",
                **mptt,
            )
            for i, body in enumerate(bodies)
        )
        OrgUnit.objects.bulk_create(
            OrgUnit(
                municipality=m,
                parent=office,
                kind=kind.UNIT,
                name=f"Enhet {i:02}.{k:02}",
                ansvarskod=f"{i + 1:02}{k + 1:02}",
                **mptt,
            )
            for i, office in enumerate(offices)
            for k in range(UNITS_PER_BODY)
        )
    OrgUnit.objects.rebuild()
    return kf, bodies, offices


def build():
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE budget_outcome, budget_historicaloutcome, budget_forecast, "
            "budget_historicalforecast, budget_detailbudget, budget_historicaldetailbudget, "
            "budget_budgetframe, budget_historicalbudgetframe, budget_budgetchange, "
            "budget_historicalbudgetchange, budget_investmentproject, budget_budgetyear, "
            "budget_historicalbudgetyear, budget_accountmapping, budget_accountgroup, "
            "styrning_membership, styrning_orgunit, styrning_historicalorgunit, "
            "styrning_municipality CASCADE"
        )
    started = time.perf_counter()
    with transaction.atomic():
        m = Municipality.objects.create(name="Storstad", code="0180", model_name="hedemora")
        ensure_account_groups(m)
        kf, bodies, offices = _units(m)
        groups = {g.code: g for g in AccountGroup.objects.filter(municipality=m)}
        for year in YEARS:
            by = BudgetYear.objects.create(
                municipality=m,
                year=year,
                status=BudgetYear.Status.ADOPTED,
                decided_on=dt.date(year - 1, 11, 24),
                decision_reference=f"KF {year - 1}-11-24 § 123",
            )
            BudgetFrame.objects.bulk_create(
                BudgetFrame(budget_year=by, unit=body, year=y, amount=Decimal(400_000_000))
                for body in bodies
                for y in by.years
            )
        by = BudgetYear.objects.get(municipality=m, year=YEAR)
        carrying = list(OrgUnit.objects.filter(municipality=m, kind__in=["administration", "unit"]))
        DetailBudget.objects.bulk_create(
            DetailBudget(
                budget_year=by,
                unit=u,
                group=groups[code],
                amount=Decimal(-2_000_000 if code == "intakter" else 3_000_000),
            )
            for u in carrying
            for code in OPERATING
        )
        Forecast.objects.bulk_create(
            Forecast(
                unit=office,
                year=YEAR,
                month=month,
                group=groups[code],
                amount=Decimal(-40_000_000 if code == "intakter" else 60_000_000),
            )
            for office in offices
            for month in (3, 8)
            for code in OPERATING
        )
        codes = [*OPERATING, *FINANCING_ON_UNITS]
        group_ids = "ARRAY[" + ",".join(str(groups[c].pk) for c in codes) + "]"
        council_groups = (
            "ARRAY["
            + ",".join(str(g.pk) for g in groups.values() if g.kind == AccountGroup.Kind.FINANCING)
            + "]"
        )
        with connection.cursor() as cursor:
            for year in YEARS:
                # Every carrying unit, month and group, less about one in seventeen
                # (a month without bookings on a key), with amounts that vary.
                cursor.execute(
                    f"""
                    INSERT INTO budget_outcome (municipality_id, unit_id, year, month, group_id,
                                                amount)
                    SELECT %s, u.id, %s, mo, g.gid,
                           CASE WHEN g.ord = 1 THEN -1 ELSE 1 END
                           * (100000 + ((u.id * 7919 + mo * 104729 + g.gid * 31) %% 900000))
                    FROM styrning_orgunit u
                    CROSS JOIN generate_series(1, 12) AS mo
                    CROSS JOIN unnest({group_ids}) WITH ORDINALITY AS g(gid, ord)
                    WHERE u.municipality_id = %s AND u.kind IN ('administration', 'unit')
                      AND (u.id + mo + g.gid) %% 17 <> 0
                    """,
                    [m.pk, year, m.pk],
                )
                cursor.execute(
                    f"""
                    INSERT INTO budget_outcome (municipality_id, unit_id, year, month, group_id,
                                                amount)
                    SELECT %s, %s, %s, mo, gid, -50000000
                    FROM generate_series(1, 12) AS mo CROSS JOIN unnest({council_groups}) AS gid
                    """,
                    [m.pk, kf.pk, year],
                )
                cursor.execute(
                    """
                    INSERT INTO budget_outcome (municipality_id, unit_id, year, month, group_id,
                                                amount)
                    SELECT %s, NULL, %s, mo, %s, 12345 FROM generate_series(1, 12, 3) AS mo
                    """,
                    [m.pk, year, groups["ovriga"].pk],
                )
        try:
            from budget.totals import refresh_totals
        except ImportError:
            refresh_totals = None
        if refresh_totals is not None:
            t = time.perf_counter()
            refresh_totals(m.pk, YEARS)
            print(f"refresh_totals for {len(YEARS)} years: {time.perf_counter() - t:.1f} s")
        user, _created = get_user_model().objects.get_or_create(username="bench_finance")
        Membership.objects.create(user=user, unit=offices[0], role=Membership.Role.FINANCE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {OrgUnit.objects.count()} units, {Outcome.objects.count()} outcomes "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _pages():
    m = Municipality.objects.current()
    kf = OrgUnit.objects.get(municipality=m, parent=None)
    body = OrgUnit.objects.get(municipality=m, name="Nämnd 25")
    office = OrgUnit.objects.get(municipality=m, name="Förvaltning 25")
    period = f"?ar={YEAR}&manad={MONTH}"
    return {
        "/budget/ (default month)": "/budget/",
        "/budget/": f"/budget/{period}",
        "nämnd page": f"/budget/enhet/{body.pk}/{period}",
        "förvaltning page": f"/budget/enhet/{office.pk}/{period}",
        "KF page": f"/budget/enhet/{kf.pk}/{period}",
        "export.csv": f"/budget/export.csv{period}",
        "export.xlsx": f"/budget/export.xlsx{period}",
        "forecast form": f"/budget/{YEAR}/prognos/{office.pk}/?manad={MONTH}",
    }


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(runs: int, explain: bool):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    # No collectstatic here: plain static URLs (the manifest's lookups cost the same).
    storages = {**settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES=storages).enable()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_finance"))
    print(f"{'page':26} {'queries':>7} {'median':>8} {'p95':>8} {'SQL':>8} {'ratio':>6}")
    for name, url in _pages().items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        sqls = [q["sql"] for q in captured.captured_queries]  # before the next request clears them
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        floors = []
        with connection.cursor() as cursor:
            for _ in range(runs):
                t = time.perf_counter()
                for sql in sqls:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                floors.append((time.perf_counter() - t) * 1000)
        median, floor = statistics.median(times), statistics.median(floors)
        print(
            f"{name:26} {len(sqls):7} {median:7.1f}ms {_p95(times):7.1f}ms "
            f"{floor:7.1f}ms {median / floor:6.2f}"
        )
        if explain:
            slowest = []
            with connection.cursor() as cursor:
                for sql in sqls:
                    t = time.perf_counter()
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                    slowest.append(((time.perf_counter() - t) * 1000, sql))
            for ms, sql in sorted(slowest, reverse=True)[:2]:
                print(f"    {ms:6.1f} ms  {sql[:300]}")


def refresh(runs: int):
    """refresh_totals of one year (2026, ≈ 113 000 outcome rows), rolled back each time."""
    from budget.totals import refresh_totals

    m = Municipality.objects.current()
    times = []
    for _ in range(runs):
        with transaction.atomic():
            t = time.perf_counter()
            refresh_totals(m.pk, [YEAR])
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what a commit would check
            times.append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
    print(f"refresh_totals({YEAR}): median {statistics.median(times):.0f} ms over {runs} runs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "measure", "refresh"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="show each page's slowest SQL")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("budget_probe needs PostgreSQL (DATABASE_URL=postgres://…)")
    if args.command == "build":
        build()
    elif args.command == "refresh":
        refresh(min(args.runs, 5))
    else:
        measure(args.runs, args.explain)


if __name__ == "__main__":
    main()
