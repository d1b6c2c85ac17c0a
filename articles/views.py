"""Reader pages. Thin: each view names its QuerySet and template; the rules live on the models."""

from django.core import signing
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from . import workflow
from .models import Article, ArticleRedirect, Author, Correction, Quote, Section, Speaker

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


def keep_out_of_caches(response):
    """Unpublished stories must never be stored by a cache, shared or private, nor indexed."""
    add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class ArticleDetailView(DetailView):
    """A published story; staff also see unpublished ones here (with a banner), and old slugs redirect."""

    def get_queryset(self):
        if workflow.can_preview(self.request.user):
            return Article.objects.for_detail()
        return Article.objects.published().for_detail()

    def get(self, request, *args, **kwargs):
        try:
            response = super().get(request, *args, **kwargs)
        except Http404:
            moved = (
                ArticleRedirect.objects.filter(old_slug=kwargs["slug"], article__in=self.get_queryset())
                .select_related("article")
                .first()
            )
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.article.get_absolute_url())
        if not self.object.is_public:
            keep_out_of_caches(response)
        return response


class SharedPreviewView(DetailView):
    """An unpublished story for a reviewer without a login, through an Editor's signed share link."""

    template_name = "articles/article_detail.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        try:
            pk = workflow.read_preview_token(kwargs["token"])
        except signing.BadSignature as error:
            raise Http404("No such preview link.") from error
        except workflow.PreviewLinkExpired:
            return self.gone("expired")
        self.object = get_object_or_404(Article.objects.for_detail(), pk=pk)
        if self.object.is_public:
            return self.gone("published", article=self.object)
        response = self.render_to_response(self.get_context_data(object=self.object, shared_preview=True))
        response["Referrer-Policy"] = "no-referrer"  # the link is the key: don't hand it to other sites
        return keep_out_of_caches(response)

    def gone(self, reason, article=None):
        response = TemplateResponse(
            self.request, "articles/preview_gone.html", {"reason": reason, "article": article}, status=410
        )
        return keep_out_of_caches(response)


class CorrectionListView(ListView):
    """Every correction, clarification and update on published stories, newest first."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public().select_related("article")


class SpeakerView(DetailView):
    model = Speaker

    def get_context_data(self, **kwargs):
        quotes = (
            Quote.objects.filter(speaker=self.object, article__in=Article.objects.published())
            .select_related("article")
            .order_by("-article__published_at", "position")
        )
        return super().get_context_data(quotes=quotes, **kwargs)
