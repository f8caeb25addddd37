"""Särskilda uppdrag: overdue ones are flagged in words; a draft goal's title stays hidden."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from goals.models import Assignment


def _assignment(world, **extra):
    values = {
        "municipality": world.m,
        "title": "Utred hemtjänstens tider",
        "given_by": world.kf,
        "decision_reference": "KF 2025-11-24 § 130",
        "decided_on": dt.date(2025, 11, 24),
        "unit": world.fA,
        "due_date": timezone.localdate() - dt.timedelta(days=10),
    }
    values.update(extra)
    return Assignment.objects.create(**values)


def test_overdue_assignment_is_flagged_in_words_on_list_and_page(client, world):
    late = _assignment(world)
    _assignment(world, title="Klart i tid", status="done", comment="Klart.")
    _assignment(world, title="Inte förfallet", due_date=timezone.localdate())
    client.force_login(world.politician)
    html = client.get(reverse("goals:assignments")).content.decode()
    assert html.count("Försenat") == 1
    row = html[html.index("Utred hemtjänstens tider") :].split("</tr>")[0]
    assert "Försenat" in row and late.due_date.isoformat() in row
    page = client.get(reverse("goals:assignment", args=[late.pk])).content.decode()
    assert f"Försenat, skulle ha varit klart {late.due_date.isoformat()}" in page


def test_assignment_for_a_draft_goal_hides_its_title_from_outsiders(client, world):
    assignment = _assignment(world, goal=world.draft_a)
    client.force_login(world.chef_b)  # may not read Socialförvaltningen's drafts
    assert "Utkast A" not in client.get(reverse("goals:assignments")).content.decode()
    page = client.get(reverse("goals:assignment", args=[assignment.pk])).content.decode()
    assert "Utkast A" not in page
    client.force_login(world.chef_a)  # may read them
    assert "Utkast A" in client.get(reverse("goals:assignments")).content.decode()


def test_assignment_history_hides_a_draft_goal(client, world):
    assignment = _assignment(world, goal=world.draft_a)
    assignment.goal = world.plan_a
    assignment.save()
    client.force_login(world.chef_b)
    page = client.get(reverse("goals:assignment", args=[assignment.pk])).content.decode()
    assert "Utkast A" not in page
    assert "ett utkast som du inte kan läsa" in page


# The list's row as the template wrote it before the rows were built in Python.
OLD_ROW = (
    '{% load i18n %}<tr><td><a href="{{ a.get_absolute_url }}">{{ a.title }}</a>'
    '{% if a.readable_goal %}<br><span class="muted">{{ a.readable_goal.level.name }}: '
    "{{ a.readable_goal.title|truncatechars:60 }}</span>{% endif %}</td><td>{{ a.given_by.name }}"
    '<br><span class="muted">{{ a.decision_reference }}</span></td><td>{{ a.unit.name }}</td>'
    '<td>{{ a.due_date|date:"Y-m-d" }}{% if a.is_overdue %}<br><span class="status '
    'status--warning">{% translate "Overdue" %}</span>{% endif %}</td><td><span class="status '
    'status--{{ a.status }}">{{ a.get_status_display|capfirst }}</span></td></tr>'
)


def test_list_rows_are_the_templates_rows(client, world, django_assert_num_queries):
    """Rows built from values equal the template's rows from model instances."""
    from django.template import Context, Template

    from goals.views import _with_readable_goals, assignment_rows

    world.plan_a.title = "Kontinuitet <i>&</i> " + "lång titel " * 8
    world.plan_a.save()
    _assignment(world, goal=world.plan_a, title="Följ upp <b>&</b>", decision_reference="§ 1 & 2")
    _assignment(world, goal=world.draft_a, title="Utkastets uppdrag", status="in_progress")
    _assignment(world, title="Klart", status="done", comment="Klart.")
    _assignment(world, title="Stoppat", status="cancelled", comment="Nej.", given_by=world.nA)
    _assignment(world, title="Framtida", due_date=timezone.localdate() + dt.timedelta(days=3))
    template = Template(OLD_ROW)
    for user in (world.politician, world.chef_a, world.chef_b):
        old = _with_readable_goals(user, list(Assignment.objects.for_list()))
        expected = "".join(f"\n  {template.render(Context({'a': a}))}\n  " for a in old)
        with django_assert_num_queries(2):
            html = assignment_rows(user)
        assert html == expected
    assert "Utkastets uppdrag" in html and "Utkast A" not in html  # chef_b: the draft unnamed
    assert "Kontinuitet &lt;i&gt;&amp;&lt;/i&gt; lång titel" in html and "…" in html
