"""How long the story editor takes to open, for a story with 5 quotes and 3 references.

    .venv/bin/python bench/editor_open.py [runs]

Works in a throwaway SQLite database. Prints the server's render time of the change form (median of `runs`, and
its database queries), then, in headless Chromium, the time from navigation to an editable body with the checklist
filled in (median of `runs`). Prints figures, asserts nothing: they move with the machine's load.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-editor-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
        "MEDIA_ROOT": f"{WORKDIR}/media",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
)

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Author, Byline, Citation, Quote, Section, Speaker  # noqa: E402
from articles.workflow import EDITOR  # noqa: E402

WAIT_UNTIL_READY = """
const done = arguments[arguments.length - 1];
const ready = () => document.querySelector(".ProseMirror[contenteditable='true']")
  && !document.querySelector("#story-checklist-items").textContent.includes("Checking");
const check = () => (ready() ? done(performance.now()) : requestAnimationFrame(check));
check();
"""


def story():
    section = Section.objects.create(name="Health", slug="health")
    article = Article.objects.create(
        headline="Researchers discover the origins of metastasis",
        standfirst="Cancer spreads by hijacking the body's wound-healing programme.",
        body="".join(
            f"<p>Paragraph {n}: Joan Massagué and Karuna Ganesh explain the findings.</p>" for n in range(12)
        ),
        section=section,
    )
    Byline.objects.create(
        article=article, author=Author.objects.create(name="Wes Writer", slug="wes"), position=0
    )
    for n in range(5):
        speaker = Speaker.objects.create(name=f"Speaker Number{n}")
        Quote.objects.create(article=article, speaker=speaker, position=n, text=f"Quote number {n} in full.")
    for n in range(3):
        Citation.objects.create(
            article=article, position=n, title=f"Study {n}", journal="Nature Cancer", year=2020,
            doi=f"10.1038/s43018-019-000{n}-x", authors=["Ganesh, K.", "Basnet, H."],
        )  # fmt: skip
    return article


def main(runs):
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        "bench", password="x", is_staff=True, first_name="Ada", last_name="Editor"
    )
    user.groups.add(Group.objects.get(name=EDITOR))
    article = story()
    url = f"/admin/articles/article/{article.pk}/change/"
    client = Client()
    client.force_login(user)
    client.get(url)  # templates compiled, caches warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"server render of the change form: median {statistics.median(times):.0f} ms over {runs}, "
          f"{len(queries)} queries")  # fmt: skip

    from selenium import webdriver

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
    try:
        base = f"http://127.0.0.1:{server.port}"
        driver.get(f"{base}/robots.txt")
        driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
        driver.get(base + url)  # static files fetched once, as an editor's browser has them cached
        opened = []
        for _ in range(runs):
            driver.get(base + url)
            opened.append(driver.execute_async_script(WAIT_UNTIL_READY))
        print(f"browser, navigation to editable body and checklist: median {statistics.median(opened):.0f} ms "
              f"over {runs} (min {min(opened):.0f}, max {max(opened):.0f})")  # fmt: skip
    finally:
        driver.get("about:blank")
        driver.quit()
        server.terminate()
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
