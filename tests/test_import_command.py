"""import_articles as staff run it: options, the report, exit status, and the hostile inputs of the issue."""

import json
import re
import shutil
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection

from articles.management.commands.import_articles import Progress
from articles.models import Article, Citation, Status

from .factories import ArticleFactory
from .importing import FIXTURES, Run, row_counts

pytestmark = pytest.mark.django_db

ALL_FIXTURES = [
    "coral-heatwave.txt", "plain-no-extras.text", "with-bom.txt", "stories.json", "blog.wordpress.xml",
    "science.rss", "glaciers.atom",
]  # fmt: skip


@pytest.fixture
def folder(tmp_path):
    """A copy of every import fixture, so tests may edit them."""
    target = tmp_path / "import"
    shutil.copytree(FIXTURES, target)
    return target


class TestWholeFolder:
    def test_every_format_in_one_run(self, folder):
        run = Run(folder)
        assert run.ok, run.err
        assert run.row("text") == {"created": 3, "updated": 0, "skipped": 0, "failed": 0}
        assert run.row("json")["created"] == 2
        assert run.row("wxr")["created"] == 3
        assert run.row("feed")["created"] == 3
        assert run.row("total") == {"created": 11, "updated": 0, "skipped": 0, "failed": 0}
        assert "Import finished." in run.out

    def test_twice_creates_no_duplicates(self, folder):
        Run(folder)
        before = row_counts()
        again = Run(folder)
        assert again.ok
        assert again.row("total") == {"created": 0, "updated": 0, "skipped": 11, "failed": 0}
        assert row_counts() == before

    def test_dry_run_writes_nothing(self, folder, settings):
        before = row_counts()
        run = Run(folder, "--dry-run")
        assert run.ok, run.err
        assert "Dry run: nothing was written." in run.out
        assert run.row("total")["created"] == 11
        assert row_counts() == before
        assert not (settings.MEDIA_ROOT).exists() or not any(settings.MEDIA_ROOT.rglob("*.png"))


class TestUpdate:
    def edit(self, folder):
        path = folder / "stories.json"
        data = json.loads(path.read_text())
        data[0]["headline"] = "Volcanic lightning starts low in the ash"
        data[0]["tags"] = ["volcanoes"]
        path.write_text(json.dumps(data))
        return path

    def test_default_skips_and_update_rewrites(self, folder):
        Run(folder / "stories.json")
        path = self.edit(folder)
        assert Run(path).row("json") == {"created": 0, "updated": 0, "skipped": 2, "failed": 0}
        assert Article.objects.filter(headline="Volcanic lightning forms in the ash, not the cloud").exists()
        before = row_counts()
        run = Run(path, "--update")
        assert run.row("json") == {"created": 0, "updated": 1, "skipped": 1, "failed": 0}
        story = Article.objects.get(external_id="fixture:volcano-lightning")
        assert story.headline == "Volcanic lightning starts low in the ash"
        assert list(story.tags.names()) == ["volcanoes"]
        assert story.quotes.count() == 1 and story.citations.count() == 2  # replaced, not added to
        assert row_counts()["Article"] == before["Article"]

    def test_dry_run_update_lists_changed_fields_and_writes_nothing(self, folder):
        Run(folder / "stories.json")
        path = self.edit(folder)
        before = row_counts()
        run = Run(path, "--update", "--dry-run")
        assert (
            f"{path}:item 1: “Volcanic lightning starts low in the ash” would change: headline, tags"
            in run.out
        )
        assert run.row("json") == {"created": 0, "updated": 1, "skipped": 1, "failed": 0}
        assert row_counts() == before
        assert Article.objects.filter(headline="Volcanic lightning forms in the ash, not the cloud").exists()

    def test_update_of_unchanged_source_is_a_skip(self, folder):
        Run(folder)
        before = row_counts()
        assert Run(folder, "--update").row("total") == {
            "created": 0,
            "updated": 0,
            "skipped": 11,
            "failed": 0,
        }
        assert row_counts() == before


class TestOptions:
    def test_status_author_section_and_tags(self, folder):
        run = Run(
            folder / "coral-heatwave.txt", "--status", "review", "--author", "Desk Editor", "--section", "Oceans",
            "--tag", "reefs", "--tag", "climate",
        )  # fmt: skip
        assert run.ok, run.err
        story = Article.objects.get()
        assert story.status == Status.IN_REVIEW
        assert [a.name for a in story.byline_authors] == ["Desk Editor"]
        assert story.section.name == "Oceans"
        assert sorted(story.tags.names()) == ["climate", "reefs"]

    def test_source_byline_and_section_win_over_the_defaults(self, folder):
        Run(folder / "blog.wordpress.xml", "--author", "Desk Editor", "--section", "Oceans")
        post = Article.objects.get(slug="moths-milky-way")
        assert [a.name for a in post.byline_authors] == ["Rui Nakamura"]
        assert post.section.name == "Ecology"

    def test_format_override(self, folder):
        path = folder / "stories.data"
        path.write_bytes((folder / "stories.json").read_bytes())
        assert Run(path, "--format", "json").row("json")["created"] == 2

    def test_content_is_sniffed_without_an_extension(self, folder):
        path = folder / "no-extension"
        path.write_bytes((folder / "glaciers.atom").read_bytes())
        assert Run(path).row("feed")["created"] == 1

    def test_stdin(self):
        run = Run("-", stdin=BytesIO(b"Read from a pipe\n\nThe body.\n"))
        assert run.ok, run.err
        assert Article.objects.get().headline == "Read from a pipe"

    def test_fail_fast_stops_at_the_first_failure(self, tmp_path):
        for name in ("a.txt", "b.txt"):
            (tmp_path / name).write_bytes(b"")
        assert len(Run(tmp_path).errors) == 2
        assert len(Run(tmp_path, "--fail-fast").errors) == 1

    def test_missing_path_and_exit_status(self, tmp_path):
        run = Run(tmp_path / "nowhere.txt")
        assert run.errors == [f"{tmp_path / 'nowhere.txt'}: no such file or folder"]
        assert run.error.returncode == 1
        assert str(run.error) == "1 failed; see the messages above."

    def test_quiet(self, folder):
        run = Run(folder / "glaciers.atom", "--verbosity", "0")
        assert run.ok and run.out == ""


class TestHostile:
    """Each: a plain-words message naming the file (and line or item), and not one row written."""

    def check(self, path, expected):
        before = row_counts()
        run = Run(path)
        assert not run.ok
        assert run.errors == [expected.format(path=path)]
        assert row_counts() == before

    def test_empty_file(self, tmp_path):
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
        self.check(path, "{path}: the file is empty")

    def test_blank_json(self, tmp_path):
        path = tmp_path / "blank.json"
        path.write_bytes(b"  \n\n")
        self.check(path, "{path}: the file is empty")

    def test_binary_garbage(self, tmp_path):
        path = tmp_path / "garbage.txt"
        path.write_bytes(bytes(range(256)) * 4)
        self.check(path, "{path}: binary data, not text (NUL byte at byte 0)")

    def test_invalid_utf8_names_the_byte(self, tmp_path):
        path = tmp_path / "latin.txt"
        path.write_bytes(b"Headline\n\nCaf" + b"\xe9 au lait\n")
        self.check(path, "{path}: invalid UTF-8 at byte 13")

    def test_five_megabyte_single_line(self, tmp_path):
        path = tmp_path / "huge.txt"
        path.write_text("x" * (5 * 1024 * 1024))
        self.check(path, "{path}:1: headline is 5242880 characters long; the limit is 250")

    def test_five_megabyte_single_line_json(self, tmp_path):
        path = tmp_path / "huge.json"
        path.write_text(json.dumps({"headline": "Fine", "standfirst": "y" * (5 * 1024 * 1024)}))
        self.check(
            path, "{path}:item 1: standfirst: Ensure this value has at most 1000 characters (it has 5242880)."
        )

    def test_two_thousand_character_headline(self, tmp_path):
        path = tmp_path / "long.json"
        path.write_text(json.dumps({"headline": "h" * 2000}))
        self.check(
            path, "{path}:item 1: headline: Ensure this value has at most 250 characters (it has 2000)."
        )

    def test_two_thousand_character_headline_text(self, tmp_path):
        path = tmp_path / "long.txt"
        path.write_text("\n\n" + "h" * 2000 + "\n\nBody.\n")
        self.check(path, "{path}:3: headline is 2000 characters long; the limit is 250")

    def test_script_in_every_text_field(self, tmp_path):
        evil = "<script>alert(1)</script>"
        story = {
            "headline": f"Hi {evil}", "standfirst": evil, "body": f"<p>ok</p>{evil}", "hero_alt": evil,
            "hero_caption": evil, "hero_credit": evil, "disclosure": evil, "source_name": evil,
            "section": evil, "authors": [evil], "tags": [evil],
            "quotes": [{"text": evil, "speaker": {"name": evil, "role": evil, "affiliation": evil}}],
            "citations": [{"title": evil, "journal": evil, "raw": evil}],
        }  # fmt: skip
        path = tmp_path / "evil.json"
        path.write_text(json.dumps(story))
        self.check(
            path,
            "{path}:item 1: HTML markup is not allowed in plain-text fields: headline, standfirst, hero_alt, "
            "hero_caption, hero_credit, disclosure, source_name, section, authors[0], tags[0], quotes[0], "
            "citations[0]",
        )

    def test_script_url_refused(self, tmp_path):
        path = tmp_path / "js.json"
        path.write_text(json.dumps({"headline": "x", "source_url": "javascript:alert(1)"}))
        self.check(path, "{path}:item 1: source_url: Enter a valid URL.")

    def test_nul_character(self, tmp_path):
        path = tmp_path / "nul.json"
        path.write_text(json.dumps({"headline": "x", "quotes": [{"text": "a\u0000b", "speaker": "Ann Lee"}]}))
        self.check(path, "{path}:item 1: NUL character (\\x00) in: quotes[0]")

    def test_image_path_leaving_the_folder(self, tmp_path):
        path = tmp_path / "up.json"
        path.write_text(json.dumps({"headline": "x", "hero_image": "../etc/image.png"}))
        self.check(path, "{path}:item 1: hero_image “../etc/image.png” points outside the import's folder")


class TestAtomicity:
    def test_database_failure_midway_leaves_no_partial_story(self, folder):
        """The citations insert fails after the article row was written: the whole story is rolled back."""

        def refuse_citations(execute, sql, params, many, context):
            if sql.startswith('INSERT INTO "articles_citation"'):
                raise IntegrityError("refused for the test")
            return execute(sql, params, many, context)

        ArticleFactory()
        before = row_counts()
        with connection.execute_wrapper(refuse_citations):
            run = Run(folder / "coral-heatwave.txt")
        assert run.errors == [
            f"{folder / 'coral-heatwave.txt'}:1: the database refused the story (refused for the test)"
        ]
        assert row_counts() == before
        assert Citation.objects.count() == before["Citation"]


class TestAtomicityInABatch:
    """A story failing half-way costs only itself, even though a batch is first written without savepoints."""

    @staticmethod
    def refuse(marker):
        def wrapper(execute, sql, params, many, context):
            if sql.startswith('INSERT INTO "articles_citation"') and marker in str(params):
                raise IntegrityError("refused for the test")
            return execute(sql, params, many, context)

        return wrapper

    def test_only_the_failing_story_is_lost(self, tmp_path):
        for n in range(5):
            title = "Refuse me" if n == 2 else f"Fine title {n}"
            (tmp_path / f"s{n}.txt").write_text(
                f"Story {n}\n\nIntro {n}.\n\nReference: Lee, A. {title}. Cell {n + 1}, 1-9 (2024).\n"
            )
        with connection.execute_wrapper(self.refuse("Refuse me")):
            run = Run(tmp_path)
        assert run.errors == [
            f"{tmp_path / 's2.txt'}:1: the database refused the story (refused for the test)"
        ]
        assert run.row("text") == {"created": 4, "updated": 0, "skipped": 0, "failed": 1}
        assert sorted(Article.objects.values_list("headline", flat=True)) == [
            f"Story {n}" for n in (0, 1, 3, 4)
        ]
        assert Citation.objects.count() == 4

    def test_images_of_a_redone_batch_are_stored_once(self, folder, settings):
        stories = [
            {"external_id": "a", "headline": "With picture", "hero_image": "images/plume.png"},
            {"external_id": "b", "headline": "Refused", "citations": [{"title": "Refuse me"}]},
        ]
        (folder / "two.json").write_text(json.dumps(stories))
        with connection.execute_wrapper(self.refuse("Refuse me")):
            run = Run(folder / "two.json")
        assert run.row("json") == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}
        assert len(list(settings.MEDIA_ROOT.rglob("*.png"))) == 1
        assert Article.objects.get().hero_image.name.endswith(".png")


class TestProgress:
    class Terminal(StringIO):
        def isatty(self):
            return True

    def test_bar_only_on_a_terminal_with_more_than_a_screenful(self, tmp_path, monkeypatch):
        monkeypatch.setenv("LINES", "10")
        monkeypatch.setenv("COLUMNS", "80")
        for n in range(30):
            (tmp_path / f"story-{n:02}.txt").write_text(f"Story {n}\n\nBody {n}.\n")
        terminal = self.Terminal()
        call_command("import_articles", str(tmp_path), stdout=terminal, stderr=StringIO())
        assert "[" in terminal.getvalue() and "30/30 files, 30 stories" in terminal.getvalue()
        assert Progress(StringIO(), [str(tmp_path)]).enabled is False
        assert Progress(self.Terminal(), [str(tmp_path / "story-01.txt")]).enabled is False

    def test_one_large_export_moves_the_bar(self, tmp_path):
        item = (
            "<item><title>Post {n}</title><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>"
            "<wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type></item>\n"
        )
        path = tmp_path / "large.wordpress.xml"
        path.write_text(
            '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Large</title>\n'
            + "".join(item.format(n=n, text="word " * 1100) for n in range(200))
            + "</channel></rss>\n"
        )
        assert path.stat().st_size > 1_000_000
        terminal = self.Terminal()
        call_command("import_articles", str(path), stdout=terminal, stderr=StringIO())
        bars = {len(bar) for bar in re.findall(r"\[(#*) *\] 1/1 files", terminal.getvalue())}
        assert len(bars) >= 4 and max(bars) >= 28


class TestOddInputs:
    def test_deeply_nested_json(self, tmp_path):
        path = tmp_path / "deep.json"
        path.write_text("[" * 100_000)
        run = Run(path)
        assert run.errors == [f"{path}: JSON nested too deeply to be a story file"]
        assert Article.objects.count() == 0

    def test_a_story_failing_in_one_file_is_still_imported_from_the_next(self, tmp_path):
        good = {"external_id": "same:1", "headline": "Good twin"}
        (tmp_path / "a.json").write_text(json.dumps(good | {"hero_image": "missing.png"}))
        (tmp_path / "b.json").write_text(json.dumps(good))
        run = Run(tmp_path)
        assert run.row("json") == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}
        assert Article.objects.get().headline == "Good twin"

    def test_the_same_story_in_two_files_is_imported_once(self, tmp_path):
        for name in ("a.json", "b.json"):
            (tmp_path / name).write_text(json.dumps({"external_id": "same:1", "headline": "Twin"}))
        assert Run(tmp_path).row("json") == {"created": 1, "updated": 0, "skipped": 1, "failed": 0}

    def test_a_broken_file_does_not_stop_the_others(self, tmp_path):
        (tmp_path / "a-broken.json").write_text("{")
        (tmp_path / "b-fine.txt").write_text("Fine story\n\nBody.\n")
        run = Run(tmp_path)
        assert run.row("json")["failed"] == 1 and run.row("text")["created"] == 1

    def test_speaker_details_are_validated(self, tmp_path):
        path = tmp_path / "orcid.json"
        quote = {"text": "Hi.", "speaker": {"name": "Ann Lee", "orcid": "1234", "url": "javascript:alert(1)"}}
        path.write_text(json.dumps({"headline": "x", "quotes": [quote]}))
        before = row_counts()
        run = Run(path)
        assert run.errors == [
            f"{path}:item 1: speaker “Ann Lee”: orcid: An ORCID looks like 0000-0002-1825-0097; url: Enter a valid URL."
        ]
        assert row_counts() == before


def test_verbose_update_lists_what_changed(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("A note\n\nIntro.\n\nBody one.\n")
    Run(path)
    path.write_text("A note\n\nIntro, revised.\n\nBody one.\n")
    run = Run(path, "--update", "--verbosity", "2")
    assert f"{path}:1: “A note” changed: standfirst" in run.out


def test_a_parser_failing_in_an_unforeseen_way_is_still_one_line(tmp_path):
    """Python's JSON parser refuses a 5,000-digit number with a ValueError of its own."""
    path = tmp_path / "digits.json"
    path.write_text('{"headline": "x", "citations": [{"year": ' + "1" * 5000 + "}]}")
    before = row_counts()
    run = Run(path)
    assert len(run.errors) == 1
    assert run.errors[0].startswith(f"{path}: could not be read (ValueError: Exceeds the limit (4300 digits)")
    assert row_counts() == before
