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
            r'<div class="goal-row(?! goal-row--context)[^"]*"[^>]*>\s*<div class="goal-row__head">'
            r'\s*<span class="level-tag">[^<]*</span>\s*'
            r'<a class="goal-row__title" href="/mal/\d+/">([^<]+)</a>',
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


def test_all_levels_of_too_many_goals_shows_the_filtered_view_with_a_note(
    client, world, monkeypatch
):
    from goals import views

    monkeypatch.setattr(views, "ALL_LEVELS_CAP", 5)
    html = _tree(client, world.finance, unit=world.kf.pk, alla="1")
    count = world.m.goals.count()  # KF's part of the chain is all of it
    assert count > 5
    assert (
        f"För många mål ({count}) för att öppna alla nivåer på en gång. "
        "Välj en nämnd eller styrelse." in html
    )
    assert "mål på en sida" not in html
    assert "Alla nivåer är öppna" not in html  # the ordinary filtered view
    # The same filter without ?alla=1 does not offer the button either.
    assert "mål på en sida" not in _tree(client, world.finance, unit=world.kf.pk)
    # A small nämnd still opens all its levels.
    html = _tree(client, world.finance, unit=world.nB.pk, alla="1")
    assert "För många mål" not in html and 'aria-expanded="false"' not in html


def test_a_cut_off_list_counts_every_child_and_says_it_is_cut(client, world):
    from goals.models import Goal
    from goals.views import ROW_CAP
    from tests.goals.test_tree import _grow

    _grow(world, ROW_CAP + 20, adopted=True)
    html = _tree(client, world.finance, unit=world.nA.pk)
    total = Goal.objects.filter(owner__in=[world.nA, world.fA, world.eA]).count()
    assert f"Listan är avkortad: {ROW_CAP} av {total} mål visas." in html
    assert "Visa fler" in html
    toggles = re.findall(r'id="toggle-(\d+)"[^>]*>\s*(\d+) ', html)
    assert toggles
    for pk, label in toggles:
        assert int(label) == Goal.objects.filter(parent_id=pk).count(), pk  # finance reads all
    # Where fewer are rendered than there are, the toggle says so.
    partly = re.findall(
        r'id="toggle-(\d+)"[^>]*aria-expanded="true"[^>]*>[^<]*'
        r'<span class="visually-hidden">[^<]*</span></a> '
        r'<span class="goal-children__shown">\((\d+) av dem visas här\)',
        html,
    )
    assert partly  # the goal at the cut, and the inriktningsmål with another nämnd's goals
    for pk, shown in partly:
        assert 0 < int(shown) < Goal.objects.filter(parent_id=pk).count()


def test_show_more_lands_on_the_first_new_row(client, world):
    from goals.views import ROW_CAP
    from tests.goals.test_tree import _grow

    _grow(world, ROW_CAP + 20, adopted=True)
    html = _tree(client, world.finance, unit=world.nA.pk)
    more = re.search(r'href="(\?[^"]*visa=\d+[^"]*)"', html).group(1).replace("&amp;", "&")
    assert more.endswith(f"#rad-{ROW_CAP + 1}")
    assert f'id="rad-{ROW_CAP + 1}"' not in html
    query, _hash, fragment = more[1:].partition("#")
    client.force_login(world.finance)
    page = client.get(reverse("goals:tree") + "?" + query).content.decode()
    target = re.search(rf'<div class="goal-row" id="{fragment}" tabindex="-1">', page)
    assert target and page.count(f'id="{fragment}"') == 1
    # It is the first row the earlier page did not show.
    first_new = re.search(r'href="/mal/(\d+)/"', page[target.end() :]).group(1)
    assert f'href="/mal/{first_new}/"' not in html
    before = set(re.findall(r'href="/mal/(\d+)/"', page[: target.start()]))
    assert before <= set(re.findall(r'href="/mal/(\d+)/"', html))


def test_a_goal_page_links_to_its_place_in_the_chain(client, world):
    client.force_login(world.chef_a)
    response = client.get(reverse("goals:detail", args=[world.draft_a.pk]))
    html = response.content.decode()
    link = f'href="/mal/?oppna={world.draft_a.pk}#mal-{world.draft_a.pk}">Visa i målkedjan</a>'
    assert link in html
    # The link opens the chain down to the goal, which shows.
    html = _tree(client, world.chef_a, oppna=world.draft_a.pk)
    assert f'id="mal-{world.draft_a.pk}"' in html


def test_the_tree_remembers_the_opened_level_in_the_address(client, world):
    # tree.js replaces the address on /mal/ only (data-remember), keeping the filter.
    html = _tree(client, world.politician)
    assert 'class="goal-tree" data-remember' in html
    client.force_login(world.politician)
    page = client.get(reverse("goals:children", args=[world.top.pk])).content.decode()
    assert "data-remember" not in page
    from django.contrib.staticfiles import finders

    script = open(finders.find("js/tree.js")).read()
    assert 'params.set("oppna"' in script and "history.replaceState" in script


def test_a_level_toggle_names_the_goal_it_opens_and_a_live_region_waits(client, world):
    html = _tree(client, world.politician)
    toggle = re.search(rf'<a class="goal-toggle" id="toggle-{world.top.pk}"[^>]*>(.*?)</a>', html)
    assert toggle.group(1) == ('2 nämndmål<span class="visually-hidden"> under Trygg kommun</span>')
    assert f'id="toggle-{world.top.pk}"' in html and 'data-label="2 nämndmål"' in html
    live = r'id="tree-live"[^>]*aria-live="polite"[^>]*data-shown-label="{label} visas"'
    assert re.search(live, html)


def test_the_level_page_heading_names_the_level_below_and_the_goal(client, world):
    level = world.goal_a.level
    level.name, level.name_plural = "Styrelsemål", "Styrelsemål"  # from the data, any names
    level.save()
    world.levels[4].name_plural = "Åtgärder"
    world.levels[4].save()
    client.force_login(world.politician)
    html = client.get(reverse("goals:children", args=[world.goal_a.pk])).content.decode()
    assert "<h1>Åtgärder under styrelsemål: Trygg äldreomsorg</h1>" in html
    menu = re.search(r'<a href="/mal/"([^>]*)>Mål</a>', html)
    assert 'aria-current="page"' in menu.group(1)


def test_the_result_line_names_the_filter_and_the_vision_prints_once(client, world):
    staff = make_perspective(world.m, "Medarbetare")
    world.goal_b.perspectives.add(staff)
    html = _tree(client, world.politician, unit=world.nB.pk, perspective=staff.pk, year=2026)
    assert "mål matchar filtret (Samhällsbyggnadsnämnden, Medarbetare, 2026)." in html
    html = _tree(client, world.politician, year=2026)
    assert re.search(r"\d+ mål matchar filtret \(2026\)\.", html)
    # The vision's statement above the tree shows and prints; its row in the tree does
    # neither (the trial read the vision twice on the screen, too).
    assert f'class="vision prose" aria-labelledby="vision-{world.vision.pk}"' in html
    assert 'class="goal-row goal-row--vision"' in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/styrning.css")).read()
    screen_css = css[: css.index("@media print")]
    assert "\n.goal-row--vision { display: none; }" in screen_css
