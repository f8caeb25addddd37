"""Reminder e-mails to the chefs whose follow-up is not sent (followup.reminders)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from followup.calendar import active_template
from followup.models import ReminderLog, ReportingPeriod
from followup.reminders import send_reminders
from followup.tasks import daily
from tests.factories import Kind, Role, make_unit, make_user
from tests.followup.factories import make_submission, make_year, set_state


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver.example"


def _setup(world):
    periods = make_year(world, 2026)
    period = set_state(periods[8], "open")  # delårsrapport, deadline 2026-09-20
    for user in (world.chef_a, world.chef_b):
        user.email = f"{user.username}@example.se"
        user.first_name = "Anna"
        user.save()
    return period


def test_a_reminder_goes_to_exactly_the_units_that_have_not_sent(world):
    period = _setup(world)
    make_submission(period, world.fB, state="sent")  # B has sent
    ks_chef = make_user("ksf_chef", Role.MANAGER, world.ksf, email="ksf@example.se")
    before = period.deadline - dt.timedelta(days=3)

    assert send_reminders(before) == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["chef_a@example.se", "ksf@example.se"]  # not chef_b: B has sent
    message = next(m for m in mail.outbox if m.to == ["chef_a@example.se"])
    assert "Socialförvaltningen" in message.subject
    assert "2026-09-20" in message.subject
    assert "Delårsrapport per 31 augusti 2026" in message.body
    assert "http://testserver.example/uppfoljning/" in message.body
    assert ReminderLog.objects.filter(user=ks_chef, kind="before").exists()


def test_never_the_same_reminder_twice(world):
    period = _setup(world)
    before = period.deadline - dt.timedelta(days=3)
    assert send_reminders(before) == 2
    assert send_reminders(before) == 0
    assert len(mail.outbox) == 2


def test_the_day_after_the_deadline_reminds_again_and_a_returned_one_counts_as_unsent(world):
    period = _setup(world)
    make_submission(period, world.fB, state="returned")
    assert send_reminders(period.deadline + dt.timedelta(days=1)) == 2
    assert {m.to[0] for m in mail.outbox} == {"chef_a@example.se", "chef_b@example.se"}
    assert all("Försenad" in m.subject for m in mail.outbox)


def test_no_reminder_on_other_days(world):
    period = _setup(world)
    assert send_reminders(period.deadline - dt.timedelta(days=2)) == 0
    assert send_reminders(period.deadline) == 0
    assert mail.outbox == []


def test_the_days_before_are_the_templates(world):
    period = _setup(world)
    template = active_template(world.m)
    template.reminder_days_before = 7
    template.save()
    assert send_reminders(period.deadline - dt.timedelta(days=3)) == 0
    assert send_reminders(period.deadline - dt.timedelta(days=7)) == 2


def test_no_reminders_for_closed_or_locked_periods(world):
    period = _setup(world)
    day = period.deadline - dt.timedelta(days=3)
    set_state(period, "closed")
    assert send_reminders(day) == 0
    set_state(period, "locked")
    assert send_reminders(day) == 0
    assert mail.outbox == []


def test_a_bolag_vd_is_reminded_and_chefs_without_email_are_skipped(world):
    period = _setup(world)
    bolag = make_unit(world.m, "Hedemora Energi AB", Kind.COMPANY, world.kf)
    make_user("vd", Role.MANAGER, bolag, email="vd@example.se")
    world.chef_b.email = ""
    world.chef_b.save()
    assert send_reminders(period.deadline + dt.timedelta(days=1)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["chef_a@example.se", "vd@example.se"]


def test_the_daily_task_sends_the_reminders(world):
    period = _setup(world)
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=period.pk).update(
        opens_on=today - dt.timedelta(days=10),
        unit_deadline=today,
        deadline=today + dt.timedelta(days=3),
    )
    daily.run()
    assert sorted(m.to[0] for m in mail.outbox) == ["chef_a@example.se", "chef_b@example.se"]
    daily.run()
    assert len(mail.outbox) == 2
