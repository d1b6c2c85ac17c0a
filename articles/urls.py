from django.urls import path, register_converter

from . import feeds, views
from .correction_feed import CorrectionsFeed


class UnicodeSlugConverter:
    """Slugs as the models make them (letters of any script, digits, _ and -). Anything else, a NUL byte
    included, is not an address of ours: 404 before any query."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("story/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("speaker/<uslug:slug>/", views.SpeakerView.as_view(), name="speaker"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("cite/<int:pk>.<str:fmt>", views.citation_download, name="cite"),
    path("story/<uslug:slug>/cite.<str:fmt>", views.story_citation_download, name="cite-story"),
    path("feeds/rss/", feeds.LatestStoriesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.atom(feeds.LatestStoriesFeed)(), name="feed-atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section-rss"),
    path("section/<slug:slug>/atom/", feeds.atom(feeds.SectionFeed)(), name="section-atom"),
    path("tag/<uslug:slug>/rss/", feeds.TagFeed(), name="tag-rss"),
    path("tag/<uslug:slug>/atom/", feeds.atom(feeds.TagFeed)(), name="tag-atom"),
    path("author/<uslug:slug>/rss/", feeds.AuthorFeed(), name="author-rss"),
    path("author/<uslug:slug>/atom/", feeds.atom(feeds.AuthorFeed)(), name="author-atom"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
]
