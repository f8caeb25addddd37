"""Follow every link a user is shown, as that user, through Django's test client.

``crawl(client, role)`` starts at ``/`` and GETs every same-site ``<a href>`` (menus,
breadcrumbs, tables, buttons that are links) on every HTML page it reaches, and records
each URL's status, its URL pattern and a fingerprint of the page's structure. The link
crawl test fails on what a user must never meet; the accessibility scan scans each kind
of page the crawl reached, once per role that sees it differently.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

# The demo logins of every demo model (fixtures/*.py); "anonymous" is nobody logged in.
ROLES = [
    "anonymous",
    "politiker",
    "socialchef",
    "byggchef",
    "enhetschef",
    "vd",
    "ekonomichef",
    "hr",
    "admin",
]
# Not followed: logout is a POST (a link to it would be a defect the crawl reports as 405),
# the admin is Django's own (its index is fetched, its links are not followed).
LEAF_PREFIXES = ("/admin/",)
SKIP_NAMES = {"logout"}
# The admin's membership sends it from / to Django's admin; it uses the product too.
EXTRA_STARTS = {"admin": ["/mal/", "/budget/"]}
# Pages no menu links yet, started from as every logged-in role: the personnel pages are
# linked from /uppfoljning/ when the submissions' slice lands there (FOLLOWUP.md); their
# own links are followed from here.
UNLINKED_STARTS: list[str] = []
# At most this many distinct URLs per pattern and query keys, per role: the goal pages of
# a municipality are many but alike; the first ones in breadth-first order are fetched.
DEFAULT_CAP = 40


@dataclass
class Visit:
    url: str
    status: int
    pattern: str  # "goals:detail"; "admin" for anything under /admin/; "?" if unresolved
    location: str = ""  # where a redirect points
    fingerprint: str = ""  # hash of the page's element structure (HTML pages only)
    nested_forms: int = 0  # forms opened inside another (a broken page: nested_forms)
    can_edit: bool = False  # the page offers a form that changes data
    label: str = ""  # the text of the first link to it
    referrers: list[str] = field(default_factory=list)


@dataclass
class CrawlResult:
    role: str
    visits: dict[str, Visit]
    capped: int = 0  # links not fetched because their pattern reached the cap

    def problems(self, allow_login_redirect: bool) -> list[str]:
        """Every link whose target answers 403, 404, 405 or 5xx, or sends a logged-in
        user to the login page: "page → link → status"."""
        lines = []
        for visit in self.visits.values():
            bad = visit.status >= 400 or visit.nested_forms
            if visit.status in (301, 302) and "/logga-in/" in visit.location:
                bad = not allow_login_redirect and visit.pattern != "admin"
            if bad:
                for referrer in visit.referrers[:3] or ["(start)"]:
                    label = f'"{visit.label}" ' if visit.label else ""
                    lines.append(
                        f"{self.role}: {referrer} → {label}{visit.url} ({visit.pattern}) → "
                        f"{visit.status}{' ' + visit.location if visit.location else ''}"
                        f"{' (a form inside a form)' if visit.nested_forms else ''}"
                    )
        return sorted(lines)


class _PageParser(HTMLParser):
    """Collects link targets and a structure fingerprint (tags, classes, input types)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.shapes: set[str] = set()
        self.post_forms = 0
        self.nested_forms = 0  # a <form> opened inside another (browsers drop the inner one)
        self._forms_open = 0
        self._link: list[str] | None = None

    def handle_data(self, data):
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._forms_open = max(self._forms_open - 1, 0)
        if tag == "a" and self._link is not None:
            self.links[-1] = (self.links[-1][0], " ".join("".join(self._link).split())[:60])
            self._link = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], ""))
            self._link = []
        if tag == "form":
            self.nested_forms += self._forms_open > 0
            self._forms_open += 1
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            action = a.get("action") or ""
            if "logga-ut" not in action:
                self.post_forms += 1
        shape = tag
        if a.get("class"):
            shape += "." + ".".join(sorted(a["class"].split()))
        for key in ("type", "role", "method"):
            if a.get(key):
                shape += f"[{key}={a[key]}]"
        self.shapes.add(shape)


def nested_forms(html: str) -> int:
    """How many forms ``html`` opens inside another: a browser ignores the inner <form>,
    its </form> closes the outer one, and what follows is in no form at all."""
    parser = _PageParser()
    parser.feed(html)
    return parser.nested_forms


def _pattern_of(path: str) -> str:
    if path.startswith(LEAF_PREFIXES):
        return "admin"
    try:
        match = resolve(path)
    except Resolver404:
        return "?"
    return match.view_name


def _normalise(base: str, href: str) -> str | None:
    """The same-site path and sorted query of ``href``, or None for other sites/schemes."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https") or parts.netloc not in ("testserver", ""):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def _cap_key(url: str, pattern: str) -> tuple:
    parts = urlsplit(url)
    return (pattern, tuple(sorted(k for k, _v in parse_qsl(parts.query))))


def crawl(client, role: str, start: str = "/", cap: int = DEFAULT_CAP) -> CrawlResult:
    """Breadth-first over every same-site link, GET only; the client is already logged in."""
    base = "http://testserver"
    visits: dict[str, Visit] = {}
    per_key: dict[tuple, int] = {}
    queue: deque[tuple[str, str, str]] = deque([(start, "", "")])
    seen = {start}
    capped = 0
    while queue:
        url, referrer, label = queue.popleft()
        path = urlsplit(url).path
        pattern = _pattern_of(path)
        response = client.get(url)
        visit = Visit(url=url, status=response.status_code, pattern=pattern, label=label)
        if referrer:
            visit.referrers.append(referrer)
        visits[url] = visit
        if response.status_code in (301, 302, 303, 307, 308):
            target = _normalise(base + url, response["Location"])
            visit.location = target or response["Location"]
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url, label))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        parser = _PageParser()
        parser.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
        visit.fingerprint = hashlib.sha1(
            "\n".join(sorted(parser.shapes)).encode(), usedforsecurity=False
        ).hexdigest()[:12]
        visit.can_edit = parser.post_forms > 0
        visit.nested_forms = parser.nested_forms
        if pattern == "admin":
            continue  # Django's admin: its index must answer, its own links are its own
        for href, text in parser.links:
            target = _normalise(base + url, href)
            if target is None:
                continue
            if target in seen:
                if target in visits and url not in visits[target].referrers:
                    visits[target].referrers.append(url)
                continue
            target_pattern = _pattern_of(urlsplit(target).path)
            if target_pattern in SKIP_NAMES:
                continue
            key = _cap_key(target, target_pattern)
            if per_key.get(key, 0) >= cap:
                capped += 1
                continue
            per_key[key] = per_key.get(key, 0) + 1
            seen.add(target)
            queue.append((target, url, text))
    return CrawlResult(role=role, visits=visits, capped=capped)


def crawl_role(client, role: str, cap: int = DEFAULT_CAP) -> list[CrawlResult]:
    """Crawl from / and from the role's extra starting points."""
    results = [crawl(client, role, cap=cap)]
    starts = EXTRA_STARTS.get(role, []) + (UNLINKED_STARTS if role != "anonymous" else [])
    for start in starts:
        results.append(crawl(client, role, start=start, cap=cap))
    return results


@dataclass(frozen=True)
class ScanPage:
    role: str
    pattern: str
    url: str
    status: int  # what the crawl got
    also_for: tuple[str, ...] = ()  # roles that see the same structure here


def scan_plan(results: dict[str, list[CrawlResult]]) -> list[ScanPage]:
    """Each kind of page (URL pattern) once per role that sees it differently.

    For each pattern, the URL reached by the most roles is compared across them; roles
    that did not reach it use their own first URL of the pattern. Roles whose page has
    the same element structure (tags, classes, input types; so the same forms and
    buttons) share one scan. A pattern a role reached only with an error is planned with
    that error, so the scan fails on it rather than skipping it.
    """
    by_pattern: dict[str, dict[str, list[Visit]]] = {}
    for role, role_results in results.items():
        for result in role_results:
            for visit in result.visits.values():
                if visit.pattern in ("admin", "?", "home") or visit.status in (301, 302):
                    continue
                if visit.status == 200 and not visit.fingerprint:
                    continue  # a download or JSON, not a page
                by_pattern.setdefault(visit.pattern, {}).setdefault(role, []).append(visit)
    plan = []
    for pattern, per_role in sorted(by_pattern.items()):
        reached_by: dict[str, int] = {}
        for visits in per_role.values():
            for url in {v.url for v in visits if v.status == 200}:
                reached_by[url] = reached_by.get(url, 0) + 1
        common = max(reached_by, key=lambda u: (reached_by[u], u)) if reached_by else None
        groups: dict[tuple, list[tuple[str, Visit]]] = {}
        for role, visits in per_role.items():
            ok = [v for v in visits if v.status == 200]
            chosen = next((v for v in ok if v.url == common), ok[0] if ok else visits[0])
            key = (chosen.fingerprint, chosen.can_edit, chosen.status)
            groups.setdefault(key, []).append((role, chosen))
        for members in groups.values():
            role, visit = members[0]
            others = tuple(r for r, _v in members[1:])
            plan.append(ScanPage(role, pattern, visit.url, visit.status, others))
    return plan


def login(client, username: str):
    """Log ``client`` in as the demo user ``username`` (or stay anonymous)."""
    from django.contrib.auth import get_user_model

    client.logout()
    if username != "anonymous":
        client.force_login(get_user_model().objects.get(username=username))
