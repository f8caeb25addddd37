"""Periods from the templates, their transitions and the daily run (followup.calendar)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from followup.calendar import (
    close_period,
    install_template,
    lock_period,
    make_periods,
    open_period,
    run_due,
)
from followup.models import CalendarTemplate, ReportingPeriod, Submission
from followup.tasks import daily
from tests.followup.factories import make_submission, make_year, set_state

State = ReportingPeriod.State
pytestmark = pytest.mark.django_db


def _summary(world, year):
    return [
        (p.month, p.kind, p.content, p.opens_on, p.unit_deadline, p.deadline)
        for p in ReportingPeriod.objects.filter(municipality=world.m, year=year)
    ]


def test_hedemora_template_makes_its_eight_periods(world):
    make_year(world, 2026)
    periods = _summary(world, 2026)
    assert [p[0] for p in periods] == [2, 3, 4, 5, 8, 9, 10, 12]
    by_month = {p[0]: p for p in periods}
    assert by_month[2][1:] == (
        "monthly",
        "economy",
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 15),
    )
    assert by_month[3][2] == "economy_forecast"
    assert by_month[10][2] == "economy_forecast"
    assert by_month[8][1:] == (
        "interim",
        "goals_prognosis",
        dt.date(2026, 9, 5),
        dt.date(2026, 9, 13),
        dt.date(2026, 9, 20),
    )
    assert by_month[12][1:] == (
        "annual",
        "goals_year",
        dt.date(2027, 1, 10),
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 14),
    )
    assert all(p.state == State.PLANNED for p in ReportingPeriod.objects.all())


def test_katrineholm_template_skips_january_and_june(world):
    make_year(world, 2026, "katrineholm")
    months = [p[0] for p in _summary(world, 2026)]
    assert months == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    august = ReportingPeriod.objects.get(municipality=world.m, year=2026, month=8)
    assert august.kind == "interim" and august.goal_prognosis


def test_period_properties_and_label(world):
    periods = make_year(world, 2026)
    interim = periods[8]
    assert interim.label == "Delårsrapport per 31 augusti 2026"
    assert interim.asks_goals and interim.asks_forecast and interim.goal_prognosis
    assert periods[2].label == "Månadsrapport per 28 februari 2026"
    assert not periods[2].asks_forecast and not periods[2].asks_goals
    assert periods[12].asks_goals and not periods[12].goal_prognosis
    assert not periods[12].asks_forecast


def test_make_periods_is_idempotent_and_keeps_opened_periods(world):
    periods = make_year(world, 2026)
    open_period(periods[2])
    again = make_periods(world.m, 2026)
    assert (again.created, again.updated, again.removed, again.kept) == (0, 0, 0, 1)
    # Switching templates moves the planned periods only.
    install_template(world.m, "katrineholm")
    switched = make_periods(world.m, 2026)
    assert switched.created == 2  # July and November
    assert switched.updated == 3  # April, May and September ask for a forecast now
    assert CalendarTemplate.objects.get(is_active=True).name == "Katrineholms årshjul"
    assert ReportingPeriod.objects.get(month=2).state == State.OPEN


def test_make_periods_command(world, capsys):
    install_template(world.m)
    call_command("make_periods", year=2027)
    assert ReportingPeriod.objects.filter(year=2027).count() == 8
    assert "2027" in capsys.readouterr().out


def test_one_active_template_per_municipality(world):
    install_template(world.m)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarTemplate.objects.create(municipality=world.m, name="Annan", is_active=True)


def test_transitions_and_their_history(world):
    period = make_year(world, 2026)[8]
    open_period(period, user=world.finance)
    close_period(period, user=world.finance)
    locked = lock_period(period, "KF 2026-11-24 § 140", user=world.finance)
    assert locked.state == State.LOCKED
    assert locked.decision_reference == "KF 2026-11-24 § 140"
    assert locked.locked_by == world.finance and locked.locked_at is not None
    history = list(locked.history.order_by("history_date"))
    assert [h.state for h in history] == ["planned", "open", "closed", "locked"]
    assert history[-1].history_user == world.finance
    assert history[-1].history_change_reason == "KF 2026-11-24 § 140"


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("planned", "close", "Bara en öppen period kan stängas"),
        ("closed", "close", "Bara en öppen period kan stängas"),
        ("open", "open", "är redan öppen"),
        ("planned", "lock", "Stäng Delårsrapport per 31 augusti 2026 innan"),
        ("open", "lock", "Stäng Delårsrapport per 31 augusti 2026 innan"),
        ("locked", "open", "är låst"),
        ("locked", "close", "är låst"),
        ("locked", "lock", "är låst"),
    ],
)
def test_wrong_transitions_are_refused_in_swedish(world, state, action, message):
    period = set_state(make_year(world, 2026)[8], state)
    calls = {
        "open": lambda: open_period(period),
        "close": lambda: close_period(period),
        "lock": lambda: lock_period(period, "KF 2026-11-24 § 140"),
    }
    with pytest.raises(ValidationError) as error:
        calls[action]()
    assert message in " ".join(error.value.messages)
    period.refresh_from_db()
    assert period.state == state


def test_lock_needs_a_reference_and_no_submission_waiting(world):
    period = set_state(make_year(world, 2026)[8], "closed")
    with pytest.raises(ValidationError, match="Ange beslutet"):
        lock_period(period, "  ")
    waiting = make_submission(period, world.fA, Submission.State.SENT)
    with pytest.raises(ValidationError, match="1 uppföljning av Delårsrapport"):
        lock_period(period, "KF 2026-11-24 § 140")
    waiting.state = Submission.State.APPROVED
    waiting.save()
    draft = make_submission(period, world.fB)
    lock_period(period, "KF 2026-11-24 § 140")
    waiting.refresh_from_db()
    draft.refresh_from_db()
    assert waiting.state == Submission.State.LOCKED
    assert draft.state == Submission.State.DRAFT  # never sent: stays as it was, frozen


def test_a_locked_period_refuses_every_change(world):
    period = make_year(world, 2026)[8]
    open_period(period)
    submission = make_submission(period, world.fA, Submission.State.APPROVED)
    close_period(period)
    lock_period(period, "KF 2026-11-24 § 140")
    period.refresh_from_db()
    period.deadline = dt.date(2026, 12, 31)
    with pytest.raises(ValidationError, match="låst"):
        period.save()
    with pytest.raises(ValidationError, match="låst"):
        period.full_clean()
    with pytest.raises(ValidationError, match="låst"):
        period.delete()
    submission.refresh_from_db()
    submission.state = Submission.State.RETURNED
    submission.return_reason = "Fel"
    with pytest.raises(ValidationError, match="låst"):
        submission.save()
    with pytest.raises(ValidationError, match="låst"):
        make_submission(period, world.ksf)
    # make_periods leaves it alone as well.
    assert make_periods(world.m, 2026).kept == 1
    period.refresh_from_db()
    assert period.deadline == dt.date(2026, 9, 20)


def test_the_daily_run_opens_exactly_the_due_periods(world):
    periods = make_year(world, 2026)
    set_state(periods[2], "closed")
    opened = run_due(dt.date(2026, 5, 5))
    # March opened 2026-04-05, April 2026-05-05; May opens 2026-06-05; February was closed.
    assert sorted(p.month for p in opened) == [3, 4]
    states = dict(ReportingPeriod.objects.values_list("month", "state"))
    assert states == {
        2: "closed",
        3: "open",
        4: "open",
        5: "planned",
        8: "planned",
        9: "planned",
        10: "planned",
        12: "planned",
    }
    assert run_due(dt.date(2026, 5, 5)) == []  # nothing twice
    assert ReportingPeriod.objects.get(month=3).history.first().history_user is None


def test_the_daily_task_reads_the_periods(world):
    from django.utils import timezone

    this_year = timezone.localdate().year
    past = make_year(world, this_year - 1)  # every opening date has come
    make_periods(world.m, this_year + 2)  # none has
    opened = daily.run()
    assert set(opened) == {p.pk for p in past.values()}
    assert not ReportingPeriod.objects.filter(year=this_year + 2).exclude(state="planned")


def test_the_beat_schedule_has_the_daily_run():
    from styrning.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "followup.tasks.daily"]
    assert len(entries) == 1
    assert entries[0]["schedule"].hour == {6}
