"""A submission with many goals comes in parts (?del=N): each part saves on its own,
what is missing and sending cover the whole."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.models import Assessment
from followup.submissions import GOAL_PART_SIZE
from tests.factories import make_goal
from tests.followup.factories import submission_url
from tests.followup.formdata import form_data


def _many_goals(world, n):
    return [
        make_goal(world.m, world.levels[4], world.fA, world.goal_a, adopted=True, title=f"Mål {i}")
        for i in range(n)
    ]


def _goal_fields(data):
    return {name for name in data if name.startswith("a-")}


def test_few_goals_make_one_form(client, delar):
    client.force_login(delar.chef_a)
    html = client.get(submission_url(delar.sub_a)).content.decode()
    data = form_data(html)
    assert "economic_comment" in data and _goal_fields(data)
    assert 'id="parts-heading"' not in html


def test_many_goals_come_in_parts_that_save_on_their_own(client, delar):
    w, sub = delar, delar.sub_a
    goals = _many_goals(w, 50)  # with the three of the test world: 53 goals
    client.force_login(w.chef_a)
    first = client.get(submission_url(sub)).content.decode()
    data = form_data(first)
    assert "economic_comment" in data and not _goal_fields(data)
    assert 'id="parts-heading"' in first and "?del=2" in first and "?del=3" in first
    # Every goal is in exactly one goal part, at most GOAL_PART_SIZE a part.
    seen = []
    for part in (2, 3):
        fields = _goal_fields(form_data(client.get(submission_url(sub, part)).content.decode()))
        goal_ids = {name.split("-")[1] for name in fields}
        assert 0 < len(goal_ids) <= GOAL_PART_SIZE
        seen += goal_ids
    assert len(seen) == len(set(seen)) == 53
    # Saving part 2 changes its goals and leaves the economy part as it was.
    sub.economic_comment = "Skrivet i del 1."
    sub.save()
    data = form_data(client.get(submission_url(sub, 2)).content.decode())
    assert "economic_comment" not in data
    goal = next(g for g in goals if f"a-{g.pk}-status" in data)
    data.update(
        {f"a-{goal.pk}-status": "partly", f"a-{goal.pk}-analysis": "Bra.", "action": "save"}
    )
    response = client.post(submission_url(sub, 2), data)
    assert response.status_code == 302 and response["Location"].endswith("?del=2")
    assert Assessment.objects.get(submission=sub, goal=goal).status == "partly"
    sub.refresh_from_db()
    assert sub.economic_comment == "Skrivet i del 1."
    # What is missing covers the whole: the goals of the other part too.
    html = client.get(submission_url(sub, 2)).content.decode()
    other = next(g for g in goals if f"a-{g.pk}-status" not in data)
    assert f"”{other.title}”: bedömning saknas." in html


def test_a_part_costs_the_same_queries_whatever_the_number_of_goals(client, delar):
    w, sub = delar, delar.sub_a
    _many_goals(w, 45)
    client.force_login(w.chef_a)

    def count():
        client.get(submission_url(sub, 2))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(submission_url(sub, 2)).status_code == 200
        return len(queries)

    small = count()
    _many_goals(w, 90)
    assert count() == small


def test_an_enhetschef_attaches_only_to_their_own_parts(client, delar):
    """The "Bifoga till" list holds only what the user fills in: not the economic comment
    nor other units' goals (the trial met a bare 403 after choosing one)."""
    w, sub = delar, delar.sub_a
    client.force_login(w.unit_chef_a)
    html = client.get(submission_url(sub)).content.decode()
    choices = html.split('id="id_assessment"')[1].split("</select>")[0]
    assert "ekonomiska kommentaren" not in choices
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert "ekonomiska kommentaren" in html.split('id="id_assessment"')[1].split("</select>")[0]
