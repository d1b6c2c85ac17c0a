import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.json_file import dump_articles
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Write stories as JSON in the schema import_articles reads (see README, “Importing”). With --output, "
        "hero images are copied beside the file under images/ and referenced by that relative path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here instead of standard output.")
        parser.add_argument("--status", action="append", default=[], help="Only stories with this status.")

    def handle(self, *args, **options):
        articles = Article.objects.all()
        if options["status"]:
            articles = articles.filter(status__in=options["status"])
        output = Path(options["output"]) if options["output"] else None
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such folder")
        data = dump_articles(articles, image_dir=output.parent if output else None)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            if options["verbosity"] >= 1:
                self.stderr.write(f"{len(data)} stories written to {output}")
