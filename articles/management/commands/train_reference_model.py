"""Rebuild the reference parser's CRF model from the training data shipped beside it."""

from django.core.management.base import BaseCommand

from articles.extraction import reference_crf
from articles.extraction.references import prepare_for_training


class Command(BaseCommand):
    help = (
        "Retrain the reference parser (articles/extraction/reference_model/references.crfsuite) from "
        "training.jsonl beside it, and write manifest.json. The same data always gives the same file."
    )

    def handle(self, *args, **options):
        manifest = reference_crf.build(prepare_for_training)
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained on {manifest['sequences']} references: {reference_crf.MODEL_PATH} "
                f"(sha256 {manifest['model_sha256'][:12]}…)"
            )
        )
