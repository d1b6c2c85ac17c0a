"""Uploaded images: checked by decoding them, stored clean, and served as renditions made once.

Three stages, each usable on its own:

- ``inspect_image`` decodes an upload under size and pixel limits and says, in an editor's words, why a file is
  refused (not an image, a type we do not serve, too big, a decompression bomb, damaged).
- ``CleanImageField`` stores every new file clean: re-encoded with EXIF orientation applied and location, camera
  and other metadata dropped (only Artist and Copyright survive) when it carries anything to remove, byte for byte
  when it does not; the extension always matches the real type.
- ``sync_hero_renditions`` makes the responsive widths (WebP and JPEG) and the focal-point teaser crop once, under
  names derived from the source and the crop, and records them on the article so pages render them without
  touching storage or the database.
"""

import hashlib
import io
import logging
import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# MPO is how Pillow names a phone's JPEG that carries a second picture (depth map, preview): stored as JPEG.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What a file may carry and still be stored byte for byte: encoding facts, colour, and our own EXIF.
HARMLESS_INFO = {
    "dpi", "jfif", "jfif_density", "jfif_unit", "jfif_version", "progressive", "progression", "adobe",
    "adobe_transform", "icc_profile", "exif", "gamma", "srgb", "chromaticity", "transparency", "aspect",
    "background", "loop", "duration", "timestamp",
}  # fmt: skip
HARMLESS_JPEG_SEGMENTS = {
    "APP0": b"JFIF\x00",
    "APP1": b"Exif\x00\x00",
    "APP2": b"ICC_PROFILE\x00",
    "APP14": b"Adobe",
}
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
# The ISO box header that starts HEIC/HEIF files, which Pillow cannot read without a plugin.
HEIF_BRANDS = {b"ftyp" + brand for brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")}
# Credit survives re-encoding; GPS, camera serials, thumbnails and maker notes do not.
KEPT_EXIF_TAGS = (ExifTags.Base.Artist, ExifTags.Base.Copyright)

# 1200: the width link previews ask for (Open Graph, Twitter cards).
HERO_WIDTHS = (480, 960, 1200, 1600)
# 960: the front page's lead story shows its crop across most of a desktop screen.
TEASER_WIDTHS = (320, 640, 960)
TEASER_ASPECT = (3, 2)
# Bump when the rendition recipe changes, so stored renditions are remade rather than reused.
RENDITION_VERSION = 2
WEBP_QUALITY = 80
JPEG_QUALITY = 82


def max_upload_bytes():
    return settings.IMAGE_MAX_UPLOAD_BYTES


def max_pixels():
    # Never above Pillow's own bomb threshold: past it Pillow only warns, and warnings are not a guard.
    return min(settings.IMAGE_MAX_PIXELS, Image.MAX_IMAGE_PIXELS)


def inspect_image(file, name=None):
    """Decode `file` completely and return the Pillow image, or raise ValidationError naming file and reason.

    The header is read first, so a bomb (a small file claiming a huge canvas) is refused before any pixels are
    decoded: by Pillow itself past twice its MAX_IMAGE_PIXELS, by our pixel limit below that.
    """
    name = name or getattr(file, "name", None) or "The file"
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            f"{name} is {filesizeformat(size)}; images may be at most {filesizeformat(max_upload_bytes())}.",
            code="file_too_large",
        )
    file.seek(0)
    try:
        image = Image.open(file)
        image_format = image.format
        width, height = image.size
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError(
                f"{name} is a {image_format} image; upload a JPEG, PNG, WebP or GIF.", code="image_type"
            )
        if width * height > max_pixels():
            raise ValidationError(
                f"{name} is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); "
                f"the limit is {max_pixels() / 1e6:.3g} megapixels.",
                code="too_many_pixels",
            )
        image.load()
    except UnidentifiedImageError:
        file.seek(4)
        if file.read(8) in HEIF_BRANDS:
            raise ValidationError(
                f"{name} is a HEIC/HEIF photo (an iPhone's default); export or share it as JPEG and upload that.",
                code="image_type",
            ) from None
        raise ValidationError(
            f"{name} is not an image: its contents are not JPEG, PNG, WebP or GIF, whatever its name says.",
            code="not_an_image",
        ) from None
    except Image.DecompressionBombError:
        raise ValidationError(
            f"{name} claims a canvas too large to decode safely (a decompression bomb); it was refused.",
            code="decompression_bomb",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(f"{name} is damaged or cut short ({error}).", code="damaged_image") from None
    return image


def kept_exif(image):
    """The EXIF we keep from an image: credit only."""
    exif = Image.Exif()
    source = image.getexif()
    for tag in KEPT_EXIF_TAGS:
        if tag in source:
            exif[tag] = source[tag]
    return exif


def _ends_cleanly(image, data):
    """Nothing hides after the picture (a file that is also a ZIP or HTML page is rewritten, not kept)."""
    if image.format == "JPEG":
        return data.endswith(b"\xff\xd9")
    if image.format == "PNG":
        return data.endswith(PNG_END)
    return image.format == "WEBP" and int.from_bytes(data[4:8], "little") + 8 == len(data)


def already_clean(image, data):
    """Whether `data` is already what we would store, so it is kept as it is: no quality lost to re-encoding,
    and storing a stored file again changes nothing."""
    if image.format not in ("JPEG", "PNG", "WEBP") or getattr(image, "n_frames", 1) > 1:
        return False
    if set(image.info) - HARMLESS_INFO:
        return False
    exif = image.info.get("exif")
    if exif and exif.removeprefix(b"Exif\x00\x00") != kept_exif(image).tobytes().removeprefix(
        b"Exif\x00\x00"
    ):
        return False
    if image.format == "JPEG" and any(
        not content.startswith(HARMLESS_JPEG_SEGMENTS.get(marker, b"\x00unknown"))
        for marker, content in image.applist
    ):
        return False
    return _ends_cleanly(image, data)


def clean_copy(image, data):
    """The bytes to store for an upload and their extension: orientation applied, metadata reduced to credit.

    A file that is already clean is returned unchanged, so cleaning is idempotent.
    """
    if already_clean(image, data):
        return data, ALLOWED_FORMATS[image.format]
    exif = kept_exif(image)
    icc_profile = image.info.get("icc_profile")
    image_format = "JPEG" if image.format == "MPO" else image.format
    # Only the first frame is kept: every page shows a still, and frames multiply the decoding cost.
    image.seek(0)
    upright = ImageOps.exif_transpose(image)
    # Nothing from the source's metadata is carried over implicitly; transparency is pixels, not metadata.
    upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if len(exif):
        options["exif"] = exif.tobytes()
    if image_format == "JPEG":
        options.update(quality=90, optimize=True)
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
    elif image_format == "WEBP":
        options.update(quality=90)
    elif image_format == "GIF":
        options.pop("exif", None)
    buffer = io.BytesIO()
    upright.save(buffer, format=image_format, **options)
    return buffer.getvalue(), ALLOWED_FORMATS[image_format]


def clean_upload(file, name):
    """Inspect an upload and return (bytes to store, extension), or raise ValidationError naming the problem."""
    image = inspect_image(file, name)
    file.seek(0)
    return clean_copy(image, file.read())


def stored_form(data, name):
    """The bytes CleanImageField stores for a file holding `data`: the same bytes for the same picture, every
    time, so an importer can tell whether a stored image already is the one it has."""
    return clean_upload(ContentFile(data), name)[0]


class CleanImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Every new file goes through inspection and re-encoding, whichever code path assigns it."""
        data, extension = clean_upload(content, posixpath.basename(name))
        stem = posixpath.splitext(name)[0]
        super().save(f"{stem}.{extension}", ContentFile(data), save=save)


class UploadedImageFormField(forms.ImageField):
    """The admin's upload field: refuses with the reason from inspect_image, not Django's generic message."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        inspect_image(upload, upload.name)
        upload.seek(0)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ACCEPT
        return attrs


class CleanImageField(models.ImageField):
    """An ImageField whose files are validated by decoding and stored without location data."""

    attr_class = CleanImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UploadedImageFormField, **kwargs})


# Renditions ---------------------------------------------------------------------------------------------------


def _digest(*parts):
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:10]


def teaser_box(width, height, focal_x, focal_y):
    """The largest TEASER_ASPECT box in the image that keeps the focal point (percentages) as central as it can."""
    aspect_w, aspect_h = TEASER_ASPECT
    crop_w = min(width, height * aspect_w // aspect_h)
    crop_h = min(height, width * aspect_h // aspect_w)
    left = round(width * focal_x / 100 - crop_w / 2)
    top = round(height * focal_y / 100 - crop_h / 2)
    left = max(0, min(left, width - crop_w))
    top = max(0, min(top, height - crop_h))
    return (left, top, left + crop_w, top + crop_h)


def _renderable(image):
    """The image as RGB, or RGBA when it has transparency: palette and 1-bit images only resample to nearest."""
    if image.mode.startswith("I"):
        # 16-bit greys: scale to 8 bits rather than let the conversion clip them to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _encode(image, fmt):
    buffer = io.BytesIO()
    if fmt == "WEBP":
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    else:
        if image.mode == "RGBA":
            # Transparent areas on white, as the page behind them would show.
            image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue())


def _write_widths(storage, source, box, widths, folder, kind):
    """Save one WebP and one JPEG per width (never wider than the source box); reuse files already stored."""
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    targets = sorted({min(width, box_w) for width in widths})
    written = []
    for width in targets:
        height = max(1, round(box_h * width / box_w))
        entry = {"width": width, "height": height}
        resized = None
        for fmt, extension in (("WEBP", "webp"), ("JPEG", "jpg")):
            name = f"{folder}/{kind}-{width}.{extension}"
            if not storage.exists(name):
                if resized is None:
                    # reducing_gap: a fast integer shrink first, then Lanczos for the last factor of three; same look.
                    resized = source.resize(
                        (width, height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0
                    )
                name = storage.save(name, _encode(resized, fmt))
            entry[extension] = name
        written.append(entry)
    return written


def build_renditions(field_file, focal_x, focal_y):
    """Make (or find) every rendition of a stored image; return the record kept on the article."""
    storage = field_file.storage
    with storage.open(field_file.name, "rb") as stored:
        source = _renderable(inspect_image(stored, field_file.name))
    width, height = source.size
    stem = posixpath.splitext(field_file.name)[0]
    crop = teaser_box(width, height, focal_x, focal_y)
    hero_folder = f"renditions/{stem}/{_digest(field_file.name, RENDITION_VERSION)}"
    teaser_folder = f"renditions/{stem}/{_digest(field_file.name, crop, RENDITION_VERSION)}"
    return {
        "source": field_file.name,
        "focal": [focal_x, focal_y],
        "version": RENDITION_VERSION,
        "width": width,
        "height": height,
        "hero": _write_widths(storage, source, (0, 0, width, height), HERO_WIDTHS, hero_folder, "hero"),
        "teaser": _write_widths(storage, source, crop, TEASER_WIDTHS, teaser_folder, "teaser"),
    }


def sync_hero_renditions(article, update_fields=None):
    """Store a newly uploaded hero image and bring `article.hero_renditions` up to date with it and its focal point.

    Called from Article.save before the row is written, so the record and the image are saved together; a save
    limited to other fields (update_fields) would not write the record, so it is left alone.
    """
    if update_fields is not None and "hero_renditions" not in update_fields:
        return
    field_file = article.hero_image
    if not field_file:
        article.hero_renditions = {}
        return
    if not field_file._committed:
        field_file.save(field_file.name, field_file.file, save=False)
    record = article.hero_renditions or {}
    current = (
        record.get("source") == field_file.name
        and record.get("focal") == [article.hero_focal_x, article.hero_focal_y]
        and record.get("version") == RENDITION_VERSION
    )
    if current:
        return
    try:
        article.hero_renditions = build_renditions(field_file, article.hero_focal_x, article.hero_focal_y)
    except (OSError, ValidationError) as error:
        # A name set by hand or a file lost from storage must not block saving the story's words; the page
        # falls back to the plain file, and the next save tries again.
        logger.warning("No renditions for article %s: %s", article.pk, error)
        article.hero_renditions = {}


@dataclass(frozen=True)
class Picture:
    """What a <picture> element needs, read from a rendition record with no storage or database access."""

    webp_srcset: str
    jpeg_srcset: str
    fallback_url: str
    width: int
    height: int

    @classmethod
    def from_record(cls, storage, entries):
        if not entries:
            return None
        largest = entries[-1]
        return cls(
            webp_srcset=", ".join(f"{storage.url(e['webp'])} {e['width']}w" for e in entries),
            jpeg_srcset=", ".join(f"{storage.url(e['jpg'])} {e['width']}w" for e in entries),
            fallback_url=storage.url(largest["jpg"]),
            width=largest["width"],
            height=largest["height"],
        )


class _ImageAltCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.missing = 0

    def handle_starttag(self, tag, attrs):
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.missing += 1


def images_without_alt(html):
    """How many <img> elements in `html` have no (or blank) alt text."""
    if not html or "<img" not in html:
        return 0
    counter = _ImageAltCounter()
    counter.feed(html)
    counter.close()
    return counter.missing


def refresh_renditions(articles, rebuild=False):
    """Bring the rendition records of `articles` up to date; return how many changed and which failed.

    For stories whose images arrived without Article.save (a bulk import, a restored database, a new size
    recipe). Records are written with update(), so nothing else about the story changes. With `rebuild`, every
    record is made afresh; rendition files that already exist are still reused.
    """
    changed, failed = 0, []
    fields = ["pk", "hero_image", "hero_focal_x", "hero_focal_y", "hero_renditions"]
    for article in articles.exclude(hero_image="").only(*fields).iterator(chunk_size=200):
        before = {} if rebuild else article.hero_renditions
        article.hero_renditions = before
        sync_hero_renditions(article)
        if not article.hero_renditions:
            failed.append(article)
        elif article.hero_renditions != before:
            type(article).objects.filter(pk=article.pk).update(hero_renditions=article.hero_renditions)
            changed += 1
    return changed, failed
