"""WordPress content comes in as valid, complete article HTML: paragraphs as WordPress renders them, every
semantic element kept, plain-text summaries decoded, and the theme unit test's posts with no W3C errors."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.importers.wpautop import wpautop
from articles.importers.wxr import wordpress_html
from articles.models import Article, Status

from .factories import ArticleFactory
from .importing import FIXTURES, Run
from .test_html_validity import nu_errors, vnu_command

THEME_UNIT_TEST = FIXTURES.parent / "corpus" / "wxr" / "themeunittestdata.wordpress.xml"


def test_blank_lines_make_paragraphs_and_single_newlines_breaks():
    assert wpautop("One\nline two\n\nPara two") == "<p>One<br />\nline two</p>\n<p>Para two</p>\n"


def test_no_break_or_paragraph_directly_inside_lists_and_tables():
    body = wordpress_html(
        "Before the list\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nAfter\n"
        "<table>\n<tr>\n<td>cell</td>\n</tr>\n</table>\n\n<ol><li>a</li>\n\n<li>b</li></ol>"
    )
    assert "<br>" not in body.split("<ul>")[1].split("</ul>")[0]
    assert "<br>" not in body.split("<table>")[1]
    assert "<p>" not in body.split("<ol>")[1]
    assert body.startswith("<p>Before the list</p>\n<ul>")


def test_preformatted_text_keeps_its_blank_lines_and_gets_no_paragraphs():
    body = wordpress_html("Code:\n\n<pre>first\n\nsecond\n  indented</pre>\n\nAfter")
    assert "<pre>first\n\nsecond\n  indented</pre>" in body
    assert body.count("<p>") == 2


def test_semantic_elements_survive_the_sanitiser():
    body = wordpress_html(
        '<del>old</del> <ins>new</ins> <kbd>Ctrl</kbd> <samp>ok</samp> <abbr title="World Health Organization">'
        "WHO</abbr> H<sub>2</sub>O x<sup>2</sup>\n\n<address>1 Lab Road</address>\n\n<h5>Five</h5>\n\n<h6>Six</h6>"
        "\n\n<dl><dt>Term</dt><dd>Meaning</dd></dl>\n\n<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>b"
        "</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>"
    )
    for markup in (
        "<del>old</del>", "<ins>new</ins>", "<kbd>Ctrl</kbd>", "<samp>ok</samp>",
        '<abbr title="World Health Organization">WHO</abbr>', "<sub>2</sub>", "<sup>2</sup>",
        "<address>1 Lab Road</address>", "<h5>Five</h5>", "<h6>Six</h6>", "<dl><dt>Term</dt><dd>Meaning</dd></dl>",
        "<tfoot><tr><td>f</td></tr></tfoot>",
    ):  # fmt: skip
        assert markup in re.sub(r">\s+<", "><", body)


@pytest.mark.django_db
def test_summaries_show_characters_not_entities(client):
    story = ArticleFactory(standfirst="", body="<p>Fish &amp; chips&nbsp;at the lab &lt;3</p><p>More.</p>")
    assert story.teaser_text == "Fish & chips at the lab <3"
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Fish &amp; chips at the lab &lt;3">' in page
    assert "&amp;amp;" not in page and "&amp;nbsp;" not in page
    home = client.get(reverse("articles:home")).content.decode()
    assert "Fish &amp; chips at the lab &lt;3" in home


@pytest.mark.django_db
def test_theme_unit_test_posts_have_no_w3c_errors(client, tmp_path):
    command = vnu_command()
    run = Run(THEME_UNIT_TEST, "--status", "published")
    assert run.ok, run.err
    # The export's one scheduled post (2030) is rendered as it will be on the day.
    Article.objects.filter(published_at__gt=timezone.now()).update(published_at=timezone.now())
    # A password-protected post comes in as a draft (never public), so it is the one story not on the site.
    stories = list(Article.objects.published().filter(external_id__startswith="wxr:"))
    assert len(stories) == 57
    assert Article.objects.get(headline__contains="Password Protected").status == Status.DRAFT
    files = []
    for story in stories:
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200, story.headline
        path = tmp_path / f"{story.pk}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    errors = nu_errors(command, files)
    assert errors == [], "\n".join(errors)


def test_links_without_an_address_and_empty_caption_lists_go():
    body = wordpress_html(
        '<a class="wp-block-button__link">Button</a> <a href="javascript:alert(1)">bad</a> '
        '<a href="https://example.org/">good</a>\n\n<dl class="wp-caption"><dt class="wp-caption-dt"></dt></dl>'
    )
    assert body == '<p>Button bad <a href="https://example.org/" rel="noopener noreferrer">good</a></p>'
