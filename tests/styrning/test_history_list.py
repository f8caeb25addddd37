"""The change log written in Python (styrning.history.history_list) is the markup the
template _history.html wrote: the old template is kept here and compared."""

import datetime as dt

from django.template import Context, Template

from styrning.history import Change, LogEntry, history_list

OLD_HISTORY = """{% load i18n %}{% if history %}
<ol class="history">
  {% for entry in history %}
  <li>
    <p class="history__head"><time datetime="{{ entry.when_iso }}">{{ entry.when_text }}</time> · {{ entry.who }} · {{ entry.subject }}: {{ entry.action|lower }}{% if entry.reason %} ({{ entry.reason }}){% endif %}</p>
    {% if entry.changes %}<ul>{% for c in entry.changes %}<li>{{ c.label }}: <del>{{ c.old|truncatechars:120 }}</del> → <ins>{{ c.new|truncatechars:120 }}</ins>{% if c.old|length > 120 or c.new|length > 120 %}
      <details class="history__whole"><summary>{% translate "Show the whole text" %}<span class="visually-hidden">: {{ c.label }}</span></summary><p><strong>{% translate "Before" context "history" %}:</strong><br>{{ c.old|linebreaksbr }}</p><p><strong>{% translate "After" context "history" %}:</strong><br>{{ c.new|linebreaksbr }}</p></details>{% endif %}</li>{% endfor %}</ul>{% endif %}
  </li>
  {% endfor %}
</ol>
{% else %}<p>{% translate "No changes recorded." %}</p>{% endif %}
"""  # noqa: E501


def _entries():
    when = dt.datetime(2026, 8, 31, 22, 5, tzinfo=dt.UTC)  # 1 september in Stockholm
    long_text = "Första raden <b>&</b>\nAndra raden " + "lång text " * 20
    return [
        LogEntry(
            when,
            "Karin <Berglund>",
            "Bedömning av “Trygg & säker”",
            "Ändrades",
            "Rättelse & <komplettering>",
            [Change("Analys", long_text, "Kort & <ny>"), Change("Status", "–", "Uppfyllt")],
        ),
        LogEntry(when - dt.timedelta(days=3), "systemet", "Uppföljning", "Skapades"),
        LogEntry(when, "A", "B", "Ändrades", "", [Change("Text", "x" * 120, "y" * 121)]),
        LogEntry(when, "A", "B", "Ändrades", "", [Change("Text", "é" * 121, "e\u0301" * 130)]),
    ]


def test_history_list_is_the_templates_markup():
    template = Template(OLD_HISTORY)
    for history in (_entries(), [], None):
        expected = template.render(Context({"history": history}))
        assert history_list(history) + "\n" == expected
    html = history_list(_entries())
    assert "Karin &lt;Berglund&gt;" in html and "(Rättelse &amp; &lt;komplettering&gt;)" in html
    assert "<br>Andra raden" in html and html.count("history__whole") == 3
    assert "2026-09-01 00:05" in html


def test_the_included_template_writes_the_same():
    for history in (_entries(), []):
        html = Template('{% include "_history.html" with history=history only %}').render(
            Context({"history": history})
        )
        assert html == Template(OLD_HISTORY).render(Context({"history": history}))
