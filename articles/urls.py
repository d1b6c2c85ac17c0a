from django.urls import path

from . import feeds, views
from .correction_feed import CorrectionsFeed

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("story/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<str:slug>/", views.AuthorView.as_view(), name="author"),
    path("speaker/<str:slug>/", views.SpeakerView.as_view(), name="speaker"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("cite/<int:pk>.<str:fmt>", views.citation_download, name="cite"),
    path("story/<str:slug>/cite.<str:fmt>", views.story_citation_download, name="cite-story"),
    path("feeds/rss/", feeds.LatestStoriesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.atom(feeds.LatestStoriesFeed)(), name="feed-atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section-rss"),
    path("section/<slug:slug>/atom/", feeds.atom(feeds.SectionFeed)(), name="section-atom"),
    path("tag/<str:slug>/rss/", feeds.TagFeed(), name="tag-rss"),
    path("tag/<str:slug>/atom/", feeds.atom(feeds.TagFeed)(), name="tag-atom"),
    path("author/<str:slug>/rss/", feeds.AuthorFeed(), name="author-rss"),
    path("author/<str:slug>/atom/", feeds.atom(feeds.AuthorFeed)(), name="author-atom"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
]
