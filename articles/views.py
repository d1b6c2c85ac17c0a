"""Reader pages. Thin: each view names its QuerySet and template; the rules live on the models."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from .models import Article, Author, Quote, Section, Speaker

PAGE_SIZE = 20


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
        return super().get_context_data(heading=self.heading, **kwargs)


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


class SpeakerView(DetailView):
    model = Speaker

    def get_context_data(self, **kwargs):
        quotes = (
            Quote.objects.filter(speaker=self.object, article__in=Article.objects.published())
            .select_related("article")
            .order_by("-article__published_at", "position")
        )
        return super().get_context_data(quotes=quotes, **kwargs)
