"""Hero image renditions are made by a background task through the database queue, never during the save: the
story is public at once with its original image, and gets its <picture> once the worker has run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.models import DBTaskResult

from articles.models import Article

from .factories import full_story
from .image_files import landscape_jpeg, upload

# The worker closes its database connection between tasks, as a long-running process should: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def use_task_settings():
    # Django re-reads CACHES and DATABASES when a test changes them, but not TASKS: drop what was read.
    del task_backends.settings
    for backend in task_backends.all(initialized_only=True):
        del task_backends[backend.alias]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    use_task_settings()
    yield
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    use_task_settings()


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())


def test_save_queues_the_renditions_and_pages_show_the_original_meanwhile(client, database_queue):
    article = full_story(headline="Whales at dawn")
    article.hero_image = upload("whale.jpg", landscape_jpeg())
    article.hero_alt = "A whale"
    article.save()

    assert article.hero_renditions == {}
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "articles.tasks.make_hero_renditions"
    assert queued.args_kwargs["args"] == [article.pk]
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<img src="{article.hero_image.url}" alt="A whale">' in page
    assert "<picture" not in page

    run_worker()

    record = Article.objects.get(pk=article.pk).hero_renditions
    assert record["source"] == article.hero_image.name and record["hero"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<picture" in page and record["hero"][0]["webp"] in page


def test_a_newer_upload_is_never_given_the_older_renditions(database_queue):
    article = full_story()
    article.hero_image = upload("first.jpg", landscape_jpeg())
    article.save()
    article.hero_image = upload("second.jpg", landscape_jpeg(size=(1200, 800)))
    article.save()

    run_worker()

    article.refresh_from_db()
    assert article.hero_renditions["source"] == article.hero_image.name
    assert (article.hero_renditions["width"], article.hero_renditions["height"]) == (1200, 800)
