"""Search latency at archive scale on PostgreSQL: p50/p95/max for the search page's database work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/bench_search.py [--stories 100000]

It builds a scratch database named after DATABASE_URL's with a `_bench` suffix (never touching the real one),
fills it with synthetic stories (Zipf-distributed words, a quarter of them with a quote, 95% published), lets
the triggers index them, runs VACUUM ANALYZE, then times what /search/?q= does for the first page: the ranked,
highlighted result page, its prefetches and the count for the pager. Queries are one or two words drawn from
the vocabulary, plus a separate set of the very commonest words (the worst case: nearly every story matches).
`--keep` keeps the filled database for the next run.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "600000")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Quote, Section, Speaker, Status  # noqa: E402
from articles.search import attach_snippets, search_articles  # noqa: E402

SCIENCE_TEXT = """
cell cancer tumour gene protein virus bacteria brain neuron climate ocean glacier carbon planet star galaxy
telescope orbit comet asteroid fossil dinosaur species evolution genome mutation enzyme antibody vaccine immune
trial patient therapy drug dose heart lung liver kidney blood bone muscle skin sleep memory learning behaviour
forest river soil crop drought flood storm rainfall temperature warming ice sea coral reef fish bird bee insect
plastic pollution energy solar battery fusion reactor quantum particle laser magnet electron photon physics
chemistry molecule crystal metal material robot algorithm computer model data study researchers university
journal evidence experiment sample measurement survey population risk disease infection outbreak pandemic
metastasis regeneration wound healing repair stem embryo pregnancy infant ageing diet obesity diabetes
microbiome gut hormone receptor signal pathway inflammation antibiotic resistance parasite malaria mosquito
volcano earthquake tsunami mantle crust magma mineral water hydrogen oxygen nitrogen methane emission
"""
SCIENCE_WORDS = SCIENCE_TEXT.split()


def vocabulary(size, rng):
    """Real science words first (the commonest), then pronounceable made-up words to a realistic vocabulary."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ter",
        "on",
        "ra",
        "vel",
        "su",
        "dri",
        "pan",
        "gor",
        "ix",
        "ne",
        "tha",
        "bel",
    ]
    words = list(dict.fromkeys(SCIENCE_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def fill(count, rng):
    words = vocabulary(20_000, rng)
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))

    def text(n):
        return " ".join(rng.choices(words, cum_weights=cumulative, k=n))

    sections = [Section.objects.create(name=f"Section {i}", slug=f"section-{i}") for i in range(10)]
    speakers = [Speaker.objects.create(name=f"Speaker {i} {text(1)}") for i in range(500)]
    now = timezone.now()
    batch = 2_000
    for start in range(0, count, batch):
        articles = []
        for n in range(start, min(start + batch, count)):
            published = rng.random() < 0.95
            articles.append(
                Article(
                    headline=text(8).capitalize(),
                    slug=f"bench-{n}",
                    standfirst=text(25).capitalize() + ".",
                    body="".join(f"<p>{text(60).capitalize()}.</p>" for _ in range(6)),
                    section=rng.choice(sections),
                    status=Status.PUBLISHED if published else Status.DRAFT,
                    published_at=now - timedelta(minutes=rng.randint(1, 5 * 365 * 24 * 60))
                    if published
                    else None,
                )
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(articles)
            Quote.objects.bulk_create(
                Quote(article=article, text=text(20).capitalize() + ".", speaker=rng.choice(speakers))
                for article in created
                if rng.random() < 0.25
            )
        print(f"  {min(start + batch, count):>7} stories", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    return words


def search_page(query):
    """The database work of one /search/?q= first page."""
    paginator = Paginator(search_articles(query), 20)
    page = paginator.page(1)
    attach_snippets(list(page.object_list), query)
    return paginator.count


def timed(queries, rounds):
    """Milliseconds per query: all samples, and each query's fastest of `rounds` runs.

    On a shared machine other processes add delays unrelated to the query; the fastest run of each query is its
    cost without them (as timeit reports), and the figures from all samples show how much the load added.
    """
    samples = {query: [] for query in queries}
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            search_page(query)
            samples[query].append((time.perf_counter() - started) * 1000)
    every = [ms for runs in samples.values() for ms in runs]
    return every, [min(runs) for runs in samples.values()]


def summary(label, times):
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:<36} n={len(times):<4} p50={statistics.median(times):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={max(times):7.1f} ms"
    )
    return p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each query (the fastest counts)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the filled scratch database for the next run"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark measures PostgreSQL full-text search: set DATABASE_URL to a PostgreSQL server."
        )

    rng = random.Random(20261125)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"{settings.DATABASES['default']['NAME']}_bench"
    )
    real_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep)
    try:
        existing = Article.objects.count()
        started = time.perf_counter()
        if existing != args.stories:
            if existing:
                sys.exit(
                    f"The kept bench database has {existing} stories; run once without --keep to rebuild."
                )
            words = fill(args.stories, rng)
            print(
                f"Filled {args.stories} stories in {time.perf_counter() - started:.0f} s (triggers indexed them)."
            )
        else:
            words = vocabulary(20_000, rng)
        # What autovacuum does on a running site: statistics, and the visibility map and free space after the
        # quote triggers rewrote a quarter of the rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
            cursor.execute("ANALYZE")
        published = Article.objects.published().count()
        print(
            f"{published} published of {Article.objects.count()} stories; PostgreSQL {connection.pg_version}"
        )

        typical = [
            " ".join(rng.choice(words[len(SCIENCE_WORDS) // 2 : 5_000]) for _ in range(rng.choice([1, 1, 2])))
            for _ in range(args.queries)
        ]
        common = [rng.choice(words[:20]) for _ in range(max(20, args.queries // 10))]
        timed(typical[:20], 1)  # warm the cache the way a running site has it warm
        every, fastest = timed(typical, args.rounds)
        summary("typical queries, all samples", every)
        p95 = summary("typical queries, fastest of rounds", fastest)
        every, fastest = timed(common, args.rounds)
        summary("commonest words, all samples", every)
        summary("commonest words, fastest of rounds", fastest)
        print(f"search p95 at {args.stories} stories: {p95:.1f} ms (target < 50 ms)")
        print("load average during the run: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=args.keep)


if __name__ == "__main__":
    main()
