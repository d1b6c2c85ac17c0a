from django.core.management.base import BaseCommand

from articles.images import refresh_renditions
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Make the hero image renditions stories are missing (after a bulk import, a database restore or a "
        "change of sizes). Saving a story in the admin does this by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Remake every story's record, not only out-of-date ones."
        )

    def handle(self, *args, rebuild=False, verbosity=1, **options):
        changed, failed = refresh_renditions(Article.objects.all(), rebuild=rebuild)
        for article in failed:
            self.stderr.write(f"No renditions for “{article}” (id {article.pk}): {article.hero_image.name}")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Renditions brought up to date for {changed} stories."))
