"""The goal page's lists (breadcrumbs, children, perspectives, assignments) are built
from values: the markup the model instances gave."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from goals.models import Assignment
from tests.factories import make_indicator, make_perspective


def test_goal_page_lists(client, world):
    first, second = (
        make_perspective(world.m, "Trygghet & <säkerhet>"),
        make_perspective(world.m, "Ekonomi"),
    )
    second.order = 1
    second.save()
    world.goal_a.perspectives.set([first, second])
    indicator = make_indicator(world.goal_a, name="Andel", gender_split=True)
    indicator.measurements.create(year=2025, value=40)
    indicator.measurements.create(year=2025, gender="K", value=41)
    indicator.measurements.create(year=2025, gender="M", value="39.5")
    indicator.measurements.create(year=2026, month=3, value=42)
    late = Assignment.objects.create(
        municipality=world.m,
        title="Utred <tider>",
        given_by=world.kf,
        decision_reference="KF § 1",
        decided_on=dt.date(2025, 11, 24),
        unit=world.fA,
        goal=world.goal_a,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(world.chef_a)
    html = client.get(reverse("goals:detail", args=[world.goal_a.pk])).content.decode()
    crumbs = (
        f'<li><a href="/mal/{world.vision.pk}/">{world.levels[1].name}: Vision</a></li>'
        f'<li><a href="/mal/{world.top.pk}/">{world.levels[2].name}: Trygg kommun</a></li>'
    )
    assert crumbs in html
    assert "<dd>Trygghet &amp; &lt;säkerhet&gt;, Ekonomi</dd>" in html
    assert (
        f'<li><a href="/mal/{world.plan_a.pk}/">Kontinuitet</a> – Socialförvaltningen</li>' in html
    )
    assert (
        f'<li><a href="/mal/{world.draft_a.pk}/">Utkast A</a> – Socialförvaltningen '
        '<span class="status status--draft">Utkast</span></li>' in html
    )
    due = late.due_date.isoformat()
    assert (
        f'<li><a href="/mal/uppdrag/{late.pk}/">Utred &lt;tider&gt;</a> – Socialförvaltningen, '
        f'sista datum {due}: <span class="status status--not_started">ej påbörjat</span> '
        f'<span class="status status--warning">Försenat, skulle ha varit klart {due}</span></li>'
    ) in html
    assert '<th scope="row">2025</th><td class="num">40</td><td class="num">41</td>' in html
    # A month without women's and men's values: dashes, as the template's loop wrote.
    assert (
        '<tr><th scope="row">2026-03</th><td class="num">42</td><td class="num">–</td>'
        '<td class="num">–</td></tr>'
    ) in html
    assert "Senaste: 42 (2026-03)" in " ".join(html.split())


def test_a_draft_child_stays_hidden_from_a_politician(client, world):
    client.force_login(world.politician)
    html = client.get(reverse("goals:detail", args=[world.goal_a.pk])).content.decode()
    assert "Kontinuitet" in html and "Utkast A" not in html
