"""In-process measurements on one database: pages beside their SQL floor, adding and moving goals.

Runs in a process whose settings are production's (DEBUG off); ``bench.run`` starts one
per scale with its DATABASE_URL. Pages are requested through Django's test Client
(the whole middleware stack, no network): first timed without query capture, then once
under ``CaptureQueriesContext`` for the count and the SQL, which is then replayed alone
on a raw cursor, once after each timed request: the page's SQL floor.
"""

from __future__ import annotations

import gzip
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import breakdown

PAGES_FILE = Path(__file__).with_name("pages.txt")


# --- the page list --------------------------------------------------------------------------
@dataclass(frozen=True)
class PageSpec:
    """One line of pages.txt: a label, a URL name, its args, a query string, the login."""

    label: str
    url_name: str
    args: tuple[str, ...]
    query: str
    role: str

    def url(self, targets: dict) -> str:
        from django.urls import reverse

        args = [_fill(a, targets) for a in self.args]
        query = _fill(self.query, targets)
        return reverse(self.url_name, args=args) + (f"?{query}" if query else "")


def _fill(text: str, targets: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(targets[m.group(1)]), text)


def read_pages(path: Path = PAGES_FILE) -> list[PageSpec]:
    """Columns separated by two or more spaces or a tab; "-" for an empty one; # comments."""
    pages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        label, url_name, args, query, role = (
            "" if c == "-" else c for c in re.split(r"\t+|\s{2,}", line)
        )
        pages.append(PageSpec(label, url_name, tuple(a for a in args.split(",") if a), query, role))
    return pages


# --- statistics -----------------------------------------------------------------------------
def percentile(values, p) -> float:
    """The p-th percentile by linear interpolation (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2) if ms else None,
        "p95_ms": round(percentile(ms, 95), 2) if ms else None,
    }


def repeat(function, n: int, budget: float, minimum: int = 5) -> list[float]:
    """Time ``function`` ``n`` times, or fewer (at least ``minimum``) once ``budget`` s pass."""
    times = []
    started = time.perf_counter()
    while len(times) < n:
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
        if len(times) >= minimum and time.perf_counter() - started > budget:
            break
    return times


# --- the SQL floor --------------------------------------------------------------------------
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@dataclass
class Floor:
    """A page's captured queries, replayed alone on a raw cursor."""

    sql: list[str]
    skipped: list[int] = field(default_factory=list)  # queries that would not replay

    def _run_once(self, raw, only=None):
        with raw.cursor() as cursor:
            for i, sql in enumerate(self.sql):
                if only is not None and i not in only:
                    continue
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    def prepare(self):
        """Find the queries that fail alone (e.g. a savepoint released twice); skip them."""
        from django.db import connection, transaction

        connection.ensure_connection()
        raw = connection.connection
        good = set()
        for i, sql in enumerate(self.sql):
            if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
                # A page's own BEGIN/COMMIT (a transaction.atomic() in a view) would end the
                # transaction the floor is measured in; it is not a query of the page's data.
                continue
            with transaction.atomic():
                try:
                    with raw.cursor() as cursor:
                        cursor.execute("SAVEPOINT bench_probe")
                        cursor.execute(sql)
                        if cursor.description is not None:
                            cursor.fetchall()
                        cursor.execute("RELEASE SAVEPOINT bench_probe")
                    good.add(i)
                except Exception:
                    with raw.cursor() as cursor:
                        cursor.execute("ROLLBACK TO SAVEPOINT bench_probe")
                transaction.set_rollback(True)
        self.skipped = [i for i in range(len(self.sql)) if i not in good]
        return good

    def measure(self, n: int) -> list[float]:
        """Run every query once per repetition, in a transaction rolled back after it."""
        good = self.prepare()
        return [self.time_once(good) for _ in range(n)]

    def time_once(self, good) -> float:
        """One replay of the queries in ``good`` (from ``prepare``), rolled back: seconds."""
        from django.db import connection, transaction

        raw = connection.connection
        with transaction.atomic():
            t0 = time.perf_counter()
            self._run_once(raw, good)
            elapsed = time.perf_counter() - t0
            transaction.set_rollback(True)
        return elapsed


def capture(function):
    """Run ``function`` under CaptureQueriesContext; return (result, [sql, …])."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = function()
    return result, [q["sql"] for q in queries.captured_queries]


# --- pages ----------------------------------------------------------------------------------
def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def measure_page(
    client, url: str, n: int = 30, budget: float = 20.0, fixed_ms: float | None = None
) -> dict:
    """Median and p95 of ``n`` requests (fewer for a page slower than the budget allows),
    the query count, the size, and the SQL floor with the same number of repetitions,
    each replay right after a request (``interleaved``): a page and its floor are timed
    under the same load, so a busy second moves both and not only their ratio's one side.

    Beside the floor of all its queries, the floor of the page's own queries (not the
    login's nor the layout's, bench/breakdown.py); given ``fixed_ms`` (the empty page's
    median for the same login), ``own_ratio`` = (median − fixed_ms) ÷ own floor: what
    the page costs beyond Django's fixed cost of any page, against its own SQL."""

    def get():
        response = client.get(url, secure=True)
        content = body(response)
        return response, content

    response, content = get()  # warm: sessions, caches and the connection settle
    if response.status_code not in (200, 302):  # "/" sends each role to its start page
        return {"url": url, "status": response.status_code, "error": "status"}
    with breakdown.installed() as parts:
        with parts.request():
            (response, content), sql = capture(get)
        query_parts = list(parts.parts_run)
        split = measure_parts(parts, get, PARTS_REQUESTS, budget / 4)
    floor = Floor(sql)
    own = Floor([q for q, part in zip(sql, query_parts, strict=True) if part == "sql"])
    times, floor_times, own_times = interleaved(get, floor, own, n, budget)
    result = {"url": url, "status": response.status_code}
    result.update(summarise(times))
    result["queries"] = len(sql)
    result["bytes"] = len(content)
    result["gzip_bytes"] = len(gzip.compress(content, 6))
    floor_stats = summarise(floor_times)
    result["floor_median_ms"] = floor_stats["median_ms"]
    result["floor_p95_ms"] = floor_stats["p95_ms"]
    result["floor_skipped"] = len(floor.skipped)
    result["ratio"] = (
        round(result["median_ms"] / floor_stats["median_ms"], 2)
        if floor_stats["median_ms"]
        else None
    )
    result["parts"] = split
    result["query_parts"] = {p: query_parts.count(p) for p in breakdown.PARTS if p in query_parts}
    result["own_floor_median_ms"] = summarise(own_times)["median_ms"]
    result["own_floor_queries"] = len(own.sql)
    if fixed_ms is not None:
        result["fixed_ms"] = fixed_ms
        own_floor = result["own_floor_median_ms"]
        result["own_ratio"] = (
            round((result["median_ms"] - fixed_ms) / own_floor, 2) if own_floor else None
        )
    return result


def interleaved(get, floor: Floor, own: Floor, n: int, budget: float, minimum: int = 5):
    """``n`` requests (fewer, at least ``minimum``, once ``budget`` s pass), each followed
    by one replay of ``floor`` and of ``own``: three lists of seconds."""
    good = floor.prepare()
    own_good = own.prepare() if own.sql else None
    times, floor_times, own_times = [], [], []
    started = time.perf_counter()
    while len(times) < n:
        t0 = time.perf_counter()
        get()
        times.append(time.perf_counter() - t0)
        floor_times.append(floor.time_once(good))
        if own_good is not None:
            own_times.append(own.time_once(own_good))
        if len(times) >= minimum and time.perf_counter() - started > budget:
            break
    return times, floor_times, own_times


# Requests timed part by part (bench/breakdown.py) beside the untimed ones.
PARTS_REQUESTS = 15


def measure_parts(parts, get, n: int, budget: float) -> dict:
    """The mean milliseconds of each part of ``n`` requests (fewer past ``budget`` s), and
    their mean total: where the time goes."""
    runs = []

    def one():
        with parts.request() as totals:
            get()
        runs.append(dict(totals))

    repeat(one, max(n, 1), budget, 3)
    mean = {p: round(1000 * sum(r[p] for r in runs) / len(runs), 2) for p in breakdown.PARTS}
    mean["total"] = round(sum(mean[p] for p in breakdown.PARTS), 2)
    mean["n"] = len(runs)
    return mean


def targets() -> dict:
    """The objects the page list names, chosen from the data (a few queries)."""
    from budget.models import BudgetYear
    from followup.choices import GOAL_CONTENTS
    from followup.models import ReportingPeriod, Submission
    from goals.models import Assignment, Goal, Perspective
    from styrning.models import Membership, Municipality, OrgUnit

    m = Municipality.objects.current()
    chef = (
        Membership.objects.filter(user__username="socialchef", role=Membership.Role.MANAGER)
        .select_related("unit__parent")
        .first()
    )
    office = chef.unit if chef else OrgUnit.objects.filter(kind__in=OrgUnit.OFFICE_KINDS).first()
    board = office.parent
    goal = (
        Goal.objects.filter(
            municipality=m, level__order=4, owner=office, status=Goal.Status.ADOPTED
        )
        .filter(indicators__isnull=False, children__isnull=False)
        .order_by("pk")
        .first()
    )
    committee_goal = (
        Goal.objects.filter(municipality=m, level__order=3, owner=board, status=Goal.Status.ADOPTED)
        .order_by("pk")
        .first()
    )
    year = BudgetYear.objects.filter(municipality=m).order_by("-year").first()
    goal_period = (
        ReportingPeriod.objects.filter(municipality=m, content__in=GOAL_CONTENTS)
        .exclude(state=ReportingPeriod.State.PLANNED)
        .order_by("-year", "-month")
        .first()
    )
    # The office's latest goal-period submission: the fullest form (every goal assessed).
    submission = (
        Submission.objects.filter(unit=office, period__content__in=GOAL_CONTENTS)
        .order_by("-period__year", "-period__month")
        .first()
    )
    top_goal = (
        Goal.objects.filter(municipality=m, level__order=2, status=Goal.Status.ADOPTED)
        .order_by("tree_id", "lft")
        .first()
    )
    return {
        "municipality": m.pk,
        "board": board.pk,
        "office": office.pk,
        "goal": goal.pk if goal else committee_goal.pk,
        "committee_goal": committee_goal.pk,
        "top_goal": top_goal.pk if top_goal else committee_goal.pk,
        "perspective": Perspective.objects.filter(municipality=m).order_by("order").first().pk,
        "assignment": Assignment.objects.filter(municipality=m).order_by("pk").first().pk,
        "year": year.year if year else "",
        "goal_period": goal_period.pk if goal_period else "",
        "submission": submission.pk if submission else "",
    }


def measure_rollup(n=10, budget=20.0, log=print) -> dict:
    """Sammanvägd bedömning, hela trädet: ``followup.rollup.rollup_for_period`` for the
    latest goal period that has opened, over the whole municipality (drafts counted, as the
    ekonomichef sees it) and decided only (as reports and politicians see it): median and
    p95, the number of goals rolled up and of queries (the same at every scale)."""
    from followup.choices import GOAL_CONTENTS
    from followup.models import ReportingPeriod
    from followup.rollup import rollup_for_period
    from styrning.models import Municipality

    m = Municipality.objects.current()
    period = (
        ReportingPeriod.objects.filter(municipality=m, content__in=GOAL_CONTENTS)
        .exclude(state=ReportingPeriod.State.PLANNED)
        .order_by("-year", "-month")
        .first()
    )
    if period is None:
        return {"status": "not measured", "reason": "no goal period has opened"}
    log(f"  sammanvägd bedömning, hela trädet: {period}")
    result = {"period": str(period)}
    for key, decided in (("all", False), ("decided", True)):
        rolled, sql = capture(lambda d=decided: rollup_for_period(m, period, decided_only=d))
        times = repeat(lambda d=decided: rollup_for_period(m, period, decided_only=d), n, budget, 3)
        result[key] = {
            **summarise(times),
            "goals": len(rolled),
            "queries": len(sql),
            "counted": sum(r.total for r in rolled.values()),
        }
    result["first_views"] = measure_first_views(n, budget)
    return result


# The pages that read kept roll-ups (followup.finals): label in pages.txt.
FIRST_VIEW_PAGES = ("mål", "mål (chef)", "måluppfyllelse")


def measure_first_views(n=5, budget=20.0) -> list[dict]:
    """Each page of ``FIRST_VIEW_PAGES`` as its first viewer after a change sees it, its
    roll-ups computed in the request: after a change all periods share (a goal's; nothing
    kept: this process's copies and the cache emptied), and after a chef's draft saved in
    the open period (a draft follow-up saved again: the locked periods' results stay
    kept, followup.finals). Median and slowest of ``n`` each."""
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    from followup import finals
    from followup.models import ReportingPeriod, Submission

    draft = (
        Submission.objects.filter(
            period__state=ReportingPeriod.State.OPEN, state=Submission.State.DRAFT
        )
        .order_by("pk")
        .first()
    )
    found = targets()
    pages = [p for p in read_pages() if p.label in FIRST_VIEW_PAGES]
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        for spec in pages:
            client = Client(HTTP_HOST="127.0.0.1")
            login(client, spec.role)
            url = spec.url(found)

            def timed(change, url=url, client=client):
                change()
                started = time.perf_counter()
                client.get(url, secure=True)
                return time.perf_counter() - started

            def nothing_kept():
                finals.forget()
                cache.clear()

            client.get(url, secure=True)  # the process warm, as a worker serving pages is
            row = {"label": spec.label, "role": spec.role, "url": url}
            changes = {"all": nothing_kept}
            if draft is not None:
                changes["draft"] = draft.save  # a history row: the open period's new key
            for name, change in changes.items():
                client.get(url, secure=True)  # what the last change left, kept
                times = [timed(change) for _ in range(n)]
                row[name] = {
                    "n": len(times),
                    "median_ms": round(statistics.median(times) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                }
            results.append(row)
    return results


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


EMPTY_PAGE = "/__bench__/tom/"  # bench/urls.py


def measure_pages(pages, n=30, budget=20.0, log=print, empty=None, found=None) -> list[dict]:
    """Each page of ``pages``; ``empty`` (a dict) gets the empty page's figures per login;
    ``found`` fills the placeholders (``targets()`` by default)."""
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="bench.urls"):
        empty = {} if empty is None else empty
        return _measure_pages(pages, n, budget, log, empty, found or targets(), Client)


def _measure_pages(pages, n, budget, log, empty, found, Client) -> list[dict]:
    results = []
    clients = {}
    for spec in pages:
        if spec.role not in clients:
            clients[spec.role] = Client(HTTP_HOST="127.0.0.1")
            login(clients[spec.role], spec.role)
            empty[spec.role] = measure_page(clients[spec.role], EMPTY_PAGE, n, budget)
            log(
                f"  {'(tom sida)':28} {spec.role:12} {empty[spec.role].get('queries')} q  "
                f"median {empty[spec.role].get('median_ms')} ms"
            )
        url = spec.url(found)
        result = {"label": spec.label, "url_name": spec.url_name, "role": spec.role}
        fixed = empty[spec.role].get("median_ms")
        result.update(measure_page(clients[spec.role], url, n, budget, fixed))
        log(
            f"  {spec.label:28} {spec.role:12} {result.get('queries', '-'):>3} q  "
            f"median {result.get('median_ms')} ms  p95 {result.get('p95_ms')} ms  "
            f"floor {result.get('floor_median_ms')} ms  {result.get('bytes', 0) // 1024} KB  "
            f"n={result.get('n')}"
        )
        results.append(result)
    return results


# --- adding and moving a goal ---------------------------------------------------------------
def _tree_snapshot():
    from goals.models import Goal

    return {
        pk: rest
        for pk, *rest in Goal.objects.values_list("pk", "lft", "rght", "tree_id", "mptt_level")
    }


def _rewritten(before, after) -> int:
    return sum(1 for pk, fields in before.items() if after.get(pk) != fields)


def measure_goal_changes(n=30, budget=20.0, log=print) -> dict:
    """Adding a goal through the view (a chef's POST) and the model, and moving one: each
    twice ``n`` times, as its target is a p95 (of 30 writes the second slowest: one write
    that met an autovacuum moved it by half)."""
    n *= 2
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from goals.models import Goal

    found = targets()
    office_id = found["office"]
    parent = Goal.objects.get(pk=found["committee_goal"])
    results = {}

    # The view: the förvaltningschef adds a verksamhetsplanmål below the nämndmål.
    client = Client(HTTP_HOST="127.0.0.1")
    login(client, "socialchef")
    url = reverse("goals:create", args=[parent.pk])
    counter = iter(range(10**6))

    def post():
        i = next(counter)
        response = client.post(
            url,
            {
                "title": f"Bench-mål {i}",
                "description": "Tillagt av make bench.",
                "owner": office_id,
                "start_year": parent.start_year,
                "end_year": parent.end_year,
                "version": "",
            },
            secure=True,
        )
        if response.status_code != 302:
            raise RuntimeError(f"goal create answered {response.status_code}")

    post()  # warm
    results["add_view"] = summarise(repeat(post, n, budget))
    _, sql = capture(post)
    results["add_view"]["queries"] = len(sql)

    # The model: full_clean() and save() of an activity below a verksamhetsplanmål.
    plan = (
        Goal.objects.filter(parent=parent, status=Goal.Status.ADOPTED, children__isnull=False)
        .select_related("municipality")
        .first()
    )
    enhet_id = plan.children.values_list("owner_id", flat=True).first()

    def save():
        i = next(counter)
        with transaction.atomic():
            goal = Goal(
                municipality=plan.municipality,
                level_id=plan.children.values_list("level_id", flat=True).first(),
                parent=plan,
                owner_id=enhet_id,
                title=f"Bench-aktivitet {i}",
                start_year=plan.start_year,
                end_year=plan.end_year,
            )
            goal.full_clean()
            goal.save()

    save()
    results["add_model"] = summarise(repeat(save, n, budget))
    before = _tree_snapshot()
    save()
    results["add_model"]["goals_rewritten"] = _rewritten(before, _tree_snapshot())

    # Moving: a draft activity between two adopted plans of the same förvaltning and back.
    plans = list(
        Goal.objects.filter(owner_id=office_id, level__order=4, status=Goal.Status.ADOPTED)
        .filter(children__owner_id=enhet_id)
        .distinct()
        .order_by("pk")[:2]
    )
    node = Goal.objects.filter(parent=plans[0], status=Goal.Status.DRAFT).first()
    if node is None or len(plans) < 2:
        results["move"] = {"error": "no draft activity between two plans"}
        return results
    turn = iter(range(10**6))

    def move():
        target = plans[(next(turn) + 1) % 2]
        with transaction.atomic():
            Goal.objects.move_node(Goal.objects.get(pk=node.pk), target, "last-child")

    move()
    results["move"] = summarise(repeat(move, n, budget))
    before = _tree_snapshot()
    move()
    results["move"]["goals_rewritten"] = _rewritten(before, _tree_snapshot())
    for name, figures in results.items():
        log(f"  {name:12} median {figures.get('median_ms')} ms  p95 {figures.get('p95_ms')} ms")
    return results


def counts() -> dict:
    from fixtures.scale import summary
    from styrning.models import Municipality

    return summary(Municipality.objects.current())


def as_dict(spec: PageSpec) -> dict:
    return asdict(spec)


# --- the reports ----------------------------------------------------------------------------
def measure_reports(n=3, budget=60.0, log=print) -> dict:
    """Each kind of report ``reports.context.SUPPORTED`` lists, for its latest period that
    has opened: end to end (the context, its snapshot, the HTML and the PDF, as
    ``render_report`` makes it) beside WeasyPrint's own time for the same final HTML,
    alternated in the same run; pages, the context's queries, the ratio (target ≤ 1.2)."""
    from django.conf import settings

    from followup.models import ReportingPeriod
    from reports import context as contexts
    from reports.pdf import PDF_VARIANT, document_html, render_pdf
    from reports.services import as_snapshot
    from styrning.models import Municipality

    m = Municipality.objects.current()
    results = {}
    warm = True  # WeasyPrint loads Pango and the fonts on its first document: not timed
    for kind in contexts.SUPPORTED:
        period = (
            ReportingPeriod.objects.filter(municipality=m, kind=kind)
            .exclude(state=ReportingPeriod.State.PLANNED)
            .order_by("-year", "-month")
            .first()
        )
        name = str(kind.label)
        if period is None:
            results[str(kind)] = {"name": name, "status": "not measured", "reason": "no period"}
            continue
        log(f"  {name}: {period}")

        def end_to_end(period=period):
            t0 = time.perf_counter()
            context = as_snapshot(contexts.build(period))
            t1 = time.perf_counter()
            pdf = render_pdf(context)
            return time.perf_counter() - t0, t1 - t0, pdf, context

        def weasyprint(html):
            from weasyprint import HTML

            t0 = time.perf_counter()
            document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
                pdf_variant=PDF_VARIANT, pdf_tags=True
            )
            try:
                document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
            except (AssertionError, ValueError):  # as render_pdf: untagged when tagging fails
                HTML(string=html, base_url=str(settings.BASE_DIR)).render().write_pdf()
            return time.perf_counter() - t0

        try:
            if warm:
                end_to_end()
                warm = False
            _, sql = capture(lambda period=period: contexts.build(period))
            totals, context_times, html_times, own = [], [], [], []
            started = time.perf_counter()
            html = None
            while len(totals) < n:
                # Alternated, each in turn first: the second of a pair finds caches warm.
                if html is not None and len(totals) % 2:
                    own.append(weasyprint(html))
                total, context_s, pdf, context = end_to_end()
                t0 = time.perf_counter()
                html = document_html(context)
                html_times.append(time.perf_counter() - t0)
                if len(own) == len(totals):
                    own.append(weasyprint(html))
                totals.append(total)
                context_times.append(context_s)
                if time.perf_counter() - started > budget:
                    break
        except Exception as error:  # noqa: BLE001 — one report failing keeps the others
            results[str(kind)] = {"name": name, "status": "failed", "reason": repr(error)}
            continue
        seconds = statistics.median(totals)
        weasy = statistics.median(own)
        results[str(kind)] = {
            "name": name,
            "period": str(period),
            "n": len(totals),
            "pages": pdf.page_count,
            "pdf_bytes": len(pdf.data),
            "html_bytes": len(html.encode()),
            "queries": len(sql),
            "seconds": round(seconds, 2),
            "context_seconds": round(statistics.median(context_times), 3),
            "html_seconds": round(statistics.median(html_times), 3),
            "weasyprint_seconds": round(weasy, 2),
            "ratio": round(seconds / weasy, 2) if weasy else None,
        }
        log(
            f"    {pdf.page_count} pages, {len(sql)} queries, end to end {seconds:.2f} s, "
            f"WeasyPrint alone {weasy:.2f} s (n={len(totals)})"
        )
    return results
