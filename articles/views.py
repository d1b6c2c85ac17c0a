"""Reader pages. Thin: each view names its QuerySet and template; the rules live on the models."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from . import cite, search
from .models import Article, Author, Citation, Quote, Section, Speaker
from .structured_data import news_article

PAGE_SIZE = 20
RELATED_COUNT = 4


class PublishedArticlesMixin:
    """Every public page starts from published(), with what its template needs fetched up front."""

    def get_queryset(self):
        return Article.objects.published().for_teasers()


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "articles"


class FilteredListView(PublishedArticlesMixin, ListView):
    """A teaser list narrowed to one section, tag or author; `heading` is that object."""

    template_name = "articles/article_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "articles"
    model_for_heading = None

    def get_heading(self):
        return get_object_or_404(self.model_for_heading, slug=self.kwargs["slug"])

    def get_queryset(self):
        self.heading = self.get_heading()
        return self.filter_articles(super().get_queryset(), self.heading)

    def get_context_data(self, **kwargs):
        kind, slug = self.model_for_heading._meta.model_name, self.kwargs["slug"]
        feeds = {fmt: reverse(f"articles:{kind}-{fmt}", kwargs={"slug": slug}) for fmt in ("rss", "atom")}
        return super().get_context_data(heading=self.heading, feeds=feeds, **kwargs)


class SectionView(FilteredListView):
    model_for_heading = Section

    def filter_articles(self, articles, section):
        return articles.filter(section=section)


class TagView(FilteredListView):
    model_for_heading = Tag

    def filter_articles(self, articles, tag):
        return articles.filter(tags=tag)


class AuthorView(FilteredListView):
    model_for_heading = Author

    def filter_articles(self, articles, author):
        return articles.filter(bylines__author=author)


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return Article.objects.published().for_detail()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            related=Article.objects.published().related_to(self.object)[:RELATED_COUNT],
            structured_data=news_article(self.object, self.request),
            **kwargs,
        )


class SpeakerView(DetailView):
    model = Speaker

    def get_context_data(self, **kwargs):
        quotes = (
            Quote.objects.filter(speaker=self.object, article__in=Article.objects.published())
            .select_related("article")
            .order_by("-article__published_at", "position")
        )
        return super().get_context_data(quotes=quotes, **kwargs)


class SearchView(ListView):
    """/search/?q=: ranked full-text search on PostgreSQL, a plain fallback elsewhere (see search.py)."""

    template_name = "articles/search.html"
    paginate_by = PAGE_SIZE
    context_object_name = "articles"

    def get_queryset(self):
        self.query = search.clean_query(self.request.GET.get("q", ""))
        return search.search_articles(self.query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, **kwargs)
        search.attach_snippets(context["articles"], self.query)
        return context


@require_GET
def citation_download(request, pk, fmt):
    """One reference of a published story as a BibTeX, RIS or CSL-JSON file."""
    if fmt not in cite.FORMATS:
        raise Http404("Unknown citation format.")
    citation = get_object_or_404(Citation, pk=pk, article__in=Article.objects.published())
    text, content_type, filename = cite.export(citation, fmt)
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def robots_txt(request):
    sitemaps = [reverse("sitemap-index"), reverse("news-sitemap")]
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:search')}",
        "",
        *(f"Sitemap: {request.build_absolute_uri(path)}" for path in sitemaps),
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
