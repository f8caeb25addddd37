"""The tree's rows rendered in Python (goals.tree.render_nodes) equal the templates they
replaced, given the same goals; and the rows' values come in three queries."""

from decimal import Decimal
from types import SimpleNamespace

from django.db.models import F as Field
from django.db.models import OuterRef, Prefetch, Subquery
from django.template import Context, Engine
from django.urls import reverse

from goals.models import Goal, Indicator, Measurement
from goals.tree import render_nodes, tree_rows
from tests.factories import make_indicator, make_perspective

# The templates as they were (goals/_tree_nodes.html and goals/_goal_row.html).
OLD_NODES = (
    '{% load i18n %}<ul>{% for row, children in nodes %}<li id="mal-{{ row.goal.pk }}">\n'
    '  {% include "goals/_goal_row.html" with row=row only %}\n'
    '  {% if row.child_count or children %}<div class="goal-children" '
    'data-url="{{ row.children_url }}">\n'
    '    <a class="goal-toggle" id="toggle-{{ row.goal.pk }}" href="{{ row.children_url }}" '
    'data-label="{{ row.child_label }}" aria-expanded="{% if children %}true{% else %}false'
    '{% endif %}">{{ row.child_label }}<span class="visually-hidden"> {% blocktranslate with '
    "title=row.goal.title %}under {{ title }}{% endblocktranslate %}</span></a>{% if "
    'row.partly_shown %} <span class="goal-children__shown">{% blocktranslate count '
    "counter=row.shown_children %}({{ counter }} of them shown here){% plural %}({{ counter }} "
    "of them shown here){% endblocktranslate %}</span>{% endif %}\n"
    '    {% if children %}{% include "goals/_tree_nodes.html" with nodes=children only %}'
    "{% endif %}\n"
    "  </div>{% endif %}\n"
    "</li>{% endfor %}</ul>\n"
)
OLD_ROW = (
    '{% load i18n styrning_tags %}<div class="goal-row{% if not row.is_match %} '
    "goal-row--context{% endif %}{% if row.depth == 0 and row.goal.level.order == 1 %} "
    'goal-row--vision{% endif %}"{% if row.anchor %} id="{{ row.anchor }}" tabindex="-1"'
    "{% endif %}>\n"
    '  <div class="goal-row__head">\n'
    '    <span class="level-tag">{{ row.goal.level.name }}</span>\n'
    '    <a class="goal-row__title" href="{{ row.url }}">{{ row.goal.title }}</a>\n'
    '    {% if not row.goal.is_adopted %}<span class="status status--draft">'
    '{% translate "Draft" %}</span>{% endif %}\n'
    "  </div>\n"
    '  <p class="goal-row__meta">{{ row.goal.owner.name }} · {{ row.goal.period_label }}'
    "{% for p in row.perspectives %}{% if forloop.first %} · {% endif %}"
    '<span class="perspective">{{ p.name }}</span>{% if not forloop.last %}, {% endif %}'
    "{% endfor %}</p>\n"
    "  {% if row.indicators %}\n"
    '  <ul class="indicator-list">\n'
    "    {% for i in row.indicators %}\n"
    '    <li><span class="indicator-list__name">{{ i.name }}</span>{% if i.unit %} '
    "({{ i.unit }}){% endif %}:\n"
    '      {% translate "baseline" %} {% if i.baseline_value is not None %}'
    "{{ i.baseline_value|num }} ({{ i.baseline_year }}){% else %}–{% endif %}\n"
    '      → {% translate "target" %} {% if i.target_value is not None %}'
    "{{ i.target_value|num }} ({{ i.target_year }}){% else %}–{% endif %};\n"
    '      {% translate "latest" %} {% if i.latest_value is not None %}'
    "<strong>{{ i.latest_value|num }}</strong> ({{ i.latest_year }}){% else %}–{% endif %}"
    "</li>\n"
    "    {% endfor %}\n"
    "  </ul>\n"
    "  {% endif %}\n"
    "</div>\n"
)
OLD_ENGINE = Engine(
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {"goals/_tree_nodes.html": OLD_NODES, "goals/_goal_row.html": OLD_ROW},
        )
    ],
    libraries={
        "i18n": "django.templatetags.i18n",
        "styrning_tags": "styrning.templatetags.styrning_tags",
    },
)


def _old_html(nodes, user, levels):
    """The old path: Goal instances with prefetched perspectives and indicators, through
    the old templates, with the same nesting as ``nodes``."""
    latest = Measurement.objects.filter(
        indicator=OuterRef("pk"), gender=Measurement.Gender.TOTAL
    ).order_by("-year", Field("month").desc(nulls_last=True))
    indicators = Indicator.objects.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_year=Subquery(latest.values("year")[:1]),
    )
    goals = {
        g.pk: g
        for g in Goal.objects.select_related("level", "owner")
        .prefetch_related("perspectives", Prefetch("indicators", queryset=indicators))
        .with_child_counts(user)
    }

    def convert(nodes):
        old = []
        for row, children in nodes:
            goal = goals[row.goal.pk]
            next_level = levels.get(goal.level.order + 1)
            count = max(goal.child_count, len(children))
            old_row = SimpleNamespace(
                goal=goal,
                depth=row.depth,
                is_match=row.is_match,
                child_count=goal.child_count,
                shown_children=len(children),
                partly_shown=0 < len(children) < goal.child_count,
                anchor=row.anchor,
                child_label=next_level.count_label(count) if next_level else "",
                url=reverse("goals:detail", args=[goal.pk]),
                children_url=reverse("goals:children", args=[goal.pk]),
                perspectives=list(goal.perspectives.all()),
                indicators=list(goal.indicators.all()),
            )
            old.append((old_row, convert(children)))
        return old

    template = OLD_ENGINE.get_template("goals/_tree_nodes.html")
    return template.render(Context({"nodes": convert(nodes)}))


def _decorate(world):
    """Perspectives, indicators of every kind, a title to escape."""
    safety, economy = make_perspective(world.m, "Trygghet"), make_perspective(world.m, "Ekonomi")
    economy.order = 1
    economy.save()
    world.top.perspectives.set([safety, economy])
    world.goal_a.perspectives.set([economy])
    world.plan_a.title = 'Kontinuitet <i>&</i> "trygghet"'
    world.plan_a.save()
    full = make_indicator(world.plan_a, name="Andel <nöjda>", unit="%", gender_split=True)
    full.measurements.create(year=2025, value="1234.50")
    full.measurements.create(year=2025, month=3, value="-2.25")
    full.measurements.create(year=2026, gender="K", value=9)
    make_indicator(world.plan_a, name="Väntetid", baseline=(None, None), target=(None, None))
    make_indicator(world.goal_a, name="Kostnad", baseline=(1500000, 2023), target=(0.5, 2026))
    return world


def _levels(world):
    return {level.order: level for level in world.m.goal_levels.all()}


def test_rows_render_as_the_templates_did(world, django_assert_num_queries):
    _decorate(world)
    # chef_a reads its own draft: a draft row, and every kind of row.
    goals = Goal.objects.visible_to(world.chef_a)
    with django_assert_num_queries(3):
        rows = goals.tree_goals(world.chef_a)
    nodes = tree_rows(rows, None, _levels(world))
    html = render_nodes(nodes)
    assert html == _old_html(nodes, world.chef_a, _levels(world))
    assert "status--draft" in html
    assert "Kontinuitet &lt;i&gt;&amp;&lt;/i&gt; &quot;trygghet&quot;" in html
    assert "1\xa0500\xa0000 (2023)" in html and "<strong>−2,25</strong> (2025)" in html
    assert '<span class="perspective">Trygghet</span>, <span class="perspective">Ekonomi' in html


def test_filtered_rows_render_as_the_templates_did(world):
    """Context rows, a row the "show more" link lands on, children partly shown."""
    _decorate(world)
    goals = Goal.objects.visible_to(world.chef_a).exclude(pk=world.draft_a.pk)
    rows = goals.tree_goals(world.chef_a)
    nodes = tree_rows(rows, {world.plan_a.pk, world.goal_b.pk}, _levels(world))
    nodes[0][0].anchor = "rad-151"
    html = render_nodes(nodes)
    assert html == _old_html(nodes, world.chef_a, _levels(world))
    assert "goal-row--context" in html and 'id="rad-151" tabindex="-1"' in html
    assert "(1 av dem visas här)" in html


def test_no_rows(world):
    assert Goal.objects.none().tree_goals(world.politician) == []
    assert render_nodes([]) == "<ul></ul>\n"


def test_filter_choices_are_values_and_refuse_what_is_not_offered(world):
    """The filter offers the council and governing bodies and the perspectives; a unit
    not offered (a förvaltning) or unknown is refused with ModelChoiceField's message."""
    from goals.forms import GoalFilterForm

    perspective = make_perspective(world.m, "Trygghet")
    form = GoalFilterForm(
        {"unit": str(world.nA.pk), "perspective": str(perspective.pk)},
        municipality=world.m,
        years=[2026],
    )
    assert form.is_valid()
    chosen = form.criteria()
    world.nA.refresh_from_db()  # the units made after it moved it in the stored tree
    assert (chosen["unit"].pk, chosen["unit"].tree_id, chosen["unit"].lft) == (
        world.nA.pk,
        world.nA.tree_id,
        world.nA.lft,
    )
    assert chosen["unit"].rght == world.nA.rght
    assert str(chosen["unit"]) == "Socialnämnden" and str(chosen["perspective"]) == "Trygghet"
    labels = [label for _value, label in form.fields["unit"].choices]
    assert labels[0] == "Alla" and labels[1] == "Kommunfullmäktige"
    assert set(labels[2:]) == {"Kommunstyrelsen", "Socialnämnden", "Samhällsbyggnadsnämnden"}
    for wrong in (world.fA.pk, "x", 10**6):
        form = GoalFilterForm({"unit": str(wrong)}, municipality=world.m, years=[2026])
        assert not form.is_valid()
        assert form.errors["unit"] == [
            "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ."
        ]


def test_latest_totals_are_the_same_on_every_database(world):
    """PostgreSQL's statement gives what the portable one does: the latest total (a
    month after the year's figure, the newest year first), none for no measurements."""
    _decorate(world)
    extra = make_indicator(world.goal_b, name="Årsvärde")
    extra.measurements.create(year=2024, value=7)
    extra.measurements.create(year=2026, value=9)
    extra.measurements.create(year=2026, gender="K", value=99)
    ids = list(Goal.objects.values_list("pk", flat=True))
    fast = Indicator.objects.with_latest_total(ids)
    assert fast == Indicator.objects.latest_total_portable(ids)
    latest = {row[1]: (row[-2], row[-1]) for row in fast}
    assert latest["Andel <nöjda>"] == (Decimal("-2.25"), 2025)
    assert latest["Årsvärde"] == (Decimal("9"), 2026)
    assert latest["Väntetid"] == (None, None)


def test_the_rows_escape_is_html_escape():
    import html

    from goals import tree

    for text in ("", "Vård & omsorg", "<b>\"Trygg\"</b> 'kommun'", "&amp; åäö ÅÄÖ", "a" * 300):
        assert tree.escape(text) == html.escape(text)
