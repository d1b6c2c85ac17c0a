"""WordPress WXR import: our own small export, WordPress's own test exports, and hostile XML."""

import tracemalloc
from collections import Counter
from datetime import UTC, datetime

import pytest
from defusedxml.ElementTree import parse as parse_xml

from articles.importers import wxr
from articles.importers.story import Ignored, Source, Story
from articles.models import Article, Author, Status

from .importing import CORPUS, FIXTURES, Run, row_counts

pytestmark = pytest.mark.django_db
WP = "{http://wordpress.org/export/1.2/}"


class TestOwnExport:
    @pytest.fixture
    def run(self):
        run = Run(FIXTURES / "blog.wordpress.xml")
        assert run.ok, run.err
        return run

    def test_posts_imported_others_counted(self, run):
        assert run.row("wxr") == {"created": 3, "updated": 0, "skipped": 0, "failed": 0}
        assert "wxr: not stories, ignored: 1 attachment, 2 comments, 1 menu item, 1 page" in run.out

    def test_published_post(self, run):
        post = Article.objects.get(slug="moths-milky-way")
        assert post.headline == "Moths navigate by the Milky Way"
        assert post.external_id == "wxr:https://fieldnotes.example.org:11"
        assert post.status == Status.PUBLISHED
        assert post.published_at == datetime(2025, 5, 2, 9, 0, tzinfo=UTC)
        assert post.standfirst == "Moths use the stars to migrate."
        assert post.section.name == "Ecology" and post.section.slug == "ecology"
        assert sorted(post.tags.names()) == ["insects", "navigation"]
        assert [a.name for a in post.byline_authors] == ["Rui Nakamura"]
        assert post.source_name == "Field Notes"
        assert post.source_url == "https://fieldnotes.example.org/2025/05/moths-milky-way/"

    def test_content_cleaned(self, run):
        body = Article.objects.get(slug="moths-milky-way").body
        assert "wp:paragraph" not in body and "<!--" not in body
        assert (
            '<figure><img src="https://fieldnotes.example.org/moth.jpg" alt="A moth on a rock" width="600" '
            'height="400"><figcaption>A bogong moth resting in a cave</figcaption></figure>'
        ) in body
        assert "[caption" not in body
        assert "<p>A second paragraph, written the classic way<br>\nwith a line break inside it.</p>" in body
        assert "script" not in body and "onclick" not in body and "Clicks go nowhere." in body

    def test_draft_and_scheduled(self, run):
        draft = Article.objects.get(headline="Draft: soil fungi and drought")
        assert draft.status == Status.DRAFT and draft.slug == "draft-soil-fungi-and-drought"
        scheduled = Article.objects.get(slug="comet-returns")
        assert scheduled.is_scheduled
        assert scheduled not in Article.objects.published()

    def test_twice_changes_nothing(self, run):
        before = row_counts()
        again = Run(FIXTURES / "blog.wordpress.xml")
        assert again.row("wxr") == {"created": 0, "updated": 0, "skipped": 3, "failed": 0}
        assert row_counts() == before


class TestHostileXml:
    def test_billion_laughs_refused(self, tmp_path):
        path = tmp_path / "laughs.xml"
        path.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
            ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
            ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
            '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&lol3;</title>'
            "<wp:post_type>post</wp:post_type></item></channel></rss>\n"
        )
        before = row_counts()
        run = Run(path)
        assert run.errors == [
            f"{path}: the XML declares a DTD or entities, which imports refuse (entity expansion is an attack vector)"
        ]
        assert row_counts() == before

    def test_external_entity_refused(self, tmp_path):
        path = tmp_path / "xxe.xml"
        path.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&x;</title></item></channel></rss>'
        )
        assert "declares a DTD or entities" in Run(path).err
        assert Article.objects.count() == 0

    def test_truncated_export_imports_nothing_and_names_the_line(self, tmp_path):
        whole = (FIXTURES / "blog.wordpress.xml").read_text()
        cut = whole[: whole.index("<title>About us</title>")]  # after three complete posts
        path = tmp_path / "truncated.wordpress.xml"
        path.write_text(cut)
        before = row_counts()
        run = Run(path)
        line = cut.count("\n") + 1
        assert run.errors == [f"{path}:{line}: XML not well-formed (no element found, column 2)"]
        assert row_counts() == before

    def test_garbage_with_xml_extension(self, tmp_path):
        path = tmp_path / "junk.xml"
        path.write_bytes(b"<rss><channel><item>\xff\xfe\x00\x01</item>")
        run = Run(path)
        assert len(run.errors) == 1 and "not well-formed" in run.errors[0]


class TestStreaming:
    def test_memory_stays_flat(self, tmp_path):
        """Items are cleared as they are read: peak memory is a fraction of the file, not a copy of it."""
        item = (
            "<item><title>Post {n}</title><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>"
            "<wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>\n"
        )
        path = tmp_path / "big.xml"
        with path.open("w") as out:
            out.write(
                '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Big</title>\n'
            )
            for n in range(1500):
                out.write(item.format(n=n, text="word " * 400))
            out.write("</channel></rss>\n")
        size = path.stat().st_size
        source = Source(label=str(path), base_dir=tmp_path, path=path)
        tracemalloc.start()
        stories = 0
        for story in wxr.parse(source):
            stories += isinstance(story, Story)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert stories == 1500
        assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"


class TestWordPressCorpus:
    """WordPress's own exports (tests/fixtures/corpus/wxr), inputs nobody on this team wrote."""

    def test_every_post_of_the_theme_unit_test_imports_once(self):
        path = CORPUS / "wxr" / "themeunittestdata.wordpress.xml"
        tree = parse_xml(path)
        items = tree.getroot().iter("item")
        kinds = [item.findtext(f"{WP.replace('http:', 'https:')}post_type") for item in items]
        posts = kinds.count("post")
        run = Run(path)
        assert run.ok, run.err
        assert run.row("wxr") == {"created": posts, "updated": 0, "skipped": 0, "failed": 0}
        assert Article.objects.filter(external_id__startswith="wxr:").count() == posts
        counts = Run(path).row("wxr")
        assert counts == {"created": 0, "updated": 0, "skipped": posts, "failed": 0}
        statuses = set(Article.objects.values_list("status", flat=True))
        assert statuses == {Status.PUBLISHED, Status.DRAFT}
        assert Article.objects.filter(published_at__year=2030).exists()  # the “future” post, scheduled
        protected = Article.objects.get(headline__startswith="Template: Password Protected")
        assert protected.status == Status.DRAFT
        special = Article.objects.get(headline__startswith="Markup: Title With Special Characters")
        assert special.headline.endswith("~`!@#$%^&*()-_=+{}[]/\\;:'\"?,.>")
        assert Article.objects.filter(headline="Markup: Title With Markup").exists()
        assert not Article.objects.filter(body__contains="wp:paragraph").exists()
        assert not Article.objects.filter(body__contains="[caption").exists()
        assert Article.objects.filter(body__contains="<figcaption>").exists()
        ignored = Counter(kinds)
        del ignored["post"]
        ignored["comment"] = len(list(tree.getroot().iter(f"{WP.replace('http:', 'https:')}comment")))
        words = {
            "nav_menu_item": "menu items",
            "attachment": "attachments",
            "page": "pages",
            "comment": "comments",
        }
        listed = ", ".join(f"{n} {words[kind]}" for kind, n in sorted(ignored.items()))
        assert f"wxr: not stories, ignored: {listed}" in run.out

    def test_utf8_challenges(self):
        path = CORPUS / "wxr" / "wxr-utf-8-challenges.xml"
        run = Run(path)
        assert run.ok, run.err
        # Names cleaned of bidi controls compare equal to themselves: an unchanged export changes nothing.
        assert Run(path, "--update").row("wxr") == {"created": 0, "updated": 0, "skipped": 1, "failed": 0}
        post = Article.objects.get()
        assert post.slug == "hello-world-utf8-test"
        assert not any(0x202A <= ord(ch) <= 0x202E for ch in post.headline)
        assert "Frost" in post.headline
        assert Author.objects.count() == 1

    def test_slashes_are_kept_as_written(self):
        Run(CORPUS / "wxr" / "slashes.xml")
        assert 'aren\\\'t \\"cool\\"' in Article.objects.get().body.replace("&quot;", '"')

    def test_wxr_1_1_and_missing_tags(self):
        run = Run(
            CORPUS / "wxr" / "valid-wxr-1.1.xml",
            CORPUS / "wxr" / "missing-tags.xml",
        )
        assert run.ok, run.err
        assert run.row("wxr")["created"] == 2
        bare = Article.objects.get(headline="No Author Post")
        assert bare.byline_authors == [] and bare.body == "<p>text</p>"

    def test_the_whole_folder(self):
        run = Run(CORPUS / "wxr")
        assert run.ok, run.err
        assert run.row("wxr")["failed"] == 0


def test_ignored_items_are_reported_by_the_parser():
    source = Source(label="blog", base_dir=FIXTURES, path=FIXTURES / "blog.wordpress.xml")
    items = list(wxr.parse(source))
    assert [i.kind for i in items if isinstance(i, Ignored)] == [
        "comment",
        "page",
        "attachment",
        "nav_menu_item",
    ]


def test_unclosed_shortcodes_and_comments_cost_linear_time():
    """Thousands of openers without closers (a quadratic pattern would not finish this)."""
    closed = "[caption]<img src='https://x.test/b.jpg'> Closed[/caption]\n\n"
    hostile = (
        "[caption id=1]<img src='https://x.test/a.jpg'> " * 20000 + "[gallery " * 20000 + "<!-- open " * 20000
    )
    html = wxr.wordpress_html(closed + hostile)
    assert html.startswith('<figure><img src="https://x.test/b.jpg"><figcaption>Closed</figcaption></figure>')
    assert "<!--" not in html and "open" not in html  # the unclosed comment runs to the end, as in HTML


def test_caption_attribute_form():
    html = wxr.wordpress_html(
        '[caption id="a" caption="Old style"]<img src="https://x.test/c.jpg" alt="c">[/caption]'
    )
    assert (
        html == '<figure><img src="https://x.test/c.jpg" alt="c"><figcaption>Old style</figcaption></figure>'
    )
