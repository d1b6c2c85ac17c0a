"""Helpers shared by the import tests: run the commands as staff would, and count every row an import touches."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Byline, Citation, Quote, Section, Speaker

FIXTURES = Path(__file__).parent / "fixtures" / "import"
# Real-world inputs from other projects (sources and licences in its README.md), and the brief's seed story.
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
SEED_STORY = Path(__file__).parent / "fixtures" / "samples" / "metastasis-origins.txt"
MODELS = [Article, Author, Byline, Citation, Quote, Section, Speaker, Tag, TaggedItem]


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


class Run:
    """The outcome of one ``import_articles`` run: its output, its error lines and whether it failed."""

    def __init__(self, *args, stdin=None):
        self.stdout, self.stderr = StringIO(), StringIO()
        self.error = None
        try:
            call_command(
                "import_articles", *map(str, args), stdout=self.stdout, stderr=self.stderr, stdin=stdin
            )
        except CommandError as error:
            self.error = error
        self.out, self.err = self.stdout.getvalue(), self.stderr.getvalue()
        self.errors = [line for line in self.err.splitlines() if line.strip()]

    @property
    def ok(self):
        return self.error is None

    def row(self, kind):
        """The summary table's numbers for one format: {created, updated, skipped, failed}."""
        for line in self.out.splitlines():
            cells = line.split()
            if cells and cells[0] == kind:
                return dict(
                    zip(["created", "updated", "skipped", "failed"], map(int, cells[1:5]), strict=True)
                )
        return None
