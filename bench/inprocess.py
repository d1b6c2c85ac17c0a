#!/usr/bin/env python
"""CPU milliseconds per uncached request, in one process: for a machine too busy for wrk to mean anything.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr_bench .venv/bin/python bench/inprocess.py [--stories 2000]

Seeds the stories as bench.py does, then, with the page cache off, times Django's test client on home, page 50,
a tag and an article: the process's CPU time (time.process_time, so other load inflates it less than wall time;
the database's CPU is not in it), median of 7 batches of 20 requests. Then the same with the story-fragment store
and everything else kept per process emptied before every request (every fragment rendered), and the first home request after an edit to its lead
story. Compare before/after runs made alternately on the same database, under the same load.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import seed, setup_django


def cpu_ms(client, path, before_each=None, batches=7, per_batch=20):
    """(CPU ms, wall ms) per request, medians of the batches. Wall time includes the database's work (and any
    other load), which CPU time leaves out."""
    cpu, wall = [], []
    for _ in range(batches):
        spent = waited = 0.0
        for _ in range(per_batch):
            if before_each:
                before_each()
            started, clock = time.process_time(), time.perf_counter()
            client.get(path)
            spent += time.process_time() - started
            waited += time.perf_counter() - clock
        cpu.append(spent * 1000 / per_batch)
        wall.append(waited * 1000 / per_batch)
    return statistics.median(cpu), statistics.median(wall)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    args = parser.parse_args()
    setup_django()
    seed(args.stories)

    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from articles import cache, fragments
    from articles.models import Article

    def forget_everything():
        """Every fragment, the page's frame and whatever is kept under the content state (a new process); on an
        older checkout, whichever of them it has."""
        for kept in (fragments.store, getattr(fragments, "frames", None), getattr(cache, "kept", None)):
            if kept is not None:
                kept.clear()

    published = Article.objects.published()
    paths = {
        "home": "/",
        "page 50": reverse("articles:home") + "?page=50",
        "tag": reverse("articles:tag", args=["bench-tag-7"]),
        "article": published[published.count() // 2].get_absolute_url(),
    }
    client = Client()
    print(f"{args.stories} stories; load average {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    with override_settings(PAGE_CACHE_SECONDS=0):
        for name, path in paths.items():
            for _ in range(5):
                assert client.get(path).status_code == 200, path
            queries = []

            def count(execute, *args, queries=queries):
                queries.append(args[0])
                return execute(*args)

            with connection.execute_wrapper(count):
                client.get(path)
            kept, kept_wall = cpu_ms(client, path)
            rendered, rendered_wall = cpu_ms(client, path, before_each=forget_everything)
            print(
                f"{name:8} {len(queries)} queries  CPU ms: fragments kept {kept:5.1f}  all rendered {rendered:5.1f}"
                f"   wall ms: kept {kept_wall:5.1f}  all rendered {rendered_wall:5.1f}"
            )
        story = published.first()
        after_edit = []
        for n in range(15):
            story.standfirst = f"Edited for the benchmark ({n})."
            story.save()
            started = time.process_time()
            client.get("/")
            after_edit.append((time.process_time() - started) * 1000)
        print(f"home, first request after an edit: CPU ms {statistics.median(after_edit):.1f}")


if __name__ == "__main__":
    main()
