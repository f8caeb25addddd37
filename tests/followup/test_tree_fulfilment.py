"""/mal/ with goal fulfilment: a period field, and beside every goal row the roll-up's final
assessment in that period (the overview's badge) with a link to how it was made.

The known tree of test_fulfilment: Socialförvaltningen's submission is approved (nämndmål
A fulfilled, its verksamhetsplan partly), Samhällsbyggnadsförvaltningen's only sent
(nämndmål B not fulfilled): politicians must never see B's assessment.
"""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from followup.rollup import rollup_for_period
from tests.factories import make_goal, make_indicator
from tests.followup import test_fulfilment
from tests.followup.test_fulfilment import _assess

assessed = test_fulfilment.assessed  # the fixture

TREE = "/mal/"
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def _statuses(html) -> dict[int, str]:
    """goal pk → the status of the badge on its row (rows without one left out)."""
    found = {}
    for match in re.finditer(r'<li id="mal-(\d+)">(.*?)\n</div>\n', html, re.S):
        badge = re.search(r'goal-row__fulfilment">.*?status--fulfilment-(\w+)"', match[2])
        if badge:
            found[int(match[1])] = badge[1]
    return found


def _children(w, goal, **params):
    return reverse("goals:children", args=[goal.pk]), params


def test_badges_are_the_rollups_final_assessment_and_link_to_how_it_was_made(client, assessed):
    w = assessed
    client.force_login(w.politician)
    response = client.get(TREE, {"period": w.period.pk})
    assert response.status_code == 200
    html = response.content.decode()
    rollup = rollup_for_period(w.m, w.period, decided_only=True)
    shown = _statuses(html)
    assert set(shown) == {w.vision.pk, w.top.pk}
    assert shown == {pk: rollup[pk].final for pk in shown}
    how = reverse("followup:rollup", args=[w.top.pk]) + f"?period={w.period.pk}"
    assert f'href="{how}">Hur bedömningen gjordes' in html
    # Words and symbol beside the colour, as on the overview.
    with translation.override("sv"):
        badge = Template("{% load rollup_tags %}{% fulfilment s %}").render(
            Context({"s": rollup[w.top.pk].final})
        )
    assert badge.strip() in html
    # The period is chosen in the filter form, by its short name (the narrow filter cut
    # "Delårsrapport per 31 augusti …"); the levels opened keep it.
    assert f'<option value="{w.period.pk}" selected>Delår {w.period.year}</option>' in html
    children_url = reverse("goals:children", args=[w.top.pk]) + f"?period={w.period.pk}"
    assert f'data-url="{children_url}"' in html
    # Clearing the tree's filters keeps the period chosen.
    filtered = client.get(TREE, {"period": w.period.pk, "unit": w.nA.pk}).content.decode()
    assert (
        f'href="/mal/?period={w.period.pk}" class="button button--quiet">Rensa filter' in filtered
    )


def test_the_level_fetched_later_shows_badges_too(client, assessed):
    w = assessed
    client.force_login(w.politician)
    url = reverse("goals:children", args=[w.top.pk])
    html = client.get(url, {"period": w.period.pk}, **FETCH).content.decode()
    # Nämndmål A approved: fulfilled. B's submission is only sent: not assessed.
    assert _statuses(html) == {w.goal_a.pk: "fulfilled", w.goal_b.pk: "not_assessed"}
    # Without JavaScript the level is a page of its own, with the same badges.
    page = client.get(url, {"period": w.period.pk}).content.decode()
    assert _statuses(page) == {w.goal_a.pk: "fulfilled", w.goal_b.pk: "not_assessed"}
    deeper = reverse("goals:children", args=[w.goal_a.pk])
    html = client.get(deeper, {"period": w.period.pk}, **FETCH).content.decode()
    assert _statuses(html) == {w.plan_a.pk: "partly"}


def test_politicians_never_see_assessments_not_yet_approved(client, assessed):
    w = assessed
    url = reverse("goals:children", args=[w.top.pk])
    client.force_login(w.politician)
    asked = {"period": w.period.pk, "pagaende": "1"}
    html = client.get(url, asked, **FETCH).content.decode()
    assert _statuses(html)[w.goal_b.pk] == "not_assessed"
    assert "pagaende" not in client.get(TREE, asked).content.decode()
    # The ekonomichef may ask for them, and the links say so.
    client.force_login(w.finance)
    html = client.get(url, asked, **FETCH).content.decode()
    assert _statuses(html)[w.goal_b.pk] == "not_fulfilled"
    assert f"?period={w.period.pk}&amp;pagaende=1" in html
    # By default the ekonomichef, too, sees decided results.
    html = client.get(url, {"period": w.period.pk}, **FETCH).content.decode()
    assert _statuses(html)[w.goal_b.pk] == "not_assessed"


def test_without_a_period_the_newest_goal_period_is_shown(client, assessed):
    w = assessed
    client.force_login(w.politician)
    response = client.get(TREE)
    html = response.content.decode()
    assert f'<option value="{w.period.pk}" selected>' in html
    assert _statuses(html)[w.top.pk] == "fulfilled"  # 1 of 2 nämndmål assessed, fulfilled
    # A filtered view shows the badges of its matches and of the goals above them.
    html = client.get(TREE, {"unit": w.nA.pk, "period": w.period.pk}).content.decode()
    assert _statuses(html)[w.goal_a.pk] == "fulfilled"
    assert _statuses(html)[w.plan_a.pk] == "partly"


def test_without_any_goal_period_the_tree_is_as_before(client, world):
    client.force_login(world.politician)
    html = client.get(TREE).content.decode()
    assert "goal-row__fulfilment" not in html
    assert 'name="period"' not in html


def _grow(w, n):
    """n more nämndmål under the inriktningsmål, each with a verksamhetsplan and an
    indicator, assessed in the approved submission."""
    for i in range(n):
        goal = make_goal(w.m, w.levels[3], w.nA, w.top, adopted=True, title=f"N{i}")
        plan = make_goal(w.m, w.levels[4], w.fA, goal, adopted=True, title=f"V{i}")
        make_indicator(plan, name=f"I{i}")
        _assess(w.sub_a, goal, ["fulfilled", "partly", "not_fulfilled"][i % 3], "")
        _assess(w.sub_a, plan, "partly", "")


def _measure(client, url, params, headers=None):
    client.get(url, params, **(headers or {}))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, **(headers or {}))
    return len(captured), response.content.decode()


@pytest.mark.parametrize("extra", [3, 30])
def test_badges_equal_the_rollup_at_two_sizes_in_equal_queries(client, assessed, extra):
    w = assessed
    client.force_login(w.politician)
    params = {"period": w.period.pk}
    children = reverse("goals:children", args=[w.top.pk])
    before = (_measure(client, TREE, params)[0], _measure(client, children, params, FETCH)[0])
    _grow(w, extra)
    rollup = rollup_for_period(w.m, w.period, decided_only=True)
    tree_queries, html = _measure(client, TREE, params)
    shown = _statuses(html)
    assert shown == {pk: rollup[pk].final for pk in shown}
    child_queries, html = _measure(client, children, params, FETCH)
    shown = _statuses(html)
    assert len(shown) == extra + 2
    assert shown == {pk: rollup[pk].final for pk in shown}
    assert (tree_queries, child_queries) == before


def test_a_chosen_or_opened_earlier_year_shows_that_years_follow_up(client, assessed):
    """The trial chose År 2025 and kept seeing Delår 2026 beside last year's goals: the
    follow-up shown beside the goals defaults to the year chosen, or to that of an earlier
    year's goal opened in the chain; without either, to the newest as before."""
    from followup.calendar import open_period
    from tests.followup.factories import make_year

    w = assessed
    old = open_period(make_year(w, 2025)[8], user=w.finance)
    old_goal = make_goal(w.m, w.levels[3], w.nA, w.top, years=(2025, 2025), adopted=True)
    client.force_login(w.politician)
    html = client.get(TREE, {"year": 2025}).content.decode()
    assert f'<option value="{old.pk}" selected>' in html
    # The filter form posts the period chosen before: another year's gives way.
    html = client.get(TREE, {"year": 2025, "period": w.period.pk}).content.decode()
    assert f'<option value="{old.pk}" selected>' in html
    html = client.get(TREE, {"oppna": old_goal.pk}).content.decode()
    assert f'<option value="{old.pk}" selected>' in html
    assert '<option value="2025" selected>2025</option>' in html  # Filtrera stays in it
    html = client.get(TREE).content.decode()
    assert f'<option value="{w.period.pk}" selected>' in html
    # "Rensa filter" drops the period the year filter chose in the reader's place (a trial
    # cleared År 2025 and read this year's goals under its bokslut), not one they chose.
    html = client.get(TREE, {"year": 2025, "period": w.period.pk}).content.decode()
    assert 'href="/mal/" class="button button--quiet">Rensa filter' in html
    html = client.get(TREE, {"year": 2025, "period": old.pk}).content.decode()
    assert f'href="/mal/?period={old.pk}" class="button button--quiet">Rensa filter' in html


def test_an_assessment_other_than_the_calculated_one_says_so(client, assessed):
    """Nämndmål A is assessed fulfilled by its förvaltning while the only goal below it
    is partly fulfilled: its row says what the roll-up calculated beside the assessment
    (the trial saw "Uppfyllt" on /mal/ and the indicator's "Ej uppfyllt" only on "hur
    bedömningen gjordes"). A row whose assessment is the calculated one says nothing."""
    w = assessed
    rollup = rollup_for_period(w.m, w.period, decided_only=True)
    assert rollup[w.goal_a.pk].final == "fulfilled"
    assert rollup[w.goal_a.pk].suggested == "partly"
    client.force_login(w.politician)
    url = reverse("goals:children", args=[w.top.pk])
    html = client.get(url, {"period": w.period.pk}, **FETCH).content.decode()
    row = re.search(rf'<li id="mal-{w.goal_a.pk}">(.*?)\n</div>\n', html, re.S)[1]
    assert re.search(
        r'<span class="goal-row__departs">\(beräknat: <span class="status '
        r'status--fulfilment-partly">.*?Delvis uppfyllt</span>\)</span>',
        row,
    )
    other = re.search(rf'<li id="mal-{w.goal_b.pk}">(.*?)\n</div>\n', html, re.S)[1]
    assert "beräknat" not in other
