"""The chain as rows for /mal/: filtering keeps each match's ancestors for context."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TreeRow:
    goal: object
    depth: int
    has_children: bool = False
    closes: range = field(default_factory=lambda: range(0))
    is_match: bool = True
    open: bool = False
    child_count: int = 0


def filter_goals(goals, *, units=None, perspective=None, year=None):
    """Keep goals that match every filter, their ancestors and (for a match) descendants.

    ``goals`` is a list in tree order (``Goal.objects.for_tree()``); ``units`` a set
    of owner unit ids. No queries: perspectives must be prefetched.
    """
    by_id = {g.pk: g for g in goals}
    matched = set()
    for goal in goals:
        if units is not None and goal.owner_id not in units:
            continue
        if year is not None and not (goal.start_year <= year <= goal.end_year):
            continue
        if perspective is not None and perspective not in {p.pk for p in goal.perspectives.all()}:
            continue
        matched.add(goal.pk)
    keep = set(matched)
    for pk in matched:
        parent_id = by_id[pk].parent_id
        while parent_id is not None and parent_id not in keep and parent_id in by_id:
            keep.add(parent_id)
            parent_id = by_id[parent_id].parent_id
    if perspective is not None and units is None:
        # A perspective tags the upper levels; show what is planned beneath a match.
        for goal in goals:
            if goal.parent_id in matched and (
                year is None or goal.start_year <= year <= goal.end_year
            ):
                matched.add(goal.pk)
                keep.add(goal.pk)
    return [g for g in goals if g.pk in keep], matched


def tree_rows(goals, matched=None, open_depth=1):
    """Flatten goals (tree order, any subset closed under ancestors) into rows.

    Each row knows its depth, whether it has children in the list and how many
    nested lists close after it, so the template renders nested <ul> without
    recursion.
    """
    present = {g.pk for g in goals}
    depth_of: dict[int, int] = {}
    rows: list[TreeRow] = []
    for goal in goals:
        parent = goal.parent_id if goal.parent_id in present else None
        depth = depth_of[parent] + 1 if parent is not None else 0
        depth_of[goal.pk] = depth
        rows.append(TreeRow(goal=goal, depth=depth, is_match=matched is None or goal.pk in matched))
    counts: dict[int, int] = {}
    for goal in goals:
        if goal.parent_id in present:
            counts[goal.parent_id] = counts.get(goal.parent_id, 0) + 1
    for i, row in enumerate(rows):
        row.child_count = counts.get(row.goal.pk, 0)
        next_depth = rows[i + 1].depth if i + 1 < len(rows) else 0
        row.has_children = next_depth > row.depth
        row.closes = range(max(row.depth - next_depth, 0))
        row.open = row.depth < open_depth or (matched is not None and row.has_children)
    return rows
