"""Reader pages. Thin: each view names its QuerySet and template; the rules live on the models."""

from django.core.paginator import Page, Paginator
from django.db import connections
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from . import cite, fragments, front_page, search, workflow
from .cache import content_state, kept
from .models import Article, ArticleRedirect, Author, Citation, Correction, Quote, Section, ShareLink, Speaker

PAGE_SIZE = 20
RELATED_COUNT = 4


class PartsPaginator(Paginator):
    """Pages past the first are fetched as the page's ids (a subquery), then those stories with their parts.

    PostgreSQL computes the select list of every row an OFFSET skips, so page 50 of a list whose query carries
    the parts subqueries ran them for 1,000 stories; the ids subquery skips those rows bare.

    With `count_key` set, the page's stories are fetched first, carrying the content state
    (ArticleQuerySet.with_content_state()), and the number of stories is the one kept under that state
    (articles/cache.py): counting a list costs its query only after a write or a scheduled publication, not on
    every render (about 8 ms over 100,000 stories)."""

    count_key = None
    rows = None  # with count_key: what fetches even the first page's stories by id (the list's query, unfiltered)
    first_ids = None  # with rows: SQL choosing the first page's ids, when the list's own slice is slower
    content_state = None  # as the page's stories read it, for what else the page keeps under it (the header)

    def page(self, number):
        if self.count_key is None or "count" in self.__dict__:
            return self.by_ids(super().page(number))
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 0
        if wanted < 1:
            return super().page(number)  # raises as Paginator does
        bottom = (wanted - 1) * self.per_page
        if bottom or self.rows is not None:
            # The page's ids first, then their rows by id alone (from `rows` when set, see FilteredListView).
            if bottom == 0 and self.first_ids is not None:
                ids = self.first_ids
            else:
                ids = self.object_list[bottom : bottom + self.per_page].values("pk")
            rows = (self.rows if self.rows is not None else self.object_list).filter(pk__in=ids)
            if self.object_list.query.order_by:  # else both keep the model's ordering
                rows = rows.order_by(*self.object_list.query.order_by)
            stories = list(rows.with_content_state())
        else:
            stories = list(self.object_list.with_content_state()[: self.per_page])
        if stories:
            self.content_state = content_state(stories[0])
            self.count = kept.get(self.content_state, self.count_key, self.object_list.count)
        # Past the last page (or none at all): the count from the database, and Paginator's errors.
        return Page(stories, self.validate_number(number), self)

    def by_ids(self, page):
        if page.start_index() > 1:
            page.object_list = self.object_list.filter(pk__in=page.object_list.values("pk"))
        return page


class PublishedArticlesMixin:
    """Every public page starts from published(), with what its template needs fetched up front."""

    paginator_class = PartsPaginator
    count_key = ("home",)

    def get_queryset(self):
        return Article.objects.published().for_teasers()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count_key = self.count_key
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "content_state": context["paginator"].content_state}


class FrontPageMixin:
    """The first page of a list is laid out as a front page (front_page.py); later pages are a plain grid."""

    rails_by_section = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            # Laid out only when the listing is not kept (fragments.listing()).
            articles = context["articles"]
            context["front"] = SimpleLazyObject(
                lambda: front_page.arrange(articles, by_section=self.rails_by_section)
            )
        return context


class HomeView(FrontPageMixin, PublishedArticlesMixin, ListView):
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
        # Inside a transaction nothing is kept (cache.content_state()): the heading comes with its number of
        # stories, which the paginator needs, in one query instead of two.
        published = Article.objects.published()
        headings = published.headings(self.model_for_heading)
        if connections[headings.db].in_atomic_block:
            headings = headings.annotate(listed=published.count_listed_under(self.model_for_heading))
        return get_object_or_404(headings, slug=self.kwargs["slug"])

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if hasattr(self.heading, "listed"):
            paginator.count = self.heading.listed
        paginator.count_key = (self.model_for_heading._meta.label, self.heading.pk)
        # A heading's newest stories are chosen as ids from the covering index (migration 0009) and their rows
        # fetched by id alone: fetching the rows under the heading's filter read every story of a tag (2,500 at
        # 100,000 stories) before sorting, 21 ms against 10, and repeating the filter joined the tag's items twice.
        paginator.rows = Article.objects.for_teasers()
        if isinstance(self.heading, Tag):
            paginator.first_ids = Article.objects.published().newest_ids_under_tag(self.heading, per_page)
        return paginator

    def get_queryset(self):
        self.heading = self.get_heading()
        return super().get_queryset().listed_under(self.heading)

    def get_context_data(self, **kwargs):
        kind, slug = self.model_for_heading._meta.model_name, self.kwargs["slug"]
        feeds = {fmt: reverse(f"articles:{kind}-{fmt}", kwargs={"slug": slug}) for fmt in ("rss", "atom")}
        return super().get_context_data(heading=self.heading, heading_kind=kind, feeds=feeds, **kwargs)


class SectionView(FrontPageMixin, FilteredListView):
    model_for_heading = Section
    rails_by_section = False


class TagView(FilteredListView):
    model_for_heading = Tag


class AuthorView(FilteredListView):
    model_for_heading = Author


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

    def get_object(self, queryset=None):
        # The content state comes with the story, for its kept related stories (fragments.related). Readers'
        # stories come from the query written once per database (published_story()); staff's through the ORM.
        if workflow.can_preview(self.request.user):
            return super().get_object(self.get_queryset().with_content_state())
        story = Article.objects.published_story(self.kwargs[self.slug_url_kwarg])
        if story is None:
            raise Http404("No story at this address.")
        return story

    def get_context_data(self, **kwargs):
        # The story's JSON-LD is a fragment of the template (fragments.structured_data), made only when not kept.
        return super().get_context_data(
            related=fragments.related(self.object, RELATED_COUNT),
            content_state=content_state(self.object),
            **kwargs,
        )

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
        except ShareLink.DoesNotExist as error:
            raise Http404("No such preview link.") from error
        except workflow.PreviewLinkExpired:
            return self.gone("expired")
        except workflow.PreviewLinkRevoked:
            return self.gone("revoked")
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
    def get_queryset(self):
        return Speaker.objects.quoted_in(Article.objects.published())

    def get_context_data(self, **kwargs):
        quotes = (
            Quote.objects.filter(speaker=self.object, article__in=Article.objects.published())
            .select_related("article__section")
            .defer("article__search_vector", "article__body")
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
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page says: the icon in static files."""
    return HttpResponseRedirect(static("img/favicon.ico"))


@require_GET
def web_manifest(request):
    return TemplateResponse(request, "manifest.webmanifest", content_type="application/manifest+json")


@require_GET
def story_citation_download(request, slug, fmt):
    """The story itself as a BibTeX, RIS or CSL-JSON file (a newspaper article), for "Cite this story"."""
    if fmt not in cite.FORMATS:
        raise Http404("Unknown citation format.")
    article = get_object_or_404(Article.objects.published().for_teasers(), slug=slug)
    url = request.build_absolute_uri(article.get_absolute_url())
    text, content_type, filename = cite.export_story(article, fmt, url)
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
