#!/usr/bin/env python
"""Newsroom beside the Wagtail peer, in one run of the shared harness (../shared/bench, see its README).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr_bench .venv/bin/python bench/peer.py

Seeds the database with 2,000 stories (bench/common.py) if it has fewer, then runs the harness's run_all.sh with
Newsroom's page cache off (every request rendered), rounds alternating with the peer, plus its ceilings (nginx and
an in-memory WSGI app); then loads Newsroom again with the page cache on, over Redis (REDIS_URL, default
redis://127.0.0.1:6379/6) and over the default per-process tier alone. Prints the ratios the performance issue sets
(goal: uncached >= 4x the peer's requests/s; cached >= 0.6x the in-memory ceiling), in requests/s and in CPU ms
per request (server + database), the steadier figure on a shared machine. Needs wrk, nginx, curl and Python 3.13.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, seed, setup_django

PAGES = ("list1", "list50", "detail", "tag")
GOALS = {"uncached": 4.0, "cached": 0.6}


def newsroom_paths():
    from articles.models import Article

    count = Article.objects.published().count()
    article = Article.objects.published()[count // 2]
    return {
        "list1": "/",
        "list50": "/?page=50",
        "detail": article.get_absolute_url(),
        "tag": "/tag/bench-tag-7/",
    }


def app_env(env, paths, label, **extra):
    return {
        **env,
        "APP_LABEL": label,
        "LABEL": label,
        "APP_VENV": str(ROOT / ".venv"),
        "VENV": str(ROOT / ".venv"),
        "APP_DIR": str(ROOT),
        "APP_WSGI": "newsroom.wsgi:application",
        "WSGI_APP": "newsroom.wsgi:application",
        "APP_SETTINGS": "newsroom.settings",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "APP_PATHS": " ".join(f"{name}={path}" for name, path in paths.items()),
        **extra,
    }


def read_results(path):
    """{(system, page): {"rps": [...], "cpu": [...]}} from the harness's results.tsv."""
    runs = {}
    with open(path, newline="") as results:
        for row in csv.reader(results, delimiter="\t"):
            system, page, rps, srv, db = row[0], row[1], row[4], row[10], row[11]
            entry = runs.setdefault((system, page), {"rps": [], "cpu": []})
            entry["rps"].append(float(rps))
            if srv != "-":
                entry["cpu"].append(float(srv) + (float(db) if db != "-" else 0.0))
    return runs


def median(values):
    return statistics.median(values) if values else float("nan")


def report(runs, load):
    print(f"\n== Newsroom beside the Wagtail peer (load average before: {load})")
    print(
        f"{'page':<8}{'peer req/s':>11}{'ours req/s':>11}{'ratio':>7}{'peer CPU ms':>13}{'ours CPU ms':>13}{'ratio':>7}"
    )
    for page in PAGES:
        peer, ours = runs.get(("peer", page)), runs.get(("newsroom", page))
        if not (peer and ours):
            continue
        rps_ratio = median(ours["rps"]) / median(peer["rps"])
        cpu_ratio = median(peer["cpu"]) / median(ours["cpu"])
        print(
            f"{page:<8}{median(peer['rps']):>11.0f}{median(ours['rps']):>11.0f}{rps_ratio:>6.2f}x"
            f"{median(peer['cpu']):>13.2f}{median(ours['cpu']):>13.2f}{cpu_ratio:>6.2f}x"
        )
    print(f"goal, uncached: >= {GOALS['uncached']}x the peer (the CPU ratio is peer CPU / ours)")
    ceiling = runs.get(("wsgi-mem", "list1")), runs.get(("wsgi-mem", "detail"))
    print(f"\n{'cached':<22}{'page':<8}{'req/s':>8}{'x ceiling':>11}{'CPU ms':>8}{'ceiling CPU':>13}")
    for system in ("newsroom-redis", "newsroom-local"):
        for page, roof in zip(("list1", "detail"), ceiling, strict=True):
            run = runs.get((system, page))
            if not (run and roof):
                continue
            print(
                f"{system:<22}{page:<8}{median(run['rps']):>8.0f}{median(run['rps']) / median(roof['rps']):>10.2f}x"
                f"{median(run['cpu']):>8.2f}{median(roof['cpu']):>13.2f}"
            )
    print(f"goal, cached: >= {GOALS['cached']}x the in-memory WSGI ceiling")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--harness", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--repeat", type=int, default=2, help="measured runs per page and system")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured run")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="keep the peer and uncached results of the last run; measure the in-memory ceiling and the cached pages",
    )
    args = parser.parse_args()

    env = setup_django()
    seed(args.stories)
    paths = newsroom_paths()
    out_dir = OUT / "peer"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / "results.tsv"
    common = {
        "REPEAT": str(args.repeat),
        "DURATION": str(args.duration),
        "OUT_DIR": str(out_dir),
        "KEEP_PG": "1",
    }
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    if args.cached_only:
        ceiling = {
            **env,
            **common,
            "RESULTS": str(results),
            "STATIC_DIR": str(out_dir / "ceiling"),
            "LABEL": "wsgi-mem",
            "VENV": os.environ.get("PEER_VENV", "/tmp/peer_wagtail_venv"),
            "APP_DIR": str(args.harness / "static_ceiling"),
            "WSGI_APP": "static_wsgi:application",
            "PORT": "8703",
            "PG_PID": "none",
        }
        ceiling_paths = ["list1=/list1.html", "detail=/detail.html"]
        subprocess.run(
            ["bash", str(args.harness / "serve_and_load.sh"), *ceiling_paths], env=ceiling, check=True
        )
    else:
        uncached = app_env(env, paths, "newsroom", PAGE_CACHE_SECONDS="0", **common)
        uncached.pop("REDIS_URL", None)
        subprocess.run(["bash", str(args.harness / "run_all.sh")], env=uncached, check=True)
    cached_paths = [f"{page}={paths[page]}" for page in ("list1", "detail")]
    for label, redis in (("newsroom-redis", env["REDIS_URL"]), ("newsroom-local", None)):
        cached = app_env(
            env, paths, label, PAGE_CACHE_SECONDS="600", RESULTS=str(results), PORT="8704", **common
        )
        if redis is None:
            cached.pop("REDIS_URL", None)
        subprocess.run(
            ["bash", str(args.harness / "serve_and_load.sh"), *cached_paths], env=cached, check=True
        )
    report(read_results(results), load)


if __name__ == "__main__":
    main()
