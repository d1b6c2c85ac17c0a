#!/usr/bin/env python
"""Load and fault runs against gunicorn with production settings (not part of CI: they take minutes).

    .venv/bin/python bench/faults.py saturation            # 60 s at saturation on a mix of pages, editing meanwhile
    .venv/bin/python bench/faults.py postgres              # drop every database connection under load
    .venv/bin/python bench/faults.py postgres --restart    # restart the PostgreSQL cluster under load (disruptive!)
    .venv/bin/python bench/faults.py redis-down            # Redis unreachable: pages still served, warning logged
    .venv/bin/python bench/faults.py all

Uses the benchmark's data (bench/bench.py seeds it; this script seeds 2,000 stories if there are none) and the same
DATABASE_URL / REDIS_URL defaults. Exits non-zero when a run breaks its promise.
"""

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, Gunicorn, seed, setup_django, write_path_script, wrk


def mixed_paths(health_check=True):
    from django.urls import reverse

    from articles.models import Article

    stories = list(Article.objects.published().values_list("slug", flat=True)[:150])
    return (
        ["/", *(["/healthz"] if health_check else [])]
        + [f"/?page={n}" for n in range(2, 40)]
        + [reverse("articles:detail", args=[slug]) for slug in stories]
        + [reverse("articles:tag", args=[f"bench-tag-{n}"]) for n in range(10)]
    )


def edit_now_and_then(stop, every=10.0):
    """An editor at work during the load: each save makes every cached page stale."""
    from django.db import close_old_connections

    from articles.models import Article

    edits = 0
    while not stop.wait(every):
        story = Article.objects.published().order_by("?").first()
        story.standfirst = f"Updated during the load test ({edits})."
        story.save()
        edits += 1
    close_old_connections()
    return edits


def saturation(env, port, duration):
    script = write_path_script(mixed_paths(), "mix")
    server = Gunicorn(env, port, log_name="saturation")
    try:
        wrk(server.url + "/", 5, 16, script=script)  # warm up: templates loaded, pages cached
        rss_before = server.rss_mb()
        stop = threading.Event()
        editor = threading.Thread(target=edit_now_and_then, args=(stop,))
        editor.start()
        run = wrk(server.url + "/", duration, 32, script=script)
        stop.set()
        editor.join()
        rss_after = server.rss_mb()
    finally:
        server.stop()
    errors = run["non_2xx"] + run["socket_errors"] + run["timeouts"]
    growth = max(after - before for before, after in zip(rss_before, rss_after, strict=True))
    print(
        f"saturation {duration}s, 32 connections, {len(mixed_paths())} paths, an edit every 10 s: "
        f"{run['requests']} requests, {run['rps']:.0f} req/s, p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms, "
        f"errors {errors}"
    )
    print(
        "worker RSS MB before "
        + ", ".join(f"{mb:.1f}" for mb in rss_before)
        + " / after "
        + ", ".join(f"{mb:.1f}" for mb in rss_after)
    )
    return {"run": run, "rss_before": rss_before, "rss_after": rss_after, "ok": errors == 0 and growth < 10}


def health(url):
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def drop_connections():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def close_own_connection():
    """This script's own connection died with the others; the next query should open a fresh one."""
    from django.db import connection

    connection.close()


def restart_cluster():
    version = next(Path("/etc/postgresql").iterdir()).name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True, timeout=60
    )


def postgres(env, port, restart):
    """Under load with the page cache off (every request queries), take the database away, then measure recovery."""
    script = write_path_script(mixed_paths(), "mix")
    server = Gunicorn(env, port, log_name="postgres-fault", PAGE_CACHE_SECONDS="0")
    results = {}
    try:
        load = threading.Thread(
            target=lambda: results.update(run=wrk(server.url + "/", 20, 8, script=script, timeout=20))
        )
        load.start()
        time.sleep(5)
        started = time.monotonic()
        if restart:
            restart_cluster()
            fault = "restart of the PostgreSQL cluster"
        else:
            fault = f"{drop_connections()} connections dropped"
        done = time.monotonic()
        close_own_connection()
        while not health(server.url):
            time.sleep(0.05)
            if time.monotonic() - done > 60:
                break
        recovered = time.monotonic()
        load.join()
        alive = server.process.poll() is None
    finally:
        server.stop()
    run = results["run"]
    print(
        f"postgres: {fault} under load ({done - started:.1f} s); healthy again {recovered - done:.2f} s after; "
        f"{run['requests']} requests, {run['non_2xx']} non-2xx, {run['timeouts']} timed out, "
        f"slowest {run['max']:.0f} ms; app restarted: {'no' if alive else 'YES'}"
    )
    return {
        "fault": fault,
        "recovery_s": recovered - done,
        "run": run,
        "ok": alive and recovered - done < 10 and run["timeouts"] == 0,
    }


def redis_down(env, port):
    # /healthz rightly answers 503 while Redis is away; the promise is about the pages.
    script = write_path_script(mixed_paths(health_check=False), "mix-pages")
    server = Gunicorn({**env, "REDIS_URL": "redis://127.0.0.1:8199/0"}, port, log_name="redis-down")
    try:
        run = wrk(server.url + "/", 10, 8, script=script)
    finally:
        server.stop()
    warned = "Exception ignored" in server.log_path.read_text()  # django-redis, logger newsroom.cache
    errors = run["non_2xx"] + run["socket_errors"] + run["timeouts"]
    print(
        f"redis down: {run['requests']} requests, {run['rps']:.0f} req/s (uncached), errors {errors}, "
        f"warning logged: {'yes' if warned else 'NO'}"
    )
    return {"run": run, "warned": warned, "ok": errors == 0 and warned}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["saturation", "postgres", "redis-down", "all"])
    parser.add_argument("--duration", type=int, default=60, help="seconds of the saturation run")
    parser.add_argument(
        "--restart", action="store_true", help="really restart PostgreSQL (disturbs its users)"
    )
    parser.add_argument("--port", type=int, default=8180)
    args = parser.parse_args()

    env = setup_django()
    from articles.models import Article

    if not Article.objects.exists():
        seed(2000)
    outcomes = {}
    if args.scenario in ("saturation", "all"):
        outcomes["saturation"] = saturation(env, args.port, args.duration)
    if args.scenario in ("postgres", "all"):
        outcomes["postgres"] = postgres(env, args.port + 1, args.restart)
    if args.scenario in ("redis-down", "all"):
        outcomes["redis-down"] = redis_down(env, args.port + 2)
    (OUT / f"faults-{args.scenario}.json").write_text(json.dumps(outcomes, indent=2))
    failed = [name for name, outcome in outcomes.items() if not outcome["ok"]]
    print("all promises kept" if not failed else f"BROKEN: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
