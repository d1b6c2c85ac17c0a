"""Background work, through Django's tasks framework (the django-tasks-db database backend by default; the worker
is ``manage.py db_worker``, started by ``dev.py run``)."""

from django.apps import apps
from django.tasks import task

from .images import make_hero_record


@task()
def make_hero_renditions(article_id):
    """Make the renditions of a story's hero image and record them on the story; returns the record.

    The record is written only if the image and focal point are still those the renditions were made from, so a
    newer upload saved meanwhile is never given the old picture's renditions (its own task follows).
    """
    # By name: the models queue this task, so importing them here would make an import cycle.
    Article = apps.get_model("articles", "Article")
    article = (
        Article.objects.filter(pk=article_id)
        .only("hero_image", "hero_focal_x", "hero_focal_y", "hero_renditions")
        .first()
    )
    if article is None or not article.hero_image:
        return {}
    record = make_hero_record(article)
    Article.objects.filter(
        pk=article_id,
        hero_image=article.hero_image.name,
        hero_focal_x=article.hero_focal_x,
        hero_focal_y=article.hero_focal_y,
    ).update(hero_renditions=record)
    return record
