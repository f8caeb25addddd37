"""Forecasts not yet approved: which (unit, month) forecasts a follow-up still works on.

A förvaltning's helårsprognos is the budget's ``Forecast`` (one source of truth), written
when its follow-up is saved. Until the follow-up is approved, only those working on it
and those who read everything (the ekonomichef) should see it: /budget/ for everyone
else, and the reports, show the latest approved forecast instead.

The budget app knows nothing of follow-up. An app registers a function in its
``ready()`` (``register_pending_forecasts``) that answers, for a municipality and year,
the (unit pk, month) of the forecasts its submissions have not had approved.
"""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable] = []


def register_pending_forecasts(provider: Callable) -> None:
    """``provider(municipality, year) -> set[(unit pk, month)]`` (one query)."""
    if provider not in _providers:
        _providers.append(provider)


def pending_forecasts(municipality, year) -> set[tuple[int, int]]:
    """The (unit pk, month) of forecasts not yet approved (the providers' queries)."""
    found: set[tuple[int, int]] = set()
    for provider in _providers:
        found |= provider(municipality, year)
    return found


_lock_providers: list[Callable] = []


def register_locked_month(provider: Callable) -> None:
    """``provider(municipality, year, month) -> str``: why the forecasts made in that
    month can no longer change (its follow-up's report is adopted), else "" (one query)."""
    if provider not in _lock_providers:
        _lock_providers.append(provider)


def locked_month(municipality, year, month) -> str:
    """Why the month's forecasts are locked, or "" when they may change."""
    for provider in _lock_providers:
        reason = provider(municipality, year, month)
        if reason:
            return reason
    return ""
