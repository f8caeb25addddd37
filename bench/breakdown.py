"""Where a request's time goes: SQL, login and session, layout, the view's Python, templates.

Only the benchmark uses this (in its child process, never in the site): ``Breakdown``
wraps a few of Django's and the project's functions so that, while it is active, every
moment of a request is charged to the innermost of these parts:

- ``login``: the session and the user (``auth.get_user``, the session's load and save)
  and the permission scope (``styrning.permissions.scope_for``), with their queries;
- ``layout``: the context processors (the base layout's municipality name, menu), with
  their queries;
- ``sql``: every other query (the page's own), as the database driver runs it;
- ``templates``: rendering templates (``Template.render``), less the above inside it;
- ``view``: the view function's own Python (``make_view_atomic``'s callable), less the
  above inside it;
- ``other``: the rest — middleware, URL resolving, the test client.

Each query's part is kept (``parts_run``, in the order CaptureQueriesContext lists
them), so the benchmark can replay only the page's own queries (those charged to
``sql``). The wrappers cost a few microseconds each, so the parts are measured on
requests of their own, beside the untimed ones.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

PARTS = ("sql", "login", "layout", "view", "templates", "other")
# Parts whose queries are Django's fixed cost of a page, not the page's own.
FIXED_PARTS = ("login", "layout")


class Breakdown:
    def __init__(self):
        self.totals = dict.fromkeys(PARTS, 0.0)
        self.parts_run: list[str] = []  # each query's part, in the order run
        self._stack = ["other"]
        self._mark = 0.0
        self._patches: list[tuple[object, str, object]] = []

    # --- charging time ----------------------------------------------------------------------
    def _switch(self):
        now = time.perf_counter()
        self.totals[self._stack[-1]] += now - self._mark
        self._mark = now

    def enter(self, part):
        self._switch()
        self._stack.append(part)

    def leave(self):
        self._switch()
        self._stack.pop()

    def wrap(self, function, part):
        breakdown = self

        def wrapped(*args, **kwargs):
            breakdown.enter(part)
            try:
                return function(*args, **kwargs)
            finally:
                breakdown.leave()

        wrapped.__wrapped__ = function
        return wrapped

    def _sql(self, execute, sql, params, many, context):
        outer = self._stack[-1]
        part = outer if outer in FIXED_PARTS else "sql"
        self.parts_run.append(part)
        self.enter(part)
        try:
            return execute(sql, params, many, context)
        finally:
            self.leave()

    # --- installing the wrappers ------------------------------------------------------------
    def _patch(self, owner, name, part):
        original = getattr(owner, name)
        self._patches.append((owner, name, original))
        setattr(owner, name, self.wrap(original, part))

    def _patch_everywhere(self, function, part):
        """Replace ``function`` in every module that imported it by name."""
        wrapped = self.wrap(function, part)
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not namespace:
                continue
            for name, value in list(namespace.items()):
                if value is function:
                    self._patches.append((module, name, function))
                    setattr(module, name, wrapped)

    def install(self):
        import django.contrib.auth as auth
        from django.contrib.sessions.backends.base import SessionBase
        from django.contrib.sessions.middleware import SessionMiddleware
        from django.core.handlers.base import BaseHandler
        from django.template import engines
        from django.template.base import Template

        import styrning.permissions
        from styrning import urls  # noqa: F401 — every view module imported first

        engine = engines["django"].engine
        processors = engine.template_context_processors  # a cached_property; imports them
        self._patch(auth, "get_user", "login")
        self._patch(SessionBase, "_get_session", "login")
        self._patch(SessionMiddleware, "process_response", "login")
        self._patch_everywhere(styrning.permissions.scope_for, "login")
        self._patch(Template, "render", "templates")
        self._patches.append((engine, "__dict__:template_context_processors", processors))
        engine.__dict__["template_context_processors"] = tuple(
            self.wrap(p, "layout") for p in processors
        )
        make_view_atomic = BaseHandler.make_view_atomic
        breakdown = self

        def make_view_timed(handler, view):
            return breakdown.wrap(make_view_atomic(handler, view), "view")

        self._patches.append((BaseHandler, "make_view_atomic", make_view_atomic))
        BaseHandler.make_view_atomic = make_view_timed

    def uninstall(self):
        for owner, name, original in reversed(self._patches):
            if name.startswith("__dict__:"):
                owner.__dict__[name.split(":", 1)[1]] = original
            else:
                setattr(owner, name, original)
        self._patches.clear()

    # --- one request ------------------------------------------------------------------------
    @contextmanager
    def request(self):
        """Charge one request's time; yields the parts in seconds when it is done."""
        from django.db import connection

        self.totals = dict.fromkeys(PARTS, 0.0)
        self.parts_run = []
        self._stack = ["other"]
        self._mark = time.perf_counter()
        with connection.execute_wrapper(self._sql):
            yield self.totals
        self._switch()


@contextmanager
def installed():
    breakdown = Breakdown()
    breakdown.install()
    try:
        yield breakdown
    finally:
        breakdown.uninstall()
