"""One page of bench/pages.txt, measured and profiled on a benchmark database.

    python -m bench.profile "ett mål" "årshjul" [--scale 10] [--requests 30] [--top 25]

For each page (its label in pages.txt, or a part of it): queries, median ms, the SQL
floor and the ratio as `make bench` measures them, then cProfile of one request: the
functions by own time and the total number of calls (load-independent, so it compares
across runs on a shared machine). Needs the databases `make bench` builds
(styrning_bench_1 and styrning_bench_10 on BENCH_DATABASE_SERVER); static files are not
needed (the pages render without the manifest's check, as with DEBUG off in the tests).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile

from bench.run import ROOT, database_url, production_env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", nargs="+")
    parser.add_argument("--scale", default="10")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--db-prefix", default="styrning_bench_")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="pstats key: tottime, cumtime, calls")
    args = parser.parse_args(argv)

    static_root = tempfile.mkdtemp(prefix="styrning-static-")
    url = database_url(args.server, args.db_prefix, args.scale)
    os.environ.update(production_env(url, static_root, secrets.token_urlsafe(50)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from bench import measure

    assert not settings.DEBUG
    found = measure.targets()
    pages = measure.read_pages()
    chosen = [p for p in pages if any(p.label == a for a in args.labels)]
    chosen += [p for p in pages if p not in chosen and any(a in p.label for a in args.labels)]
    if not chosen:
        print("no page matches; labels:", ", ".join(p.label for p in pages))
        return 1
    storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    with override_settings(
        ROOT_URLCONF="bench.urls",
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": storage}},
    ):
        clients: dict = {}
        empty: dict = {}
        for spec in chosen:
            if spec.role not in clients:
                clients[spec.role] = Client(HTTP_HOST="127.0.0.1")
                measure.login(clients[spec.role], spec.role)
                empty[spec.role] = measure.measure_page(
                    clients[spec.role], measure.EMPTY_PAGE, args.requests, 10
                )
            client = clients[spec.role]
            page_url = spec.url(found)
            result = measure.measure_page(
                client, page_url, args.requests, 20, empty[spec.role].get("median_ms")
            )
            print(
                f"\n== {spec.label} ({spec.role}) {page_url}\n"
                f"   {result.get('queries')} queries, median {result.get('median_ms')} ms, "
                f"floor {result.get('floor_median_ms')} ms, × floor {result.get('ratio')}, "
                f"empty page {empty[spec.role].get('median_ms')} ms, "
                f"{result.get('bytes', 0)} bytes"
            )
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(page_url, secure=True)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            print(f"   {stats.total_calls} calls in one request")
            stats.sort_stats(args.sort).print_stats(args.top)
            print("\n".join(out.getvalue().splitlines()[6:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
