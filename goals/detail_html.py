"""Lists of a goal's page (goals/detail.html) written in Python rather than template loops.

A loop of a dozen tags and filters per item cost more than the page's SQL. Each function
writes the markup the template wrote, byte for byte; tests/goals/test_detail_html.py
compares them with the old template. The words are looked up once a list.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from goals.tree import UrlPattern
from styrning.formatting import number, truncator, year_month


def ancestor_items(ancestors) -> SafeString:
    """The breadcrumbs' goals above this one (``{url, level, title}``), titles cut at 50
    characters as truncatechars:50 cut them."""
    shorten = truncator(50)
    return mark_safe(
        "".join(
            f'<li><a href="{escape(a["url"])}">{escape(a["level"])}: '
            f"{escape(shorten(a['title']))}</a></li>"
            for a in ancestors
        )
    )


def child_items(children, earlier: bool = False) -> SafeString:
    """The goals below (``{url, title, owner, is_adopted, end_year}``) as list items; those
    of earlier years (``earlier``) say the year they ended."""
    draft = f' <span class="status status--draft">{escape(_("Draft"))}</span>'
    out = []
    for child in children:
        until = " (" + _("until %(year)s") % {"year": child["end_year"]} + ")" if earlier else ""
        out.append(
            f'<li><a href="{escape(child["url"])}">{escape(child["title"])}</a> – '
            f"{escape(child['owner'])}{until}{'' if child['is_adopted'] else draft}</li>"
        )
    return mark_safe("".join(out))


def indicator_sections(items, can_edit: bool) -> SafeString:
    """Each indicator (``views._indicator_table``'s items) with its figures and table, or
    "No indicators."."""
    if not items:
        return mark_safe(f"\n  <p>{escape(_('No indicators.'))}</p>\n  ")
    edit_url = UrlPattern("goals:indicator_edit")
    words = {
        key: escape(text)
        for key, text in (
            ("baseline", _("Baseline")),
            ("target", _("Target")),
            ("latest", _("Latest")),
            ("unit", _("Unit")),
            ("edit", _("Edit indicator")),
            ("scroll", _("Table, scrolls sideways on narrow screens")),
            ("period", _("Period")),
            ("total", _("Total")),
            ("women", _("Women")),
            ("men", _("Men")),
            ("none", _("No measurements yet.")),
        )
    }
    out = []
    for item in items:
        indicator, latest = item["indicator"], item["latest"]
        name = escape(indicator.name)
        description = f"<p>{escape(indicator.description)}</p>" if indicator.description else ""
        baseline = _figure(indicator.baseline_value, indicator.baseline_year)
        target = _figure(indicator.target_value, indicator.target_year)
        if latest:
            last = (
                f"{escape(number(latest.get('T')))} "
                f"({escape(year_month(latest.get('year'), latest.get('month')))})"
            )
        else:
            last = "–"
        unit = f" · {words['unit']}: {escape(indicator.unit)}" if indicator.unit else ""
        kolada = f" · Kolada {escape(indicator.kolada_kpi)}" if indicator.kolada_kpi else ""
        edit = (
            f' · <a href="{edit_url(indicator.pk)}">{words["edit"]}'
            f'<span class="visually-hidden"> {name}</span></a>'
            if can_edit
            else ""
        )
        if item["rows"]:
            genders = (
                f'<th scope="col" class="num">{words["women"]}</th>'
                f'<th scope="col" class="num">{words["men"]}</th>'
                if indicator.gender_split
                else ""
            )
            caption = _("Measurements of %(name)s") % {"name": name}
            table = (
                "\n"
                f'    <div class="table-wrap" tabindex="0" role="region" '
                f'aria-label="{words["scroll"]}">\n'
                "    <table>\n"
                f'      <caption class="visually-hidden">{caption}</caption>\n'
                f'      <thead><tr><th scope="col">{words["period"]}</th>'
                f'<th scope="col" class="num">{words["total"]}</th>{genders}</tr></thead>\n'
                "      <tbody>\n"
                f"      {item['rows']}\n"
                "      </tbody>\n"
                "    </table>\n"
                "    </div>\n"
                "    "
            )
        else:
            table = f"<p>{words['none']}</p>"
        out.append(
            "\n"
            '  <div class="indicator">\n'
            f'    <h3>{name} <span class="direction">'
            f"({escape(indicator.get_direction_display())})</span></h3>\n"
            f"    {description}\n"
            f"    <p>{words['baseline']}: {baseline} ·\n"
            f"       {words['target']}: {target} ·\n"
            f"       {words['latest']}: {last}{unit}\n"
            f"       {kolada}\n"
            f"       {edit}</p>\n"
            f"    {table}\n"
            "  </div>\n"
            "  "
        )
    return mark_safe("".join(out))


def _figure(value, year) -> str:
    """A baseline or target: "1 234 (2024)", or "–" without a value."""
    if value is None:
        return "–"
    return f"{escape(number(value))} ({year})"
