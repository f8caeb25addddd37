"""The goal page's lists written in Python (goals.detail_html) equal the template loops
they replaced (goals/detail.html), for varied values: escaping, empty and missing values,
drafts, earlier years, gender split, an indicator without measurements, none at all."""

from decimal import Decimal

from django.template import Context, Template
from django.utils.safestring import mark_safe

from goals import detail_html
from goals.models import Indicator

OLD_ANCESTORS = """{% load i18n styrning_tags %}{% for a in ancestors %}<li><a href="{{ a.url }}">{{ a.level }}: {{ a.title|truncatechars:50 }}</a></li>{% endfor %}"""  # noqa: E501
OLD_INDICATORS = """{% load i18n styrning_tags %}{% for item in indicators %}
  <div class="indicator">
    <h3>{{ item.indicator.name }} <span class="direction">({{ item.indicator.get_direction_display }})</span></h3>
    {% if item.indicator.description %}<p>{{ item.indicator.description }}</p>{% endif %}
    <p>{% translate "Baseline" %}: {% if item.indicator.baseline_value is not None %}{{ item.indicator.baseline_value|num }} ({{ item.indicator.baseline_year }}){% else %}–{% endif %} ·
       {% translate "Target" %}: {% if item.indicator.target_value is not None %}{{ item.indicator.target_value|num }} ({{ item.indicator.target_year }}){% else %}–{% endif %} ·
       {% translate "Latest" %}: {% if item.latest %}{{ item.latest.T|num }} ({{ item.latest|period }}){% else %}–{% endif %}{% if item.indicator.unit %} · {% translate "Unit" %}: {{ item.indicator.unit }}{% endif %}
       {% if item.indicator.kolada_kpi %} · Kolada {{ item.indicator.kolada_kpi }}{% endif %}
       {% if can_edit %} · <a href="{% url 'goals:indicator_edit' item.indicator.pk %}">{% translate "Edit indicator" %}<span class="visually-hidden"> {{ item.indicator.name }}</span></a>{% endif %}</p>
    {% if item.rows %}
    <div class="table-wrap" tabindex="0" role="region" aria-label="{% translate 'Table, scrolls sideways on narrow screens' %}">
    <table>
      <caption class="visually-hidden">{% blocktranslate with name=item.indicator.name %}Measurements of {{ name }}{% endblocktranslate %}</caption>
      <thead><tr><th scope="col">{% translate "Period" %}</th><th scope="col" class="num">{% translate "Total" %}</th>{% if item.indicator.gender_split %}<th scope="col" class="num">{% translate "Women" %}</th><th scope="col" class="num">{% translate "Men" %}</th>{% endif %}</tr></thead>
      <tbody>
      {{ item.rows }}
      </tbody>
    </table>
    </div>
    {% else %}<p>{% translate "No measurements yet." %}</p>{% endif %}
  </div>
  {% empty %}
  <p>{% translate "No indicators." %}</p>
  {% endfor %}"""  # noqa: E501  # noqa: E501
OLD_CHILDREN = """{% load i18n styrning_tags %}{% for child in children %}<li><a href="{{ child.url }}">{{ child.title }}</a> – {{ child.owner }}{% if not child.is_adopted %} <span class="status status--draft">{% translate "Draft" %}</span>{% endif %}</li>{% endfor %}"""  # noqa: E501  # noqa: E501
OLD_EARLIER = """{% load i18n styrning_tags %}{% for child in earlier_children %}<li><a href="{{ child.url }}">{{ child.title }}</a> – {{ child.owner }} ({% blocktranslate with year=child.end_year %}until {{ year }}{% endblocktranslate %}){% if not child.is_adopted %} <span class="status status--draft">{% translate "Draft" %}</span>{% endif %}</li>{% endfor %}"""  # noqa: E501  # noqa: E501


def _render(template, **context):
    return Template(template).render(Context(context))


def test_breadcrumbs_are_the_templates():
    ancestors = [
        {"url": "/mal/1/", "level": "Vision", "title": "Kort"},
        {"url": "/mal/2/", "level": "Mål & <nivå>", "title": "Ett långt mål " * 6},
        {
            "url": "/mal/3/",
            "level": "Nämndmål",
            "title": 'Exakt femtio tecken "x" <y> & z' + "a" * 19,
        },
    ]
    html = detail_html.ancestor_items(ancestors)
    assert html == _render(OLD_ANCESTORS, ancestors=ancestors)
    assert "…" in html and "Mål &amp; &lt;nivå&gt;" in html
    assert detail_html.ancestor_items([]) == ""


def _child(pk, title="Mål", owner="Enhet", adopted=True, end_year=2025):
    return {
        "url": f"/mal/{pk}/",
        "title": title,
        "owner": owner,
        "is_adopted": adopted,
        "end_year": end_year,
    }


def test_children_are_the_templates():
    children = [
        _child(1),
        _child(2, title='Trygg <skola> & "mer"', owner="Vård & omsorg", adopted=False),
        _child(3, end_year=2024),
    ]
    html = detail_html.child_items(children)
    assert html == _render(OLD_CHILDREN, children=children)
    assert "Utkast" in html and "&lt;skola&gt;" in html
    earlier = detail_html.child_items(children, earlier=True)
    assert earlier == _render(OLD_EARLIER, earlier_children=children)
    assert "till 2024" in earlier


def _indicator(pk, **values):
    indicator = Indicator(pk=pk, name="Andel", direction="higher", **values)
    return indicator


def test_indicators_are_the_templates():
    rows = mark_safe('<tr><th scope="row">2026-03</th><td class="num">42</td></tr>')
    items = [
        {
            "indicator": _indicator(
                1,
                description="Mäts <årligen> & jämförs",
                baseline_value=Decimal("1234.5"),
                baseline_year=2022,
                target_value=Decimal("-12"),
                target_year=2027,
                unit="%",
                kolada_kpi="N<123>",
                gender_split=True,
            ),
            "rows": rows,
            "latest": {"year": 2026, "month": 3, "T": Decimal("42.50")},
        },
        {
            "indicator": Indicator(
                pk=2, name='Nöjdhet "NKI" & <x>', direction="lower", baseline_value=Decimal("3")
            ),
            "rows": "",
            "latest": None,
        },
        {
            "indicator": _indicator(3, target_value=Decimal("0"), target_year=None),
            "rows": rows,
            "latest": {"year": 2025, "month": None, "T": Decimal("7")},
        },
    ]
    for can_edit in (True, False):
        html = detail_html.indicator_sections(items, can_edit)
        assert html == _render(OLD_INDICATORS, indicators=items, can_edit=can_edit)
    assert "Inga mätvärden ännu." in html and "Kvinnor" in html
    assert "234,5 (2022)" in html and "Nöjdhet &quot;NKI&quot; &amp; &lt;x&gt;" in html
    empty = detail_html.indicator_sections([], True)
    assert empty == _render(OLD_INDICATORS, indicators=[], can_edit=True)
    assert "Inga indikatorer." in empty
