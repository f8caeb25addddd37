"""Plain make_* factories with keyword defaults (no fixtures files in tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from goals.models import Goal, GoalLevel, Indicator, Perspective
from styrning.models import Membership, Municipality, OrgUnit

Kind = OrgUnit.Kind
Role = Membership.Role

FIVE_LEVELS = [
    ("Vision", "Vision", ["council"]),
    ("Inriktningsmål", "Inriktningsmål", ["council"]),
    ("Nämndmål", "Nämndmål", ["executive", "committee", "board"]),
    ("Verksamhetsplanmål", "Verksamhetsplan", ["administration", "company"]),
    ("Aktivitet", "Aktivitetsplan", ["unit"]),
]
THREE_LEVELS = [
    ("Vision", "Vision", ["council"]),
    ("Övergripande mål", "Övergripande mål", ["council"]),
    ("Nämndmål", "Nämndmål", ["executive", "committee", "board"]),
]


def make_municipality(name="Testby kommun", code="9999"):
    return Municipality.objects.create(name=name, code=code)


def make_levels(municipality, spec=FIVE_LEVELS, takt_level=None):
    return {
        order: GoalLevel.objects.create(
            municipality=municipality,
            order=order,
            name=name,
            name_plural=plural,
            owner_kinds=kinds,
            has_indicators=order > 1,
            uses_takt=order == takt_level,
            has_activity_fields=kinds == ["unit"],  # the enhet's activity plan
        )
        for order, (name, plural, kinds) in enumerate(spec, start=1)
    }


def make_unit(municipality, name, kind, parent=None, ansvarskod=""):
    return OrgUnit.objects.create(
        municipality=municipality, name=name, kind=kind, parent=parent, ansvarskod=ansvarskod
    )


def make_user(username, role=None, unit=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw", **extra)
    if role:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def make_goal(
    municipality, level, owner, parent=None, title=None, years=(2026, 2026), adopted=False, **extra
):
    goal = Goal(
        municipality=municipality,
        level=level,
        owner=owner,
        parent=parent,
        title=title or f"{level.name} för {owner.name}",
        start_year=years[0],
        end_year=years[1],
        **extra,
    )
    if adopted:
        goal.status = Goal.Status.ADOPTED
        goal.decided_by = owner
        goal.decided_on = dt.date(2025, 11, 24)
        goal.decision_reference = "KF 2025-11-24 § 123"
    goal.full_clean()
    goal.save()
    return goal


def make_indicator(
    goal, name="Nöjd medborgarindex", baseline=(51, 2022), target=(55, 2026), **extra
):
    indicator = Indicator(
        goal=goal,
        name=name,
        baseline_value=baseline[0],
        baseline_year=baseline[1],
        target_value=target[0],
        target_year=target[1],
        **extra,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


def make_perspective(municipality, name="Invånare"):
    return Perspective.objects.create(municipality=municipality, name=name)


def make_world(spec=FIVE_LEVELS):
    """A small municipality: KF, KS, two nämnder with förvaltning and enhet, a bolag.

    Goals: vision → inriktningsmål → nämndmål A → VP A → aktivitet A (and B's chain),
    and the people: politician, chef A and B, enhetschef A, finance, HR, admin.
    """
    m = make_municipality()
    levels = make_levels(m, spec)
    kf = make_unit(m, "Kommunfullmäktige", Kind.COUNCIL)
    ks = make_unit(m, "Kommunstyrelsen", Kind.EXECUTIVE, kf)
    ksf = make_unit(m, "Kommunstyrelseförvaltningen", Kind.ADMINISTRATION, ks, "100")
    nA = make_unit(m, "Socialnämnden", Kind.COMMITTEE, kf)
    fA = make_unit(m, "Socialförvaltningen", Kind.ADMINISTRATION, nA, "400")
    eA = make_unit(m, "Hemtjänst Norr", Kind.UNIT, fA, "410")
    nB = make_unit(m, "Samhällsbyggnadsnämnden", Kind.COMMITTEE, kf)
    fB = make_unit(m, "Samhällsbyggnadsförvaltningen", Kind.ADMINISTRATION, nB, "500")
    eB = make_unit(m, "Gata och park", Kind.UNIT, fB, "510")
    w = SimpleNamespace(
        m=m, levels=levels, kf=kf, ks=ks, ksf=ksf, nA=nA, fA=fA, eA=eA, nB=nB, fB=fB, eB=eB
    )
    w.politician = make_user("politiker", Role.POLITICIAN, kf)
    w.chef_a = make_user("chef_a", Role.MANAGER, fA)
    w.chef_b = make_user("chef_b", Role.MANAGER, fB)
    w.unit_chef_a = make_user("enhetschef_a", Role.MANAGER, eA)
    w.finance = make_user("ekonomichef", Role.FINANCE, ksf)
    w.hr = make_user("hr", Role.HR, ksf)
    w.admin = make_user("admin", Role.ADMIN, kf, is_staff=True)
    w.vision = make_goal(m, levels[1], kf, years=(2024, 2038), adopted=True, title="Vision")
    w.top = make_goal(
        m, levels[2], kf, w.vision, years=(2024, 2038), adopted=True, title="Trygg kommun"
    )
    w.goal_a = make_goal(m, levels[3], nA, w.top, adopted=True, title="Trygg äldreomsorg")
    w.goal_b = make_goal(m, levels[3], nB, w.top, adopted=True, title="Trygga gator")
    if len(levels) >= 5:
        w.plan_a = make_goal(m, levels[4], fA, w.goal_a, adopted=True, title="Kontinuitet")
        w.plan_b = make_goal(m, levels[4], fB, w.goal_b, adopted=True, title="Belysning")
        w.draft_a = make_goal(m, levels[4], fA, w.goal_a, title="Utkast A")
        w.draft_b = make_goal(m, levels[4], fB, w.goal_b, title="Utkast B")
        w.activity_a = make_goal(
            m, levels[5], eA, w.plan_a, title="Fast omsorgskontakt", responsible="Anna Berg"
        )
    return w
