"""Hero images and author photos: upload rules, clean storage, renditions made once, focal crops, alt text."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import ExifTags, Image

from articles import images
from articles.models import Article, Author, Status

from .admin_client import inline_management
from .factories import ArticleFactory, AuthorFactory, BylineFactory
from .image_files import (
    BLUE,
    RED,
    decompression_bomb_png,
    encode,
    landscape_jpeg,
    marked_panorama,
    noise_png,
    phone_photo,
    two_tone,
    upload,
)
from .importing import Run

pytestmark = pytest.mark.django_db


def story_post(**fields):
    """An admin add-form submission for a draft with no inlines; `fields` override or add to it."""
    return {
        "headline": "Whales sing in regional dialects",
        "slug": "whales-dialects",
        "standfirst": "Recordings from four oceans show songs that differ like accents.",
        "body": "<p>Humpback whales in the South Pacific share songs.</p>",
        "status": Status.DRAFT,
        "hero_alt": "A humpback whale breaching beside a research boat",
        **inline_management("bylines"),
        **inline_management("quotes"),
        **inline_management("citations"),
        **inline_management("corrections"),
        **fields,
    }


def stored_files():
    """Every file under MEDIA_ROOT with its modification time in nanoseconds."""
    root = Path(default_storage.location)
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def decode(name):
    with default_storage.open(name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def add_story(admin_client, **fields):
    return admin_client.post(reverse("admin:articles_article_add"), story_post(**fields))


def form_errors(response):
    return response.context["adminform"].form.errors


class TestUploadRules:
    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
    def test_phone_photo_is_stored_upright_without_location(self, admin_client, fmt):
        data = phone_photo(fmt)
        assert b"SecretCam" in data  # the upload really carries the camera's metadata
        response = add_story(admin_client, hero_image=upload(f"whale.{fmt.lower()}", data))
        assert response.status_code == 302, form_errors(response)

        article = Article.objects.get()
        stored = decode(article.hero_image.name)
        assert stored.format == fmt
        # Orientation 6 means "turn 90° clockwise": the red left half is now on top.
        assert stored.size == (100, 200)
        assert stored.convert("RGB").getpixel((50, 30)) == pytest.approx(RED, abs=40)
        assert stored.convert("RGB").getpixel((50, 170)) == pytest.approx(BLUE, abs=40)
        exif = stored.getexif()
        assert ExifTags.Base.Orientation not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.IFD.GPSInfo not in exif
        assert exif.get(ExifTags.Base.Artist) == "Jane Photographer"
        assert exif.get(ExifTags.Base.Copyright) == "CC BY 4.0"
        with default_storage.open(article.hero_image.name, "rb") as raw:
            content = raw.read()
        assert b"SecretCam" not in content and b"Serial-0042" not in content

    def test_text_renamed_jpg_is_refused_and_nothing_saved(self, admin_client):
        fake = b"This is a press release, not a photograph.\n" * 20
        response = add_story(admin_client, hero_image=upload("whale.jpg", fake))
        assert response.status_code == 200
        message = str(form_errors(response)["hero_image"])
        assert "whale.jpg is not an image" in message
        assert not Article.objects.exists()
        assert stored_files() == {}

    def test_iphone_heic_is_named_with_what_to_do(self, admin_client):
        heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 500
        response = add_story(admin_client, hero_image=upload("IMG_0042.HEIC", heic, "image/heic"))
        assert form_errors(response)["hero_image"] == [
            "IMG_0042.HEIC is a HEIC/HEIF photo (an iPhone's default); export or share it as JPEG and upload that."
        ]
        assert not Article.objects.exists()

    def test_decompression_bomb_is_refused_before_decoding(self, admin_client):
        bomb = decompression_bomb_png()
        assert len(bomb) < 2000
        response = add_story(admin_client, hero_image=upload("tiny.png", bomb, "image/png"))
        assert "tiny.png claims a canvas too large to decode safely" in str(
            form_errors(response)["hero_image"]
        )
        assert not Article.objects.exists()
        assert stored_files() == {}

    def test_limit_never_exceeds_pillows_bomb_threshold(self, admin_client, settings):
        settings.IMAGE_MAX_PIXELS = 10**12
        # 100 megapixels: past Pillow's warning threshold (89.5 MP) but short of its hard error (179 MP).
        with pytest.warns(Image.DecompressionBombWarning):
            response = add_story(
                admin_client,
                hero_image=upload("big.png", decompression_bomb_png(10_000, 10_000), "image/png"),
            )
        message = str(form_errors(response)["hero_image"])
        assert "big.png is 10000×10000 pixels (100.0 megapixels); the limit is 89.5 megapixels." in message
        assert not Article.objects.exists()

    def test_too_many_pixels_named_with_the_limit(self, admin_client, settings):
        settings.IMAGE_MAX_PIXELS = 1_000_000
        response = add_story(
            admin_client, hero_image=upload("wide.png", encode(two_tone((1200, 1000)), "PNG"))
        )
        message = str(form_errors(response)["hero_image"])
        assert "wide.png is 1200×1000 pixels (1.2 megapixels); the limit is 1 megapixels." in message
        assert not Article.objects.exists()

    def test_oversized_file_named_with_its_size(self, admin_client, settings):
        settings.IMAGE_MAX_UPLOAD_BYTES = 50_000
        data = noise_png()
        assert len(data) > 100_000
        response = add_story(admin_client, hero_image=upload("noise.png", data, "image/png"))
        message = str(form_errors(response)["hero_image"])
        assert "noise.png is 117" in message and "images may be at most 48.8\xa0KB" in message
        assert not Article.objects.exists()

    def test_other_image_types_are_refused_by_content(self, admin_client):
        bmp = encode(two_tone(), "BMP")
        response = add_story(admin_client, hero_image=upload("chart.png", bmp, "image/png"))
        assert "chart.png is a BMP image; upload a JPEG, PNG, WebP or GIF." in str(
            form_errors(response)["hero_image"]
        )

    def test_truncated_jpeg_is_refused_as_damaged(self, admin_client):
        cut = landscape_jpeg((400, 300))[:1500]
        response = add_story(admin_client, hero_image=upload("cut.jpg", cut))
        assert "cut.jpg is damaged or cut short" in str(form_errors(response)["hero_image"])

    def test_png_named_jpg_is_stored_with_its_real_extension(self, admin_client):
        response = add_story(admin_client, hero_image=upload("chart.jpg", encode(two_tone(), "PNG")))
        assert response.status_code == 302
        name = Article.objects.get().hero_image.name
        assert name.startswith("heroes/") and name.endswith("/chart.png")
        assert decode(name).format == "PNG"

    def test_animated_gif_keeps_its_first_frame(self, admin_client):
        frames = [Image.new("P", (300, 200), index) for index in (1, 2, 3)]
        for frame in frames:
            frame.putpalette([0, 0, 0, *RED, *BLUE, 0, 200, 0] + [0] * (256 * 3 - 12))
        buffer = io.BytesIO()
        frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
        response = add_story(admin_client, hero_image=upload("spin.gif", buffer.getvalue(), "image/gif"))
        assert response.status_code == 302, form_errors(response)
        article = Article.objects.get()
        stored = decode(article.hero_image.name)
        assert (stored.format, getattr(stored, "n_frames", 1)) == ("GIF", 1)
        assert stored.convert("RGB").getpixel((5, 5)) == RED
        assert decode(article.hero_renditions["hero"][0]["jpg"]).getpixel((5, 5)) == pytest.approx(
            RED, abs=12
        )

    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
    def test_storing_a_stored_image_again_changes_nothing(self, fmt):
        once = images.stored_form(phone_photo(fmt), "a")
        assert images.stored_form(once, "a") == once

    def test_clean_jpeg_is_kept_byte_for_byte(self, admin_client):
        data = landscape_jpeg((800, 400))
        add_story(admin_client, hero_image=upload("clean.jpg", data))
        with default_storage.open(Article.objects.get().hero_image.name, "rb") as stored:
            assert stored.read() == data

    def test_jpeg_with_xmp_location_is_rewritten(self):
        xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,30.2N</exif:GPSLatitude></x:xmpmeta>'
        data = encode(two_tone((400, 200)), "JPEG", xmp=xmp)
        assert b"GPSLatitude" in data
        stored = images.stored_form(data, "x.jpg")
        assert b"GPSLatitude" not in stored
        assert Image.open(io.BytesIO(stored)).size == (400, 200)

    def test_file_that_is_also_something_else_is_rewritten(self):
        png = encode(two_tone((400, 200)), "PNG")
        stored = images.stored_form(png + b"PK\x03\x04 a zip archive hiding behind the picture", "x.png")
        assert b"PK\x03\x04" not in stored and stored.endswith(b"IEND\xaeB`\x82")
        assert images.stored_form(png, "x.png") == png

    def test_phone_jpeg_with_a_second_picture_is_taken_as_jpeg(self, admin_client):
        main, depth = two_tone((400, 300)), Image.new("RGB", (100, 75), BLUE)
        mpo = encode(main, "MPO", save_all=True, append_images=[depth])
        assert Image.open(io.BytesIO(mpo)).format == "MPO"
        response = add_story(admin_client, hero_image=upload("IMG_0001.JPG", mpo))
        assert response.status_code == 302, form_errors(response)
        stored = decode(Article.objects.get().hero_image.name)
        assert (stored.format, stored.size, getattr(stored, "n_frames", 1)) == ("JPEG", (400, 300), 1)

    def test_author_photo_gets_the_same_rules(self, admin_client):
        url = reverse("admin:articles_author_add")
        base = {"name": "Priya Raman", "slug": "priya-raman"}
        response = admin_client.post(url, {**base, "photo": upload("me.jpg", b"GIF89a but not really")})
        assert "me.jpg is not an image" in str(response.context["adminform"].form.errors["photo"])
        response = admin_client.post(url, {**base, "photo": upload("me.webp", phone_photo("WEBP"))})
        assert response.status_code == 302
        photo = decode(Author.objects.get().photo.name)
        assert photo.size == (100, 200)
        assert not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    def test_upload_field_only_offers_the_served_types(self, admin_client):
        html = admin_client.get(reverse("admin:articles_article_add")).content.decode()
        assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


def publishing(**fields):
    """Fields that publish the story, with the byline the publishing rules ask for."""
    return {
        "status": Status.PUBLISHED,
        "published_at_0": "2024-01-10",
        "published_at_1": "09:30:00",
        **inline_management("bylines", 1),
        "bylines-0-author": str(AuthorFactory().pk),
        "bylines-0-position": "0",
        **fields,
    }


def publish_errors(response):
    return list(response.context["adminform"].form.non_field_errors())


class TestAltText:
    def test_publishing_with_image_but_no_alt_is_refused(self, admin_client):
        image = upload("w.jpg", landscape_jpeg((600, 300)))
        response = add_story(admin_client, **publishing(hero_alt="  ", hero_image=image))
        assert response.status_code == 200
        assert publish_errors(response) == ["Can't publish yet: Add alt text for the hero image."]
        assert not Article.objects.exists()

    def test_draft_without_alt_saves(self, admin_client):
        response = add_story(
            admin_client, hero_alt="", hero_image=upload("w.jpg", landscape_jpeg((600, 300)))
        )
        assert response.status_code == 302
        assert Article.objects.get().image_problems() == ["Add alt text for the hero image."]

    def test_publishing_with_alt_or_without_image_is_allowed(self, admin_client):
        response = add_story(
            admin_client, **publishing(hero_image=upload("w.jpg", landscape_jpeg((600, 300))))
        )
        assert response.status_code == 302, form_errors(response)
        response = add_story(admin_client, **publishing(slug="no-image", hero_alt=""))
        assert response.status_code == 302, form_errors(response)
        assert Article.objects.published().count() == 2

    def test_body_images_without_alt_are_named_with_the_other_rules(self, admin_client):
        body = '<p>Text</p><img src="https://example.org/a.png"><img src="https://example.org/b.png" alt="A chart">'
        response = add_story(admin_client, **publishing(body=body, standfirst=""))
        assert publish_errors(response) == [
            "Can't publish yet: Add a standfirst.",
            "Add alt text to 1 image(s) in the body.",
        ]
        article = ArticleFactory.build(body=body + '<img src="https://example.org/c.png" alt=" ">')
        assert article.image_problems() == ["Add alt text to 2 image(s) in the body."]


@pytest.fixture
def hero_story(admin_client):
    """A published story whose 2000×1000 hero image was uploaded through the admin."""
    response = add_story(admin_client, **publishing(hero_image=upload("whale.jpg", landscape_jpeg())))
    assert response.status_code == 302, form_errors(response)
    return Article.objects.get()


class TestRenditions:
    def test_widths_and_formats_are_real(self, hero_story):
        record = hero_story.hero_renditions
        assert (record["width"], record["height"]) == (2000, 1000)
        assert [(e["width"], e["height"]) for e in record["hero"]] == [
            (480, 240),
            (960, 480),
            (1200, 600),
            (1600, 800),
        ]
        assert [(e["width"], e["height"]) for e in record["teaser"]] == [(320, 213), (640, 427), (960, 640)]
        for entry in record["hero"] + record["teaser"]:
            webp, jpeg = decode(entry["webp"]), decode(entry["jpg"])
            assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
            assert webp.size == jpeg.size == (entry["width"], entry["height"])

    def test_article_page_markup(self, client, hero_story):
        html = client.get(hero_story.get_absolute_url()).content.decode()
        hero = html[html.index('<figure class="hero">') : html.index("</figure>")]
        webp = [e["webp"] for e in hero_story.hero_renditions["hero"]]
        assert (
            f'<source type="image/webp" srcset="/media/{webp[0]} 480w, /media/{webp[1]} 960w, '
            f'/media/{webp[2]} 1200w, /media/{webp[3]} 1600w"' in hero
        )
        assert 'sizes="(min-width: 64rem) 60rem, 100vw"' in hero
        assert 'width="1600" height="800"' in hero
        assert 'alt="A humpback whale breaching beside a research boat"' in hero
        # Above the fold: eager, never lazy.
        assert 'loading="eager"' in hero and "lazy" not in hero

    def test_teasers_lazy_after_the_first(self, client, hero_story):
        second = ArticleFactory(hero_image=hero_story.hero_image.name, hero_alt="x")
        second.hero_renditions = hero_story.hero_renditions
        second.save()
        html = client.get(reverse("articles:home")).content.decode()
        assert html.count('<picture class="teaser-image">') == 2
        # The lead story's picture is the page's largest paint: eager; the other waits.
        assert html.count('loading="lazy"') == 1 and html.count('loading="eager"') == 1
        assert "320w" in html and 'sizes="(min-width: 64rem) 17rem, (min-width: 40rem) 30vw, 6.5rem"' in html

    def test_made_once_then_reused(self, client, admin_client, hero_story):
        before = stored_files()
        assert len(before) == 1 + 2 * (4 + 3)  # the original, and WebP + JPEG for 4 hero and 3 teaser widths
        for _ in range(2):
            assert client.get(hero_story.get_absolute_url()).status_code == 200
            assert client.get(reverse("articles:home")).status_code == 200
        hero_story.headline = "Whales sing in dialects, recordings show"
        hero_story.save()
        Article.objects.get().save()
        assert stored_files() == before

    def test_saves_of_other_fields_leave_images_alone(self, hero_story):
        before = stored_files()
        hero_story.hero_focal_x = 10
        hero_story.headline = "Only the headline is written"
        hero_story.save(update_fields=["headline"])
        assert stored_files() == before
        hero_story.refresh_from_db()
        assert hero_story.hero_renditions["focal"] == [50, 50]

    def test_moving_the_focal_point_remakes_only_the_teaser(self, admin_client, hero_story):
        before = stored_files()
        hero_story.hero_focal_x = 90
        hero_story.save()
        after = stored_files()
        new = sorted(set(after) - set(before))
        assert len(new) == 6 and all("/teaser-" in name for name in new)
        assert {name: after[name] for name in before} == before

    def test_small_images_are_not_enlarged(self, admin_client):
        add_story(admin_client, hero_image=upload("small.jpg", landscape_jpeg((300, 200))))
        record = Article.objects.get().hero_renditions
        assert [e["width"] for e in record["hero"]] == [300]
        assert [e["width"] for e in record["teaser"]] == [300]

    def test_transparent_png_gets_white_jpeg_and_clear_webp(self, admin_client):
        clear = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
        add_story(admin_client, hero_image=upload("logo.png", encode(clear, "PNG"), "image/png"))
        entry = Article.objects.get().hero_renditions["hero"][0]
        assert decode(entry["jpg"]).getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=2)
        assert decode(entry["webp"]).getpixel((10, 10))[3] == 0

    @pytest.mark.parametrize(
        ("mode", "fill", "expected"),
        [
            ("P", 2, BLUE),
            ("I;16", 40_000, (156, 156, 156)),
            ("L", 200, (200, 200, 200)),
            ("1", 1, (255, 255, 255)),
        ],
    )
    def test_every_stored_mode_renders_in_colour_and_smoothly(self, admin_client, mode, fill, expected):
        image = Image.new(mode, (600, 400), fill)
        if mode == "P":
            image.putpalette([0, 0, 0, *RED, *BLUE] + [0] * (256 * 3 - 9))
        add_story(admin_client, hero_image=upload("modes.png", encode(image, "PNG"), "image/png"))
        for entry in Article.objects.get().hero_renditions["hero"]:
            for extension in ("jpg", "webp"):
                rendition = decode(entry[extension])
                assert rendition.mode == "RGB"
                assert rendition.getpixel((50, 50)) == pytest.approx(expected, abs=6)

    def test_removing_the_image_clears_the_record(self, admin_client, hero_story):
        data = story_post(
            status=Status.DRAFT, loaded_version=str(hero_story.lock_version), **{"hero_image-clear": "on"}
        )
        response = admin_client.post(reverse("admin:articles_article_change", args=[hero_story.pk]), data)
        assert response.status_code == 302, form_errors(response)
        hero_story.refresh_from_db()
        assert not hero_story.hero_image and hero_story.hero_renditions == {}
        assert hero_story.hero_picture is None

    def test_missing_or_broken_source_does_not_block_saving(self, client, caplog):
        article = ArticleFactory(hero_image="heroes/lost.jpg", hero_alt="Lost")
        assert article.hero_renditions == {}
        assert "No renditions for article" in caplog.text and "lost.jpg" in caplog.text
        html = client.get(article.get_absolute_url()).content.decode()
        assert '<img src="/media/heroes/lost.jpg" alt="Lost">' in html
        default_storage.save("heroes/text.jpg", io.BytesIO(b"not an image"))
        article.hero_image = "heroes/text.jpg"
        article.save()
        assert article.hero_renditions == {}

    def test_command_fills_records_missing_after_a_bulk_update(self, hero_story):
        record = hero_story.hero_renditions
        before = stored_files()
        broken = ArticleFactory(hero_image="heroes/gone.jpg")
        Article.objects.update(hero_renditions={})
        out, err = io.StringIO(), io.StringIO()
        call_command("make_renditions", stdout=out, stderr=err)
        hero_story.refresh_from_db()
        assert hero_story.hero_renditions == record
        assert stored_files() == before
        assert "for 1 stories" in out.getvalue()
        assert f"(id {broken.pk}): heroes/gone.jpg" in err.getvalue()
        call_command("make_renditions", "--rebuild", stdout=out, stderr=err)
        assert stored_files() == before


class TestImportedImages:
    """The importers store hero images through the same field, and recognise a stored image on --update."""

    def write_story(self, folder, **changes):
        story = {"external_id": "x:1", "headline": "Phone picture story", "hero_image": "images/phone.jpg"}
        (folder / "story.json").write_text(json.dumps(story | changes))
        return folder / "story.json"

    def test_import_stores_clean_and_update_recognises_it(self, tmp_path):
        folder = tmp_path / "in"
        (folder / "images").mkdir(parents=True)
        (folder / "images" / "phone.jpg").write_bytes(phone_photo("JPEG", size=(400, 200)))
        run = Run(self.write_story(folder))
        assert run.ok, run.err
        article = Article.objects.get()
        stored = decode(article.hero_image.name)
        assert stored.size == (200, 400) and not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert len(article.hero_renditions["hero"]) == 1
        files = stored_files()

        assert Run(self.write_story(folder), "--update").row("json")["updated"] == 0
        assert Run(self.write_story(folder, headline="Revised"), "--update").row("json")["updated"] == 1
        article.refresh_from_db()
        assert article.headline == "Revised"
        assert stored_files() == files

    def test_import_names_an_image_over_the_limits(self, tmp_path, settings):
        settings.IMAGE_MAX_PIXELS = 10_000
        folder = tmp_path / "in"
        (folder / "images").mkdir(parents=True)
        (folder / "images" / "phone.jpg").write_bytes(phone_photo("JPEG", size=(400, 200)))
        run = Run(self.write_story(folder))
        assert (
            "hero_image “images/phone.jpg” is 400×200 pixels (0.1 megapixels); the limit is 0.01 megapixels."
            in run.err
        )
        assert not Article.objects.exists()


class TestFocalPoint:
    @pytest.mark.parametrize(
        ("focal", "box"),
        [((50, 50), (150, 0, 450, 200)), ((95, 10), (300, 0, 600, 200)), ((0, 50), (0, 0, 300, 200))],
    )
    def test_teaser_box_keeps_the_point_inside_the_image(self, focal, box):
        assert images.teaser_box(600, 200, *focal) == box

    def test_tall_image_crops_vertically(self):
        assert images.teaser_box(300, 900, 50, 80) == (0, 620, 300, 820)

    @pytest.mark.parametrize(("focal_x", "red_in_teaser"), [(92, True), (8, False)])
    def test_teaser_crop_follows_the_focal_point_chosen_in_the_admin(
        self, admin_client, focal_x, red_in_teaser
    ):
        response = add_story(
            admin_client,
            hero_image=upload("pano.png", marked_panorama(), "image/png"),
            hero_focal_x=str(focal_x),
            hero_focal_y="50",
        )
        assert response.status_code == 302, form_errors(response)
        teaser = decode(Article.objects.get().hero_renditions["teaser"][-1]["jpg"])
        reds = sum(1 for r, g, b in teaser.get_flattened_data() if r > 180 and g < 80 and b < 80)
        assert (reds > 1000) is red_in_teaser

    def test_focal_point_out_of_range_is_refused(self, admin_client):
        response = add_story(admin_client, hero_focal_x="140")
        assert "100" in str(form_errors(response)["hero_focal_x"])

    def test_change_page_shows_the_picker(self, admin_client, hero_story):
        html = admin_client.get(
            reverse("admin:articles_article_change", args=[hero_story.pk])
        ).content.decode()
        assert 'class="focal-picker" data-x-input="id_hero_focal_x" data-y-input="id_hero_focal_y"' in html
        assert "js/focal-point.js" in html


class TestQueryBudget:
    def test_list_and_article_pages_with_hero_images_stay_in_budget(
        self, client, hero_story, django_assert_max_num_queries
    ):
        author = AuthorFactory()
        for _ in range(20):
            story = ArticleFactory(
                hero_image=hero_story.hero_image.name,
                hero_alt="A whale",
                hero_renditions=hero_story.hero_renditions,
                tags=["whales", "sound"],
            )
            BylineFactory(article=story, author=author)
        before = stored_files()
        with django_assert_max_num_queries(2):
            html = client.get(reverse("articles:home")).content.decode()
        assert html.count('<picture class="teaser-image">') == 20
        with django_assert_max_num_queries(3):  # as tests/test_views.py's full story: images add none
            html = client.get(story.get_absolute_url()).content.decode()
        assert '<figure class="hero">' in html
        assert stored_files() == before
