"""/mal/ after the user test: own and inherited perspectives, the all-levels cap,
honest counts on a cut-off list, "Visa fler" landing, headings and print."""

import re

from django.urls import reverse

from tests.factories import make_perspective


def _tree(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("goals:tree"), params)
    assert response.status_code == 200
    return response.content.decode()


def _matched(html):
    """Titles of the matching rows (context rows carry goal-row--context)."""
    return set(
        re.findall(
            r'<div class="goal-row">.*?class="goal-row__title" href="/mal/\d+/">([^<]+)</a>',
            html,
            re.S,
        )
    )


def test_a_goal_has_its_own_perspectives_or_inherits_the_nearest(client, world):
    residents = make_perspective(world.m, "Invånare")
    staff = make_perspective(world.m, "Medarbetare")
    world.vision.perspectives.add(residents, staff)  # the vision carries every perspective
    world.goal_a.perspectives.add(residents)
    html = _tree(client, world.finance, perspective=staff.pk, visa=3000)
    matched = _matched(html)
    # Tagged "Invånare" only: neither it nor the untagged goals below it are "Medarbetare".
    assert not {"Trygg äldreomsorg", "Kontinuitet", "Fast omsorgskontakt"} & matched
    # Untagged goals inherit from the nearest tagged goal above: here the vision.
    assert {"Vision", "Trygg kommun", "Trygga gator", "Belysning"} <= matched
    html = _tree(client, world.finance, perspective=residents.pk, visa=3000)
    assert {"Trygg äldreomsorg", "Kontinuitet", "Fast omsorgskontakt", "Utkast A"} <= _matched(html)
