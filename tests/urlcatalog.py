"""Every URL pattern of the project, and how to fill in its ids from a set of objects.

The permission matrix and the accessibility scan both start from ``url_patterns()``,
so a new page is covered (or fails loudly) without anyone remembering to add it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Pattern:
    name: str  # "goals:detail"; the admin is one row, "admin"
    route: str
    params: tuple[str, ...]


def url_patterns() -> list[Pattern]:
    """All named patterns; everything under the admin is collapsed into one row."""
    found: dict[str, Pattern] = {}

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    found["admin"] = Pattern("admin", route, ())
                    continue
                ns = entry.namespace or namespace
                walk(entry.url_patterns, route, ns)
            elif isinstance(entry, URLPattern):
                if not entry.name:
                    raise AssertionError(f"URL pattern {route!r} has no name")
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                params = tuple(entry.pattern.regex.groupindex)
                found[name] = Pattern(name, route, params)

    walk(get_resolver().url_patterns, "", None)
    return sorted(found.values(), key=lambda p: p.name)


# Which object fills each URL parameter, by the pattern's name. ``objects`` is any
# namespace with: plan (an adopted goal of unit A that has a level below it),
# draft (a draft goal of unit A), indicator (on plan), assignment (given to unit A),
# unit (unit A itself), year (a budget year), batch (an import), fmt ("xlsx"),
# investment (an investment project of the budget year), change (a decided budget change
# between two nämnder), period (a reporting period of the årshjul), submission (unit A's
# draft in that period, opened), evidence (a file attached to it), report (a finished
# draft report of that period), report_text (nämnd A's chapter of that report, written by
# chef A).
PARAMS = {
    ("goals:detail", "pk"): "plan",
    # The fragment of a draft: 404 to those who may not read the draft.
    ("goals:children", "pk"): "draft",
    ("goals:create", "parent_pk"): "plan",
    ("goals:edit", "pk"): "plan",
    ("goals:decide", "pk"): "draft",
    ("goals:indicator_create", "goal_pk"): "plan",
    ("goals:indicator_edit", "pk"): "indicator",
    ("goals:assignment", "pk"): "assignment",
    ("budget:unit", "pk"): "unit",
    ("budget:adopt", "year"): "year",
    ("budget:change_create", "year"): "year",
    ("budget:change_reverse", "year"): "year",
    ("budget:change_reverse", "pk"): "change",
    ("budget:forecast", "year"): "year",
    ("budget:forecast", "unit_pk"): "unit",
    ("budget:detail_budget", "year"): "year",
    ("budget:detail_budget", "unit_pk"): "unit",
    ("budget:import_detail", "pk"): "batch",
    ("budget:import_status", "pk"): "batch",
    ("budget:export", "fmt"): "fmt",
    ("budget:investment_create", "year"): "year",
    ("budget:investment_edit", "year"): "year",
    ("budget:investment_edit", "pk"): "investment",
    ("followup:period_open", "pk"): "period",
    ("followup:period_close", "pk"): "period",
    ("followup:period_lock", "pk"): "period",
    # Personnel figures and the personalberättelse of a goal period (delår, årsbokslut).
    ("personnel:period", "pk"): "period",
    ("personnel:report", "pk"): "period",
    ("followup:submission", "pk"): "submission",
    ("followup:submission_return", "pk"): "submission",
    ("followup:submission_approve", "pk"): "submission",
    ("followup:evidence_upload", "pk"): "submission",
    ("followup:evidence", "pk"): "evidence",
    ("followup:evidence_delete", "pk"): "evidence",
    # Måluppfyllelse of an adopted goal (and the goals below it).
    ("followup:fulfilment_goal", "pk"): "plan",
    # A finished draft report of the period (tests/reports: adopted ones and the rest).
    ("reports:detail", "pk"): "report",
    ("reports:status", "pk"): "report",
    ("reports:download", "pk"): "report",
    ("reports:download_docx", "pk"): "report",
    ("reports:adopt", "pk"): "report",
    # The chapters of the period's report, and the nämnd A's analysis (its förvaltningschef
    # writes it).
    ("reports:texts_setup", "pk"): "period",
    ("reports:text", "pk"): "report_text",
    # How an adopted goal's assessment was made (the latest goal period that has opened).
    ("followup:rollup", "goal_pk"): "plan",
}


def url_for(pattern: Pattern, objects) -> str:
    if pattern.name == "admin":
        return reverse("admin:index")
    kwargs = {}
    for param in pattern.params:
        key = (pattern.name, param)
        if key not in PARAMS:
            raise AssertionError(f"No object for {param!r} of {pattern.name}: add it to PARAMS")
        value = getattr(objects, PARAMS[key])
        kwargs[param] = getattr(value, "pk", value)
    return reverse(pattern.name, kwargs=kwargs)
