"""Import throughput: N generated plain-text stories and an N-item WXR export, imported into a throwaway database.

    DEBUG=1 python bench/bench_import.py [N]                                     # SQLite (a file in a temp dir)
    DEBUG=1 DATABASE_URL=postgres://... python bench/bench_import.py [N]         # PostgreSQL (bench_<name> db)

Prints articles per second for each format. Not a test: the figures depend on the machine.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from articles.importers import import_paths  # noqa: E402
from articles.models import Article  # noqa: E402

FIELDS = ["ocean", "soil", "brain", "comet", "virus", "glacier", "battery", "forest"]
PEOPLE = [
    ("Amara Osei", "marine biologist", "University of Ghana"),
    ("Lena Berg", "physicist", "Lund University"),
]


def text_story(n):
    topic = FIELDS[n % len(FIELDS)]
    name, role, place = PEOPLE[n % 2]
    filler = " ".join(f"The {topic} measurements in run {n} covered site {i} in detail." for i in range(6))
    return (
        f"Study {n} finds a surprise in {topic} data\n\n"
        f"A team at the {place} led by {role} {name} reports a new pattern in {topic} records.\n\n"
        f"{filler}\n\n"
        f'{name} explained: "We did not expect the {topic} signal to be this clear in study {n}."\n\n'
        f"{filler}\n\n"
        f"Reference: {name.split()[1]}, {name[0]}. et al. A {topic} pattern number {n}. "
        f"Nature {n % 900 + 1}, {n % 90 + 1}-{n % 90 + 9} (2024).\n\n"
        "Continue reading\n"
    )


def wxr_export(count):
    items = []
    for n in range(count):
        topic = FIELDS[n % len(FIELDS)]
        items.append(
            f"<item><title>Post {n} about {topic}</title><link>https://bench.example.org/p/{n}/</link>"
            f"<dc:creator><![CDATA[writer{n % 5}]]></dc:creator>"
            f"<content:encoded><![CDATA[<!-- wp:paragraph --><p>First paragraph of post {n}.</p><!-- /wp:paragraph -->\n\n"
            f'[caption id="a{n}" width="300"]<img src="https://bench.example.org/{n}.jpg" alt="Picture {n}" /> '
            f"Caption {n}[/caption]\n\nA classic paragraph about {topic}.]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[Post {n} in short.]]></excerpt:encoded>"
            f"<wp:post_id>{n + 1}</wp:post_id><wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt>"
            f"<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="{topic}"><![CDATA[{topic.title()}]]></category>'
            f'<category domain="post_tag" nicename="{topic}-tag"><![CDATA[{topic} tag]]></category>'
            f'<category domain="post_tag" nicename="science"><![CDATA[science]]></category></item>'
        )
    authors = "".join(
        f"<wp:author><wp:author_login>writer{i}</wp:author_login>"
        f"<wp:author_display_name>Writer {i}</wp:author_display_name></wp:author>"
        for i in range(5)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>'
        f"<link>https://bench.example.org</link>{authors}\n" + "\n".join(items) + "\n</channel></rss>\n"
    )


def timed(label, paths):
    started = time.perf_counter()
    report = import_paths(paths)
    seconds = time.perf_counter() - started
    created = sum(counter["created"] for counter in report.counts.values())
    assert not report.errors, report.errors[:3]
    sys.stdout.write(
        f"{label:<11} {created:>6} articles in {seconds:6.2f} s = {created / seconds:7.0f} articles/s\n"
    )


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        database = settings.DATABASES["default"]
        test = database.setdefault("TEST", {})
        if database["ENGINE"].endswith("sqlite3"):
            test["NAME"] = str(folder / "bench.sqlite3")  # on disk, as in use
        else:
            test["NAME"] = f"bench_{database['NAME']}"  # never the test suite's own database
        settings.MEDIA_ROOT = folder / "media"
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            stories = folder / "text"
            stories.mkdir()
            for n in range(count):
                (stories / f"story-{n:05}.txt").write_text(text_story(n))
            (folder / "bench.wordpress.xml").write_text(wxr_export(count))
            sys.stdout.write(f"{connection.vendor}, N = {count}\n")
            timed("plain text", [str(stories)])
            timed("WXR", [str(folder / "bench.wordpress.xml")])
            assert Article.objects.count() == 2 * count
        finally:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
