"""The goal chain's stored trees, and the chain as rows for /mal/.

Two parents
-----------
``Goal.parent`` is the chain: every rule, form and page reads it. The nested set
(django-mptt) hangs on ``Goal.tree_parent``, derived from it: the same goal, except
where the goal above belongs to another body. A goal's *body* is the governing body
(``OrgUnit.governing_body()``: KS, a nämnd or a bolagsstyrelse) its owner belongs to;
KF and whatever hangs directly under it have none. So KF's vision and inriktningsmål
share one small tree, each nämndmål (styrelsemål, processmål …) under them roots a tree
holding that nämnd's goals and everything planned below them, and adding a goal shifts
and locks only the rows of its own nämnd's tree. The rule reads unit kinds only, so it
holds for every municipality's levels.

Walking the chain across trees (breadcrumbs, "is this below itself", a filter's
context) uses ``parent`` with a recursive query: the chain has a handful of levels.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

# --- the stored trees ---------------------------------------------------------------


def governing_bodies(units: Iterable[tuple[int, str, int | None]]) -> dict[int, int | None]:
    """``{unit pk: its governing body's pk or None}`` from ``(pk, kind, parent_id)`` rows.

    No queries: the rows must hold every unit of the municipality.
    """
    from styrning.models import OrgUnit

    rows = {pk: (kind, parent_id) for pk, kind, parent_id in units}
    bodies: dict[int, int | None] = {}

    def body(pk):
        path = []
        while pk is not None and pk not in bodies:
            kind, parent_id = rows[pk]
            if kind in OrgUnit.GOVERNING_KINDS:
                bodies[pk] = pk
                break
            path.append(pk)
            pk = parent_id
        found = bodies.get(pk) if pk is not None else None
        for p in path:
            bodies[p] = found
        return found

    for pk in rows:
        body(pk)
    return bodies


def _body_subquery():
    """The governing body of the unit in the outer query (KS, a nämnd, a styrelse; or NULL)."""
    from django.db.models import OuterRef, Subquery

    from styrning.models import OrgUnit

    return Subquery(
        OrgUnit.objects.filter(
            kind__in=OrgUnit.GOVERNING_KINDS,
            tree_id=OuterRef("tree_id"),
            lft__lte=OuterRef("lft"),
            rght__gte=OuterRef("rght"),
        )
        .order_by("-lft")
        .values("pk")[:1]
    )


def derive_tree_parent_id(goal) -> int | None:
    """The goal's parent in the stored tree: its chain parent, or None where the body changes.

    One query (none for a goal at the top of the chain).
    """
    from django.db.models import Q, Subquery

    from goals.models import Goal
    from styrning.models import OrgUnit

    if goal.parent_id is None:
        return None
    # A scalar subquery: both units are then found through the primary key's index.
    parent_owner = Subquery(Goal.objects.filter(pk=goal.parent_id).values("owner_id")[:1])
    rows = dict(
        OrgUnit.objects.filter(Q(pk=goal.owner_id) | Q(pk=parent_owner))
        .annotate(body=_body_subquery())
        .values_list("pk", "body")
    )
    own_body = rows.get(goal.owner_id)
    others = [body for pk, body in rows.items() if pk != goal.owner_id]
    parent_body = others[0] if others else own_body
    return goal.parent_id if own_body == parent_body else None


def tree_roots_first(parents: dict[int, int | None], order: Iterable[int]):
    """Nested-set numbers for goals: ``{pk: (root pk, lft, rght, depth)}``.

    ``parents`` maps each goal to its tree parent; ``order`` gives siblings' order (the
    order goals were made in, as inserting them one by one would give). No queries.
    """
    children: dict[int | None, list[int]] = {}
    for pk in order:
        children.setdefault(parents[pk], []).append(pk)
    numbers = {}
    for root in children.get(None, []):
        counter = 0
        stack = [(root, 0, False)]
        left = {}
        while stack:
            pk, depth, closing = stack.pop()
            counter += 1
            if closing:
                numbers[pk] = (root, left[pk], counter, depth)
                continue
            left[pk] = counter
            stack.append((pk, depth, True))
            for child in reversed(children.get(pk, ())):
                stack.append((child, depth + 1, False))
    return numbers


def rebuild_goal_trees(municipality, goal_model=None, unit_model=None) -> int:
    """Derive every tree field of the municipality's goals from ``parent`` in one pass.

    For goals bulk-inserted with only ``parent_id`` set (``lft = rght = tree_id =
    mptt_level = 0``, ``tree_parent`` NULL), and to repair trees after bulk changes.
    Siblings keep the order of their primary keys, trees are numbered after every other
    municipality's. Writes no history (the fields are bookkeeping). Three queries, one
    UPDATE per 5 000 goals and, for many goals, an ANALYZE; returns the number of goals.
    The migration passes its historical models.
    """
    from django.db.models import Max

    if goal_model is None:
        from goals.models import Goal as goal_model
    if unit_model is None:
        from styrning.models import OrgUnit as unit_model

    municipality_id = getattr(municipality, "pk", municipality)
    bodies = governing_bodies(
        unit_model.objects.filter(municipality_id=municipality_id).values_list(
            "pk", "kind", "parent_id"
        )
    )
    goals = list(
        goal_model.objects.filter(municipality_id=municipality_id)
        .order_by("pk")
        .values_list("pk", "parent_id", "owner_id")
    )
    owner_of = {pk: owner_id for pk, _parent, owner_id in goals}
    parents = {}
    for pk, parent_id, owner_id in goals:
        same_body = parent_id is not None and bodies.get(owner_id) == bodies.get(
            owner_of.get(parent_id)
        )
        parents[pk] = parent_id if same_body else None
    numbers = tree_roots_first(parents, [pk for pk, _p, _o in goals])
    with transaction.atomic():
        first = (
            goal_model.objects.exclude(municipality_id=municipality_id).aggregate(
                top=Max("tree_id")
            )["top"]
            or 0
        ) + 1
        tree_ids: dict[int, int] = {}
        rows = []
        for pk, _parent, _owner in goals:
            root, lft, rght, depth = numbers[pk]
            tree_id = tree_ids.setdefault(root, first + len(tree_ids))
            rows.append((pk, parents[pk], tree_id, lft, rght, depth))
        _write_tree_fields(goal_model, rows)
    if connection.vendor == "postgresql" and len(rows) > 1000:
        # Every row's tree columns changed: let the planner know what the chain looks like.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {goal_model._meta.db_table}")
    return len(goals)


def _write_tree_fields(goal_model, rows):
    table = goal_model._meta.db_table
    if connection.vendor != "postgresql":
        objs = []
        for pk, tree_parent_id, tree_id, lft, rght, depth in rows:
            obj = goal_model(pk=pk)
            obj.tree_parent_id, obj.tree_id, obj.lft, obj.rght = tree_parent_id, tree_id, lft, rght
            obj.mptt_level = depth
            objs.append(obj)
        goal_model.objects.bulk_update(
            objs, ["tree_parent", "tree_id", "lft", "rght", "mptt_level"], batch_size=500
        )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            values = ",".join(["(%s, %s::integer, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS g SET tree_parent_id = v.tp, tree_id = v.t, lft = v.l, "
                f"rght = v.r, mptt_level = v.d FROM (VALUES {values}) AS v(id, tp, t, l, r, d) "
                "WHERE g.id = v.id",
                [x for row in chunk for x in row],
            )


# --- walking the chain across trees -----------------------------------------------------


def _start(start) -> tuple[str, tuple]:
    """A SELECT of goal ids from a queryset or a list of ids (no query)."""
    if hasattr(start, "query"):
        sql, params = start.values("pk").query.sql_with_params()
        return sql, tuple(params)
    ids = [int(i) for i in start] or [0]
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::integer[])", (ids,)
    return "SELECT " + " UNION ALL SELECT ".join(["%s"] * len(ids)), tuple(ids)


def id_list(ids):
    """Ids for ``pk__in``: one array parameter on PostgreSQL (no query).

    A long list of separate parameters costs Django more to build than the query
    costs PostgreSQL to run.
    """
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::integer[])", (ids,))
    return ids


def chain_up_sql(start) -> RawSQL:
    """The goals of ``start`` (a queryset or ids) and every goal above them, by ``parent``.

    A recursive query for ``pk__in``: the chain above a goal has a handful of goals,
    found through the primary key.
    """
    from goals.models import Goal

    table = Goal._meta.db_table
    sql, params = _start(start)
    return RawSQL(
        f"WITH RECURSIVE up(id, parent_id) AS ("
        f"SELECT id, parent_id FROM {table} WHERE id IN ({sql}) "
        f"UNION SELECT g.id, g.parent_id FROM {table} g JOIN up ON g.id = up.parent_id"
        f") SELECT id FROM up",
        params,
    )


def with_perspective_sql(perspective) -> RawSQL:
    """Ids of the goals whose perspectives include ``perspective``, for ``pk__in``.

    A goal's perspectives are its own; a goal with none of its own has those of its
    nearest goal above (by ``parent``) that has some. A recursive query: from the goals
    tagged with the perspective down through the untagged goals below them.
    """
    from goals.models import Goal

    table = Goal._meta.db_table
    through = Goal.perspectives.through._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE tagged(id) AS ("
        f"SELECT goal_id FROM {through} WHERE perspective_id = %s "
        f"UNION SELECT g.id FROM {table} g JOIN tagged ON g.parent_id = tagged.id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {through} t WHERE t.goal_id = g.id)"
        f") SELECT id FROM tagged",
        (getattr(perspective, "pk", perspective),),
    )


def top_of_chain(municipality, opened=()) -> RawSQL:
    """Ids of the goals at the top of the chain, those one level below them, and those
    directly below the ``opened`` goals: what /mal/ shows first. For ``pk__in``.

    Written as a union so that each part uses its index (an OR of them scans the chain).
    """
    from goals.models import Goal

    table = Goal._meta.db_table
    top = f"SELECT id FROM {table} WHERE municipality_id = %s AND parent_id IS NULL"
    sql, params = _start(opened)
    return RawSQL(
        f"{top} UNION SELECT id FROM {table} WHERE parent_id IN ({top}) "
        f"UNION SELECT id FROM {table} WHERE parent_id IN ({sql})",
        (municipality.pk, municipality.pk, *params),
    )


def ancestor_ids(goal) -> list[int]:
    """The goals above ``goal`` in the chain, from the top down (one query)."""
    from goals.models import Goal

    rows = Goal.objects.filter(pk__in=chain_up_sql([goal.pk])).values_list("pk", "parent_id")
    parent_of = dict(rows)
    path, pk = [], parent_of.get(goal.pk)
    while pk is not None and pk in parent_of and pk not in path:
        path.append(pk)
        pk = parent_of[pk]
    return list(reversed(path))


# --- rows for the page ------------------------------------------------------------------


class TreeGoal:
    """A goal as a row of /mal/ shows it: plain values from ``Goal.objects.tree_goals()``.

    ``perspectives`` holds names, ``indicators`` tuples of ``INDICATOR_FIELDS``.
    """

    FIELDS = (
        "pk",
        "parent_id",
        "tree_id",
        "lft",
        "title",
        "status",
        "start_year",
        "end_year",
        "level__order",
        "level__name",
        "owner__name",
    )
    INDICATOR_FIELDS = (
        "name",
        "unit",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "latest_value",
        "latest_year",
    )
    # The FIELDS by attribute name ("level__name" → level_name), then what the query adds.
    __slots__ = tuple(name.replace("__", "_") for name in FIELDS) + (
        "child_count",
        "description",
        "perspectives",
        "indicators",
    )

    def __init__(
        self,
        pk,
        parent_id,
        tree_id,
        lft,
        title,
        status,
        start_year,
        end_year,
        level_order,
        level_name,
        owner_name,
        child_count,
        description,
    ):
        # FIELDS, then child_count and a vision's description (empty for other levels),
        # in the order of the slots: a row of ``tree_goal_rows`` (named, not set in a
        # loop of setattr: a page builds hundreds).
        self.pk = pk
        self.parent_id = parent_id
        self.tree_id = tree_id
        self.lft = lft
        self.title = title
        self.status = status
        self.start_year = start_year
        self.end_year = end_year
        self.level_order = level_order
        self.level_name = level_name
        self.owner_name = owner_name
        self.child_count = child_count
        self.description = description
        self.perspectives = []
        self.indicators = []

    def __repr__(self):
        return f"<TreeGoal {self.pk}: {self.title}>"

    @property
    def is_adopted(self):
        return self.status == "adopted"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("goals:detail", args=[self.pk])


@dataclass
class TreeRow:
    goal: TreeGoal
    depth: int
    is_match: bool = True
    child_count: int = 0  # children the reader may read, from SQL
    shown_children: int = 0  # children rendered beneath it now
    anchor: str = ""  # id of the first row a "show more" link lands on
    child_label: str = ""
    url: str = ""
    children_url: str = ""
    extra: str = ""  # HTML another app shows under the meta line (goals.additions)

    @property
    def partly_shown(self):
        """Some, not all, of the children below are rendered (a filter or the row cap)."""
        return 0 < self.shown_children < self.child_count


class UrlPattern:
    """A named URL with a goal's id, reversed once per process (per URLconf and script
    prefix) rather than once per row."""

    MARK = "2147483647"

    def __init__(self, name):
        from django.conf import settings
        from django.urls import get_script_prefix, get_urlconf

        urlconf = get_urlconf() or settings.ROOT_URLCONF
        self.head, self.tail = _url_parts(name, urlconf, get_script_prefix())

    def __call__(self, pk):
        return f"{self.head}{pk}{self.tail}"


@functools.lru_cache(maxsize=256)
def _url_parts(name, urlconf, prefix) -> tuple[str, str]:
    """The URL ``name`` before and after its id (``prefix`` keys the cache: ``reverse``
    starts from the script prefix)."""
    from django.urls import reverse

    head, _mark, tail = reverse(name, urlconf=urlconf, args=[UrlPattern.MARK]).partition(
        UrlPattern.MARK
    )
    return head, tail


def chain_order(goals):
    """Goals (any set holding each goal's shown parent) in the chain's order, with depths.

    Siblings in stored-tree order. A goal whose parent is not in the set starts at
    depth 0. No queries; returns ``[(goal, depth, shown children)]``.
    """
    present = {g.pk: g for g in goals}
    children: dict[int | None, list] = {}
    for g in goals:
        parent = g.parent_id if g.parent_id in present else None
        children.setdefault(parent, []).append(g)
    for siblings in children.values():
        siblings.sort(key=lambda g: (g.tree_id, g.lft, g.pk))
    ordered = []
    stack = [(g, 0) for g in reversed(children.get(None, []))]
    while stack:
        goal, depth = stack.pop()
        below = children.get(goal.pk, [])
        ordered.append((goal, depth, len(below)))
        stack.extend((child, depth + 1) for child in reversed(below))
    return ordered


def tree_rows(goals, matched=None, levels=None, query="", extras=None):
    """Rows for ``render_nodes``: the goals nested in the chain's order.

    ``goals`` are ``TreeGoal`` (``Goal.objects.tree_goals()``), with ``child_count``.
    ``levels`` maps a level's order to the level, for labels like "6 nämndmål".
    ``query`` (without "?") is kept on the links that open a level; ``extras`` maps a
    goal's pk to HTML shown under its meta line (``goals.additions``). No queries.
    """
    rows = []
    detail_url, children_url = UrlPattern("goals:detail"), UrlPattern("goals:children")
    levels = levels or {}
    labels: dict = {}
    extras = extras or {}
    query = f"?{query}" if query else ""
    for goal, depth, shown in chain_order(goals):
        child_count = goal.child_count or 0
        # The real number below (as the unfiltered tree says), even where a filter or
        # the row cap shows fewer of them: the template says how many are shown.
        count = max(child_count, shown)
        key = (goal.level_order, count)
        if key not in labels:
            next_level = levels.get(goal.level_order + 1)
            labels[key] = next_level.count_label(count) if next_level else ""
        rows.append(
            TreeRow(
                goal=goal,
                depth=depth,
                is_match=matched is None or goal.pk in matched,
                child_count=child_count,
                shown_children=shown,
                url=detail_url(goal.pk),
                children_url=children_url(goal.pk) + query,
                child_label=labels[key],
                extra=extras.get(goal.pk, ""),
            )
        )
    return nest(rows)


def nest(rows):
    """Turn flat rows in chain order into ``[(row, [child nodes])]`` for the template."""
    root: list = []
    stack: list[tuple[int, list]] = [(-1, root)]
    for row in rows:
        while stack[-1][0] >= row.depth:
            stack.pop()
        node = (row, [])
        stack[-1][1].append(node)
        stack.append((row.depth, node[1]))
    return root


# --- the rows as HTML -------------------------------------------------------------------

# The five characters ``html.escape`` replaces, replaced in one pass: a tree escapes a
# dozen strings a row (html.escape's five replace() calls each were a third of the rows'
# calls). The same output.
_HTML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)


def escape(text: str) -> str:
    """``html.escape(text)``."""
    return text.translate(_HTML_ESCAPES)


def render_nodes(nodes) -> str:
    """The nested rows as HTML: a ``<ul>`` of goals, each with its row and, where it has
    children, their toggle and the children rendered beneath it.

    Built in Python rather than through a template included per row: a filtered page
    has hundreds of rows. tests/goals/test_tree_html.py holds it equal to the
    templates it replaced. No queries.
    """
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language, gettext, ngettext

    words = {
        "language": get_language(),  # for the figures' separators, looked up once
        "draft": escape(gettext("Draft")),
        "baseline": escape(gettext("baseline")),
        "target": escape(gettext("target")),
        "latest": escape(gettext("latest")),
        "under": gettext("under %(title)s"),
    }
    out: list[str] = []
    _render_nodes(nodes, out, words, ngettext)
    return mark_safe("".join(out))


def _render_nodes(nodes, out, words, ngettext):
    out.append("<ul>")
    for row, children in nodes:
        goal = row.goal
        out.append(f'<li id="mal-{goal.pk}">\n  ')
        _render_row(row, out, words)
        out.append("\n  ")
        if row.child_count or children:
            url = escape(row.children_url)
            label = escape(row.child_label)
            under = words["under"] % {"title": escape(goal.title)}
            out.append(
                f'<div class="goal-children" data-url="{url}">\n'
                f'    <a class="goal-toggle" id="toggle-{goal.pk}" href="{url}" '
                f'data-label="{label}" aria-expanded="{"true" if children else "false"}">'
                f'{label}<span class="visually-hidden"> {under}</span></a>'
            )
            if row.partly_shown:
                shown = ngettext(
                    "(%(counter)s of them shown here)",
                    "(%(counter)s of them shown here)",
                    row.shown_children,
                ) % {"counter": row.shown_children}
                out.append(f' <span class="goal-children__shown">{shown}</span>')
            out.append("\n    ")
            if children:
                _render_nodes(children, out, words, ngettext)
            out.append("\n  </div>")
        out.append("\n</li>")
    out.append("</ul>\n")


def _render_row(row, out, words):
    """One goal's row (what ``_goal_row.html`` rendered), ending in a newline."""
    from styrning.formatting import number, year_span

    goal = row.goal
    lang = words["language"]
    classes = "" if row.is_match else " goal-row--context"
    if row.depth == 0 and goal.level_order == 1:
        classes += " goal-row--vision"
    anchor = f' id="{escape(row.anchor)}" tabindex="-1"' if row.anchor else ""
    draft = "" if goal.is_adopted else f'<span class="status status--draft">{words["draft"]}</span>'
    perspectives = ""
    if goal.perspectives:
        perspectives = " · " + ", ".join(
            f'<span class="perspective">{escape(name)}</span>' for name in goal.perspectives
        )
    out.append(
        f'<div class="goal-row{classes}"{anchor}>\n'
        f'  <div class="goal-row__head">\n'
        f'    <span class="level-tag">{escape(goal.level_name)}</span>\n'
        f'    <a class="goal-row__title" href="{escape(row.url)}">'
        f"{escape(goal.title)}</a>\n"
        f"    {draft}\n"
        f"  </div>\n"
        f'  <p class="goal-row__meta">{escape(goal.owner_name)} · '
        f"{escape(year_span(goal.start_year, goal.end_year))}{perspectives}</p>\n  "
    )
    if row.extra:
        out.append(f"{row.extra}\n  ")
    if goal.indicators:
        out.append('\n  <ul class="indicator-list">\n    ')
        for (
            name,
            unit,
            base,
            base_year,
            target,
            target_year,
            latest,
            latest_year,
        ) in goal.indicators:
            unit = f" ({escape(unit)})" if unit else ""
            base = "–" if base is None else f"{number(base, language=lang)} ({base_year})"
            target = "–" if target is None else f"{number(target, language=lang)} ({target_year})"
            latest = (
                "–"
                if latest is None
                else f"<strong>{number(latest, language=lang)}</strong> ({latest_year})"
            )
            out.append(
                f'\n    <li><span class="indicator-list__name">{escape(name)}</span>'
                f"{unit}:\n"
                f"      {words['baseline']} {base}\n"
                f"      → {words['target']} {target};\n"
                f"      {words['latest']} {latest}</li>\n    "
            )
        out.append("\n  </ul>\n  ")
    out.append("\n</div>\n")
