"""Import throughput on seed-shaped stories: one ``import_articles`` run over a folder, into a throwaway database.

    python ../shared/bench/gen_stories.py /tmp/stories-2000 2000        # the folder (see docs/importing.md)
    python bench/bench_import.py /tmp/stories-2000                       # SQLite (a file in a temp dir)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr python bench/bench_import.py /tmp/stories-2000
    python bench/bench_import.py /tmp/stories-2000 /tmp/stories-20000    # also: peak memory, large over small
    python bench/bench_import.py --profile /tmp/stories-2000             # also: the top of a cProfile

Each folder is imported in a process of its own (so its peak memory is its own) by the command the desk runs,
``import_articles --status published --tag topic-0 --author "Reporter 0" FOLDER``, and then again, which must
change nothing. Prints stories/s, this process's CPU seconds per story (user and system: the parsing and the
ORM; PostgreSQL's own work is in another process), queries per story, peak memory, and the load average it
ran under, since the machine may be shared. Not a test: the figures depend on the machine.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")  # the settings refuse to load without one
COMMAND = ["--status", "published", "--tag", "topic-0", "--author", "Reporter 0"]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "folders", nargs="+", metavar="FOLDER", help="folders of stories, e.g. from gen_stories.py"
    )
    parser.add_argument("--profile", action="store_true", help="profile the first import and print the top")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        run(args.folders[0], args.profile)
        return
    runs = []
    for folder in args.folders:
        child = [sys.executable, __file__, "--one", *(["--profile"] if args.profile else []), folder]
        output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        *lines, figures = output.splitlines()
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        runs.append(json.loads(figures))
    if len(runs) > 1:
        small, large = min(runs, key=lambda r: r["stories"]), max(runs, key=lambda r: r["stories"])
        sys.stdout.write(
            f"peak memory: {large['stories']} stories {large['peak_mb']:.0f} MB, {small['stories']} stories "
            f"{small['peak_mb']:.0f} MB: {large['peak_mb'] / small['peak_mb']:.2f} times\n"
        )


def run(folder, profile):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from articles.models import Article

    with tempfile.TemporaryDirectory() as scratch:
        database = settings.DATABASES["default"]
        test = database.setdefault("TEST", {})
        if database["ENGINE"].endswith("sqlite3"):
            test["NAME"] = str(Path(scratch) / "bench.sqlite3")  # on disk, as in use
        else:
            test["NAME"] = f"bench_{database['NAME']}"  # never the test suite's own database
        settings.MEDIA_ROOT = Path(scratch) / "media"
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            queries = []

            def count(execute, sql, params, many, context):
                queries.append(1)
                return execute(sql, params, many, context)

            def server_cpu():
                """CPU seconds of this connection's PostgreSQL backend so far (same machine), else 0."""
                if connection.vendor != "postgresql":
                    return 0
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pid = cursor.fetchone()[0]
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

            def timed(profiler=None):
                queries.clear()
                load = os.getloadavg()[0]
                server = server_cpu()
                before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
                with connection.execute_wrapper(count):
                    if profiler:
                        profiler.enable()
                    call_command("import_articles", *COMMAND, folder, stdout=io.StringIO())
                    if profiler:
                        profiler.disable()
                seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
                return {
                    "server": server_cpu() - server,
                    "seconds": seconds,
                    "user": after.ru_utime - before.ru_utime,
                    "system": after.ru_stime - before.ru_stime,
                    "queries": len(queries),
                    "load": max(load, os.getloadavg()[0]),
                }

            profiler = cProfile.Profile() if profile else None
            first = timed(profiler)
            stories = Article.objects.count()
            again = timed()
            assert Article.objects.count() == stories, "the second import created stories"
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out = sys.stdout
            out.write(f"{connection.vendor}, {stories} stories from {folder}\n")
            for label, figures in (("import", first), ("re-import", again)):
                database = (
                    f", PostgreSQL {1000 * figures['server'] / stories:.2f} ms" if figures["server"] else ""
                )
                out.write(
                    f"  {label:<9} {figures['seconds']:6.2f} s = {stories / figures['seconds']:5.0f} stories/s; "
                    f"CPU per story {1000 * figures['user'] / stories:.2f} ms user "
                    f"+ {1000 * figures['system'] / stories:.2f} ms system{database}; "
                    f"{figures['queries'] / stories:.2f} queries per story; load {figures['load']:.2f}\n"
                )
            out.write(f"  peak memory {peak_mb:.0f} MB\n")
            if profiler:
                out.write("  (the first import ran under cProfile, which slows it down)\n")
                for order in ("tottime", "cumulative"):
                    text = io.StringIO()
                    pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(25)
                    out.write(text.getvalue())
            out.write(json.dumps({"stories": stories, "peak_mb": peak_mb, **first}) + "\n")
        finally:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
