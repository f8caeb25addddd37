"""docs/benchmarks.md from bench/results.json: a table per section, the issue's targets beside."""

from __future__ import annotations

# Issue 9's targets at scale 10.
PAGE_P95_MS = 300
FLOOR_RATIO = 3
MAL_FIRST_VIEW_BYTES = 200 * 1024
ADD_GOAL_MS = 50
BUILD_SECONDS = 300
LOAD_RPS = 50
# Issue 10's: the roll-up of the whole tree for a period at scale 10.
ROLLUP_MS = 2000
SIE_REAL_LPS = 150_000
SIE_DRY_LPS = 300_000
SIE_PEAK_MB = 300


def mark(ok) -> str:
    if ok is None:
        return "–"
    return "✓" if ok else "✗"


def num(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        return str(value)
    return text.replace(",", " ")


def kb(size) -> str:
    return "–" if size is None else num(size / 1024, 0 if size >= 10240 else 1)


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _scales(results, section) -> list[str]:
    return sorted(results.get(section, {}), key=float)


def page_rows(results) -> tuple[list[str], list[list]]:
    scales = _scales(results, "pages")
    big = scales[-1] if scales else None
    by_scale = {s: {(p["label"], p["role"]): p for p in results["pages"][s]} for s in scales}
    keys = list(by_scale[big]) if big else []
    header = ["page", "login"]
    for s in scales:
        header += [f"queries ({s})", f"median ms ({s})", f"p95 ms ({s})", f"floor ms ({s})"]
        header += [f"× floor ({s})", f"own floor ms ({s})", f"× own ({s})", f"KB ({s})"]
    header += [f"p95 < {PAGE_P95_MS} ms", f"< {FLOOR_RATIO} × floor", f"< {FLOOR_RATIO} × own"]
    header += ["queries equal"]
    rows = []
    for key in keys:
        row = [key[0], key[1]]
        for s in scales:
            p = by_scale[s].get(key, {})
            n = p.get("n")
            capped = f" (n={n})" if n is not None and n < 30 else ""
            row += [
                num(p.get("queries")),
                num(p.get("median_ms")) + capped,
                num(p.get("p95_ms")),
                num(p.get("floor_median_ms"), 2),
                num(p.get("ratio"), 1),
                num(p.get("own_floor_median_ms"), 2),
                num(p.get("own_ratio"), 1),
                kb(p.get("bytes")),
            ]
        p = by_scale[big][key]
        p95, ratio, own = p.get("p95_ms"), p.get("ratio"), p.get("own_ratio")
        counts = {by_scale[s].get(key, {}).get("queries") for s in scales}
        ok_size = ""
        if p.get("url_name") == "goals:tree" and "?" not in p.get("url", "?"):
            ok_size = f"; {mark(p.get('bytes', 0) < MAL_FIRST_VIEW_BYTES)} < 200 KB"
        row += [
            mark(p95 < PAGE_P95_MS if p95 is not None else None),
            mark(ratio < FLOOR_RATIO if ratio is not None else None),
            mark(own < FLOOR_RATIO if own is not None else None),
            mark(len(counts) == 1 and None not in counts) + ok_size,
        ]
        rows.append(row)
    return header, rows


OWN_RATIO_TEXT = (
    "The floor replays a page's queries back to back, which understates SQL inside a "
    "request (the same queries take about twice as long with Python between them), and "
    "every page pays Django's fixed cost first: session, user, permission scope, layout "
    "and the base template. So beside × floor, × own = (median − the empty page's median "
    "for the same login) ÷ the floor of the page's own queries (all but the login's and "
    "the layout's): what the page costs beyond any page, against its own SQL. A page "
    "with no queries of its own has no × own (–); an export without the layout has the "
    "layout subtracted too, so its × own is slightly low."
)


def empty_lines(results) -> list[str]:
    """The empty page (bench/urls.py) per login and scale: Django's fixed cost of a page."""
    empty = results.get("empty") or {}
    parts = []
    for scale in sorted(empty, key=float):
        for role, figures in (empty[scale] or {}).items():
            parts.append(
                f"{role} {num(figures.get('median_ms'), 2)} ms ({scale}, "
                f"{figures.get('queries')} queries)"
            )
    if not parts:
        return []
    return ["The empty page (the base layout behind the login): " + "; ".join(parts) + ".", ""]


REPORT_RATIO = 1.2


def first_views_section(rollup: dict, scales: list) -> list[str]:
    """The pages that read kept roll-ups, as the first viewer after a change sees them."""
    by_label = {}
    for s in scales:
        for row in rollup[s].get("first_views") or []:
            by_label.setdefault((row["label"], row["role"]), {})[s] = row
    if not by_label:
        return []
    header = ["page", "login"]
    for s in scales:
        header += [
            f"after a goal's change, median ms ({s})",
            f"slowest ({s})",
            f"after a chef's draft, median ms ({s})",
            f"slowest ({s})",
        ]
    rows = []
    for (label, role), per_scale in by_label.items():
        row = [label, role]
        for s in scales:
            for change in ("all", "draft"):
                r = per_scale.get(s, {}).get(change) or {}
                row += [num(r.get("median_ms")), num(r.get("max_ms"))]
        rows.append(row)
    return [
        "### The first view after a change",
        "",
        table(header, rows),
        "",
        "The pages that read kept roll-ups (followup.finals), as the first viewer after a "
        "change sees them: after a change all periods share (a goal's), nothing is kept; "
        "after a chef's draft in the open period, the locked periods' results stay kept. "
        "Later views read what that one kept (the pages table above). Måluppfyllelse "
        "rolls up its period, the earlier periods of its trend and, at delår, the prognosis.",
        "",
    ]


def load_average_lines(results) -> list[str]:
    loads = results.get("load_average") or {}
    if not loads:
        return []
    text = "; ".join(f"{when} {' / '.join(num(x, 2) for x in values)}"
                     for when, values in loads.items())  # fmt: skip
    return [f"- load average (1 / 5 / 15 min; other work shares the cores): {text}"]


def reports_section(results) -> list[str]:
    """The reports: end to end beside WeasyPrint's own time for the same HTML."""
    reports = {k: v for k, v in (results.get("reports") or {}).items() if v}
    if not reports:
        return []
    scales = sorted(reports, key=float)
    rows = []
    for s in scales:
        for figures in reports[s].values():
            if figures.get("status"):
                rows.append([figures.get("name"), s, f"{figures['status']}: "
                             f"{figures.get('reason', '')}"] + [""] * 8)  # fmt: skip
                continue
            ratio = figures.get("ratio")
            rows.append(
                [
                    figures.get("name"),
                    s,
                    num(figures.get("pages")),
                    num(figures.get("queries")),
                    num(figures.get("context_seconds"), 3),
                    num(figures.get("html_seconds"), 3),
                    num(figures.get("seconds"), 2),
                    num(figures.get("weasyprint_seconds"), 2),
                    num(ratio, 2),
                    num(figures.get("n")),
                    mark(ratio <= REPORT_RATIO if ratio is not None else None)
                    if s == scales[-1]
                    else "",
                ]
            )
    header = ["report", "scale", "pages", "queries (context)", "context s", "HTML s",
              "end to end s", "WeasyPrint alone s", "× WeasyPrint", "n",
              f"≤ {REPORT_RATIO} ×"]  # fmt: skip
    return [
        "## Reports",
        "",
        "Every kind reports.context.SUPPORTED lists, for its latest period that has opened: "
        "end to end is the context, its snapshot, the HTML and the PDF as render_report "
        "makes them (median); WeasyPrint alone lays out and writes the same final HTML, "
        "alternated with it in the same run; context s and HTML s are parts of end to end.",
        "",
        table(header, rows),
        "",
    ]


PART_LABELS = [
    ("sql", "SQL (own)"),
    ("login", "login, session, scope"),
    ("layout", "layout"),
    ("view", "view (Python)"),
    ("templates", "templates"),
    ("other", "other"),
]


def parts_section(results) -> list[str]:
    """ "Where the time goes": each page's time at the largest scale, part by part."""
    scales = _scales(results, "pages")
    big = scales[-1]
    rows = []
    for p in results["pages"][big]:
        parts = p.get("parts")
        if not parts:
            continue
        total = parts.get("total") or 0
        row = [p["label"], p["role"], num(total)]
        for key, _label in PART_LABELS:
            value = parts.get(key)
            share = f" ({100 * value / total:.0f} %)" if total and value is not None else ""
            row.append(num(value, 2) + share)
        q = p.get("query_parts", {})
        row.append(f"{q.get('sql', 0)} + {q.get('login', 0) + q.get('layout', 0)}")
        rows.append(row)
    if not rows:
        return []
    header = ["page", "login", "ms (mean)", *[label for _key, label in PART_LABELS]]
    header.append("queries: own + fixed")
    return [
        f"## Where the time goes (scale {big})",
        "",
        "Each page's requests timed part by part (bench/breakdown.py), on requests of their "
        "own beside the untimed ones (the wrappers add a little), mean milliseconds: "
        "SQL (own) is the page's own queries as run inside the request; login, session, "
        "scope is the session, the user and the permission scope with their queries; "
        "layout the context processors with their queries; view the view function's own "
        "Python; templates template rendering; other the middleware, URL resolving and the "
        "test client. Each moment is charged to the innermost part.",
        "",
        table(header, rows),
        "",
    ]


def render(results: dict) -> str:
    machine = results.get("machine", {})
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py) from `bench/results.json`; the targets are "
        "issue 9's, at scale 10. Server time is measured in-process through Django's test "
        "client with production settings (DEBUG off), without query capture; the query count "
        "and the SQL come from a separate request; the SQL floor is that request's queries "
        "replayed alone on a raw cursor, once right after each timed request (so a busy moment "
        "of the machine falls on both); × floor = median time ÷ median floor. A page slower "
        "than the time budget is "
        "requested fewer than 30 times (n shown).",
        "",
        "What the figures mean, what misses its target and why: docs/performance.md "
        "(written by hand, not by `make bench`).",
        "",
        f"- date: {results.get('date', '–')}" + (f", commit {results['commit']}"
                                                 if results.get("commit") else ""),
        f"- machine: {machine.get('cpu', '–')}, {machine.get('cores', '–')} cores, "
        f"{machine.get('ram_gb', '–')} GB RAM; Python {machine.get('python', '–')}; "
        f"{machine.get('postgresql', '–')}",
        *load_average_lines(results),
        "",
    ]  # fmt: skip
    build = results.get("build", {})
    if build:
        out += ["## Data (make_scale_data)", ""]
        scales = sorted(build, key=float)
        labels = []
        for s in scales:
            labels += [k for k in build[s].get("counts", {}) if k not in labels]
        rows = [["build time (s)"] + [num(build[s].get("seconds")) for s in scales]]
        rows += [[label] + [num(build[s].get("counts", {}).get(label)) for s in scales]
                 for label in labels]  # fmt: skip
        big = build[scales[-1]].get("seconds")
        out += [
            table(["", *[f"scale {s}" for s in scales]], rows),
            "",
            f"Scale {scales[-1]} builds in under {BUILD_SECONDS} s: "
            f"{mark(big < BUILD_SECONDS if big is not None else None)}",
            "",
        ]
    if results.get("pages"):
        header, rows = page_rows(results)
        out += ["## Pages", "", OWN_RATIO_TEXT, "", *empty_lines(results)]
        out += [table(header, rows), ""]
    if results.get("pages"):
        out += parts_section(results)
    goals = results.get("goals", {})
    if goals:
        out += ["## Adding and moving a goal", ""]
        scales = sorted(goals, key=float)
        rows = []
        names = {
            "add_view": "add (a chef's POST to the form)",
            "add_model": "add (full_clean + save)",
            "move": "move (Goal.objects.move_node)",
        }
        for key, label in names.items():
            row = [label]
            for s in scales:
                g = goals[s].get(key, {})
                row += [num(g.get("median_ms")), num(g.get("p95_ms")),
                        num(g.get("goals_rewritten"))]  # fmt: skip
            big = goals[scales[-1]].get(key, {}).get("p95_ms")
            target = key.startswith("add") and big is not None
            row.append(mark(big < ADD_GOAL_MS) if target else "–")
            rows.append(row)
        header = [""]
        for s in scales:
            header += [f"median ms ({s})", f"p95 ms ({s})", f"goals rewritten ({s})"]
        header.append(f"p95 < {ADD_GOAL_MS} ms")
        out += [
            table(header, rows),
            "",
            "Goals rewritten: rows whose tree fields (lft, rght, tree_id, level) one more "
            "insert or move changed — the rows it locks.",
            "",
        ]
    rollup = {k: v for k, v in results.get("rollup", {}).items() if v}
    if rollup:
        out += ["## Sammanvägd bedömning, hela trädet", ""]
        scales = sorted(rollup, key=float)
        rows = []
        for key, label in (("all", "drafts counted"), ("decided", "approved only")):
            row = [label]
            for s in scales:
                r = rollup[s].get(key, {})
                row += [num(r.get("goals")), num(r.get("queries")), num(r.get("median_ms")),
                        num(r.get("p95_ms"))]  # fmt: skip
            big = rollup[scales[-1]].get(key, {}).get("p95_ms")
            row.append(mark(big < ROLLUP_MS if big is not None else None))
            rows.append(row)
        header = [""]
        for s in scales:
            header += [f"goals ({s})", f"queries ({s})", f"median ms ({s})", f"p95 ms ({s})"]
        header.append(f"p95 < {ROLLUP_MS} ms")
        out += [
            table(header, rows),
            "",
            "followup.rollup.rollup_for_period for the latest goal period that has opened, "
            "over the whole municipality, in-process.",
            "",
        ]
        out += first_views_section(rollup, scales)
    out += reports_section(results)
    sie = results.get("sie")
    if sie is not None:
        out += ["## SIE import", ""]
        if not isinstance(sie, dict) or sie.get("status") in ("not measured", "failed"):
            out += [f"{(sie or {}).get('status', 'not measured')}: {sie.get('reason', '')}", ""]
        else:
            out += [table(["figure", "value", "target"], sie_rows(sie)), ""]
    load = results.get("load")
    if load:
        out += ["## Load run", ""]
        if load.get("error"):
            out += [f"failed: {load['error']}", ""]
        else:
            rows = [
                ["requests per second", num(load.get("requests_per_s"), 1),
                 f"≥ {LOAD_RPS}: {mark(load.get('requests_per_s', 0) >= LOAD_RPS)}"],
                ["p50 ms", num(load.get("p50_ms")), ""],
                ["p95 ms", num(load.get("p95_ms")), ""],
                ["requests", num(load.get("requests")), ""],
                ["errors", num(load.get("errors")),
                 f"none: {mark(load.get('errors') == 0)}"],
            ]  # fmt: skip
            for url, figures in load.get("per_url", {}).items():
                rows.append(
                    [f"{url}: requests, p50 / p95 ms", f"{num(figures['requests'])}, "
                     f"{num(figures['p50_ms'])} / {num(figures['p95_ms'])}", ""]
                )  # fmt: skip
            out += [
                f"gunicorn with {load.get('workers')} sync workers, production settings, "
                f"{load.get('clients')} concurrent clients for {load.get('seconds')} s, logged in "
                f"as {', '.join(load.get('users', []))}; requests per second count those "
                f"finished within the window, the times all of them (the last ones finished "
                f"{load.get('drain_seconds', '–')} s after it).",
                "",
                table(["", "value", "target"], rows),
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


# The runs bench.sie_bench.measure() returns, in the order of the table.
SIE_RUNS = [
    ("dry_run", "dry run"),
    ("import", "real import"),
    ("reimport_same", "re-import, same file"),
    ("reimport_changed", "re-import, changed file"),
]


def sie_rows(sie: dict) -> list[list]:
    """One row per run (lines/s, seconds, rows and history written, peak memory) with the
    targets beside it, then the comparisons measured in the same run."""
    rows = []
    for key, label in SIE_RUNS:
        run = sie.get(key)
        if not isinstance(run, dict):
            continue
        lps, peak = run.get("lines_per_s"), run.get("peak_mb")
        marks = []
        if key == "dry_run" and lps is not None:
            marks.append(f"≥ {num(SIE_DRY_LPS)} lines/s: {mark(lps >= SIE_DRY_LPS)}")
        if key == "import" and lps is not None:
            marks.append(f"≥ {num(SIE_REAL_LPS)} lines/s: {mark(lps >= SIE_REAL_LPS)}")
        if key == "reimport_same":
            written = run.get("outcome_rows_written", 0) + run.get("history_rows_written", 0)
            marks.append(f"writes nothing: {mark(written == 0)}")
        if peak is not None:
            marks.append(f"peak < {SIE_PEAK_MB} MB: {mark(peak < SIE_PEAK_MB)}")
        rows.append(
            [
                label,
                f"{num(lps)} lines/s ({num(run.get('seconds'))} s); "
                f"created {num(run.get('created', 0))}, changed {num(run.get('changed', 0))}, "
                f"removed {num(run.get('removed', 0))}; rows written "
                f"{num(run.get('outcome_rows_written', 0))}, history "
                f"{num(run.get('history_rows_written', 0))}; peak {num(peak)} MB; "
                f"× split {num(run.get('vs_split'))}, × COPY with indexes "
                f"{num(run.get('vs_copy_indexed'))}"
                + ("; statistics refreshed" if run.get("analyzed") else "")
                + (
                    f"; median of {len(run['runs_s'])} runs of "
                    + " / ".join(f"{num(t)} s" for t in run["runs_s"])
                    if run.get("runs_s")
                    else ""
                ),
                "; ".join(marks),
            ]
        )
    for key, value in sie.items():
        if isinstance(value, dict | list) or key in dict(SIE_RUNS):
            continue
        rows.append([key, num(value) if isinstance(value, int | float) else value, ""])
    return rows
