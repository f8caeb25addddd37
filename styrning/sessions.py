"""Django's database sessions, read with one precompiled query (styrning/request_rows.py).

``SESSION_ENGINE = "styrning.sessions"``: everything but the read is Django's own.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from styrning import request_rows


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        session = None
        if self.session_key is not None:
            session = request_rows.session_row(
                self.model, self._using(), self.session_key, timezone.now()
            )
        if session is None:
            self._session_key = None
        return session

    def _using(self):
        from django.db import router

        return router.db_for_read(self.model)
