"""The SIE import at scale: a generated file of a million #TRANS lines, measured.

``measure(lines=1_000_000, workdir=...)`` runs inside a configured Django process against
the current database (PostgreSQL) and returns a dict of figures; ``python -m bench.sie_bench
[--lines N]`` prints them. Beside the imports it measures, in the same run, what the
machine can do at best with the same data: a plain split of the file into fields and
PostgreSQL's COPY of one row per #TRANS line (into a bare table, and into one with the
outcome table's indexes), so each import figure has its ratio.

Every import runs as ``manage.py import_sie FILE [--dry-run]`` in a child process, timed from
outside (minus the time a bare ``manage.py`` takes to start) and with its peak memory (max
RSS) read from ``wait4``. The file books on the ansvarskoder and accounts of the database's
municipality (a minimal one is made when there is none) in a year that holds no outcomes,
so the figures are those of a first import; the rows and their history are removed again
at the end (``keep=True`` leaves them).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANS_PER_VOUCHER = 5  # four lines on units, one on the bank account that balances them
BANK = "1930"
UNITS_WANTED = 1000  # a Stockholm-size ledger books on about a thousand ansvarskoder


# --- the data -----------------------------------------------------------------------------


def _fixture(year: int | None = None):
    """(municipality, ansvarskoder, accounts, year, budget year made here or None)."""
    from budget.accounts import ensure_account_groups
    from budget.models import AccountGroup, BudgetYear, Outcome
    from styrning.models import Municipality, OrgUnit

    municipality = Municipality.objects.first()
    if municipality is None:
        municipality = Municipality.objects.create(name="Bänkby", code="0999")
    ensure_account_groups(municipality)
    codes = list(
        OrgUnit.objects.filter(municipality=municipality)
        .exclude(ansvarskod="")
        .order_by("ansvarskod")
        .values_list("ansvarskod", flat=True)[:UNITS_WANTED]
    )
    if not codes:
        root = OrgUnit.objects.create(municipality=municipality, name="Bänkby KF", kind="council")
        OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    municipality=municipality,
                    name=f"Enhet {code}",
                    kind="unit",
                    parent=root,
                    ansvarskod=str(code),
                    tree_id=root.tree_id,
                    lft=0,
                    rght=0,
                    mptt_level=1,
                )
                for code in range(100000, 100000 + UNITS_WANTED)
            ],
            batch_size=1000,
        )
        OrgUnit.objects.partial_rebuild(root.tree_id)
        codes = [str(code) for code in range(100000, 100000 + UNITS_WANTED)]
    # One account per prefix of the operating groups, padded to four digits (3000, 5000 …).
    accounts = sorted(
        {
            prefix.ljust(4, "1")
            for prefix, kind in municipality.account_mappings.values_list("prefix", "group__kind")
            if kind in (AccountGroup.Kind.REVENUE, AccountGroup.Kind.COST)
        }
    )
    if year is None:
        used = set(Outcome.objects.filter(municipality=municipality).values_list("year", flat=True))
        year = 2090
        while year in used:
            year -= 1
    made = None
    if not BudgetYear.objects.filter(municipality=municipality, year=year).exists():
        made = BudgetYear.objects.create(municipality=municipality, year=year)
    return municipality, codes, accounts, year, made


def write_sie(path, lines: int, codes, accounts, year: int, *, changed: bool = False) -> int:
    """Write an SIE 4 file of ``lines`` #TRANS lines; returns the #TRANS lines written.

    Vouchers spread over the year's twelve months; each has four lines on units and one
    that balances them on the bank. ``changed`` makes the file a later export of the same
    ledger: every 50th voucher's first amount is 1.00 higher, and in December every 40th
    ansvarskod has no lines (its rows vanish).
    """
    vouchers = lines // TRANS_PER_VOUCHER
    gone = set(codes[::40])
    written = 0
    with open(path, "w", encoding="cp437", newline="\r\n") as out:
        out.write(
            '#FLAGGA 0\n#PROGRAM "Bänkbok" 1.0\n#FORMAT PC8\n#GEN 20260410\n#SIETYP 4\n'
            f'#FNAMN "Bänkby kommun"\n#ORGNR 212000-0000\n#RAR 0 {year}0101 {year}1231\n'
            '#DIM 1 "Ansvar"\n'
        )
        for account in accounts:
            out.write(f'#KONTO {account} "Konto {account}"\n')
        out.write(f'#KONTO {BANK} "Bank"\n')
        n_codes, n_accounts = len(codes), len(accounts)
        for i in range(vouchers):
            month = i % 12 + 1
            date = f"{year}{month:02d}{(i // 12) % 28 + 1:02d}"
            parts = [f'#VER "A" {i + 1} {date} "Verifikation {i + 1}"\n{{\n']
            total = 0
            for j in range(TRANS_PER_VOUCHER - 1):
                spread = (i * 2654435761 + j * 40503) & 0xFFFFFFFF  # every unit, every account
                code = codes[spread % n_codes]
                if changed and month == 12 and code in gone:
                    continue
                cents = (i * 7919 + j * 104729) % 2_000_000 - 1_000_000
                if changed and j == 0 and i % 50 == 0:
                    cents += 100
                total += cents
                account = accounts[(spread >> 12) % n_accounts]
                parts.append(f'   #TRANS {account} {{1 "{code}"}} {_money(cents)}\n')
                written += 1
            parts.append(f"   #TRANS {BANK} {{}} {_money(-total)}\n}}\n")
            written += 1
            out.write("".join(parts))
    return written


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


# --- what the machine can do at best -----------------------------------------------------


def split_rate(path) -> tuple[float, int]:
    """(lines/s, #TRANS lines) of a plain read and split of every line into fields."""
    started = time.perf_counter()
    trans = 0
    with open(path, encoding="cp437", newline="\n") as lines:
        for line in lines:
            fields = line.split()
            if fields and fields[0] == "#TRANS":
                trans += 1
    return trans / (time.perf_counter() - started), trans


def copy_rows(path, municipality, year) -> bytes:
    """One outcome-shaped row per #TRANS line on a unit (COPY text format)."""
    from budget.accounts import AccountMap
    from styrning.models import OrgUnit

    accounts = AccountMap(municipality)
    units = dict(
        OrgUnit.objects.filter(municipality=municipality)
        .exclude(ansvarskod="")
        .values_list("ansvarskod", "pk")
    )
    out = []
    month = 1
    with open(path, encoding="cp437", newline="\n") as lines:
        for line in lines:
            fields = line.split()
            if not fields:
                continue
            if fields[0] == "#VER":
                month = int(fields[3][4:6])
            elif fields[0] == "#TRANS" and fields[2] != "{}":
                group = accounts.group_for(fields[1])
                unit = units[fields[3].rstrip("}").strip('"')]
                out.append(f"{municipality.pk}\t{unit}\t{year}\t{month}\t{group.pk}\t{fields[4]}\n")
    return "".join(out).encode()


def copy_rate(data: bytes, rows: int, *, indexed: bool) -> float:
    """rows/s of COPY into a scratch copy of the outcome table (its indexes, not unique,
    as the rows are one per line), in a transaction rolled back."""
    from django.db import connection, transaction

    from budget.models import Outcome

    table = Outcome._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE bench_copy (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        if indexed:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
            for (definition,) in cursor.fetchall():
                definition = definition.replace("UNIQUE INDEX", "INDEX")
                definition = re.sub(
                    r"INDEX (\S+) ON \S+", r"INDEX bench_\1 ON bench_copy", definition
                )
                cursor.execute(definition)
        columns = "municipality_id, unit_id, year, month, group_id, amount"
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            view = memoryview(data)
            for offset in range(0, len(data), 1 << 20):
                copy.write(view[offset : offset + (1 << 20)])
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return rows / elapsed


# --- the imports, each in a child process -------------------------------------------------


def _run(*args) -> tuple[float, float, str, float]:
    """(wall seconds, max RSS in MB, stdout, CPU seconds) of ``manage.py *args`` in a child
    process (forked here, so that wait4 gives its own rusage)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.fork()
        if pid == 0:  # the child: exec manage.py with stdout/stderr to the files
            try:
                os.chdir(ROOT)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.execv(sys.executable, [sys.executable, str(ROOT / "manage.py"), *args])
            finally:
                os._exit(127)
        _pid, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def _writes():
    """(outcome rows inserted+updated+deleted, history rows, last ANALYZE) so far."""
    from django.db import connection

    from budget.models import Outcome

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del, last_analyze FROM pg_stat_user_tables "
            "WHERE relname = %s",
            [Outcome._meta.db_table],
        )
        outcome, analyzed = cursor.fetchone()
    return outcome, Outcome.history.count(), analyzed


def _counts(stdout: str) -> dict:
    """created/changed/removed from the command's summary (its second line)."""
    lines = stdout.splitlines()
    numbers = [int(n) for n in re.findall(r"\d+", lines[1])] if len(lines) > 1 else []
    return dict(zip(("created", "changed", "removed"), numbers[:3], strict=False))


def _import(path, lines: int, startup: float, *, dry_run=False) -> dict:
    before = _writes()
    args = ["import_sie", str(path)] + (["--dry-run"] if dry_run else [])
    elapsed, rss, stdout, cpu = _run(*args)
    time.sleep(0.6)  # the child's table statistics reach the shared counters on exit
    after = _writes()
    work = max(elapsed - startup[0], 1e-6)
    return {
        "seconds": round(elapsed, 2),
        "lines_per_s": round(lines / work),
        "cpu_s": round(cpu, 2),  # the child's own CPU time: what a busy machine cannot blur
        "lines_per_cpu_s": round(lines / max(cpu - startup[1], 1e-6)),
        "peak_mb": round(rss),
        **_counts(stdout),
        "outcome_rows_written": after[0] - before[0],
        "history_rows_written": after[1] - before[1],
        "analyzed": after[2] is not None and after[2] != before[2],
    }


RUNS = 3  # of the dry run and of the first import


def _median(runs: list[dict]) -> dict:
    """The run of median time, with the times of all of them."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs_s"] = [run["seconds"] for run in runs]
    return chosen


def _vacuum() -> None:
    """VACUUM the outcome tables (outside a transaction, as VACUUM must be)."""
    from django.db import connection

    from budget.models import Outcome, OutcomeTotal

    tables = (Outcome, Outcome.history.model, OutcomeTotal)
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    time.sleep(1.1)  # this process's row counts (the cleanup's) reach the shared counters


def _cleanup(municipality, year, made) -> None:
    from django.db import connection, transaction

    from budget.models import Outcome

    with transaction.atomic(), connection.cursor() as cursor:
        for table in (Outcome._meta.db_table, Outcome.history.model._meta.db_table):
            cursor.execute(
                f"DELETE FROM {table} WHERE municipality_id = %s AND year = %s",
                [municipality.pk, year],
            )
        try:
            from budget.totals import refresh_totals
        except ImportError:
            pass
        else:
            refresh_totals(municipality.pk, [year])
        if made is not None:
            made.delete()


def measure(lines: int = 1_000_000, workdir=None, *, keep: bool = False) -> dict:
    """Generate, split, COPY and import an SIE file of ``lines`` #TRANS lines; the figures.

    Returns a dict: ``lines``, ``file_mb``, ``units``, ``accounts``, ``year``;
    ``split_lines_per_s`` (a plain read and split of every line), ``copy_rows_per_s`` and
    ``copy_indexed_rows_per_s`` (COPY of one outcome-shaped row per #TRANS line on a unit,
    ``copy_rows`` of them, into a bare table and into one with the outcome table's indexes);
    ``startup_s``/``startup_cpu_s``/``startup_peak_mb`` of a bare ``manage.py``, the
    ``load_average`` and ``cpus``; and for ``dry_run``, ``import``, ``reimport_same`` (the
    same file again) and ``reimport_changed`` (a later export: some amounts changed, some
    rows gone) a dict of ``seconds`` (wall), ``lines_per_s`` (startup subtracted),
    ``cpu_s`` and ``lines_per_cpu_s``, ``peak_mb`` (max RSS), ``created``/``changed``/
    ``removed`` as the command reported them, ``outcome_rows_written`` and
    ``history_rows_written`` (as PostgreSQL counted them), ``analyzed`` (ANALYZE ran), and
    the ratios ``vs_split``, ``vs_copy_indexed`` (how many times slower than each) and
    ``peak_vs_file``.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the SIE benchmark measures PostgreSQL (set DATABASE_URL)")
    workdir = Path(workdir or tempfile.mkdtemp(prefix="sie-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    municipality, codes, accounts, year, made = _fixture()
    _cleanup(municipality, year, None)  # a run that was stopped halfway
    base, changed = workdir / "bench.se", workdir / "bench-changed.se"
    trans = write_sie(base, lines, codes, accounts, year)
    write_sie(changed, lines, codes, accounts, year, changed=True)
    size_mb = base.stat().st_size / 1e6
    split, _ = split_rate(base)
    rows = copy_rows(base, municipality, year)
    n_rows = rows.count(b"\n")
    copy_bare = copy_rate(rows, n_rows, indexed=False)
    copy_indexed = copy_rate(rows, n_rows, indexed=True)
    del rows
    startup, startup_rss, _, startup_cpu = _run("shell", "-c", "pass")
    try:
        start = (startup, startup_cpu)
        # The first import and the dry run, three times each (the machine is shared):
        # the run with the median time counts. Between imports the rows go again and the
        # tables are vacuumed, as a table that has not just been emptied would be.
        _vacuum()  # every import starts from the same, vacuumed tables
        dry = _median([_import(base, trans, start, dry_run=True) for _ in range(RUNS)])
        imports = []
        for run in range(RUNS):
            if run:
                _cleanup(municipality, year, None)
                _vacuum()
            imports.append(_import(base, trans, start))
        real = _median(imports)
        again = _import(base, trans, start)
        changed_run = _import(changed, trans, start)
    finally:
        if not keep:
            _cleanup(municipality, year, made)
    for run in (dry, real, again, changed_run):
        run["vs_split"] = round(split / run["lines_per_s"], 1)
        run["vs_copy_indexed"] = round(copy_indexed / run["lines_per_s"], 2)
        run["peak_vs_file"] = round(run["peak_mb"] / size_mb, 1)
    return {
        "lines": trans,
        "file_mb": round(size_mb, 1),
        "units": len(codes),
        "accounts": len(accounts) + 1,
        "year": year,
        "split_lines_per_s": round(split),
        "copy_rows_per_s": round(copy_bare),
        "copy_indexed_rows_per_s": round(copy_indexed),
        "copy_rows": n_rows,
        "startup_s": round(startup, 2),
        "startup_cpu_s": round(startup_cpu, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "startup_peak_mb": round(startup_rss),
        "dry_run": dry,
        "import": real,
        "reimport_same": again,
        "reimport_changed": changed_run,
    }


def format_figures(figures: dict) -> str:
    lines = [
        f"SIE file: {figures['lines']:,} #TRANS lines, {figures['file_mb']} MB, "
        f"{figures['units']} ansvarskoder, {figures['accounts']} accounts, year {figures['year']}",
        f"  split into fields        {figures['split_lines_per_s']:>12,} lines/s",
        f"  COPY, bare table         {figures['copy_rows_per_s']:>12,} rows/s",
        f"  COPY, outcome's indexes  {figures['copy_indexed_rows_per_s']:>12,} rows/s",
        f"  (manage.py starts in {figures['startup_s']} s, {figures['startup_peak_mb']} MB; "
        f"subtracted below; load average {figures['load_average']} on {figures['cpus']} CPUs)",
    ]
    for key, label in (
        ("dry_run", "dry run"),
        ("import", "import"),
        ("reimport_same", "same file again"),
        ("reimport_changed", "changed file"),
    ):
        run = figures[key]
        lines.append(
            f"  {label:<24} {run['lines_per_s']:>12,} lines/s ({run['seconds']} s; "
            f"{run['lines_per_cpu_s']:,} lines per CPU-second), "
            f"peak {run['peak_mb']} MB ({run['peak_vs_file']} × file), "
            f"split/this {run['vs_split']}, COPY-indexed/this {run['vs_copy_indexed']}; "
            f"new {run.get('created')}, changed {run.get('changed')}, "
            f"removed {run.get('removed')}; rows written {run['outcome_rows_written']}, "
            f"history {run['history_rows_written']}" + ("; ANALYZE" if run["analyzed"] else "")
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workdir")
    parser.add_argument("--keep", action="store_true", help="leave the imported rows")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")
    import django

    django.setup()
    figures = measure(args.lines, args.workdir, keep=args.keep)
    print(json.dumps(figures, indent=2) if args.json else format_figures(figures))


if __name__ == "__main__":
    main()
