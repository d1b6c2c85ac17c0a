"""Pictures for the demo stories, drawn with Pillow when the demo loads: no image files to ship or download.

Each is abstract (cells, a planet, a river...) and drawn from a fixed seed, so loading the demo twice makes the
same bytes and the stored files are reused.
"""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

LANDSCAPE = (1280, 800)
PORTRAIT = (800, 1100)


def _jpeg(image):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _gradient(size, top, bottom):
    height = size[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize(size)


def _blobs(image, rng, count, colours, radius, blur):
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = image.size
    for _ in range(count):
        x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(*radius)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(colours))
    image.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur)))


def cells(rng):
    image = _gradient(LANDSCAPE, (6, 22, 40), (3, 40, 48)).convert("RGBA")
    _blobs(image, rng, 60, [(40, 200, 140, 120), (20, 140, 160, 110)], (20, 70), 14)
    _blobs(image, rng, 25, [(120, 255, 170, 200), (200, 255, 120, 180)], (10, 28), 3)
    return image


def planet(rng):
    image = _gradient(LANDSCAPE, (4, 4, 16), (18, 10, 30)).convert("RGBA")
    draw = ImageDraw.Draw(image)
    for _ in range(260):
        x, y = rng.uniform(0, LANDSCAPE[0]), rng.uniform(0, LANDSCAPE[1])
        shade = rng.randint(120, 255)
        draw.point((x, y), fill=(shade, shade, shade, 255))
    haze = Image.new("RGBA", LANDSCAPE, (0, 0, 0, 0))
    ImageDraw.Draw(haze).ellipse((660, 170, 1160, 670), fill=(230, 140, 60, 150))
    image.alpha_composite(haze.filter(ImageFilter.GaussianBlur(30)))
    disc = Image.new("RGBA", LANDSCAPE, (0, 0, 0, 0))
    ImageDraw.Draw(disc).ellipse((690, 200, 1130, 640), fill=(120, 60, 36, 255))
    image.alpha_composite(disc)
    _blobs(image, rng, 12, [(90, 44, 28, 160), (160, 90, 50, 120)], (30, 90), 20)
    return image


def river(rng):
    image = _gradient(LANDSCAPE, (150, 190, 205), (30, 80, 110)).convert("RGBA")
    draw = ImageDraw.Draw(image)
    for band in range(14):
        y0 = 260 + band * 38
        points = [(x, y0 + 18 * math.sin(x / 140 + band)) for x in range(0, LANDSCAPE[0] + 40, 40)]
        draw.line(points, fill=(220, 240, 250, 90), width=3)
    _blobs(image, rng, 70, [(255, 90, 120, 220), (255, 200, 60, 220), (90, 220, 255, 200)], (3, 7), 1)
    return image


def microbes(rng):
    image = _gradient(LANDSCAPE, (40, 10, 40), (80, 20, 60)).convert("RGBA")
    _blobs(image, rng, 90, [(240, 120, 200, 150), (160, 90, 240, 140)], (8, 30), 4)
    return image


def mirror(rng):
    image = _gradient(LANDSCAPE, (10, 14, 24), (30, 36, 50)).convert("RGBA")
    draw = ImageDraw.Draw(image)
    size = 70
    for row in range(-1, 10):
        for col in range(-1, 14):
            cx = col * size * 1.5 + 120
            cy = row * size * math.sqrt(3) + (col % 2) * size * math.sqrt(3) / 2 + 40
            gold = rng.randint(150, 230)
            hexagon = [(cx + size * 0.92 * math.cos(a), cy + size * 0.92 * math.sin(a)) for a in
                       (k * math.pi / 3 for k in range(6))]  # fmt: skip
            draw.polygon(hexagon, fill=(gold, round(gold * 0.78), 60, 255))
    return image


def forest(rng):
    image = _gradient(PORTRAIT, (200, 225, 200), (20, 60, 40)).convert("RGBA")
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x = rng.uniform(0, PORTRAIT[0])
        width = rng.uniform(14, 46)
        shade = rng.randint(30, 70)
        draw.rectangle((x, 0, x + width, PORTRAIT[1]), fill=(shade, shade - 10, shade - 20, 230))
    _blobs(image, rng, 40, [(60, 120, 60, 120), (120, 170, 90, 110)], (40, 120), 25)
    return image


def waves(rng):
    width, height = LANDSCAPE
    small = Image.new("RGB", (width // 4, height // 4))
    sources = [(rng.uniform(0, width / 4), rng.uniform(0, height / 4)) for _ in range(2)]
    pixels = small.load()
    for y in range(small.height):
        for x in range(small.width):
            value = sum(math.sin(math.hypot(x - sx, y - sy) / 2.2) for sx, sy in sources)
            level = (value + 2) / 4
            pixels[x, y] = (round(20 + 60 * level), round(30 + 150 * level), round(90 + 150 * level))
    return small.resize(LANDSCAPE, Image.Resampling.BICUBIC).convert("RGBA")


def portrait(background, face):
    """A head-and-shoulders silhouette for an author photo."""
    image = Image.new("RGB", (240, 240), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 40, 170, 150), fill=face)
    draw.ellipse((30, 150, 210, 330), fill=face)
    return image


DRAWINGS = {
    "cells": cells,
    "planet": planet,
    "river": river,
    "microbes": microbes,
    "mirror": mirror,
    "forest": forest,
    "waves": waves,
}


def hero_jpeg(kind):
    """The JPEG bytes of the demo picture `kind` (a key of DRAWINGS)."""
    return _jpeg(DRAWINGS[kind](random.Random(kind)))


def portrait_jpeg(background, face):
    return _jpeg(portrait(background, face))
