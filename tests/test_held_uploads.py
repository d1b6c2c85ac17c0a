"""A hero image chosen on a page that comes back with an error is kept, said to be kept, and saved next time."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from articles.models import Article

from .admin_client import read_form
from .image_files import encode, two_tone, upload
from .test_images import add_story

pytestmark = pytest.mark.django_db


def held_files():
    root = Path(default_storage.path("held-uploads"))
    return [path.name for path in root.rglob("*") if path.is_file()]


def test_image_survives_an_error_elsewhere_and_is_saved_with_the_next_try(
    admin_client, django_capture_on_commit_callbacks
):
    image = encode(two_tone(), "PNG")
    response = add_story(admin_client, hero_image=upload("whale.png", image, "image/png"), headline="")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"Kept from your last try, not saved yet: <strong>whale.png</strong>", html)

    data = read_form(response)  # what the browser sends back: the token, and no file
    assert data["hero_image_held"]
    data["headline"] = "Whales sing in regional dialects"
    assert held_files() == ["whale.png"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.hero_image.name.startswith("heroes/") and article.hero_image.name.endswith("whale.png")
    assert article.hero_renditions["hero"]
    assert held_files() == []  # the copy kept aside is gone once the story has it


def test_a_forged_token_keeps_nothing(admin_client):
    data = read_form(admin_client.get(reverse("admin:articles_article_add")))
    data |= {"headline": "Forged", "slug": "forged", "hero_image_held": "held-uploads/x/passwd"}
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    assert not Article.objects.get().hero_image
