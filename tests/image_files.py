"""Real image files for tests, made with Pillow (and, for the hostile ones, by hand) in memory."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

RED, BLUE, GREY = (220, 20, 20), (20, 20, 220), (128, 128, 128)
GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def two_tone(size=(200, 100)):
    """Left half red, right half blue: after a rotation you can tell which way it went."""
    width, height = size
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def camera_exif(orientation=6):
    """What a phone writes: orientation 6 (turn 90° clockwise to view), GPS position, make, artist, copyright."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Model] = "Serial-0042"
    exif[ExifTags.Base.Artist] = "Jane Photographer"
    exif[ExifTags.Base.Copyright] = "CC BY 4.0"
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def phone_photo(fmt="PNG", size=(200, 100)):
    return encode(two_tone(size), fmt, exif=camera_exif())


def landscape_jpeg(size=(2000, 1000)):
    return encode(two_tone(size), "JPEG", quality=85)


def marked_panorama(size=(1200, 400), mark_x=(1050, 1150)):
    """A grey panorama with a red block near the right edge, where a focal point should keep the crop."""
    image = Image.new("RGB", size, GREY)
    image.paste(RED, (mark_x[0], 150, mark_x[1], 250))
    return encode(image, "PNG")


def noise_png(size=(200, 200)):
    """Incompressible pixels: a PNG whose file size grows with its area."""
    return encode(Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)), "PNG")


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb_png(width=100_000, height=100_000):
    """A valid PNG header claiming 10 gigapixels, with a few rows of zeros: a few hundred bytes on disk."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")
    )


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
