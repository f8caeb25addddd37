"""Every goal's final assessment in a period, kept between requests while nothing it is
computed from has changed.

/mal/ shows beside each row the goal's final assessment in the chosen period. A goal at
the top of the chain is assessed from everything below it, so the first rows of /mal/
need the roll-up of the whole tree (``rollup_for_period``: seven queries and, at
Stockholm's size, about half a second of work). Those results change only when what
they are computed from changes, and every such change is a row in the history
(django-simple-history, required of all governance data). So the results are kept in
Django's cache (Redis in production, each process's memory in ``make run``) under a key
that holds the newest history time of every table the roll-up reads: any change makes a
new key, and the old entry is never read again. Reading the key is one query.

Two transactions that commit out of the order of their history times could leave an
entry keyed on a time older than a change committed after it: a transaction still open
when the entry was computed, whose history times lie before the newest one read. Such a
transaction began at most ``SETTLE`` seconds before (the longest a write of these tables
is taken to last), so its history times are at most that old. An entry computed while the
newest change is younger than ``SETTLE`` may have missed one and expires after
``TIMEOUT`` seconds; one computed when the data had been still for longer cannot have (a
transaction open then writes history times newer than the newest read, a new key once
it commits) and is kept for ``QUIET_TIMEOUT``. So the overview is computed again after
a change, not every two minutes of a quiet day.

A locked period never changes, whoever asks (its submissions, their parts and its
overrides refuse every save and delete, and so does the period itself): its roll-up
changes only with what all periods share (the goals, indicators, values, uppdrag, rules
and the periods). So its entries are keyed on those tables alone (``Stamp.of``), and a
chef's draft in this year's open period leaves the trend's locked periods kept.

Reading an entry from the shared cache unpickles it: for the whole tree at Stockholm's
size about 7 ms, a fifth of /mal/. So each process also keeps the last few entries it
read or wrote, under the same key and until the same expiry (the time the entry was
made travels with it): a worker serving the same page again reads the key and nothing
else. What is kept is read, never changed: callers get a read-only mapping of frozen
``GoalRollup``s.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import time
from dataclasses import dataclass
from types import MappingProxyType

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from followup.choices import Fulfilment
from followup.models import ReportingPeriod
from followup.rollup import GoalRollup, rollup_for_period, shown
from styrning.history import history_model

TIMEOUT = 120  # an entry computed less than SETTLE seconds after the newest change
SETTLE = 120  # the longest a transaction writing the inputs is taken to last
QUIET_TIMEOUT = 3600  # an entry computed when the inputs had been still for longer
VERSION = 4  # 3: finals kept with their departures; 4: the expiry travels with the entry
LOCAL_ENTRIES = 16  # kept in each process besides the shared cache

_local: dict[str, tuple[float, object]] = {}  # key → (expires, value), oldest first

# The models whose rows the roll-up reads (rollup_for_period and the functions it calls).
INPUTS = (
    "goals.Goal",
    "goals.GoalLevel",
    "goals.Indicator",
    "goals.Measurement",
    "goals.Assignment",
    "followup.Assessment",
    "followup.AssignmentReport",
    "followup.AssignmentStatusMapping",
    "followup.ReportingPeriod",
    "followup.RollupOverride",
    "followup.RollupRule",
    "followup.Submission",
)


# Those of them whose rows belong to one period: none changes in a locked period.
PERIOD_INPUTS = (
    "followup.Assessment",
    "followup.AssignmentReport",
    "followup.RollupOverride",
    "followup.Submission",
)


def _history_tables() -> list[str]:
    return [history_model(apps.get_model(label))._meta.db_table for label in INPUTS]


@dataclass(frozen=True)
class Stamp:
    """What kept results are keyed on, read once a request (``fingerprint``): each as
    ``<hash of the newest history times>.<the newest of them, in seconds>``."""

    every: str  # of all the inputs
    shared: str  # of the inputs all periods share (all but PERIOD_INPUTS)

    def of(self, period) -> str:
        """The part ``period``'s results are keyed on."""
        return self.shared if period.state == ReportingPeriod.State.LOCKED else self.every


@functools.cache
def _fingerprint_sql(vendor: str) -> str:
    """The fingerprint's query, written once a process (the tables never change)."""
    quote = connection.ops.quote_name
    tables = _history_tables()
    columns = ", ".join(f"(SELECT MAX(history_date) FROM {quote(table)})" for table in tables)
    return f"SELECT {columns}"


def fingerprint() -> Stamp:
    """The newest history time of each input table (one query), as a ``Stamp``."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(connection.vendor))
        row = cursor.fetchone()
    shared = [value for label, value in zip(INPUTS, row, strict=True) if label not in PERIOD_INPUTS]
    return Stamp(_stamp(row), _stamp(shared))


def _stamp(values) -> str:
    """``<hash>.<seconds>``: the history times hashed, and the newest of them."""
    digest = hashlib.sha256("|".join(map(str, values)).encode()).hexdigest()[:32]
    newest = max((_seconds(value) for value in values if value is not None), default=0)
    return f"{digest}.{newest}"


def _seconds(value) -> int:
    """A history time as whole seconds since the epoch, rounded up (SQLite gives text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return math.ceil(value.timestamp())


def lifetime(part: str) -> int:
    """How long an entry computed now under ``part`` (of a ``Stamp``) is kept."""
    newest = int(part.rsplit(".", 1)[1])
    return QUIET_TIMEOUT if time.time() - newest > SETTLE else TIMEOUT


def _get(key):
    """The entry under ``key``: this process's copy, else the shared cache's (kept here)."""
    now = time.time()
    kept = _local.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    found = cache.get(key)
    if found is None:
        return None
    expires, value = found
    return _keep(key, expires, value)


def _set(key, value, part):
    """Keep ``value`` in the shared cache and here for the lifetime of ``part`` (of a
    ``Stamp``); returns what callers get."""
    seconds = lifetime(part)
    cache.set(key, (time.time() + seconds, value), seconds)
    return _keep(key, time.time() + seconds, value)


def _keep(key, expires, value):
    """Keep a read-only view of ``value`` (every request of the process shares it)."""
    shared = MappingProxyType(value)
    _local.pop(key, None)
    _local[key] = (expires, shared)
    while len(_local) > LOCAL_ENTRIES:
        del _local[next(iter(_local))]
    return shared


def forget() -> None:
    """Drop this process's copies (the shared cache keeps its entries)."""
    _local.clear()


def _key(kind, municipality, period, decided_only, prognosis, stamp, *extra) -> str:
    parts = [
        "fulfilment",
        kind,
        str(VERSION),
        str(municipality.pk),
        str(period.pk),
        "decided" if decided_only else "all",
        "prognosis" if prognosis else "assessment",
        (stamp or fingerprint()).of(period),
        *extra,
    ]
    return ":".join(parts)


def final_statuses(
    municipality, period, decided_only: bool, *, prognosis=False, stamp=None
) -> dict[int, str]:
    """goal pk → its final assessment in ``period`` (a ``Fulfilment`` value; with
    ``prognosis``, the prognosis for the year-end) for every adopted goal valid in the
    period's year: one query when kept (none given ``stamp``, a ``fingerprint()`` read
    for the request), else the roll-up's too."""
    stamp = stamp or fingerprint()
    found = _get(_key("finals", municipality, period, decided_only, prognosis, stamp))
    if found is None:
        found = _compute(municipality, period, decided_only, prognosis, stamp)[0]
    return found


def departures(municipality, period, decided_only: bool, *, stamp=None) -> dict[int, str]:
    """goal pk → the roll-up's suggestion, for the goals whose final assessment departs
    from it (a unit's own assessment or the owner's override other than what its
    indicators or the goals below suggest; the trial could not see that on /mal/). Kept
    like ``final_statuses``, computed with it."""
    stamp = stamp or fingerprint()
    found = _get(_key("departures", municipality, period, decided_only, False, stamp))
    if found is None:
        found = _compute(municipality, period, decided_only, False, stamp)[1]
    return found


def _compute(municipality, period, decided_only, prognosis, stamp):
    """The roll-up of the whole tree, kept as its final statuses and its departures."""
    rollups = rollup_for_period(
        municipality, period, decided_only=decided_only, prognosis=prognosis
    )
    finals = {pk: shown(rollup.final) for pk, rollup in rollups.items()}
    departs = {
        pk: shown(rollup.suggested)
        for pk, rollup in rollups.items()
        if shown(rollup.suggested) != Fulfilment.NOT_ASSESSED
        and shown(rollup.suggested) != finals[pk]
    }
    return (
        _set(
            _key("finals", municipality, period, decided_only, prognosis, stamp),
            finals,
            stamp.of(period),
        ),
        _set(
            _key("departures", municipality, period, decided_only, prognosis, stamp),
            departs,
            stamp.of(period),
        ),
    )


def kept_rollups(
    municipality,
    period,
    goal_ids,
    *,
    decided_only: bool,
    children=False,
    prognosis=False,
    stamp=None,
) -> dict[int, GoalRollup]:
    """goal pk → its ``GoalRollup`` in ``period``, for ``goal_ids`` only (the rows a page
    shows; with ``children``, the goals directly below them too): kept like
    ``final_statuses``."""
    stamp = stamp or fingerprint()
    ids = sorted(set(goal_ids))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    kind = "rollups+children" if children else "rollups"
    key = _key(kind, municipality, period, decided_only, prognosis, stamp, digest)
    found = _get(key)
    if found is None:
        rollups = rollup_for_period(
            municipality, period, root=ids, decided_only=decided_only, prognosis=prognosis
        )
        wanted = set(ids)
        if children:
            wanted |= {c for pk in ids if pk in rollups for c in rollups[pk].child_ids}
        found = _set(key, {pk: rollups[pk] for pk in wanted if pk in rollups}, stamp.of(period))
    return found
