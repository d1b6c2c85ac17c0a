from django.urls import path

from . import views
from .correction_feed import CorrectionsFeed

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("story/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<str:slug>/", views.AuthorView.as_view(), name="author"),
    path("speaker/<str:slug>/", views.SpeakerView.as_view(), name="speaker"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
]
