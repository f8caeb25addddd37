"""/mal/: a clean page title, the vision at the top, labelled indicators, Swedish counts."""

import re

from django.urls import reverse

from tests.factories import make_indicator


def _tree(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("goals:tree"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_page_title_is_just_the_title(client, world):
    html = _tree(client, world.politician)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == "Målkedjan – Testby kommun – Styrning"
    # The tree's script is still loaded, once, in the page body.
    assert html.count("js/tree.js") == 1


def test_vision_statement_is_shown_at_the_top(client, world):
    world.vision.description = "Testby är en trygg kommun att växa upp och åldras i."
    world.vision.save()
    html = _tree(client, world.politician)
    assert html.index("Testby är en trygg kommun att växa upp och åldras i.") < html.index(
        'class="goal-tree"'
    )


def test_indicator_values_are_labelled(client, world):
    make_indicator(world.top, name="Livskvalitet", baseline=(51, 2022), target=(55, 2026))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", _tree(client, world.politician)))
    assert "Livskvalitet: utgångsvärde 51 (2022) → målvärde 55 (2026); senaste –" in text


def test_goal_page_labels_indicator_values(client, world):
    indicator = make_indicator(world.top, name="Livskvalitet", baseline=(51, 2022))
    indicator.measurements.create(year=2025, value=53)
    client.force_login(world.politician)
    html = client.get(reverse("goals:detail", args=[world.top.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Utgångsvärde: 51 (2022)" in text
    assert "Målvärde: 55 (2026)" in text
    assert "Senaste: 53 (2025)" in text


def test_counts_use_the_levels_singular_and_plural(client, world):
    level = world.levels[4]
    level.name, level.name_plural = "Verksamhetsplan", "Verksamhetsplaner"
    level.save()
    # chef_a reads both plans under their nämndmål; chef_b only the adopted one.
    toggle = f'id="toggle-{world.goal_a.pk}" href="/mal/{world.goal_a.pk}/under/"'
    opened = {"oppna": world.top.pk}
    assert (
        f'{toggle} data-label="2 verksamhetsplaner" aria-expanded="false">2 verksamhetsplaner<'
        in _tree(client, world.chef_a, **opened)
    )
    html = _tree(client, world.chef_b, **opened)
    assert (
        f'{toggle} data-label="1 verksamhetsplan" aria-expanded="false">1 verksamhetsplan<' in html
    )
    assert "Utkast A" not in html


def test_single_year_reads_as_one_year(client, world):
    client.force_login(world.politician)
    html = client.get(reverse("goals:detail", args=[world.plan_a.pk])).content.decode()
    assert "2026–2026" not in html
    assert "<dd>2026</dd>" in html
    assert "2026–2026" not in _tree(client, world.politician)
