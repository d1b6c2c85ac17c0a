"""RSS/Atom import: our own two feeds, and the outcome for each of the 20 real-world feeds of the corpus."""

from datetime import UTC, datetime

import feedparser
import pytest

from articles.models import Article, Status

from .importing import CORPUS, FIXTURES, Run, row_counts

pytestmark = pytest.mark.django_db


class TestOwnFeeds:
    def test_rss_in_latin_1(self):
        run = Run(FIXTURES / "science.rss")
        assert run.ok, run.err
        assert run.row("feed") == {"created": 2, "updated": 0, "skipped": 0, "failed": 0}
        foam = Article.objects.get(headline="Café crème foam lasts longer with oat milk")
        assert foam.status == Status.PUBLISHED
        assert foam.published_at == datetime(2025, 1, 7, 8, 15, tzinfo=UTC)
        assert foam.body == "<p>Bubbles in oat milk foam shrink more slowly.</p>"
        assert list(foam.tags.names()) == ["food science"]
        assert foam.source_name == "Lab Bulletin" and foam.source_url == "https://bulletin.example.net/foam"
        assert foam.external_id == "feed:https://bulletin.example.net/#bulletin-101"
        undated = Article.objects.get(headline="Undated note")
        assert undated.status == Status.DRAFT and undated.published_at is None

    def test_atom(self):
        assert Run(FIXTURES / "glaciers.atom").ok
        story = Article.objects.get()
        assert story.headline == "Glaciers retreat faster in dry winters"
        assert story.standfirst == "Less snow, more melt."
        assert story.body == "<p>Snow cover protects ice through the summer.</p>"
        assert [a.name for a in story.byline_authors] == ["Marta Quispe"]
        assert story.external_id == "feed:tag:icedesk.example.com,2025:1"

    def test_twice_changes_nothing(self):
        Run(FIXTURES / "science.rss", FIXTURES / "glaciers.atom")
        before = row_counts()
        again = Run(FIXTURES / "science.rss", FIXTURES / "glaciers.atom")
        assert again.row("feed") == {"created": 0, "updated": 0, "skipped": 3, "failed": 0}
        assert row_counts() == before


IMPORTS = "imports"
OUTCOMES = {
    "01-guardian-rss20.xml": (IMPORTS, None),
    "02-heise-atom10-de.xml": (IMPORTS, "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"),
    "03-uol-noticias-undeclared-latin1.xml": (IMPORTS, "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"),
    "04-jornal-noticias-iso8859-1.xml": (IMPORTS, "Mãe de utente é a nova presidente da Raríssimas"),
    "05-heraldsun-rss092-iso8859-1.xml": (IMPORTS, "The First Item"),
    "06-example-pl-iso8859-2.xml": (IMPORTS, "ZAŻÓŁĆ GĘSLĄ JAŹŃ"),
    "07-qq-tech-gb2312.xml": (IMPORTS, "拟298亿元重组盛大游戏后 世纪华通发20亿回购预案"),
    "08-physorg-science-rss20-no-decl.xml": ("{path}:52: feed is not well-formed XML (not well-formed (invalid token), column 18)", None),
    "09-feedburner-atom10.xml": (IMPORTS, None),
    "10-content-encoded-html.xml": (IMPORTS, "THE CREATIVE FORAGER"),
    "11-atom-entry-only-id.xml": ("{path}:entry 1: the entry has no title (a story needs a headline)", None),
    "12-folha-rss091-leading-space.xml": (IMPORTS, "Vida de jogador: trocando seis por nada"),
    "13-nhs-rss20.xml": (IMPORTS, None),
    "14-reddit-atom.xml": (IMPORTS, "The Difficulties in Space"),
    "15-touchnokia-atom10-ru.xml": (IMPORTS, "Невидимая броня для Вашего Nokia 5800"),
    "16-rss20-script-in-description.xml": ("{path}:entry 1: the entry has no title (a story needs a headline)", None),
    "17-rss20-incomplete-cdata.xml": ("{path}:6: feed is not well-formed XML (XML or text declaration not at start of entity, column 0)", None),
    "18-atom-shiftjis-undeclared.xml": (IMPORTS, "DrecomRSSに記事投稿が反映されない…"),
    "19-rss10-rdf-modules.xml": (IMPORTS, "Test Item - RSS 1.0"),
    "20-rss20-cp1252-smart-quote.xml": ("{path}:entry 1: the entry has no title (a story needs a headline)", None),
}  # fmt: skip


@pytest.mark.parametrize(("name", "outcome", "headline"), [(n, *o) for n, o in OUTCOMES.items()])
def test_corpus_feed(name, outcome, headline):
    path = CORPUS / "feeds" / name
    before = row_counts()
    run = Run(path)
    if outcome == IMPORTS:
        assert run.ok, run.err
        entries = len(feedparser.parse(path.read_bytes()).entries)
        assert run.row("feed") == {"created": entries, "updated": 0, "skipped": 0, "failed": 0}
        if headline:
            assert Article.objects.filter(headline=headline).exists()
        assert not Article.objects.filter(body__icontains="<script").exists()
    else:
        assert not run.ok
        assert run.errors == [outcome.format(path=path)]
        assert row_counts() == before


def test_all_corpus_feeds_have_an_expected_outcome():
    assert sorted(p.name for p in (CORPUS / "feeds").glob("*.xml")) == sorted(OUTCOMES)
