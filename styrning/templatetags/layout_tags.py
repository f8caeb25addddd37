"""The page header and footer every page has (base.html's ``{% site_header %}`` and
``{% site_footer %}``), written in Python.

The header was the base template's costliest part: eleven ``{% url %}`` lookups, a dozen
translations and the menu's current-page tests on every request (about 1.5 ms of a
5 ms empty page). Links are reversed once per URL configuration and words translated
once per language. The markup is the same; tests/styrning/test_layout.py holds it to
the templates it replaced.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

register = template.Library()

# The main menu: (URL name, label, the app whose pages it stands for, and which of that
# app's URL names; None: all of them).
MENU = (
    (
        "goals:tree",
        gettext_noop("Goals"),
        "goals",
        {"tree", "children", "detail", "create", "edit", "decide"}
        | {"indicator_create", "indicator_edit"},
    ),
    (
        "followup:fulfilment",
        gettext_noop("Goal fulfilment"),
        "followup",
        {"fulfilment", "fulfilment_goal", "midterm", "rollup"},
    ),
    ("budget:overview", gettext_noop("Budget"), "budget", None),
    ("followup:mine", gettext_noop("Follow-up"), "followup", {"mine", "submission"}),
    ("followup:calendar", gettext_noop("Reporting calendar"), "followup", {"calendar"}),
    ("reports:index", gettext_noop("Reports"), "reports", None),
    ("goals:assignments", gettext_noop("Assignments"), "goals", {"assignments", "assignment"}),
)
URL_NAMES = ("home", "logout", "login", "admin:index", "reports:public", "accessibility") + tuple(
    item[0] for item in MENU
)
# Every word of the header and footer (the menu's labels, then these).
WORDS = tuple(item[1] for item in MENU) + (
    gettext_noop("Main menu"),
    gettext_noop("Administration"),
    gettext_noop("Log out"),
    gettext_noop("Log in"),
    gettext_noop("open source goal and budget governance for Swedish municipalities"),
    gettext_noop("Adopted reports"),
    gettext_noop("Accessibility statement"),
)


@cache
def _urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    """The header's links, reversed once per script prefix and URL configuration."""
    return {name: escape(reverse(name, urlconf)) for name in URL_NAMES}


def urls() -> dict[str, str]:
    return _urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _words(language: str) -> dict[str, str]:
    """The header's and footer's words (WORDS) translated into ``language``, the active
    one, and escaped: a dozen gettext calls on every page before."""
    return {word: escape(gettext(word)) for word in WORDS}


def words() -> dict[str, str]:
    return _words(get_language())


def _is_current(match, app: str, names) -> bool:
    if match is None or match.app_name != app:
        return False
    return names is None or match.url_name in names


@register.simple_tag(takes_context=True)
def site_header(context):
    links = urls()
    text = words()
    request = context.get("request")
    user = context.get("user")
    municipality = context.get("municipality_name")
    match = getattr(request, "resolver_match", None)
    out = [
        '<header class="site-header">\n    <div class="site-header__inner">\n      ',
        f'<a class="brand" href="{links["home"]}"><span class="brand__name">Styrning</span>',
    ]
    if municipality:
        out.append(f'<span class="brand__municipality">{escape(municipality)}</span>')
    out.append("</a>\n      ")
    if user is not None and user.is_authenticated:
        out.append(
            f'\n      <nav aria-label="{text["Main menu"]}" class="main-nav">\n        <ul>\n'
        )
        for name, label, app, names in MENU:
            current = ' aria-current="page"' if _is_current(match, app, names) else ""
            out.append(f'          <li><a href="{links[name]}"{current}>{text[label]}</a></li>\n')
        out.append("          ")
        if context.get("nav_is_admin"):
            out.append(f'<li><a href="{links["admin:index"]}">{text["Administration"]}</a></li>')
        token = context.get("csrf_token")
        hidden = ""
        if token and token != "NOTPROVIDED":
            hidden = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
        out.append(
            "\n        </ul>\n      </nav>\n"
            '      <div class="user-menu">\n'
            f'        <span class="user-menu__name">{escape(user.get_full_name() or user.username)}'
            "</span>\n"
            f'        <form method="post" action="{links["logout"]}">{hidden}'
            '<button type="submit" class="button button--quiet">'
            f"{text['Log out']}</button></form>\n"
            "      </div>\n      "
        )
    elif getattr(match, "url_name", "") != "login":
        out.append(
            '\n      <div class="user-menu">'
            f'<a class="button button--quiet" href="{links["login"]}">'
            f"{text['Log in']}</a></div>\n      "
        )
    out.append("\n    </div>\n  </header>")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


@register.simple_tag
def site_footer():
    links = urls()
    text = words()
    return mark_safe(  # noqa: S308 — links and words are escaped
        '<footer class="site-footer">\n'
        "    <p>Styrning – "
        f"{text['open source goal and budget governance for Swedish municipalities']} · "
        f'<a href="{links["reports:public"]}">{text["Adopted reports"]}</a> · '
        f'<a href="{links["accessibility"]}">{text["Accessibility statement"]}</a></p>\n'
        "  </footer>"
    )
