"""The final assessments /mal/ shows are kept between requests only while nothing they
are computed from has changed: approving a submission, a changed rule or a new indicator
value shows at once, and a kept result costs one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.choices import Fulfilment
from followup.finals import final_statuses, fingerprint
from followup.models import Assessment, Submission
from followup.rollup import rollup_for_period
from tests.followup.factories import make_submission, make_year, set_state

pytestmark = pytest.mark.django_db
F = Fulfilment


@pytest.fixture
def period(world):
    return set_state(make_year(world, 2026)[8], "closed")


def _expected(world, period, decided_only):
    return {
        pk: (r.final if r.final in F.values else F.NOT_ASSESSED)
        for pk, r in rollup_for_period(world.m, period, decided_only=decided_only).items()
    }


def test_kept_results_equal_the_roll_up_and_follow_every_change(world, period):
    sub = make_submission(period, world.fA, Submission.State.SENT)
    assessment = Assessment.objects.create(
        submission=sub, goal=world.goal_a, status=F.NOT_FULFILLED
    )
    first = final_statuses(world.m, period, True)
    assert first == _expected(world, period, True)
    assert first[world.goal_a.pk] == F.NOT_ASSESSED  # sent, not approved: not decided

    with CaptureQueriesContext(connection) as kept:
        assert final_statuses(world.m, period, True) == first
    assert len(kept) == 1  # the fingerprint only

    # Approving the submission is in the history: the next read computes again.
    sub.state = Submission.State.APPROVED
    sub.save()
    after = final_statuses(world.m, period, True)
    assert after[world.goal_a.pk] == F.NOT_FULFILLED
    assert after == _expected(world, period, True)

    # A changed assessment of an approved submission (saved, so in the history) too.
    before = fingerprint()
    assessment.status = F.FULFILLED
    assessment.save()
    assert fingerprint() != before
    assert final_statuses(world.m, period, True)[world.goal_a.pk] == F.FULFILLED


def test_the_drafts_view_is_kept_apart_from_the_decided(world, period):
    sub = make_submission(period, world.fA, Submission.State.DRAFT)
    Assessment.objects.create(submission=sub, goal=world.goal_a, status=F.PARTLY)
    assert final_statuses(world.m, period, False)[world.goal_a.pk] == F.PARTLY
    assert final_statuses(world.m, period, True)[world.goal_a.pk] == F.NOT_ASSESSED


def test_a_process_keeps_what_it_read_under_the_same_key_and_expiry(world, period):
    """The shared cache's entry is unpickled once per process; the copy goes when its
    entry would (the time it was made travels with it) and with any change (a new key)."""
    from django.core.cache import cache

    from followup import finals

    make_submission(period, world.fA, Submission.State.APPROVED)
    first = final_statuses(world.m, period, True)
    assert final_statuses(world.m, period, True) is first  # this process's copy
    finals.forget()
    again = final_statuses(world.m, period, True)  # from the shared cache, unpickled
    assert again == first and again is not first
    assert final_statuses(world.m, period, True) is again
    # Past the entry's expiry the copy is not used: the roll-up is computed again.
    cache.clear()
    for key, (expires, value) in list(finals._local.items()):
        assert expires <= finals.time.time() + finals.TIMEOUT
        finals._local[key] = (finals.time.time() - 1, value)
    recomputed = final_statuses(world.m, period, True)
    assert recomputed == first and recomputed is not again


def test_an_entry_is_kept_briefly_while_the_inputs_settle_and_long_once_they_are_still(
    world, period
):
    """A transaction still open when an entry is computed may commit history times older
    than the newest read (the key would not change): so an entry computed within SETTLE
    seconds of the newest change expires after TIMEOUT; one computed later, when any
    transaction then open writes newer times, is kept for QUIET_TIMEOUT."""
    import datetime as dt

    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    from followup import finals

    sub = make_submission(period, world.fA, Submission.State.APPROVED)

    def expiry():
        (_key, (expires, _value)), *_ = finals._local.items()
        return expires - finals.time.time()

    final_statuses(world.m, period, True)
    assert expiry() <= finals.TIMEOUT
    later = timezone.now() + dt.timedelta(seconds=finals.SETTLE + 5)
    with time_machine.travel(later, tick=False):
        finals.forget()
        cache.clear()
        stamp = fingerprint()
        quiet = final_statuses(world.m, period, True, stamp=stamp)
        assert finals.lifetime(stamp.of(period)) == finals.QUIET_TIMEOUT
        assert finals.TIMEOUT < expiry() <= finals.QUIET_TIMEOUT
        # A change makes a new key, computed at once and kept briefly again.
        Assessment.objects.create(submission=sub, goal=world.goal_a, status=F.FULFILLED)
        changed = final_statuses(world.m, period, True)
        assert changed[world.goal_a.pk] == F.FULFILLED != quiet[world.goal_a.pk]
        assert finals.lifetime(fingerprint().of(period)) == finals.TIMEOUT
        assert finals._local[next(reversed(finals._local))][0] - finals.time.time() <= (
            finals.TIMEOUT
        )


def test_a_locked_periods_results_outlast_changes_to_other_periods(world):
    """Nothing of a locked period changes (its submissions, their parts, its overrides
    refuse it): its kept results follow only the inputs all periods share. A chef's draft
    in the open period leaves them kept; a changed goal does not."""
    from followup import finals
    from goals.models import Goal

    periods = make_year(world, 2026)
    locked, current = periods[8], periods[12]
    set_state(current, "open")
    make_submission(locked, world.fA, Submission.State.APPROVED)
    Assessment.objects.create(
        submission=Submission.objects.get(period=locked), goal=world.goal_a, status=F.PARTLY
    )
    set_state(locked, "locked")
    locked.refresh_from_db()
    current.refresh_from_db()
    kept = final_statuses(world.m, locked, True)
    assert kept[world.goal_a.pk] == F.PARTLY
    open_kept = final_statuses(world.m, current, False)

    # A chef's draft in the open period: a new key for it, the same for the locked one.
    before = fingerprint()
    draft = make_submission(current, world.fA, Submission.State.DRAFT)
    Assessment.objects.create(submission=draft, goal=world.goal_a, status=F.FULFILLED)
    after = fingerprint()
    assert after.of(current) != before.of(current)
    assert after.of(locked) == before.of(locked)
    with CaptureQueriesContext(connection) as queries:
        assert final_statuses(world.m, locked, True, stamp=after) is kept
    assert len(queries) == 0
    assert final_statuses(world.m, current, False)[world.goal_a.pk] == F.FULFILLED
    assert open_kept[world.goal_a.pk] != F.FULFILLED

    # A change all periods share (the goal's title is in its history) is a new key.
    goal = Goal.objects.get(pk=world.goal_a.pk)
    goal.title = "Trygg omsorg, omformulerat"
    goal.save()
    assert fingerprint().of(locked) != after.of(locked)
    finals.forget()
    assert final_statuses(world.m, locked, True) == _expected(world, locked, True)
