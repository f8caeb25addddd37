"""What another app shows beside the goals of /mal/: the follow-up's assessment per goal.

The goals app knows nothing of follow-up. An app registers a function in its
``ready()`` (``register_tree_addition``); /mal/ and its lazily loaded levels call it
once per request and get back a ``TreeAddition``: form fields to add to /mal/'s
filter form, a query string its links keep, and a line of HTML per goal row.
Without a registered app the tree is as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class TreeAddition:
    """What /mal/ shows beside its rows for one request.

    ``form``: fields rendered after the tree's own filters (None for none); ``query``:
    a query string without "?" that the tree's links keep ("period=3"); ``lines``:
    called once with the ``TreeGoal`` rows shown, returns goal pk → HTML shown under
    the row's meta line (a fixed number of queries, whatever the number of rows).
    """

    query: str = ""
    form: object = None
    lines: Callable[[list], dict[int, str]] = field(default=lambda goals: {})


_providers: list[Callable] = []


def register_tree_addition(provider: Callable) -> None:
    """``provider(request, municipality, years, with_form, year) -> TreeAddition | None``;
    ``year``: the one year the page shows (chosen in the filter, or an earlier year's goal
    opened), else None."""
    if provider not in _providers:
        _providers.append(provider)


def tree_addition(request, municipality, years: Iterable[int] = (), with_form=True, year=None):
    """The registered app's addition for this request, or None (queries: the provider's)."""
    for provider in _providers:
        found = provider(request, municipality, list(years), with_form, year)
        if found is not None:
            return found
    return None
