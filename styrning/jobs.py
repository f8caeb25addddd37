"""Run long work (imports, reports) in the background, wherever we are deployed.

With Redis (production) the work goes to a Celery worker. Without it (`make
run`) it runs in a thread of the web process, so the page still shows
progress instead of freezing. Tests set BACKGROUND_JOBS = "inline".
"""

import threading

from django.conf import settings
from django.db import close_old_connections, connections


def run_in_background(task, *args):
    """Start ``task`` (a Celery task taking primary keys) for ``args``."""
    mode = settings.BACKGROUND_JOBS
    if mode == "celery":
        task.delay(*args)
    elif mode == "thread":
        threading.Thread(target=_in_thread, args=(task, args), daemon=True).start()
    else:
        task.run(*args)


def _in_thread(task, args):
    close_old_connections()
    try:
        task.run(*args)
    finally:
        connections.close_all()
