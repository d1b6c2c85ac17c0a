"""How long storing a hero image takes, and what the renditions weigh, for a phone-sized and a camera-sized photo.

    DEBUG=1 .venv/bin/python bench/images.py

Works in a throwaway MEDIA_ROOT; prints figures, asserts nothing. Wall times move with the machine's load; the
CPU time of making the renditions is the steadier figure.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from articles import images  # noqa: E402
from articles.models import Article  # noqa: E402


def photo(width, height):
    """A gradient with shapes: compresses like a photo more than flat colour does."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 7919) % width, (i * 104729) % height
        draw.ellipse((x, y, x + width // 8, y + height // 8), fill=(i * 6 % 255, 90, 200 - i * 4))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main():
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        default_storage.__dict__.pop("base_location", None)
        default_storage.__dict__.pop("location", None)
        print(
            f"{'source':>12} {'upload':>9} {'inspect':>8} {'store':>7} {'renditions (CPU)':>17} {'again':>7}  sizes"
        )
        for width, height in [(1600, 1200), (4032, 3024), (6000, 4000)]:
            data = photo(width, height)
            upload = SimpleUploadedFile("bench.jpg", data)
            started = time.perf_counter()
            images.inspect_image(upload)
            inspected = time.perf_counter()
            article = Article()  # never saved: only its image field is exercised
            article.hero_image.save("bench.jpg", SimpleUploadedFile("bench.jpg", data), save=False)
            stored, cpu = time.perf_counter(), time.process_time()
            images.sync_hero_renditions(article)
            rendered, cpu = time.perf_counter(), time.process_time() - cpu
            record = article.hero_renditions
            article.hero_renditions = {**record, "version": -1}  # stale record: every file already exists
            images.sync_hero_renditions(article)
            again = time.perf_counter()
            sizes = ", ".join(
                f"{e['width']}w {default_storage.size(e['webp']) // 1024}/{default_storage.size(e['jpg']) // 1024} KB"
                for e in record["hero"]
            )
            print(
                f"{width}×{height:<5} {len(data) // 1024:>6} KB {inspected - started:>7.2f}s "
                f"{stored - inspected:>6.2f}s {rendered - stored:>8.2f}s ({cpu:.2f}s) {again - rendered:>6.2f}s  "
                f"WebP/JPEG: {sizes}"
            )


if __name__ == "__main__":
    main()
