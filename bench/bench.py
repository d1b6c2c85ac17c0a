#!/usr/bin/env python
"""Newsroom benchmark: N realistic stories in PostgreSQL, gunicorn with 2 workers, wrk against five pages.

    .venv/bin/python bench/bench.py                  # 2,000 stories
    .venv/bin/python bench/bench.py --stories 20000

Environment: DATABASE_URL (default: the local nr_production database, which the script fills), REDIS_URL (default
redis://127.0.0.1:6379/6). Needs wrk (Debian: apt-get install wrk). Prints, per page: requests/s, p50, p99 and
non-2xx responses with the page cache warm (every request a hit) and cold (page cache off: every request rendered,
as on a miss), and the database queries one render of the page makes. Results also go to bench/out/.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, Gunicorn, fetch, seed, setup_django, wrk

TARGETS = {"warm_rps": 2000, "cold_article_p50_ms": 15}


def pages():
    """The five benchmarked pages, by path; search is left out (with a note) when this build has no search page."""
    from django.urls import NoReverseMatch, reverse

    from articles.models import Article

    count = Article.objects.published().count()
    article = Article.objects.published()[count // 2]
    found = {
        "home": "/",
        "list page 50": reverse("articles:home") + "?page=50",
        "article": article.get_absolute_url(),
        "tag": reverse("articles:tag", args=["bench-tag-7"]),
    }
    try:
        found["search"] = reverse("articles:search") + "?q=telescope+galaxy"
    except NoReverseMatch:
        print("note: no search page in this build (articles:search); skipped")
    return found


def queries_per_page(paths):
    """Database queries one render of each page makes (page cache off), counted in-process."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for name, path in paths.items():
            client.get(path)  # warm per-process state (content types, templates)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            counts[name] = len(queries)
    return counts


def measure(server, path, duration, connections, niceness=None):
    """wrk figures plus the workers' CPU time per request, which other load on the machine does not inflate."""
    before = server.cpu_seconds()
    run = wrk(server.url + path, duration, connections, niceness=niceness)
    run["cpu_ms"] = (server.cpu_seconds() - before) * 1000 / max(run["requests"], 1)
    return run


def first_request_after_edit(server, path, edits=15):
    """p50 milliseconds of the first request for `path` after one story is edited, and of the request after it
    (served from the page cache). An edit retires every cached page, so the first request renders the page again,
    but from the workers' kept fragments (articles/fragments.py): only the edited story's teaser is rendered anew."""
    from articles.models import Article

    story = Article.objects.published().first()
    after_edit, hit = [], []
    for n in range(edits):
        Article.objects.filter(pk=story.pk).update(standfirst=f"Edited for the benchmark ({n}).")
        for times in (after_edit, hit):
            started = time.perf_counter()
            status, _ = fetch(server.url + path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, (path, status)
    return {"after_edit_p50": statistics.median(after_edit), "hit_p50": statistics.median(hit)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page and mode")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for the warm run")
    parser.add_argument("--port", type=int, default=8170, help="two consecutive ports from this one")
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="run gunicorn and wrk at this niceness, e.g. -10 (needs root), when the machine is shared",
    )
    args = parser.parse_args()

    env = setup_django()
    started = time.monotonic()
    if seed(args.stories):
        print(f"seeded {args.stories} stories in {time.monotonic() - started:.1f}s")
    paths = pages()
    queries = queries_per_page(paths)

    results = {"stories": args.stories, "load_before": os.getloadavg(), "pages": {}}
    warm = Gunicorn(env, args.port, log_name="bench-warm")
    cold = Gunicorn(env, args.port + 1, log_name="bench-cold", PAGE_CACHE_SECONDS="0")
    if args.nice is not None:
        warm.renice(args.nice)
        cold.renice(args.nice)
    results["niceness"] = args.nice
    try:
        for name, path in paths.items():
            status, _ = fetch(warm.url + path)  # the first request renders and stores
            assert status == 200, (path, status)
            results["pages"][name] = {
                "path": path,
                "queries": queries[name],
                "warm": measure(warm, path, args.duration, args.connections, args.nice),
                # One connection per worker: latency is the time to render, not time spent queueing.
                "cold": measure(cold, path, args.duration, 2, args.nice),
            }
        results["edit"] = first_request_after_edit(warm, "/")
    finally:
        warm.stop()
        cold.stop()

    report(results)
    (OUT / f"results-{args.stories}.json").write_text(json.dumps(results, indent=2))
    (OUT / f"results-{args.stories}.md").write_text(markdown(results))


def markdown(results):
    """The figures as a table for the README's Performance section."""
    lines = [
        f"| {results['stories']:,} stories | queries | warm req/s | warm p50 / p99 ms | cold req/s "
        "| cold p50 / p99 ms | non-2xx | CPU ms/request warm / cold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, page in results["pages"].items():
        warm, cold = page["warm"], page["cold"]
        errors = sum(run["non_2xx"] + run["socket_errors"] for run in (warm, cold))
        lines.append(
            f"| {name} | {page['queries']} | {warm['rps']:.0f} | {warm['p50']:.1f} / {warm['p99']:.1f} "
            f"| {cold['rps']:.0f} | {cold['p50']:.1f} / {cold['p99']:.1f} | {errors} "
            f"| {warm['cpu_ms']:.2f} / {cold['cpu_ms']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def report(results):
    load = ", ".join(f"{n:.1f}" for n in results["load_before"])
    niceness = f"; niceness {results['niceness']}" if results["niceness"] is not None else ""
    print(
        f"\n{results['stories']} stories; gunicorn 2 sync workers; wrk warm -c16, cold -c2; "
        f"load average {load}{niceness}"
    )
    header = (
        f"{'page':<14}{'queries':>8}  {'mode':<5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}"
        f"{'CPU ms/req':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, page in results["pages"].items():
        for mode in ("warm", "cold"):
            run = page[mode]
            print(
                f"{name if mode == 'warm' else '':<14}{page['queries'] if mode == 'warm' else '':>8}  {mode:<5}"
                f"{run['rps']:>9.0f}{run['p50']:>9.2f}{run['p99']:>9.2f}{run['non_2xx'] + run['socket_errors']:>9}"
                f"{run['cpu_ms']:>12.2f}"
            )
    edit = results["edit"]
    print(
        f"\nhome, first request after a story is edited: p50 {edit['after_edit_p50']:.1f} ms "
        f"(the next one, from the cache: {edit['hit_p50']:.1f} ms)"
    )
    warm_min = min(page["warm"]["rps"] for page in results["pages"].values())
    cold_article = results["pages"]["article"]["cold"]["p50"]
    print(
        f"\ntargets: warm >= {TARGETS['warm_rps']} req/s: lowest {warm_min:.0f} "
        f"({'met' if warm_min >= TARGETS['warm_rps'] else 'MISSED'}); "
        f"cold article p50 < {TARGETS['cold_article_p50_ms']} ms: {cold_article:.2f} "
        f"({'met' if cold_article < TARGETS['cold_article_p50_ms'] else 'MISSED'})"
    )


if __name__ == "__main__":
    random.seed(0)
    main()
