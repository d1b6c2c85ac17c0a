"""Shared parts of the benchmark and fault scripts: the environment, the story generator, gunicorn and wrk."""

import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable


def setup_django(redis_url=None):
    """Production settings against the benchmark database; returns the environment gunicorn should get too."""
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nr_production"),
        "REDIS_URL": redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "CACHE_KEY_PREFIX": "bench",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return env


WORDS = [
    "cells", "tumour", "protein", "signal", "researchers", "found", "study", "patients", "trial", "gene",
    "mutation", "climate", "ocean", "ice", "sheet", "telescope", "galaxy", "planet", "orbit", "dark",
    "matter", "neurons", "memory", "sleep", "brain", "vaccine", "antibody", "immune", "response", "sample",
    "data", "model", "evidence", "effect", "increase", "decrease", "species", "habitat", "carbon",
    "warming", "sediment", "fossil", "laboratory", "analysis", "results", "suggest", "team", "university",
    "institute", "published", "journal", "peer", "reviewed",
]  # fmt: skip


def paragraph(rng, words=70):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return f"<p>{text[0].upper()}{text[1:]}.</p>"


def seed(stories, rng_seed=2026):
    """N published stories shaped like the desk's: 3 authors, 5 tags, 2 quotes and 1 citation each, by bulk insert.

    Re-running with the same N keeps the data; another N replaces it.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Author, Byline, Citation, Quote, Section, Speaker, Status

    if (
        Article.objects.filter(external_id__startswith="bench:").count() == stories
        and Article.objects.count() == stories
    ):
        return False
    rng = random.Random(rng_seed)
    with transaction.atomic():
        tables = [
            model._meta.db_table
            for model in (TaggedItem, Tag, Byline, Quote, Citation, Article, Author, Speaker, Section)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        sections = Section.objects.bulk_create(
            Section(name=name, slug=name.lower())
            for name in ["Health", "Space", "Environment", "Physics", "Life"]
        )
        authors = Author.objects.bulk_create(
            Author(name=f"Author {i}", slug=f"author-{i}", role="Science correspondent") for i in range(40)
        )
        speakers = Speaker.objects.bulk_create(
            Speaker(
                name=f"Speaker {i}", slug=f"speaker-{i}", normalised_name=f"speaker {i}", role="researcher"
            )
            for i in range(300)
        )
        tags = Tag.objects.bulk_create(Tag(name=f"bench tag {i}", slug=f"bench-tag-{i}") for i in range(200))
        now = timezone.now()
        body = "".join(paragraph(rng) for _ in range(8))
        articles = Article.objects.bulk_create(
            (
                Article(
                    headline=f"Story {i}: {' '.join(rng.choice(WORDS) for _ in range(8))}",
                    slug=f"bench-story-{i}",
                    standfirst=" ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + ".",
                    body=body,
                    section=rng.choice(sections),
                    status=Status.PUBLISHED,
                    published_at=now - timedelta(minutes=10 + i * 37),
                    external_id=f"bench:{i}",
                )
                for i in range(stories)
            ),
            batch_size=2000,
        )
        Byline.objects.bulk_create(
            (
                Byline(article=article, author=author, position=position)
                for article in articles
                for position, author in enumerate(rng.sample(authors, 3))
            ),
            batch_size=5000,
        )
        Quote.objects.bulk_create(
            (
                Quote(
                    article=article, position=p, text=paragraph(rng, 25)[3:-4], speaker=rng.choice(speakers)
                )
                for article in articles
                for p in range(2)
            ),
            batch_size=5000,
        )
        Citation.objects.bulk_create(
            (
                Citation(
                    article=article,
                    authors=["Ganesh, K.", "Basnet, H."],
                    et_al=True,
                    title="A study of " + " ".join(rng.choice(WORDS) for _ in range(8)),
                    journal="Nature",
                    volume=str(rng.randint(1, 600)),
                    first_page=str(rng.randint(1, 900)),
                    year=rng.randint(2000, 2026),
                    doi=f"10.1038/bench-{article.pk}",
                )
                for article in articles
            ),
            batch_size=5000,
        )
        article_type = ContentType.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            (
                TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
                for article in articles
                for tag in rng.sample(tags, 5)
            ),
            batch_size=10000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return True


class Gunicorn:
    """A gunicorn started from the repository's gunicorn.conf.py, in its own process group."""

    def __init__(self, env, port, workers=2, log_name="gunicorn", **extra_env):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = OUT / f"{log_name}.log"
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(workers),
                # No recycling while measuring: worker CPU and memory must belong to the same processes throughout.
                "GUNICORN_MAX_REQUESTS": "0",
                **extra_env,
            },
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # serving, though something it depends on is down (the fault runs want exactly that)
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {self.log_path}")

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def rss_mb(self):
        """Resident memory of each worker, in MB."""
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes

    def cpu_seconds(self):
        """CPU time the workers have used so far (user + system)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, duration, connections, threads=1, script=None, timeout=10):
    """Run wrk; returns requests/s, p50/p99/max latency (ms), non-2xx/3xx count and socket errors."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "--latency",
    ]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(label):
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "max": float(maximum.group(1)) * UNITS[maximum.group(2)] if maximum else float("nan"),
        "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
        "socket_errors": sum(int(n) for n in errors.groups()[:3]) if errors else 0,
    }


def write_path_script(paths, name):
    """A wrk script that walks round-robin through several paths, for a mixed load."""
    quoted = ", ".join(f'"{path}"' for path in paths)
    script = OUT / f"{name}.lua"
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\n"
        "end\n"
    )
    return script
